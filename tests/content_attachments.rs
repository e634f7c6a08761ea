//! Attachments: dangerous by name, by content, Office macros, PDF actions.

mod content_support;
use content_support::*;
use fivefifty::finding::Severity;
use std::io::{Cursor, Write};

#[test]
fn exe_attachment_is_an_executable() {
    let r = run(&with_attachment(
        "update.exe",
        "application/octet-stream",
        &pe(),
    ));
    assert!(has(&r, "ATTACHMENT_EXECUTABLE"));
    assert_eq!(severity(&r, "ATTACHMENT_EXECUTABLE"), Some(Severity::Error));
    assert_eq!(r.attachments[0].detected_type, "pe");
    assert_fixes(&r);
}

#[test]
fn script_extensions_are_blocked_by_name() {
    for name in [
        "run.js", "a.vbs", "x.hta", "p.ps1", "s.scr", "l.lnk", "one.one", "r.reg", "i.msi",
    ] {
        let r = run(&with_attachment(name, "application/octet-stream", b"hello"));
        assert!(has(&r, "ATTACHMENT_EXECUTABLE"), "{name}");
    }
}

#[test]
fn double_extension_poses_as_a_document() {
    let r = run(&with_attachment(
        "invoice.pdf.exe",
        "application/pdf",
        &pe(),
    ));
    assert!(has(&r, "ATTACHMENT_DOUBLE_EXTENSION"));
    assert!(has(&r, "ATTACHMENT_TYPE_MISMATCH"));
    assert_eq!(
        severity(&r, "ATTACHMENT_TYPE_MISMATCH"),
        Some(Severity::Error)
    );
}

#[test]
fn version_numbers_are_not_double_extensions() {
    let r = run(&with_attachment(
        "report.v2.pdf",
        "application/pdf",
        &plain_pdf(),
    ));
    assert!(!has(&r, "ATTACHMENT_DOUBLE_EXTENSION"));
    assert_no_error(&r);
}

#[test]
fn right_to_left_override_hides_the_extension() {
    // Shows as "invoiceexe.pdf" but is invoice<RLO>fdp.exe.
    let r = run(&with_attachment(
        "invoice\u{202e}fdp.exe",
        "application/octet-stream",
        &pe(),
    ));
    assert!(has(&r, "ATTACHMENT_NAME_OBFUSCATED"));
    assert!(has(&r, "ATTACHMENT_EXECUTABLE"));
}

#[test]
fn long_space_run_before_the_extension() {
    let name = format!("statement.pdf{}.exe", " ".repeat(40));
    let r = run(&with_attachment(&name, "application/octet-stream", &pe()));
    assert!(has(&r, "ATTACHMENT_NAME_OBFUSCATED"));
}

#[test]
fn exe_disguised_as_pdf_is_found_by_content() {
    let r = run(&with_attachment("invoice.pdf", "application/pdf", &pe()));
    assert!(has(&r, "ATTACHMENT_EXECUTABLE"));
    assert!(has(&r, "ATTACHMENT_TYPE_MISMATCH"));
}

#[test]
fn elf_and_shebang_scripts_are_programs() {
    let r = run(&with_attachment(
        "notes.txt",
        "text/plain",
        b"#!/bin/sh\nrm -rf ~\n",
    ));
    assert!(has(&r, "ATTACHMENT_EXECUTABLE"));
    let r = run(&with_attachment(
        "data.bin",
        "application/octet-stream",
        b"\x7fELF\x02\x01\x01\0",
    ));
    assert!(has(&r, "ATTACHMENT_EXECUTABLE"));
}

#[test]
fn iso_image_is_found_by_content() {
    let mut iso = vec![0u8; 0x9000];
    iso[0x8001..0x8006].copy_from_slice(b"CD001");
    let r = run(&with_attachment(
        "photos.dat",
        "application/octet-stream",
        &iso,
    ));
    assert!(has(&r, "ATTACHMENT_DISK_IMAGE"));
    let r = run(&with_attachment(
        "disk.iso",
        "application/octet-stream",
        &iso,
    ));
    assert!(has(&r, "ATTACHMENT_DISK_IMAGE"));
}

#[test]
fn rar_and_7z_are_flagged_by_type() {
    let r = run(&with_attachment(
        "files.rar",
        "application/x-rar",
        b"Rar!\x1a\x07\x01\x00rest",
    ));
    assert!(has(&r, "ARCHIVE_UNSCANNABLE"));
    assert_eq!(r.attachments[0].detected_type, "rar");
    let r = run(&with_attachment(
        "files.7z",
        "application/x-7z-compressed",
        b"7z\xbc\xaf\x27\x1c\0\x04",
    ));
    assert!(has(&r, "ARCHIVE_UNSCANNABLE"));
    let r = run(&with_attachment(
        "files.pdf",
        "application/pdf",
        b"MSCF\0\0\0\0rest-of-cab",
    ));
    assert!(has(&r, "ARCHIVE_UNSCANNABLE"));
    assert!(has(&r, "ATTACHMENT_TYPE_MISMATCH"));
}

#[test]
fn plain_pdf_invoice_is_clean() {
    let r = run(&with_attachment(
        "invoice_2024.pdf",
        "application/pdf",
        &plain_pdf(),
    ));
    assert_no_error(&r);
    assert!(
        r.findings.iter().all(|f| f.severity == Severity::Info),
        "{:?}",
        r.findings
    );
    assert_eq!(r.attachments[0].detected_type, "pdf");
}

#[test]
fn jpeg_photo_is_clean() {
    let mut jpg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    jpg.extend_from_slice(&[0x55; 2000]);
    jpg.extend_from_slice(b"\xff\xd9");
    let r = run(&with_attachment("IMG_0001.jpg", "image/jpeg", &jpg));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

fn docx(extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ];
    entries.extend_from_slice(extra);
    zip_of(&entries)
}

#[test]
fn docm_with_vba_project_is_a_macro_document() {
    let data = docx(&[(
        "word/vbaProject.bin",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 vba",
    )]);
    let r = run(&with_attachment(
        "invoice.docm",
        "application/vnd.ms-word.document.macroEnabled.12",
        &data,
    ));
    assert!(has(&r, "OFFICE_MACRO"));
    assert!(!has(&r, "ARCHIVE_EXECUTABLE"));
}

#[test]
fn plain_docx_is_clean() {
    let r = run(&with_attachment(
        "letter.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &docx(&[]),
    ));
    assert_no_error(&r);
    assert!(!r.attachments[0].members.is_empty());
}

#[test]
fn excel4_macro_sheet_is_a_macro() {
    let data = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/macrosheets/sheet1.xml", b"<xm:macrosheet/>"),
    ]);
    let r = run(&with_attachment(
        "q3.xlsm",
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        &data,
    ));
    assert!(has(&r, "OFFICE_MACRO"));
}

#[test]
fn remote_template_injection_is_reported() {
    let rels = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://203.0.113.9/t.dotm" TargetMode="External"/></Relationships>"#;
    let data = docx(&[("word/_rels/settings.xml.rels", rels)]);
    let r = run(&with_attachment(
        "cv.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &data,
    ));
    assert!(has(&r, "OFFICE_EXTERNAL_TEMPLATE"));
}

#[test]
fn hyperlinks_in_documents_join_the_urls() {
    let rels = br#"<Relationships><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://docs.example.org/x" TargetMode="External"/></Relationships>"#;
    let data = docx(&[("word/_rels/document.xml.rels", rels)]);
    let r = run(&with_attachment(
        "a.docx",
        "application/octet-stream",
        &data,
    ));
    assert!(!has(&r, "OFFICE_EXTERNAL_TEMPLATE"));
    assert!(r.url_domains().contains(&"example.org".to_string()));
}

fn ole2(with_vba: bool) -> Vec<u8> {
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("create cfb");
    cf.create_stream("/WordDocument")
        .expect("stream")
        .write_all(&[0u8; 600])
        .expect("write");
    if with_vba {
        cf.create_storage("/Macros").expect("storage");
        cf.create_storage("/Macros/VBA").expect("storage");
        cf.create_stream("/Macros/VBA/dir")
            .expect("stream")
            .write_all(b"vba dir")
            .expect("write");
    }
    cf.flush().expect("flush");
    cf.into_inner().into_inner()
}

#[test]
fn ole2_document_with_vba_storage_is_a_macro_document() {
    let r = run(&with_attachment(
        "old.doc",
        "application/msword",
        &ole2(true),
    ));
    assert!(has(&r, "OFFICE_MACRO"));
    let r = run(&with_attachment(
        "old.doc",
        "application/msword",
        &ole2(false),
    ));
    assert!(!has(&r, "OFFICE_MACRO"));
    assert_no_error(&r);
}

#[test]
fn truncated_ole2_still_gets_a_byte_search() {
    let mut data = ole2(true);
    data.truncate(1600);
    let r = run(&with_attachment("old.doc", "application/msword", &data));
    // Whatever cfb makes of it, no panic; the report lists the attachment.
    assert_eq!(r.attachments.len(), 1);
}

#[test]
fn pdf_with_javascript_even_when_escaped() {
    let pdf = b"%PDF-1.6\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n2 0 obj << /S /J#61vaScript /J#53 (app.alert(1)) >> endobj\n%%EOF";
    let r = run(&with_attachment("statement.pdf", "application/pdf", pdf));
    assert!(has(&r, "PDF_JAVASCRIPT"));
}

#[test]
fn pdf_open_action_without_script_is_informational() {
    let pdf = b"%PDF-1.6\n1 0 obj << /Type /Catalog /OpenAction [3 0 R /Fit] >> endobj\n%%EOF";
    let r = run(&with_attachment("brochure.pdf", "application/pdf", pdf));
    assert_eq!(severity(&r, "PDF_OPEN_ACTION"), Some(Severity::Info));
    assert!(!has(&r, "PDF_JAVASCRIPT"));
    // Near miss: a plain PDF has no open action.
    let r = run(&with_attachment(
        "invoice.pdf",
        "application/pdf",
        &plain_pdf(),
    ));
    assert!(!has(&r, "PDF_OPEN_ACTION"));
}

#[test]
fn pdf_launch_and_embedded_files() {
    let pdf = b"%PDF-1.6\n1 0 obj << /Type /Catalog /Names << /EmbeddedFiles 3 0 R >> >> endobj\n2 0 obj << /S /Launch /F (cmd.exe) >> endobj\n%%EOF";
    let r = run(&with_attachment("a.pdf", "application/pdf", pdf));
    assert!(has(&r, "PDF_LAUNCH"));
    assert!(has(&r, "PDF_EMBEDDED_FILE"));
}

#[test]
fn pdf_javascript_hidden_in_an_object_stream() {
    use flate2::{Compression, write::ZlibEncoder};
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::default());
    enc.write_all(b"1 0 << /S /JavaScript /JS (this.exportDataObject()) >>")
        .expect("deflate");
    let stream = enc.finish().expect("finish");
    let mut pdf = b"%PDF-1.7\n5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 99 >>\nstream\n".to_vec();
    pdf.extend_from_slice(&stream);
    pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF");
    let r = run(&with_attachment("a.pdf", "application/pdf", &pdf));
    assert!(has(&r, "PDF_JAVASCRIPT"));
}

#[test]
fn gzip_of_an_exe_is_opened() {
    use flate2::{Compression, write::GzEncoder};
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(&pe()).expect("gzip");
    let gz = enc.finish().expect("finish");
    let r = run(&with_attachment("tool.gz", "application/gzip", &gz));
    assert!(has(&r, "ARCHIVE_EXECUTABLE"));
}

#[test]
fn rtf_with_auto_updating_object() {
    let rtf = b"{\\rtf1 {\\object\\objemb\\objupdate {\\*\\objdata 0105000002000000}}}";
    let r = run(&with_attachment("doc.rtf", "application/rtf", rtf));
    assert!(has(&r, "OFFICE_EMBEDDED_OBJECT"));
}
