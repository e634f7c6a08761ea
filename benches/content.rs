//! Content-check throughput: typical messages built in memory (plain text, HTML newsletter,
//! PDF invoice, zip with an executable, macro document). For the whole benchmark corpus use
//! `bench/content_accuracy.sh`.

use base64::Engine;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fivefifty::checks::content::{ContentContext, analyze};
use std::hint::black_box;
use std::io::{Cursor, Write};

fn headers(subject: &str) -> String {
    format!(
        "From: News <news@sender.example.com>\r\nTo: bob@example.edu\r\nSubject: {subject}\r\nDate: Tue, 04 Jun 2024 10:00:00 +0000\r\nMessage-ID: <b@sender.example.com>\r\nMIME-Version: 1.0\r\n"
    )
}

fn attachment(name: &str, ct: &str, data: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    format!(
        "{}Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n{}\r\n--B\r\nContent-Type: {ct}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--B--\r\n",
        headers("Your file"),
        "Please see the attached file. ".repeat(100),
        lines.join("\r\n")
    )
    .into_bytes()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (n, d) in entries {
        if w.start_file(*n, opts).is_ok() {
            let _ = w.write_all(d);
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let text = format!(
        "{}Content-Type: text/plain\r\n\r\n{}\r\n",
        headers("Notes"),
        "Meeting notes, see https://wiki.example.org/page for details. ".repeat(300)
    )
    .into_bytes();
    let links: String = (0..60)
        .map(|i| {
            format!("<p>Story {i}: <a href=\"https://news.example.org/s/{i}\">read more</a></p>")
        })
        .collect();
    let html = format!(
        "{}List-Unsubscribe: <https://sender.example.com/u>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nContent-Type: text/html\r\n\r\n<html><body>{links}</body></html>\r\n",
        headers("Weekly news")
    )
    .into_bytes();
    let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    pdf.resize(60_000, b' ');
    let mut exe = vec![0u8; 40_000];
    exe[..2].copy_from_slice(b"MZ");
    let docm = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", &[b'a'; 20_000]),
        ("word/vbaProject.bin", &[0u8; 5_000]),
    ]);
    vec![
        ("text", text),
        ("html_newsletter", html),
        (
            "pdf_invoice",
            attachment("invoice.pdf", "application/pdf", &pdf),
        ),
        (
            "zip_exe",
            attachment(
                "docs.zip",
                "application/zip",
                &zip_of(&[("scan.exe", &exe)]),
            ),
        ),
        (
            "docm",
            attachment(
                "a.docm",
                "application/vnd.ms-word.document.macroEnabled.12",
                &docm,
            ),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let ctx = ContentContext::new(Some("sender.example.com"), &["example.edu"]);
    let mut g = c.benchmark_group("content");
    for (name, raw) in corpus() {
        g.throughput(Throughput::Bytes(raw.len() as u64));
        g.bench_function(name, |b| b.iter(|| analyze(black_box(&raw), &ctx)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
