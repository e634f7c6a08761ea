//! Zip archives, opened in memory: every member listed (nested archives too), each judged like
//! an attachment, with limits on member count, declared and real sizes, ratio and depth.
//!
//! The `zip` crate does the reading. One thing is done here by hand first: the zip crate sizes
//! its member table from the count the end-of-central-directory record *declares*, and a zip64
//! record may declare billions. So [`declared_entries`] reads those records itself and an
//! archive declaring more members than [`Limits::max_archive_members`] (or more than its bytes
//! could hold) is reported without being handed to the crate.
//!
//! [`Limits::max_archive_members`]: super::limits::Limits::max_archive_members

use super::attachments::{BOMB_FIX, Inspector, truncated};
use super::filetype::{self, Kind, SNIFF_BYTES};
use super::limits::RATIO_MIN_SIZE;
use super::{MemberInfo, content_finding, office};
use crate::finding::{Finding, Severity};
use std::io::{Cursor, Read};

/// Smallest central-directory entry (bytes): bounds how many members `n` bytes can hold.
const MIN_CENTRAL_ENTRY: u64 = 46;

/// The largest member count any end-of-central-directory record (plain or zip64) in `data`
/// declares; `None` when there is none (not a complete zip).
pub fn declared_entries(data: &[u8]) -> Option<u64> {
    let tail_start = data.len().saturating_sub(22 + 65_535 + 20 + 56);
    let tail = &data[tail_start..];
    let mut max: Option<u64> = None;
    for pos in memchr::memmem::find_iter(tail, b"PK\x05\x06") {
        if let Some(rec) = tail.get(pos..pos + 22) {
            let n = u16::from_le_bytes([rec[10], rec[11]]) as u64;
            max = Some(max.map_or(n, |m| m.max(n)));
        }
    }
    for pos in memchr::memmem::find_iter(data, b"PK\x06\x06") {
        if let Some(rec) = data.get(pos..pos + 56) {
            let mut b = [0u8; 8];
            b.copy_from_slice(&rec[32..40]);
            let n = u64::from_le_bytes(b);
            max = Some(max.map_or(n, |m| m.max(n)));
        }
    }
    max
}

/// Lists and judges the members of the zip `data` (found at `path`, nesting level `depth`).
pub(crate) fn scan_zip(insp: &mut Inspector<'_>, path: &str, data: &[u8], depth: usize) {
    let limits = *insp.limits;
    if depth + 1 > limits.max_archive_depth {
        insp.too_deep(path);
        return;
    }
    let Some(declared) = declared_entries(data) else {
        insp.sink.push(truncated(path, "zip"));
        return;
    };
    let room = data.len() as u64 / MIN_CENTRAL_ENTRY + 1;
    if declared > insp.budget.members_left as u64 || declared > room {
        insp.sink.push(
            content_finding(
                "ARCHIVE_BOMB",
                Severity::Error,
                path,
                format!(
                    "{path} declares {declared} members, more than the limit of {} or than its size can hold",
                    limits.max_archive_members
                ),
                BOMB_FIX,
            )
            .evidence("reason", "member_count")
            .evidence("declared_members", declared),
        );
        return;
    }
    let mut zip = match zip::ZipArchive::new(Cursor::new(data)) {
        Ok(z) => z,
        Err(_) => {
            insp.sink.push(truncated(path, "zip"));
            return;
        }
    };
    let count = zip.len();
    insp.budget.members_left = insp.budget.members_left.saturating_sub(count);

    let mut names = Vec::with_capacity(count);
    // (name, sniffed kind) of every file member read; `None` once one could not be read.
    let mut files: Option<Vec<(String, Kind)>> = Some(Vec::new());
    let mut total: u64 = 0;
    let mut encrypted_reported = false;
    let mut bomb_reported = false;
    let mut corrupt_reported = false;
    for i in 0..count {
        let (name, size, csize, encrypted, is_dir) = match zip.by_index_raw(i) {
            Ok(f) => (
                f.name().to_string(),
                f.size(),
                f.compressed_size(),
                f.encrypted(),
                f.is_dir(),
            ),
            Err(_) => {
                if !corrupt_reported {
                    corrupt_reported = true;
                    insp.sink.push(truncated(path, "zip"));
                }
                continue;
            }
        };
        let member_path = format!("{path}/{name}");
        total = total.saturating_add(size);
        let ratio = size / csize.max(1);
        if !bomb_reported
            && (size > limits.max_archive_total_uncompressed
                || total > limits.max_archive_total_uncompressed
                || (size >= RATIO_MIN_SIZE && ratio > limits.max_compression_ratio))
        {
            bomb_reported = true;
            let reason = if size >= RATIO_MIN_SIZE && ratio > limits.max_compression_ratio {
                "compression_ratio"
            } else {
                "declared_size"
            };
            insp.sink.push(
                content_finding(
                    "ARCHIVE_BOMB",
                    Severity::Error,
                    member_path.as_str(),
                    format!(
                        "{member_path} expands from {csize} to {size} bytes (archive total {total})"
                    ),
                    BOMB_FIX,
                )
                .evidence("reason", reason)
                .evidence("size", size)
                .evidence("compressed_size", csize)
                .evidence("ratio", ratio),
            );
        }
        if encrypted && !encrypted_reported {
            encrypted_reported = true;
            insp.sink.push(
                content_finding(
                    "ARCHIVE_ENCRYPTED",
                    Severity::Warning,
                    path,
                    format!("{path} is password-protected, so its contents cannot be checked"),
                    "Send the archive without a password (or share the files by link, and give \
                     access separately): encrypted archives are the classic way malware \
                     slips past scanners and many gateways refuse them.",
                )
                .evidence("member", &name),
            );
        }
        names.push(name.clone());
        let mut info = MemberInfo {
            path: member_path.clone(),
            depth: depth + 1,
            size,
            compressed_size: csize,
            encrypted,
            detected_type: None,
        };
        if is_dir {
            insp.members.push(info);
            continue;
        }
        let base_name = name.rsplit('/').next().unwrap_or(&name).to_string();
        if encrypted || bomb_reported {
            files = None;
            // Judge by name only.
            insp.members.push(info);
            insp.inspect(&member_path, Some(&base_name), None, &[], depth + 1);
            continue;
        }
        let content = read_member(insp, &mut zip, i, &member_path, size);
        let content = match content {
            Some(Ok(c)) => c,
            Some(Err(())) => {
                files = None;
                if !corrupt_reported {
                    corrupt_reported = true;
                    insp.sink.push(truncated(path, "zip"));
                }
                insp.members.push(info);
                insp.inspect(&member_path, Some(&base_name), None, &[], depth + 1);
                continue;
            }
            None => {
                files = None;
                insp.members.push(info);
                continue;
            }
        };
        if content.len() as u64 > size && !bomb_reported {
            bomb_reported = true;
            insp.sink.push(
                content_finding(
                    "ARCHIVE_BOMB",
                    Severity::Error,
                    member_path.as_str(),
                    format!("{member_path} inflates beyond the {size} bytes it declares"),
                    BOMB_FIX,
                )
                .evidence("reason", "size_lie")
                .evidence("declared", size),
            );
        }
        let (kind, label) = filetype::sniff(&content);
        info.detected_type = Some(label);
        if let Some(f) = files.as_mut() {
            f.push((base_name.clone(), kind));
        }
        insp.members.push(info);
        insp.inspect(&member_path, Some(&base_name), None, &content, depth + 1);
    }

    if names.iter().any(|n| n == "[Content_Types].xml") {
        office::check_ooxml(insp, path, &names, &mut zip);
    } else if let Some([(name, kind)]) = files.as_deref()
        && is_lure_document(name, *kind)
    {
        insp.sink.push(lone_document(path, name));
    }
}

/// Is a file that an archive holds on its own a document a reader opens (PDF, Office, RTF,
/// HTML, an image)? Those gain little from compression, so zipping a single one mostly hides
/// it from attachment filters. Programs are reported by their own rule; text and data are left
/// alone (a zipped log or CSV is ordinary).
fn is_lure_document(name: &str, kind: Kind) -> bool {
    let by_ext = filetype::extension(name).is_some_and(|e| {
        matches!(
            e.as_str(),
            "pdf"
                | "doc"
                | "docx"
                | "docm"
                | "xls"
                | "xlsx"
                | "xlsm"
                | "xlsb"
                | "ppt"
                | "pptx"
                | "pptm"
                | "rtf"
                | "odt"
                | "ods"
                | "htm"
                | "html"
                | "shtml"
                | "svg"
                | "jpg"
                | "jpeg"
                | "png"
                | "gif"
                | "tif"
                | "tiff"
        )
    });
    by_ext || matches!(kind, Kind::Pdf | Kind::Rtf | Kind::Ole2 | Kind::Html)
}

/// `ARCHIVE_LONE_DOCUMENT`: an archive whose only content is one document.
fn lone_document(path: &str, member: &str) -> Finding {
    content_finding(
        "ARCHIVE_LONE_DOCUMENT",
        Severity::Warning,
        path,
        format!(
            "{path} holds nothing but one document, {member}: a lone document in an archive is \
             how malware campaigns carry invoices, scans and delivery notices past attachment \
             filters"
        ),
        "Attach the document itself, not a zip of it (documents barely compress, so the \
         archive gains nothing), or share it by link. Receivers treat a lone zipped document \
         from an unfamiliar sender as a likely lure.",
    )
    .evidence("member", member)
}

/// Reads a member: its first bytes, and all of it (up to the per-member limit) when those bytes
/// show a container worth opening. `None` when the decompression budget is spent.
fn read_member(
    insp: &mut Inspector<'_>,
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    path: &str,
    declared: u64,
) -> Option<Result<Vec<u8>, ()>> {
    let mut file = match zip.by_index(index) {
        Ok(f) => f,
        Err(_) => return Some(Err(())),
    };
    let head = match insp.read_budgeted(path, &mut file, SNIFF_BYTES)? {
        Ok(h) => h,
        Err(_) => return Some(Err(())),
    };
    let (kind, _) = filetype::sniff(&head);
    let container = matches!(
        kind,
        filetype::Kind::Zip | filetype::Kind::Ole2 | filetype::Kind::Pdf | filetype::Kind::Gzip
    );
    if !container || head.len() < SNIFF_BYTES {
        return Some(Ok(head));
    }
    // Read the rest, one byte past the declaration to catch members that lie about their size.
    let want = insp
        .limits
        .max_member_read
        .saturating_sub(head.len())
        .min(declared.saturating_add(1).min(usize::MAX as u64) as usize);
    let mut all = head;
    match insp.read_budgeted(path, &mut file, want)? {
        Ok(rest) => all.extend_from_slice(&rest),
        Err(_) => return Some(Err(())),
    }
    Some(Ok(all))
}

/// Reads a small text member of an OOXML package (relationship files), at most `max` bytes.
pub(crate) fn read_small(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    max: u64,
) -> Option<Vec<u8>> {
    let f = zip.by_name(name).ok()?;
    let mut buf = Vec::new();
    f.take(max).read_to_end(&mut buf).ok()?;
    Some(buf)
}
