//! Whole authentication of one message (SPF HELO + MAIL FROM, every DKIM signature, ARC, DMARC,
//! iprev) with a warm DNS cache, over the corpus of ../shared/bench/gen_corpus.py.
//!
//! ```sh
//! eval "$(scripts/setup-dkimpy.sh /tmp/benchvenv)"
//! $FIVEFIFTY_DKIMPY_PYTHON ../shared/bench/gen_corpus.py --out /tmp/corpus --dns /tmp/corpus/dns -n 500
//! FIVEFIFTY_BENCH_CORPUS=/tmp/corpus cargo bench --bench auth
//! ```
//!
//! The corpus's DNS (dns/*.zone) is served by the lab server on loopback; the resolver keeps
//! hickory's cache on, and one pass over the corpus warms it before measuring. Two figures:
//! `sequential` (one message at a time, criterion's elements/s) and `concurrent` (8 messages in
//! flight on a 2-worker runtime, the way rspamd's benchmark client drives rspamd: 8 connections,
//! 2 workers), printed as messages per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fivefifty::checks::auth::message::authenticate;
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::dns::{DnsConfig, Resolver};
use fivefifty::evidence::Evidence;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Messages in flight in the concurrent measurement (rspamd's client uses 8 connections).
const IN_FLIGHT: usize = 8;

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(
        std::env::var("FIVEFIFTY_BENCH_CORPUS").unwrap_or_else(|_| "/tmp/corpus".into()),
    );
    if dir.join("meta.jsonl").exists() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: no corpus at {} (generate one with ../shared/bench/gen_corpus.py, see the \
             comment at the top of benches/auth.rs)",
            dir.display()
        );
        None
    }
}

fn load(dir: &std::path::Path) -> (LabZones, Vec<Evidence>) {
    let mut zones = LabZones::new();
    let mut dns_files: Vec<PathBuf> = std::fs::read_dir(dir.join("dns"))
        .expect("dns dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "zone"))
        .collect();
    dns_files.sort();
    for f in &dns_files {
        zones.load_file(f).expect("zone loads");
    }
    let meta = std::fs::read_to_string(dir.join("meta.jsonl")).expect("meta.jsonl");
    let mut evidence = Vec::new();
    for line in meta.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("meta line");
        let file = v["file"].as_str().expect("file");
        let raw = std::fs::read(dir.join(file)).expect("message");
        evidence.push(Evidence {
            client_ip: v["ip"].as_str().and_then(|s| s.parse().ok()),
            helo: v["helo"].as_str().map(str::to_string),
            mail_from: v["mailfrom"].as_str().map(str::to_string),
            rcpt_to: v["rcpt"].as_str().map(str::to_string).into_iter().collect(),
            message: Some(Arc::from(raw)),
            inferred: Vec::new(),
        });
    }
    (zones, evidence)
}

async fn concurrent_pass(dns: &Resolver, evidence: &Arc<Vec<Evidence>>) -> usize {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..IN_FLIGHT {
        let dns = dns.clone();
        let evidence = evidence.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(e) = evidence.get(i) else { break };
                let report = authenticate(&dns, e).await;
                std::hint::black_box(&report);
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap_or(0);
    }
    total
}

fn bench_auth(c: &mut Criterion) {
    let Some(dir) = corpus_dir() else { return };
    let (zones, evidence) = load(&dir);
    let evidence = Arc::new(evidence);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime
        .block_on(LabServer::start(zones))
        .expect("lab server");
    let dns = Resolver::new(&DnsConfig {
        cache_size: 65_536,
        ..DnsConfig::with_server(server.addr())
    })
    .expect("resolver");

    // Warm the cache, and count results for the record.
    let (pass, fail) = runtime.block_on(async {
        let mut pass = 0;
        let mut fail = 0;
        for e in evidence.iter() {
            let r = authenticate(&dns, e).await;
            match r.dmarc.as_ref().map(|d| d.result.as_str()) {
                Some("pass") => pass += 1,
                _ => fail += 1,
            }
        }
        (pass, fail)
    });
    eprintln!(
        "corpus: {} messages from {} (DMARC pass {pass}, other {fail})",
        evidence.len(),
        dir.display()
    );

    // Concurrent figure, comparable to rspamd's client (8 in flight, 2 workers): 3 passes.
    let mut rates = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let n = runtime.block_on(concurrent_pass(&dns, &evidence));
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(|a, b| a.total_cmp(b));
    eprintln!(
        "concurrent ({IN_FLIGHT} in flight, 2 workers): median {:.0} msg/s over 3 passes (min {:.0}, max {:.0}); rspamd 3.4 on this corpus: 325 msg/s full, 403 msg/s local-only (../shared/bench/README.md)",
        rates[1], rates[0], rates[2]
    );

    let mut group = c.benchmark_group("auth");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(evidence.len() as u64));
    group.bench_function("sequential_whole_corpus", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for e in evidence.iter() {
                    std::hint::black_box(authenticate(&dns, e).await);
                }
            })
        })
    });
    group.finish();
    drop(server);
}

criterion_group!(benches, bench_auth);
criterion_main!(benches);
