//! Blocklist engine benchmarks, against the loopback lab DNS server.
//!
//! `cargo bench --bench blocklist` runs criterion micro-benchmarks (decoding an answer, one IP
//! against 40 lists). `cargo bench --bench blocklist -- --throughput` instead runs the load
//! figure the issue asks for: 10,000 distinct IPs against 40 lists, and prints queries per
//! second; `bench/blocklist_qps.sh` runs that under `/usr/bin/time -v` for the peak memory.
//!
//! The lab server runs in the same process, so both its work and its memory are in the
//! figures: they are an upper bound on the engine's own cost.

use criterion::Criterion;
use fivefifty::checks::blocklist::{Catalog, ListOutcome, check_ip};
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::dns::{DnsConfig, Resolver};
use hickory_proto::rr::RData;
use hickory_proto::rr::rdata::{A, TXT};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Lists in the benchmark catalog.
const LISTS: usize = 40;
/// Distinct IPs in the throughput run.
const IPS: u32 = 10_000;
/// One IP in this many is listed (on one list, with a TXT reason).
const LISTED_EVERY: u32 = 100;
/// IPs checked at once in the throughput run.
const IPS_IN_FLIGHT: usize = 64;
/// First IP of the run (11.0.0.0: ordinary public space, served only by the lab).
const FIRST_IP: u32 = 0x0b00_0000;

fn zone(k: usize) -> String {
    format!("bl{k:02}.bench.test")
}

fn catalog() -> Catalog {
    let mut text = String::new();
    for k in 0..LISTS {
        text.push_str(&format!(
            "[[list]]\nzone = \"{}\"\nkind = \"ipv4\"\nweight = 60\n\
             codes = [{{ value = \"127.0.0.2\", meaning = \"listed\" }}]\n\
             errors = [{{ value = \"127.255.255.254\", meaning = \"refused\" }}]\n",
            zone(k)
        ));
    }
    Catalog::from_toml_str(&text).expect("bench catalog")
}

fn ip(i: u32) -> Ipv4Addr {
    Ipv4Addr::from(FIRST_IP + i)
}

fn zones() -> LabZones {
    let mut z = LabZones::new();
    for k in 0..LISTS {
        let apex = zone(k);
        z.load_str(
            &format!("{apex}. IN SOA ns.{apex}. hostmaster.{apex}. 1 3600 600 86400 60\n"),
            None,
        )
        .expect("soa");
        z.add(&format!("2.0.0.127.{apex}"), RData::A(A::new(127, 0, 0, 2)))
            .expect("test entry");
    }
    for i in (0..IPS).filter(|i| i % LISTED_EVERY == 0) {
        let o = ip(i).octets();
        let k = (i / LISTED_EVERY) as usize % LISTS;
        let name = format!("{}.{}.{}.{}.{}", o[3], o[2], o[1], o[0], zone(k));
        z.add(&name, RData::A(A::new(127, 0, 0, 2))).expect("a");
        z.add(
            &name,
            RData::TXT(TXT::new(vec![format!("listed: see https://{}/", zone(k))])),
        )
        .expect("txt");
    }
    z
}

fn resolver(server: &LabServer) -> Resolver {
    Resolver::new(&DnsConfig {
        server: Some(server.addr()),
        query_timeout: Duration::from_secs(5),
        budget: None,
        max_in_flight: 256,
        cache_size: 8192,
    })
    .expect("resolver")
}

fn throughput() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let server = LabServer::start(zones()).await.expect("lab server");
        let dns = resolver(&server);
        let catalog = Arc::new(catalog());
        let started = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        let (mut listed, mut clean, mut other) = (0u64, 0u64, 0u64);
        let mut tally = |report: fivefifty::checks::blocklist::BlocklistReport| {
            for r in &report.lists {
                match r.outcome {
                    ListOutcome::Listed { .. } => listed += 1,
                    ListOutcome::Clean { .. } => clean += 1,
                    _ => other += 1,
                }
            }
        };
        // Keep IPS_IN_FLIGHT checks running; each finished report is counted and dropped at
        // once, so memory holds only the reports in flight (as a gate would).
        for i in 0..IPS {
            if set.len() >= IPS_IN_FLIGHT
                && let Some(done) = set.join_next().await
            {
                tally(done.expect("task"));
            }
            let dns = dns.clone();
            let catalog = Arc::clone(&catalog);
            set.spawn(async move { check_ip(&dns, &catalog, IpAddr::V4(ip(i))).await });
        }
        while let Some(done) = set.join_next().await {
            tally(done.expect("task"));
        }
        let secs = started.elapsed().as_secs_f64();
        // Per list answer one A query; per listing one TXT query and one sanity A query (the
        // latter cached after the first per list).
        let a_queries = listed + clean + other;
        let lookups = a_queries + 2 * listed;
        println!("blocklist throughput: {IPS} IPs x {LISTS} lists in {secs:.2} s");
        println!(
            "  list answers: {a_queries} (listed {listed}, clean {clean}, other {other}); \
             {:.0} list queries/s, {:.0} IPs/s",
            a_queries as f64 / secs,
            f64::from(IPS) / secs
        );
        println!(
            "  lookups issued incl. TXT and sanity checks: {lookups} ({:.0}/s)",
            lookups as f64 / secs
        );
        assert_eq!(other, 0, "timeouts or errors on loopback");
        assert_eq!(listed, u64::from(IPS / LISTED_EVERY));
    });
}

fn micro(c: &mut Criterion) {
    let cat = Catalog::builtin();
    let uribl = cat.get("multi.uribl.com").expect("uribl").clone();
    let answer = [Ipv4Addr::new(127, 0, 0, 14)];
    c.bench_function("decode URIBL bitmask answer", |b| {
        b.iter(|| uribl.decode(std::hint::black_box(&answer)))
    });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt.block_on(LabServer::start(zones())).expect("lab server");
    let dns = rt.block_on(async { resolver(&server) });
    let catalog = catalog();
    let mut i = 1u32;
    c.bench_function("one IP against 40 lists (loopback, uncached)", |b| {
        b.iter(|| {
            i = (i + 1) % IPS;
            rt.block_on(check_ip(&dns, &catalog, IpAddr::V4(ip(i))))
        })
    });
}

fn main() {
    if std::env::args().any(|a| a == "--throughput") {
        throughput();
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    micro(&mut c);
    c.final_summary();
}
