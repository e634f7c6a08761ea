//! PDF active content: JavaScript, automatic actions, launching programs, embedded files — the
//! keys `pdfid` counts, found the same way.
//!
//! Names are read token by token with their `#xx` escapes undone (`/J#61vaScript` is
//! `/JavaScript`), in the file and in its compressed object streams (`/Type /ObjStm`, inflated
//! within [`super::limits::MAX_PDF_BYTES`]), where modern PDFs keep their
//! dictionaries. Link targets (`/URI (...)`) join the message's URLs.

use super::attachments::Inspector;
use super::limits::MAX_PDF_BYTES;
use super::{UrlSource, content_finding};
use crate::finding::Severity;
use std::io::Read;

/// Counts of the keys that matter.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PdfKeys {
    /// `/JavaScript` and `/JS`.
    pub javascript: usize,
    /// `/OpenAction` and `/AA` (actions run on open or on events).
    pub auto_action: usize,
    /// `/Launch`.
    pub launch: usize,
    /// `/EmbeddedFile` and `/EmbeddedFiles`.
    pub embedded_file: usize,
    /// `/URI` actions.
    pub uri: usize,
}

/// Scans a PDF's bytes (and its object streams) for the keys.
pub fn scan(data: &[u8], urls: &mut Vec<String>) -> PdfKeys {
    let data = &data[..data.len().min(MAX_PDF_BYTES)];
    let mut keys = PdfKeys::default();
    scan_names(data, &mut keys, urls);
    let mut inflated_total = 0usize;
    for pos in memchr::memmem::find_iter(data, b"stream") {
        // Only "stream" keywords that end a dictionary mentioning /ObjStm.
        let dict_start = pos.saturating_sub(512);
        let before = &data[dict_start..pos];
        if memchr::memmem::find(before, b"/ObjStm").is_none()
            || memchr::memmem::find(before, b"/FlateDecode").is_none()
            || data.get(pos.saturating_sub(3)..pos) == Some(b"end")
        {
            continue;
        }
        let mut start = pos + 6;
        if data.get(start) == Some(&b'\r') {
            start += 1;
        }
        if data.get(start) == Some(&b'\n') {
            start += 1;
        }
        let Some(body) = data.get(start..) else {
            continue;
        };
        let end = memchr::memmem::find(body, b"endstream").unwrap_or(body.len());
        let left = MAX_PDF_BYTES.saturating_sub(inflated_total);
        if left == 0 {
            break;
        }
        let mut out = Vec::new();
        let _ = flate2::read::ZlibDecoder::new(&body[..end])
            .take(left as u64)
            .read_to_end(&mut out);
        inflated_total += out.len();
        scan_names(&out, &mut keys, urls);
    }
    keys
}

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0
}

fn scan_names(data: &[u8], keys: &mut PdfKeys, urls: &mut Vec<String>) {
    for slash in memchr::memchr_iter(b'/', data) {
        let rest = &data[slash + 1..];
        let len = rest
            .iter()
            .take(64)
            .position(|&b| is_delim(b))
            .unwrap_or(rest.len().min(64));
        let raw = &rest[..len];
        let name = decode_name(raw);
        match name.as_slice() {
            b"JavaScript" | b"JS" => keys.javascript += 1,
            b"OpenAction" | b"AA" => keys.auto_action += 1,
            b"Launch" => keys.launch += 1,
            b"EmbeddedFile" | b"EmbeddedFiles" => keys.embedded_file += 1,
            b"URI" => {
                keys.uri += 1;
                if let Some(u) = literal_after(&rest[len..])
                    && urls.len() < 500
                {
                    urls.push(u);
                }
            }
            _ => {}
        }
    }
}

/// Undoes `#xx` escapes in a PDF name.
fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#'
            && let Some(h) = raw.get(i + 1..i + 3)
            && let Ok(s) = std::str::from_utf8(h)
            && let Ok(v) = u8::from_str_radix(s, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// The `(...)` string literal after a key, if it is a URL.
fn literal_after(rest: &[u8]) -> Option<String> {
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    if rest[start] != b'(' {
        return None;
    }
    let body = &rest[start + 1..];
    let end = body.iter().take(2048).position(|&b| b == b')')?;
    let s = String::from_utf8_lossy(&body[..end]).replace("\\", "");
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(s)
}

/// Checks a PDF attachment.
pub(crate) fn check(insp: &mut Inspector<'_>, path: &str, data: &[u8]) {
    let mut found_urls = Vec::new();
    let k = scan(data, &mut found_urls);
    for u in &found_urls {
        insp.urls.add(u, UrlSource::Attachment, insp.part);
    }
    if k.javascript > 0 {
        insp.sink.push(
            content_finding(
                "PDF_JAVASCRIPT",
                Severity::Error,
                path,
                format!("{path} contains JavaScript"),
                "Export the PDF again without scripts (\"Print to PDF\" or \"Save as PDF\" \
                 from the original document); gateways refuse PDFs that run code.",
            )
            .evidence("javascript", k.javascript)
            .evidence("auto_action", k.auto_action),
        );
    }
    if k.launch > 0 {
        insp.sink.push(
            content_finding(
                "PDF_LAUNCH",
                Severity::Error,
                path,
                format!("{path} has a Launch action that starts a program"),
                "Remove the action that opens a file or program from the PDF, or send a plain \
                 PDF export.",
            )
            .evidence("launch", k.launch),
        );
    }
    if k.embedded_file > 0 {
        insp.sink.push(
            content_finding(
                "PDF_EMBEDDED_FILE",
                Severity::Warning,
                path,
                format!("{path} carries embedded files"),
                "Attach the files separately (or not at all) instead of embedding them in the \
                 PDF: scanners treat files hidden inside PDFs as suspect.",
            )
            .evidence("embedded_file", k.embedded_file),
        );
    }
    if k.auto_action > 0 && k.javascript == 0 && k.launch == 0 {
        insp.sink.push(
            content_finding(
                "PDF_OPEN_ACTION",
                Severity::Info,
                path,
                format!("{path} runs an action when opened (no script found)"),
                "",
            )
            .evidence("auto_action", k.auto_action),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_names_are_decoded() {
        let mut urls = Vec::new();
        let k = scan(
            b"%PDF-1.4\n1 0 obj << /S /J#61vaScript /JS (app.alert(1)) >>",
            &mut urls,
        );
        assert_eq!(k.javascript, 2);
        let k = scan(
            b"%PDF-1.4\n<< /S /URI /URI (https://example.com/x) >>",
            &mut urls,
        );
        assert_eq!(k.javascript, 0);
        assert_eq!(urls, vec!["https://example.com/x".to_string()]);
    }
}
