//! The `fivefifty` command: a thin shell around the library (see `cli`).

mod cli;

/// mimalloc instead of the system allocator: the bounce explainer makes many small, short-lived
/// allocations on several threads (a report is built on one thread and dropped on another),
/// which glibc's malloc serves slower. Measured in `bench/bounce_vs_sisimai.sh`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
