//! Content-check throughput on generated messages (placeholder replaced below).
fn main() {}
