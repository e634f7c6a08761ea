//! The MIME walk: parse the message with mail-parser, list every part, hand bodies and files to
//! the other checks, and report structure that is malformed or over a limit.
//!
//! mail-parser recovers from almost anything, which is what a scanner wants, but it does not
//! bound the number of parts it builds. So before parsing, a cheap scan of the raw bytes
//! estimates the part count from boundary lines; a message over [`Limits::max_mime_parts`] gets
//! only its headers parsed and a `MIME_LIMIT_EXCEEDED` finding. The walk itself descends at most
//! [`Limits::max_mime_depth`] levels and looks at most at [`Limits::max_decoded_bytes`] of
//! decoded content.

use super::limits::Limits;
use super::{PartInfo, Sink, content_finding};
use crate::finding::{Finding, Severity};
use mail_parser::{Encoding, Message, MessageParser, MimeHeaders, PartType};
use std::borrow::Cow;

/// A text or HTML body handed to the link, HTML and spam checks.
#[derive(Debug)]
pub struct Body<'a> {
    /// The part it came from.
    pub part: usize,
    /// The decoded text.
    pub text: Cow<'a, str>,
}

/// A file (attachment or inline binary) handed to the attachment checks.
#[derive(Debug)]
pub struct File<'a> {
    /// The part it came from.
    pub part: usize,
    /// Its decoded file name, if any.
    pub name: Option<String>,
    /// Declared `type/subtype`, lowercase.
    pub declared_type: String,
    /// The decoded content.
    pub bytes: Cow<'a, [u8]>,
}

/// The result of the walk.
#[derive(Debug, Default)]
pub struct Walked<'a> {
    /// The parsed message (bodies taken out; headers left for the header checks).
    pub message: Option<Message<'a>>,
    /// Every part in walk order.
    pub parts: Vec<PartInfo>,
    /// Text bodies.
    pub texts: Vec<Body<'a>>,
    /// HTML bodies.
    pub htmls: Vec<Body<'a>>,
    /// Files.
    pub files: Vec<File<'a>>,
}

const MALFORMED_FIX: &str = "Send the message from a standard mail program or library: its MIME \
structure is broken (a missing closing boundary or invalid base64), which gateways treat as an \
attempt to hide content from scanners.";
/// `MIME_LIMIT_EXCEEDED` for the named limit (a field of [`Limits`]).
fn limit_exceeded(severity: Severity, limit: &str, summary: String) -> Finding {
    content_finding(
        "MIME_LIMIT_EXCEEDED",
        severity,
        "message",
        summary,
        LIMIT_FIX,
    )
    .evidence("limit", limit)
}

const LIMIT_FIX: &str = "Send fewer, smaller attachments in a simpler structure (or share large \
files by link): the message is beyond what the receiving gateway scans, and unscannable mail \
is refused.";

/// Walks `raw`, filling the part listing and reporting structure problems into `sink`.
pub fn walk<'a>(raw: &'a [u8], limits: &Limits, sink: &mut Sink) -> Walked<'a> {
    let parser = MessageParser::default();
    let mut walked = Walked::default();

    if raw.len() > limits.max_message_bytes {
        sink.push(
            limit_exceeded(Severity::Error, "max_message_bytes", format!(
                    "the message is {} bytes, over the {}-byte scanning limit; only its headers were checked",
                    raw.len(),
                    limits.max_message_bytes
                ))
            .evidence("size", raw.len()),
        );
        walked.message = parser.parse_headers(raw);
        return walked;
    }
    if let Some(estimate) = too_many_parts(raw, limits.max_mime_parts) {
        sink.push(
            limit_exceeded(Severity::Error, "max_mime_parts", format!(
                    "the message has about {estimate} MIME parts, over the limit of {}; only its headers were checked",
                    limits.max_mime_parts
                ))
            .evidence("parts", estimate),
        );
        walked.message = parser.parse_headers(raw);
        return walked;
    }

    let Some(mut message) = parser.parse(raw) else {
        sink.push(
            content_finding(
                "MIME_MALFORMED",
                Severity::Error,
                "message",
                "the data is not a mail message: no header fields could be read",
                MALFORMED_FIX,
            )
            .evidence("reason", "no_headers"),
        );
        return walked;
    };
    if message.parts.len() > limits.max_mime_parts {
        // The estimate above is a bound on boundary lines; this is the real count.
        sink.push(
            limit_exceeded(Severity::Error, "max_mime_parts", format!(
                    "the message has {} MIME parts, over the limit of {}; only its headers were checked",
                    message.parts.len(),
                    limits.max_mime_parts
                ))
            .evidence("parts", message.parts.len()),
        );
        for p in message.parts.iter_mut().skip(1) {
            p.body = PartType::Text(Cow::Borrowed(""));
        }
        walked.message = Some(message);
        return walked;
    }

    let mut state = WalkState {
        limits,
        decoded: 0,
        decoded_limit_hit: false,
        depth_limit_hit: false,
    };
    walk_message(&mut message, None, 0, &mut state, &mut walked, sink);
    walked.message = Some(message);
    walked
}

struct WalkState<'l> {
    limits: &'l Limits,
    decoded: usize,
    decoded_limit_hit: bool,
    depth_limit_hit: bool,
}

fn walk_message<'a>(
    msg: &mut Message<'a>,
    parent: Option<usize>,
    depth: usize,
    st: &mut WalkState<'_>,
    out: &mut Walked<'a>,
    sink: &mut Sink,
) {
    let mut visited = vec![false; msg.parts.len()];
    walk_part(msg, 0, parent, depth, &mut visited, st, out, sink);
}

#[allow(clippy::too_many_arguments)]
fn walk_part<'a>(
    msg: &mut Message<'a>,
    part_id: usize,
    parent: Option<usize>,
    depth: usize,
    visited: &mut [bool],
    st: &mut WalkState<'_>,
    out: &mut Walked<'a>,
    sink: &mut Sink,
) {
    match visited.get_mut(part_id) {
        Some(v) if !*v => *v = true,
        _ => return,
    }
    if depth > st.limits.max_mime_depth {
        if !st.depth_limit_hit {
            st.depth_limit_hit = true;
            sink.push(
                limit_exceeded(Severity::Error, "max_mime_depth", format!(
                        "MIME parts are nested more than {} levels deep; the deeper parts were not scanned",
                        st.limits.max_mime_depth
                    )),
            );
        }
        return;
    }
    let Some(part) = msg.parts.get(part_id) else {
        return;
    };
    let id = out.parts.len();
    let (content_type, boundary) = match part.content_type() {
        Some(ct) => (
            match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_string(),
            }
            .to_ascii_lowercase(),
            ct.attribute("boundary").map(|b| b.as_bytes().to_vec()),
        ),
        None => ("text/plain".to_string(), None),
    };
    let file_name = part.attachment_name().map(clean_name);
    let disposition = part
        .content_disposition()
        .map(|d| d.ctype().to_ascii_lowercase());
    let transfer_encoding = part
        .content_transfer_encoding()
        .map(|e| e.trim().to_ascii_lowercase());
    let is_attachment = disposition.as_deref() == Some("attachment");
    let encoding_problem = part.is_encoding_problem;
    let is_base64 = part.encoding == Encoding::Base64;
    let (off_body, off_end) = (part.offset_body as usize, part.offset_end as usize);

    let kind = match &part.body {
        PartType::Multipart(_) => "multipart",
        PartType::Message(_) => "message",
        PartType::Text(_) => "text",
        PartType::Html(_) => "html",
        PartType::Binary(_) | PartType::InlineBinary(_) => "binary",
    };
    let size = match &part.body {
        PartType::Text(t) | PartType::Html(t) => t.len(),
        PartType::Binary(b) | PartType::InlineBinary(b) => b.len(),
        _ => 0,
    };
    out.parts.push(PartInfo {
        id,
        parent,
        depth,
        content_type: content_type.clone(),
        file_name: file_name.clone(),
        disposition,
        transfer_encoding,
        size,
        kind,
    });
    let subject = format!("part {id}");

    if encoding_problem {
        sink.push(
            content_finding(
                "MIME_MALFORMED",
                Severity::Warning,
                subject.clone(),
                format!("part {id} ({content_type}) could not be decoded as declared"),
                MALFORMED_FIX,
            )
            .evidence("reason", "undecodable_content"),
        );
    } else if is_base64 && let Some(body) = msg.raw_message.get(off_body..off_end) {
        let bad = body
            .iter()
            .filter(|b| !(b.is_ascii_alphanumeric() || b"+/=\r\n\t ".contains(b)))
            .count();
        if bad > 0 {
            sink.push(
                content_finding(
                    "MIME_MALFORMED",
                    Severity::Warning,
                    subject.clone(),
                    format!("part {id} has {bad} characters that are not base64"),
                    MALFORMED_FIX,
                )
                .evidence("reason", "invalid_base64")
                .evidence("invalid_bytes", bad),
            );
        }
    }

    if kind == "multipart" {
        match &boundary {
            None => sink.push(
                content_finding(
                    "MIME_MALFORMED",
                    Severity::Warning,
                    subject.clone(),
                    format!("part {id} is {content_type} without a boundary"),
                    MALFORMED_FIX,
                )
                .evidence("reason", "no_boundary"),
            ),
            Some(b) => {
                let mut closing = Vec::with_capacity(b.len() + 4);
                closing.extend_from_slice(b"--");
                closing.extend_from_slice(b);
                closing.extend_from_slice(b"--");
                let rest = msg.raw_message.get(off_body..).unwrap_or_default();
                if memchr::memmem::find(rest, &closing).is_none() {
                    sink.push(
                        content_finding(
                            "MIME_MALFORMED",
                            Severity::Warning,
                            subject.clone(),
                            format!("the {content_type} part {id} has no closing boundary"),
                            MALFORMED_FIX,
                        )
                        .evidence("reason", "no_closing_boundary"),
                    );
                }
            }
        }
    }

    // Take the body out of the message: the checks own it from here.
    let body = match msg.parts.get_mut(part_id) {
        Some(p) => std::mem::replace(&mut p.body, PartType::Multipart(Vec::new())),
        None => return,
    };
    if size > 0 {
        if st.decoded.saturating_add(size) > st.limits.max_decoded_bytes {
            if !st.decoded_limit_hit {
                st.decoded_limit_hit = true;
                sink.push(limit_exceeded(
                    Severity::Warning,
                    "max_decoded_bytes",
                    format!(
                        "the decoded parts add up to more than {} bytes; the rest were not scanned",
                        st.limits.max_decoded_bytes
                    ),
                ));
            }
            return;
        }
        st.decoded += size;
    }
    let is_file = file_name.is_some()
        || is_attachment
        || !(content_type.starts_with("text/")
            || content_type.starts_with("multipart/")
            || content_type.starts_with("message/"));
    match body {
        PartType::Multipart(children) => {
            for child in children {
                walk_part(
                    msg,
                    child as usize,
                    Some(id),
                    depth + 1,
                    visited,
                    st,
                    out,
                    sink,
                );
            }
        }
        PartType::Message(mut nested) => {
            walk_message(&mut nested, Some(id), depth + 1, st, out, sink);
        }
        PartType::Text(text) | PartType::Html(text) if is_file => out.files.push(File {
            part: id,
            name: file_name,
            declared_type: content_type,
            bytes: match text {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            },
        }),
        PartType::Text(text) => out.texts.push(Body { part: id, text }),
        PartType::Html(text) => out.htmls.push(Body { part: id, text }),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => out.files.push(File {
            part: id,
            name: file_name,
            declared_type: content_type,
            bytes,
        }),
    }
}

/// A file name as shown to people: control characters other than the bidi ones kept for the
/// attachment checks are dropped, and it is cut to 255 characters.
fn clean_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .take(255)
        .collect::<String>()
        .trim_matches(|c: char| c == '"' || c.is_whitespace() && c != '\u{2007}')
        .to_string()
}

/// Most distinct boundaries a message may declare before it counts as over the part limit.
const MAX_DISTINCT_BOUNDARIES: usize = 64;

/// Estimates whether `raw` holds more than `max_parts` MIME parts without parsing it: counts
/// lines starting with `--`, and if there are many, the lines that start with a declared
/// boundary. Returns the estimate when it is over the limit.
fn too_many_parts(raw: &[u8], max_parts: usize) -> Option<usize> {
    let threshold = max_parts.saturating_mul(2).saturating_add(64);
    let dash_lines = memchr::memmem::find_iter(raw, b"\n--").count();
    if dash_lines <= threshold {
        return None;
    }
    // Many lines start with "--": count only those that open a declared boundary.
    let mut boundaries: Vec<Vec<u8>> = Vec::new();
    for eq in memchr::memchr_iter(b'=', raw) {
        if eq < 8 || !raw[eq - 8..eq].eq_ignore_ascii_case(b"boundary") {
            continue;
        }
        let rest = &raw[eq + 1..];
        let (quoted, rest) = match rest.first() {
            Some(b'"') => (true, &rest[1..]),
            _ => (false, rest),
        };
        let end = rest
            .iter()
            .position(|&c| {
                if quoted {
                    c == b'"' || c == b'\n'
                } else {
                    c == b';' || c.is_ascii_whitespace()
                }
            })
            .unwrap_or(rest.len())
            .min(200);
        let b = rest[..end].to_vec();
        if !b.is_empty() && !boundaries.contains(&b) {
            boundaries.push(b);
            if boundaries.len() > MAX_DISTINCT_BOUNDARIES {
                return Some(dash_lines / 2);
            }
        }
    }
    let mut lines = 0usize;
    for b in &boundaries {
        let mut needle = b"\n--".to_vec();
        needle.extend_from_slice(b);
        lines += memchr::memmem::find_iter(raw, &needle).count();
    }
    (lines > threshold).then_some(lines / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_dash_lines_without_boundaries_are_fine() {
        let mut raw = b"Subject: x\r\n\r\n".to_vec();
        for _ in 0..5000 {
            raw.extend_from_slice(b"-- a comment\n");
        }
        assert_eq!(too_many_parts(&raw, 1000), None);
    }

    #[test]
    fn part_estimate_counts_declared_boundaries() {
        let mut raw = b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n".to_vec();
        for _ in 0..5000 {
            raw.extend_from_slice(b"\n--b\n\nx\n");
        }
        assert!(too_many_parts(&raw, 1000).is_some());
    }
}
