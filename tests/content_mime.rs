//! The MIME walk: part listing, decoded names, malformed structure and hostile input.

mod content_support;
use content_support::*;
use fivefifty::checks::content::{ContentContext, Limits, analyze};
use std::time::Instant;

#[test]
fn parts_are_listed_with_type_name_disposition_encoding_and_size() {
    let raw = with_attachment("report.pdf", "application/pdf", &plain_pdf());
    let r = run(&raw);
    assert_eq!(r.parts.len(), 3);
    assert_eq!(r.parts[0].content_type, "multipart/mixed");
    assert_eq!(r.parts[1].content_type, "text/plain");
    let a = &r.parts[2];
    assert_eq!(a.file_name.as_deref(), Some("report.pdf"));
    assert_eq!(a.disposition.as_deref(), Some("attachment"));
    assert_eq!(a.transfer_encoding.as_deref(), Some("base64"));
    assert_eq!(a.size, plain_pdf().len());
    assert_eq!(a.parent, Some(0));
    assert_eq!(a.depth, 1);
}

#[test]
fn rfc2231_and_encoded_word_file_names_are_decoded() {
    let raw = std::fs::read("tests/fixtures/content/rfc2231_names.eml").expect("fixture");
    let r = run(&raw);
    let names: Vec<&str> = r
        .attachments
        .iter()
        .filter_map(|a| a.file_name.as_deref())
        .collect();
    assert!(names.contains(&"Rechnung März.pdf"), "{names:?}");
    assert!(names.contains(&"résumé.exe"), "{names:?}");
    assert!(has(&r, "ATTACHMENT_EXECUTABLE"));
}

#[test]
fn missing_closing_boundary_is_malformed() {
    let raw = format!(
        "{}Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n",
        headers("a@sender.example.com", "s")
    );
    let r = run(raw.as_bytes());
    assert!(has(&r, "MIME_MALFORMED"));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "MIME_MALFORMED")
        .expect("finding");
    assert_eq!(f.evidence["reason"], "no_closing_boundary");
}

#[test]
fn broken_base64_is_malformed() {
    let raw = format!(
        "{}Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0x!!!$$$***LjQK\r\n--XX--\r\n",
        headers("a@sender.example.com", "s")
    );
    let r = run(raw.as_bytes());
    assert!(has(&r, "MIME_MALFORMED"), "{:?}", r.findings);
}

#[test]
fn well_formed_message_has_no_structure_findings() {
    let r = run(&with_attachment("a.pdf", "application/pdf", &plain_pdf()));
    assert!(!has(&r, "MIME_MALFORMED"));
    assert!(!has(&r, "MIME_LIMIT_EXCEEDED"));
}

#[test]
fn not_a_message_is_malformed() {
    let r = run(b"");
    assert!(has(&r, "MIME_MALFORMED"));
}

#[test]
fn a_million_mime_parts_are_refused_quickly() {
    let mut raw = headers("a@sender.example.com", "parts").into_bytes();
    raw.extend_from_slice(b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
    for _ in 0..1_000_000 {
        raw.extend_from_slice(b"--b\r\n\r\nx\r\n");
    }
    raw.extend_from_slice(b"--b--\r\n");
    let start = Instant::now();
    let r = run(&raw);
    assert!(start.elapsed().as_secs() < 20);
    assert!(has(&r, "MIME_LIMIT_EXCEEDED"));
    assert!(r.parts.is_empty());
}

#[test]
fn part_limit_is_named_and_hit_exactly() {
    let mut raw = headers("a@sender.example.com", "parts").into_bytes();
    raw.extend_from_slice(b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
    for _ in 0..30 {
        raw.extend_from_slice(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n");
    }
    raw.extend_from_slice(b"--b--\r\n");
    let ctx = ContentContext {
        limits: Some(Limits {
            max_mime_parts: 10,
            ..Limits::default()
        }),
        ..ctx()
    };
    let r = analyze(&raw, &ctx);
    assert!(has(&r, "MIME_LIMIT_EXCEEDED"));
    let r = run(&raw);
    assert!(!has(&r, "MIME_LIMIT_EXCEEDED"));
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    let depth = 60;
    let mut raw = headers("a@sender.example.com", "deep").into_bytes();
    raw.extend_from_slice(b"Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
    for i in 1..depth {
        raw.extend_from_slice(
            format!(
                "--b{}\r\nContent-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n",
                i - 1
            )
            .as_bytes(),
        );
    }
    raw.extend_from_slice(
        format!(
            "--b{}\r\nContent-Type: text/plain\r\n\r\ndeep\r\n",
            depth - 1
        )
        .as_bytes(),
    );
    for i in (0..depth).rev() {
        raw.extend_from_slice(format!("--b{i}--\r\n").as_bytes());
    }
    let r = run(&raw);
    assert!(has(&r, "MIME_LIMIT_EXCEEDED"), "{:?}", r.findings);
}

#[test]
fn one_megabyte_header_line_is_handled() {
    let subject = "A".repeat(1024 * 1024);
    let raw = text_message("a@sender.example.com", &subject, "body");
    let start = Instant::now();
    let r = run(&raw);
    assert!(start.elapsed().as_secs() < 10);
    assert_eq!(r.parts.len(), 1);
}

#[test]
fn invalid_utf8_everywhere_never_panics() {
    let mut raw = b"From: \xff\xfe <a@\xc3\x28.example>\r\nSubject: \xe2\x82\r\nContent-Type: multipart/mixed; boundary=\"\xff\"\r\n\r\n--\xff\r\nContent-Type: text/html; charset=\"\xfe\"\r\nContent-Disposition: attachment; filename=\"\xff\xfe.exe\"\r\n\r\n<a href=\"http://\xff\xfe/\">\xc0\xaf</a>\r\n--\xff--\r\n".to_vec();
    let r = run(&raw);
    assert!(!r.parts.is_empty());
    // Random bytes too.
    let mut x: u32 = 12345;
    raw.clear();
    for _ in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        raw.push((x >> 16) as u8);
    }
    let _ = run(&raw);
    let mut with_header =
        b"Subject: x\r\nContent-Type: application/zip; name=a.zip\r\n\r\n".to_vec();
    with_header.extend_from_slice(&raw);
    let _ = run(&with_header);
}

#[test]
fn truncated_messages_never_panic() {
    let raw = with_attachment("a.zip", "application/zip", &zip_of(&[("a.exe", &pe())]));
    for cut in (0..raw.len()).step_by(37) {
        let _ = run(&raw[..cut]);
    }
}

#[test]
fn oversized_message_gets_only_its_headers_checked() {
    let ctx = ContentContext {
        limits: Some(Limits {
            max_message_bytes: 1000,
            ..Limits::default()
        }),
        ..ctx()
    };
    let raw = with_attachment("a.exe", "application/octet-stream", &vec![0u8; 4000]);
    let r = analyze(&raw, &ctx);
    assert!(has(&r, "MIME_LIMIT_EXCEEDED"));
    assert!(!has(&r, "ATTACHMENT_EXECUTABLE"));
}

#[test]
fn decoded_size_limit_is_named_and_hit() {
    let ctx = ContentContext {
        limits: Some(Limits {
            max_decoded_bytes: 100,
            ..Limits::default()
        }),
        ..ctx()
    };
    let raw = with_attachment("a.pdf", "application/pdf", &plain_pdf());
    let r = analyze(&raw, &ctx);
    assert!(has(&r, "MIME_LIMIT_EXCEEDED"));
}

#[test]
fn report_serialises_to_json() {
    let r = run(&with_attachment(
        "a.zip",
        "application/zip",
        &zip_of(&[("a.exe", &pe())]),
    ));
    let v = serde_json::to_value(&r).expect("json");
    assert_eq!(v["attachments"][0]["members"][0]["path"], "a.zip/a.exe");
    assert!(v["findings"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn every_code_is_documented_once() {
    use fivefifty::checks::content::CODES;
    let mut seen = std::collections::HashSet::new();
    for (code, meaning) in CODES {
        assert!(seen.insert(*code), "{code} twice");
        assert!(
            code.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        );
        assert!(!meaning.is_empty());
    }
    // Every code the sources emit is documented.
    for entry in std::fs::read_dir("src/checks/content").expect("dir") {
        let path = entry.expect("entry").path();
        let src = std::fs::read_to_string(&path).expect("read");
        for (i, _) in src.match_indices('"') {
            let rest = &src[i + 1..];
            let end = rest.find('"').unwrap_or(0);
            let word = &rest[..end];
            let is_code = word.len() > 6
                && word.contains('_')
                && word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                && [
                    "MIME_",
                    "ATTACHMENT_",
                    "ARCHIVE_",
                    "OFFICE_",
                    "PDF_",
                    "HTML_",
                    "LINK_",
                    "URL_",
                    "PHISHING_",
                    "LOOKALIKE_",
                    "HEADER_",
                    "REPLY_",
                    "SPAM_",
                ]
                .iter()
                .any(|p| word.starts_with(p));
            if is_code && !word.ends_with('_') {
                assert!(
                    seen.contains(word),
                    "{word} in {} is not in CODES",
                    path.display()
                );
            }
        }
    }
}
