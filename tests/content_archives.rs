//! Archives: members listed in memory, executables inside, encryption, bombs and limits.

mod content_support;
use content_support::*;
use fivefifty::checks::content::{ContentContext, Limits, analyze};
use std::time::Instant;

#[test]
fn zip_with_exe_is_dangerous() {
    let z = zip_of(&[("scan_001.exe", &pe())]);
    let r = run(&with_attachment("documents.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_EXECUTABLE"));
    let m = &r.attachments[0].members;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].path, "documents.zip/scan_001.exe");
    assert_eq!(m[0].detected_type.as_deref(), Some("pe"));
}

#[test]
fn zip_inside_zip_with_exe_is_dangerous() {
    let inner = zip_of(&[("invoice.pdf.exe", &pe())]);
    let outer = zip_of(&[("more.zip", &inner), ("readme.txt", b"hello")]);
    let r = run(&with_attachment("files.zip", "application/zip", &outer));
    assert!(has(&r, "ARCHIVE_EXECUTABLE"));
    assert!(has(&r, "ATTACHMENT_DOUBLE_EXTENSION"));
    assert!(
        r.attachments[0]
            .members
            .iter()
            .any(|m| m.path == "files.zip/more.zip/invoice.pdf.exe" && m.depth == 2)
    );
}

#[test]
fn exe_renamed_inside_zip_is_found_by_content() {
    let z = zip_of(&[("photo.jpg", &pe())]);
    let r = run(&with_attachment("photos.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_EXECUTABLE"));
    assert!(has(&r, "ATTACHMENT_TYPE_MISMATCH"));
}

#[test]
fn zip_of_documents_is_clean() {
    let z = zip_of(&[
        ("a.pdf", &plain_pdf()),
        ("notes.txt", b"minutes of the meeting"),
    ]);
    let r = run(&with_attachment("minutes.zip", "application/zip", &z));
    assert_no_error(&r);
    assert!(!has(&r, "ARCHIVE_LONE_DOCUMENT"));
    assert_eq!(r.attachments[0].members.len(), 2);
}

#[test]
fn zip_holding_one_pdf_is_a_lure_warning() {
    let z = zip_of(&[("report.pdf", &plain_pdf())]);
    let r = run(&with_attachment("documents_17.zip", "application/zip", &z));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "ARCHIVE_LONE_DOCUMENT")
        .expect("lone document reported");
    assert_eq!(f.severity, fivefifty::finding::Severity::Warning);
    assert_eq!(
        f.evidence.get("member").and_then(|v| v.as_str()),
        Some("report.pdf")
    );
    assert_no_error(&r);
}

#[test]
fn zip_holding_one_document_disguised_by_name_is_still_a_lone_document() {
    // Found by content: a PDF named .dat is still a document to the reader's viewer.
    let z = zip_of(&[("scan0001.dat", &plain_pdf())]);
    let r = run(&with_attachment("scan.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_LONE_DOCUMENT"));
}

#[test]
fn zip_holding_one_log_file_is_ordinary() {
    let z = zip_of(&[("server.log", b"2026-01-01 started\n2026-01-01 stopped\n")]);
    let r = run(&with_attachment("logs.zip", "application/zip", &z));
    assert!(!has(&r, "ARCHIVE_LONE_DOCUMENT"));
    assert_no_error(&r);
}

#[test]
fn zip_holding_one_program_is_reported_as_a_program_only() {
    let z = zip_of(&[("setup.scr", &pe())]);
    let r = run(&with_attachment("setup.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_EXECUTABLE"));
    assert!(!has(&r, "ARCHIVE_LONE_DOCUMENT"));
}

/// Sets the "encrypted" flag of every member (local and central headers).
fn mark_encrypted(mut z: Vec<u8>) -> Vec<u8> {
    let mut i = 0;
    while i + 10 < z.len() {
        if z[i..i + 4] == *b"PK\x03\x04" {
            z[i + 6] |= 1;
        } else if z[i..i + 4] == *b"PK\x01\x02" {
            z[i + 8] |= 1;
        }
        i += 1;
    }
    z
}

#[test]
fn encrypted_zip_is_reported_and_names_still_checked() {
    let z = mark_encrypted(zip_of(&[("report.pdf", b"garbled ciphertext bytes")]));
    let r = run(&with_attachment("secure.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_ENCRYPTED"));
    assert!(r.attachments[0].members[0].encrypted);
    let z = mark_encrypted(zip_of(&[("payload.exe", b"garbled ciphertext bytes")]));
    let r = run(&with_attachment("secure.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_ENCRYPTED"));
    assert!(has(&r, "ARCHIVE_EXECUTABLE"));
}

#[test]
fn high_ratio_member_is_a_bomb() {
    let zeros = vec![0u8; 20 * 1024 * 1024];
    let z = zip_of(&[("zeros.bin", &zeros)]);
    assert!(z.len() < 200 * 1024);
    let r = run(&with_attachment("data.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_BOMB"));
}

/// A hand-written zip with one stored member whose central directory declares (through a zip64
/// extra field) an uncompressed size of `declared` bytes.
fn zip_declaring(declared: u64) -> Vec<u8> {
    let name = b"big.bin";
    let data = b"hello";
    let crc = {
        let mut h = flate2::Crc::new();
        h.update(data);
        h.sum()
    };
    let mut z = Vec::new();
    // Local header.
    z.extend_from_slice(b"PK\x03\x04");
    z.extend_from_slice(&45u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes()); // flags
    z.extend_from_slice(&0u16.to_le_bytes()); // stored
    z.extend_from_slice(&[0; 4]); // time, date
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(name);
    z.extend_from_slice(data);
    let cd_start = z.len();
    // Central header with a zip64 extra for the uncompressed size.
    z.extend_from_slice(b"PK\x01\x02");
    z.extend_from_slice(&45u16.to_le_bytes());
    z.extend_from_slice(&45u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(&[0; 4]);
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&u32::MAX.to_le_bytes()); // see zip64 extra
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&12u16.to_le_bytes()); // extra length
    z.extend_from_slice(&0u16.to_le_bytes()); // comment
    z.extend_from_slice(&0u16.to_le_bytes()); // disk
    z.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
    z.extend_from_slice(&0u32.to_le_bytes()); // external attrs
    z.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    z.extend_from_slice(name);
    z.extend_from_slice(&1u16.to_le_bytes()); // zip64 extra id
    z.extend_from_slice(&8u16.to_le_bytes());
    z.extend_from_slice(&declared.to_le_bytes());
    let cd_len = z.len() - cd_start;
    z.extend_from_slice(b"PK\x05\x06");
    z.extend_from_slice(&[0; 4]);
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&(cd_len as u32).to_le_bytes());
    z.extend_from_slice(&(cd_start as u32).to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z
}

#[test]
fn member_declaring_ten_gigabytes_is_a_bomb() {
    let z = zip_declaring(10 * 1024 * 1024 * 1024);
    let r = run(&with_attachment("big.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_BOMB"), "{:#?}", r.findings);
    let m = &r.attachments[0].members[0];
    assert_eq!(m.size, 10 * 1024 * 1024 * 1024);
}

#[test]
fn nested_zips_beyond_the_depth_limit_are_a_bomb() {
    let mut z = zip_of(&[("core.txt", b"x")]);
    for i in 0..8 {
        z = zip_of(&[(&format!("layer{i}.zip"), &z)]);
    }
    let r = run(&with_attachment("nested.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_BOMB"));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "ARCHIVE_BOMB")
        .expect("bomb");
    assert_eq!(f.evidence["reason"], "nesting_depth");
}

#[test]
fn nested_bomb_in_the_style_of_42_zip_stays_bounded() {
    // Each layer holds 16 copies of the layer below; the innermost is 1 MiB of zeros.
    let zeros = vec![0u8; 1024 * 1024];
    let mut z = zip_of(&[("0.bin", &zeros)]);
    for _ in 0..3 {
        let names: Vec<String> = (0..16).map(|i| format!("{i}.zip")).collect();
        let entries: Vec<(&str, &[u8])> =
            names.iter().map(|n| (n.as_str(), z.as_slice())).collect();
        z = zip_of(&entries);
    }
    let start = Instant::now();
    let r = run(&with_attachment("42.zip", "application/zip", &z));
    assert!(start.elapsed().as_secs() < 30);
    assert!(has(&r, "ARCHIVE_BOMB"));
}

#[test]
fn declared_member_count_over_the_limit_is_not_allocated() {
    // A zip64 end record claiming a trillion members.
    let mut z = zip_of(&[("a.txt", b"a")]);
    let mut rec = b"PK\x06\x06".to_vec();
    rec.extend_from_slice(&44u64.to_le_bytes());
    rec.extend_from_slice(&[45, 0, 45, 0]);
    rec.extend_from_slice(&[0; 8]);
    rec.extend_from_slice(&1_000_000_000_000u64.to_le_bytes());
    rec.extend_from_slice(&1_000_000_000_000u64.to_le_bytes());
    rec.extend_from_slice(&[0; 16]);
    let eocd = z.len() - 22;
    z.splice(eocd..eocd, rec);
    let r = run(&with_attachment("many.zip", "application/zip", &z));
    assert!(has(&r, "ARCHIVE_BOMB"));
}

#[test]
fn member_count_limit_is_named_and_hit() {
    let names: Vec<String> = (0..50).map(|i| format!("f{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let z = zip_of(&entries);
    let ctx = ContentContext {
        limits: Some(Limits {
            max_archive_members: 10,
            ..Limits::default()
        }),
        ..ctx()
    };
    let r = analyze(&with_attachment("many.zip", "application/zip", &z), &ctx);
    assert!(has(&r, "ARCHIVE_BOMB"));
}

#[test]
fn truncated_zip_is_unscannable_not_a_panic() {
    let z = zip_of(&[("a.pdf", &plain_pdf()), ("b.exe", &pe())]);
    for cut in [10, z.len() / 2, z.len() - 10] {
        let r = run(&with_attachment("cut.zip", "application/zip", &z[..cut]));
        assert!(
            has(&r, "ARCHIVE_UNSCANNABLE"),
            "cut at {cut}: {:?}",
            r.findings
        );
    }
}

#[test]
fn corrupt_deflate_data_is_reported() {
    let mut z = zip_of(&[("a.txt", &b"some text that compresses ".repeat(100))]);
    // Scramble the compressed bytes (after the 30-byte local header and the 5-byte name).
    for b in z.iter_mut().skip(35).take(20) {
        *b ^= 0x5a;
    }
    let r = run(&with_attachment("bad.zip", "application/zip", &z));
    assert_eq!(r.attachments.len(), 1);
}

/// A 7z archive from tests/fixtures/content/7z (see its README for how each was made).
fn seven_zip(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/content/7z")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn run_7z(name: &str) -> fivefifty::checks::content::ContentReport {
    run(&with_attachment(
        "files.7z",
        "application/x-7z-compressed",
        &seven_zip(name),
    ))
}

#[test]
fn seven_zip_members_are_listed_and_a_program_inside_is_dangerous() {
    let r = run_7z("exe.7z");
    assert!(has(&r, "ARCHIVE_EXECUTABLE"), "{:#?}", r.findings);
    assert!(!has(&r, "ARCHIVE_UNSCANNABLE"));
    let m = &r.attachments[0].members;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].path, "files.7z/setup.exe");
    assert_eq!(m[0].detected_type.as_deref(), Some("pe"));
}

#[test]
fn seven_zip_program_renamed_as_a_picture_is_found_by_content() {
    let r = run_7z("renamed.7z");
    assert!(has(&r, "ARCHIVE_EXECUTABLE"), "{:#?}", r.findings);
    assert!(has(&r, "ATTACHMENT_TYPE_MISMATCH"));
}

#[test]
fn seven_zip_of_documents_is_clean_and_a_lone_one_is_a_lure() {
    let r = run_7z("docs.7z");
    assert_no_error(&r);
    assert!(!has(&r, "ARCHIVE_LONE_DOCUMENT"));
    assert_eq!(r.attachments[0].members.len(), 2);

    let r = run_7z("lone.7z");
    assert_no_error(&r);
    assert!(has(&r, "ARCHIVE_LONE_DOCUMENT"));
}

#[test]
fn zip_inside_seven_zip_is_opened() {
    let r = run_7z("nested.7z");
    assert!(has(&r, "ARCHIVE_EXECUTABLE"), "{:#?}", r.findings);
    assert!(has(&r, "ATTACHMENT_DOUBLE_EXTENSION"));
    assert!(
        r.attachments[0]
            .members
            .iter()
            .any(|m| m.path == "files.7z/inner.zip/invoice.pdf.exe" && m.depth == 2)
    );
}

#[test]
fn seven_zip_inside_zip_is_opened() {
    // Larger than the bytes sniffed from a member, so it is opened only if read in full.
    let outer = zip_of(&[
        ("parcel.7z", &seven_zip("padded.7z")),
        ("readme.txt", b"hello"),
    ]);
    let r = run(&with_attachment("files.zip", "application/zip", &outer));
    assert!(has(&r, "ARCHIVE_EXECUTABLE"), "{:#?}", r.findings);
    assert!(
        r.attachments[0]
            .members
            .iter()
            .any(|m| m.path == "files.zip/parcel.7z/setup.exe" && m.depth == 2),
        "{:#?}",
        r.attachments[0].members
    );
}

#[test]
fn encrypted_seven_zip_is_reported_and_names_still_checked() {
    let r = run_7z("enc.7z");
    assert!(has(&r, "ARCHIVE_ENCRYPTED"), "{:#?}", r.findings);
    // The names are in clear: setup.exe is judged by its name.
    assert!(has(&r, "ARCHIVE_EXECUTABLE"));
}

#[test]
fn seven_zip_with_encrypted_names_is_reported_without_a_listing() {
    let r = run_7z("hdrenc.7z");
    assert!(has(&r, "ARCHIVE_ENCRYPTED"), "{:#?}", r.findings);
    assert!(r.attachments[0].members.is_empty());
}

#[test]
fn seven_zip_bomb_is_reported_without_decompressing() {
    let started = Instant::now();
    let r = run_7z("bomb.7z");
    assert!(has(&r, "ARCHIVE_BOMB"), "{:#?}", r.findings);
    assert_eq!(r.attachments[0].members[0].size, 200 * 1024 * 1024);
    // Not a timing assertion on speed, a guard that 200 MiB were not inflated: that takes
    // seconds, a listing takes microseconds.
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn truncated_or_corrupt_seven_zip_is_unscannable_not_a_panic() {
    let full = seven_zip("docs.7z");
    for cut in [6, 32, full.len() / 2, full.len() - 1] {
        let r = run_7z_bytes(&full[..cut]);
        assert!(
            has(&r, "ARCHIVE_UNSCANNABLE"),
            "cut at {cut}: {:#?}",
            r.findings
        );
    }
    // Damaged packed data (between the 32-byte signature header and the end header): the
    // CRC check fails while the members are read.
    let mut flipped = full.clone();
    for b in flipped[40..80].iter_mut() {
        *b ^= 0x5a;
    }
    let r = run_7z_bytes(&flipped);
    assert!(has(&r, "ARCHIVE_UNSCANNABLE"), "{:#?}", r.findings);
    assert_eq!(r.attachments[0].members.len(), 2);
}

fn run_7z_bytes(data: &[u8]) -> fivefifty::checks::content::ContentReport {
    run(&with_attachment(
        "files.7z",
        "application/x-7z-compressed",
        data,
    ))
}

#[test]
fn seven_zip_members_count_against_the_decompression_budget() {
    let ctx = ContentContext {
        limits: Some(Limits {
            max_decompressed_total: 64,
            ..Limits::default()
        }),
        ..ContentContext::new(None::<&str>, &[] as &[&str])
    };
    let raw = with_attachment(
        "files.7z",
        "application/x-7z-compressed",
        &seven_zip("renamed.7z"),
    );
    let r = analyze(&raw, &ctx);
    // The PE stub is larger than the budget: it is listed, judged by name, not read.
    assert_eq!(r.attachments[0].members.len(), 1);
    assert_eq!(r.attachments[0].members[0].detected_type, None);
}
