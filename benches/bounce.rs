//! Bounce explainer throughput over the whole bounce corpus (`../shared/corpora/bounces/`).
//!
//! The messages are read into memory first, so the figure is parsing and classification only.
//! `bench/bounce_vs_sisimai.sh` compares whole-process runs with Sisimai side by side.

use criterion::{Criterion, Throughput, criterion_group};
use std::hint::black_box;
use std::path::Path;

/// The allocator the `fivefifty` binary uses (src/main.rs), so the figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/bounces/eml");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("SKIP: {} not found", dir.display());
        return Vec::new();
    };
    let mut files: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn bench(c: &mut Criterion) {
    let msgs = corpus();
    if msgs.is_empty() {
        return;
    }
    let mut g = c.benchmark_group("bounce");
    g.throughput(Throughput::Elements(msgs.len() as u64));
    g.bench_function("explain_corpus", |b| {
        b.iter(|| {
            let mut rows = 0usize;
            for m in &msgs {
                rows += fivefifty::bounce::explain_bytes(black_box(m))
                    .recipients
                    .len();
            }
            rows
        })
    });
    g.finish();
}

/// One-shot mode for `bench/bounce_vs_sisimai.sh`: with `BOUNCE_MAILDIR=<dir>` set, read the
/// folder through `explain_path` (the same path a Maildir user takes) `BOUNCE_RUNS` times, and
/// print messages, rows and messages per second of the fastest run. `BOUNCE_THREADS=n` uses
/// `BounceStream::for_each_parallel` on n threads; `BOUNCE_MIN_SECONDS=s` makes passes for at
/// least s seconds.
fn one_shot(dir: &str) {
    let runs: usize = std::env::var("BOUNCE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    // BOUNCE_THREADS=n reads with `for_each_parallel` on n threads (default 1: the iterator).
    let threads: usize = std::env::var("BOUNCE_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    // BOUNCE_MIN_SECONDS=s: keep making passes until they add up to s seconds (at least
    // BOUNCE_RUNS of them), so the fastest pass is taken from the same time budget the other
    // side of a comparison gets, not from a handful of 10 ms samples.
    let budget: f64 = std::env::var("BOUNCE_MIN_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let limits = fivefifty::bounce::Limits::default();
    let mut took_all = Vec::new();
    let (mut msgs, mut rows) = (0usize, 0usize);
    let (mut passes, mut spent) = (0usize, 0.0f64);
    while passes < runs.max(1) || spent < budget {
        passes += 1;
        let t = std::time::Instant::now();
        msgs = 0;
        rows = 0;
        let Ok(stream) = fivefifty::bounce::explain_path(Path::new(dir), &limits) else {
            eprintln!("cannot open {dir}");
            std::process::exit(2);
        };
        stream.for_each_parallel(threads, |r| {
            if let Ok(r) = r {
                msgs += 1;
                rows += r.recipients.len();
            }
        });
        let took = t.elapsed().as_secs_f64();
        took_all.push(took);
        spent += took;
    }
    took_all.sort_by(f64::total_cmp);
    let best = took_all[0];
    // The median pass too: on a machine that others share, the fastest pass of two builds can
    // differ by more than the builds do.
    let median = took_all[took_all.len() / 2];
    println!(
        "fivefifty threads={threads} passes={passes} messages={msgs} rows={rows} seconds={best:.6} per_second={:.1} median_per_second={:.1}",
        msgs as f64 / best,
        msgs as f64 / median
    );
}

fn main() {
    if let Ok(dir) = std::env::var("BOUNCE_MAILDIR") {
        one_shot(&dir);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

criterion_group!(benches, bench);
