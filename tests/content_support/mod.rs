//! Helpers for the content tests: build messages, zips and executables in memory.
#![allow(dead_code)]

use base64::Engine;
use fivefifty::checks::content::{ContentContext, ContentReport, analyze, codes};
use fivefifty::finding::Severity;
use std::io::{Cursor, Write};

/// A context for mail from sender.example to example.edu.
pub fn ctx() -> ContentContext {
    ContentContext::new(Some("sender.example.com"), &["example.edu"])
}

/// Analyzes with [`ctx`].
pub fn run(raw: &[u8]) -> ContentReport {
    analyze(raw, &ctx())
}

/// Headers every well-formed test message has.
pub fn headers(from: &str, subject: &str) -> String {
    format!(
        "From: {from}\r\nTo: bob@example.edu\r\nSubject: {subject}\r\nDate: Tue, 04 Jun 2024 10:00:00 +0000\r\nMessage-ID: <t1@sender.example.com>\r\nMIME-Version: 1.0\r\n"
    )
}

/// A text-only message.
pub fn text_message(from: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "{}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        headers(from, subject)
    )
    .into_bytes()
}

/// An HTML-only message.
pub fn html_message(from: &str, subject: &str, html: &str) -> Vec<u8> {
    format!(
        "{}Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n",
        headers(from, subject)
    )
    .into_bytes()
}

/// A multipart/mixed message with a text body and one base64 attachment.
pub fn with_attachment(name: &str, content_type: &str, data: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    let mut wrapped = String::new();
    for chunk in b64.as_bytes().chunks(76) {
        wrapped.push_str(std::str::from_utf8(chunk).expect("base64 is ascii"));
        wrapped.push_str("\r\n");
    }
    format!(
        "{}Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\n--BOUNDARY\r\nContent-Type: text/plain\r\n\r\nPlease find the file attached.\r\n--BOUNDARY\r\nContent-Type: {content_type}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{wrapped}--BOUNDARY--\r\n",
        headers("Alice <alice@sender.example.com>", "Your file")
    )
    .into_bytes()
}

/// A minimal Windows PE file.
pub fn pe() -> Vec<u8> {
    let mut d = vec![0u8; 0x200];
    d[0] = b'M';
    d[1] = b'Z';
    d[0x3c] = 0x80;
    d[0x80..0x84].copy_from_slice(b"PE\0\0");
    d
}

/// A small, plain PDF.
pub fn plain_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// A zip (deflated) of the given members.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("start file");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// True when the report has the code; also checks that the code is documented in CODES.
pub fn has(r: &ContentReport, code: &str) -> bool {
    assert!(codes::describe(code).is_some(), "{code} is not in CODES");
    r.has(code)
}

/// The severity of the first finding with this code.
pub fn severity(r: &ContentReport, code: &str) -> Option<Severity> {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .map(|f| f.severity)
}

/// Asserts that no finding is at error level.
pub fn assert_no_error(r: &ContentReport) {
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} {}", f.code, f.summary))
        .collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
}

/// Every finding has a fix unless it is informational.
pub fn assert_fixes(r: &ContentReport) {
    for f in &r.findings {
        if f.severity != Severity::Info {
            assert!(!f.fix.is_empty(), "{} has no fix", f.code);
        }
        assert!(
            codes::describe(&f.code).is_some(),
            "{} is not in CODES",
            f.code
        );
    }
}
