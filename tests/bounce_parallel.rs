//! `BounceStream::for_each_parallel` gives the plain iterator's reports, in the same order, for
//! a Maildir and an mbox.

use fivefifty::bounce::{self, BounceReport, Limits};
use std::path::Path;

fn message(i: usize) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n\
         --B\nContent-Type: text/plain\n\nlost\n--B\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; user{i}@example.org\n\
         Action: failed\nStatus: 5.{}.1\n\n--B--\n",
        i % 3 + 1
    )
}

fn summary(r: &BounceReport) -> String {
    let rows: Vec<String> = r
        .recipients
        .iter()
        .map(|x| format!("{:?} {:?}", x.recipient, x.reason))
        .collect();
    format!("{:?} {:?} {}", r.source, r.kind, rows.join(","))
}

fn both(path: &Path, threads: usize) -> (Vec<String>, Vec<String>) {
    let limits = Limits::default();
    let plain: Vec<String> = bounce::explain_path(path, &limits)
        .expect("open")
        .map(|r| r.map(|r| summary(&r)).unwrap_or_else(|e| e.to_string()))
        .collect();
    let mut par = Vec::new();
    bounce::explain_path(path, &limits)
        .expect("open")
        .for_each_parallel(threads, |r| {
            par.push(r.map(summary).unwrap_or_else(|e| e.to_string()));
        });
    (plain, par)
}

#[test]
fn parallel_reports_come_in_input_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let md = dir.path().join("maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).expect("mkdir");
    }
    let mut mbox = String::new();
    for i in 0..300 {
        std::fs::write(md.join("cur").join(format!("{i:04}:2,S")), message(i)).expect("write");
        mbox.push_str("From sender@example.com Sat Jan  1 00:00:00 2000\n");
        mbox.push_str(&message(i));
    }
    let mb = dir.path().join("box.mbox");
    std::fs::write(&mb, mbox).expect("write");
    for path in [&md, &mb] {
        for threads in [1, 2, 3] {
            let (plain, par) = both(path, threads);
            assert_eq!(plain.len(), 300);
            assert_eq!(plain, par, "{} threads={threads}", path.display());
        }
    }
}
