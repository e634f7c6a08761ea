//! Prints the content report of one message as JSON.
//!
//! Usage: `cargo run --example content_report -- MESSAGE.eml [SENDER_DOMAIN [RECIPIENT_DOMAIN...]]`

use fivefifty::checks::content::{ContentContext, analyze};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: content_report MESSAGE.eml [SENDER_DOMAIN [RECIPIENT_DOMAIN...]]");
        std::process::exit(2);
    };
    let raw = match std::fs::read(path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let rcpt: Vec<&str> = args.iter().skip(2).map(String::as_str).collect();
    let ctx = ContentContext::new(args.get(1).map(String::as_str), &rcpt);
    let report = analyze(&raw, &ctx);
    match serde_json::to_string_pretty(&report) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("cannot serialise: {e}"),
    }
}
