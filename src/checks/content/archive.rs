//! Zip and 7z archives, opened in memory: every member listed (nested archives too), each
//! judged like an attachment, with limits on member count, declared and real sizes, ratio and
//! depth.
//!
//! 7z is read by `sevenz-rust2` (pure Rust, with memory limits on header and decoder buffers).
//! RAR and CAB are only recognised: no well-kept pure-Rust crate lists their members.
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
        insp.sink.push(too_many_members(path, declared, &limits));
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
        let over_ratio =
            size >= RATIO_MIN_SIZE && size / csize.max(1) > limits.max_compression_ratio;
        if !bomb_reported
            && (size > limits.max_archive_total_uncompressed
                || total > limits.max_archive_total_uncompressed
                || over_ratio)
        {
            bomb_reported = true;
            let reason = if over_ratio {
                "compression_ratio"
            } else {
                "declared_size"
            };
            insp.sink
                .push(declared_bomb(&member_path, size, csize, total, reason));
        }
        if encrypted && !encrypted_reported {
            encrypted_reported = true;
            insp.sink
                .push(encrypted_archive(path).evidence("member", &name));
        }
        names.push(name.clone());
        let info = MemberInfo {
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
            inspect_member(insp, info, &mut files, &base_name, None, depth);
            continue;
        }
        let content = read_member(insp, &mut zip, i, &member_path, size);
        let content = match content {
            Some(Ok(c)) => c,
            Some(Err(())) => {
                if !corrupt_reported {
                    corrupt_reported = true;
                    insp.sink.push(truncated(path, "zip"));
                }
                inspect_member(insp, info, &mut files, &base_name, None, depth);
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
        inspect_member(insp, info, &mut files, &base_name, Some(&content), depth);
    }

    if names.iter().any(|n| n == "[Content_Types].xml") {
        office::check_ooxml(insp, path, &names, &mut zip);
    } else {
        report_lone_document(insp, path, files.as_deref());
    }
}

/// `ARCHIVE_BOMB` for an archive declaring more members than may be listed.
fn too_many_members(path: &str, declared: u64, limits: &super::Limits) -> Finding {
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
    .evidence("declared_members", declared)
}

/// `ARCHIVE_BOMB` for a member whose declared size (or the archive's total) is beyond limits.
fn declared_bomb(path: &str, size: u64, csize: u64, total: u64, reason: &str) -> Finding {
    content_finding(
        "ARCHIVE_BOMB",
        Severity::Error,
        path,
        format!("{path} expands from {csize} to {size} bytes (archive total {total})"),
        BOMB_FIX,
    )
    .evidence("reason", reason)
    .evidence("size", size)
    .evidence("compressed_size", csize)
    .evidence("ratio", size / csize.max(1))
}

/// `ARCHIVE_ENCRYPTED` for a password-protected archive.
fn encrypted_archive(path: &str) -> Finding {
    content_finding(
        "ARCHIVE_ENCRYPTED",
        Severity::Warning,
        path,
        format!("{path} is password-protected, so its contents cannot be checked"),
        "Send the archive without a password (or share the files by link, and give \
         access separately): encrypted archives are the classic way malware \
         slips past scanners and many gateways refuse them.",
    )
}

/// `ARCHIVE_UNSCANNABLE` for a 7z archive packed with a method this build cannot decode.
fn unsupported_method(path: &str, method: &str) -> Finding {
    content_finding(
        "ARCHIVE_UNSCANNABLE",
        Severity::Warning,
        path,
        format!("{path} is packed with a method ({method}) that cannot be decoded here, so its contents were not checked"),
        "Re-create the archive with standard settings (LZMA or LZMA2), or send a .zip: \
         gateways refuse archives they cannot look into.",
    )
    .evidence("type", "7z")
    .evidence("reason", "method")
    .evidence("method", method)
}

/// Memory the 7z reader may use for its header and decoder buffers, in KiB. LZMA dictionaries
/// are declared by the archive; one asking for more is refused, not allocated.
const SEVENZ_MEMORY_KB: usize = 64 * 1024;

/// One 7z member, as listed by its header.
struct SevenZipEntry {
    name: String,
    size: u64,
    compressed_size: u64,
    is_dir: bool,
    encrypted: bool,
}

/// Lists and judges the members of the 7z archive `data` (found at `path`, nesting level
/// `depth`): names and declared sizes from the header, then the first bytes of each member
/// (all of it for nested containers) within the message's decompression budget.
pub(crate) fn scan_7z(insp: &mut Inspector<'_>, path: &str, data: &[u8], depth: usize) {
    use sevenz_rust2::{Archive, ArchiveReader, EntryDecision, Error, Password};
    let limits = *insp.limits;
    if depth + 1 > limits.max_archive_depth {
        insp.too_deep(path);
        return;
    }
    let archive = match Archive::read_with_memory_limit(
        &mut Cursor::new(data),
        &Password::empty(),
        SEVENZ_MEMORY_KB,
    ) {
        Ok(a) => a,
        // The names themselves are encrypted (7z -mhe): nothing can be listed. (This build has
        // no AES, so an encrypted header shows as an unsupported method.)
        Err(Error::PasswordRequired | Error::MaybeBadPassword(_)) => {
            insp.sink
                .push(encrypted_archive(path).evidence("names_hidden", true));
            return;
        }
        Err(Error::UnsupportedCompressionMethod(m)) if m.contains("AES") => {
            insp.sink
                .push(encrypted_archive(path).evidence("names_hidden", true));
            return;
        }
        Err(Error::UnsupportedCompressionMethod(m)) => {
            insp.sink.push(unsupported_method(path, &m));
            return;
        }
        Err(_) => {
            insp.sink.push(truncated(path, "7z"));
            return;
        }
    };
    let count = archive.files.len();
    if count > insp.budget.members_left {
        insp.sink
            .push(too_many_members(path, count as u64, &limits));
        return;
    }
    insp.budget.members_left -= count;
    let entries: Vec<SevenZipEntry> = archive
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| SevenZipEntry {
            name: f.name.clone(),
            size: f.size,
            compressed_size: f.compressed_size,
            is_dir: f.is_directory,
            encrypted: archive.is_file_encrypted(i),
        })
        .collect();
    drop(archive);

    let total = entries.iter().fold(0u64, |t, e| t.saturating_add(e.size));
    let packed = data.len() as u64;
    let bomb = if total > limits.max_archive_total_uncompressed {
        Some("declared_size")
    } else if total >= RATIO_MIN_SIZE && total / packed.max(1) > limits.max_compression_ratio {
        Some("compression_ratio")
    } else {
        None
    };
    if let Some(reason) = bomb {
        let biggest = entries.iter().max_by_key(|e| e.size);
        let member = biggest.map_or(path.to_string(), |e| format!("{path}/{}", e.name));
        insp.sink.push(declared_bomb(
            &member,
            biggest.map_or(total, |e| e.size),
            packed,
            total,
            reason,
        ));
    }
    let encrypted = entries.iter().any(|e| e.encrypted);
    if encrypted {
        insp.sink.push(encrypted_archive(path));
    }

    // First bytes of each member, in the reader's order, while the budget lasts. The reader
    // decodes whatever a member leaves unread, so each member is charged its declared size.
    let mut heads: Vec<(String, Vec<u8>)> = Vec::new();
    if bomb.is_none() && !encrypted {
        let reader = ArchiveReader::new_with_memory_limit(
            Cursor::new(data),
            Password::empty(),
            SEVENZ_MEMORY_KB,
        );
        let outcome = reader.and_then(|mut reader| {
            reader.set_thread_count(1);
            reader.for_each_entries_with_decision(|entry, r| {
                if entry.is_directory {
                    return Ok(EntryDecision::Continue);
                }
                let cost = usize::try_from(entry.size).unwrap_or(usize::MAX);
                if cost > insp.budget.decompress_left {
                    return Ok(EntryDecision::SkipBlock);
                }
                let member_path = format!("{path}/{}", entry.name);
                // One byte past a small member's size reaches its end, where the CRC is checked.
                let want = SNIFF_BYTES.min(cost.saturating_add(1));
                let mut head = match insp.read_budgeted(&member_path, r, want) {
                    Some(Ok(h)) => h,
                    Some(Err(e)) => return Err(Error::from(e)),
                    None => return Ok(EntryDecision::Stop),
                };
                if worth_opening(filetype::sniff(&head).0) && head.len() == SNIFF_BYTES {
                    let rest = limits.max_member_read.saturating_sub(head.len());
                    match insp.read_budgeted(&member_path, r, rest) {
                        Some(Ok(more)) => head.extend_from_slice(&more),
                        Some(Err(e)) => return Err(Error::from(e)),
                        None => {}
                    }
                }
                // Charge what the reader will decode past what was read.
                let unread = cost.saturating_sub(head.len());
                insp.budget.decompress_left = insp.budget.decompress_left.saturating_sub(unread);
                heads.push((entry.name.clone(), head));
                Ok(EntryDecision::Continue)
            })
        });
        match outcome {
            Ok(()) => {}
            Err(Error::UnsupportedCompressionMethod(m)) => {
                insp.sink.push(unsupported_method(path, &m))
            }
            Err(_) => insp.sink.push(truncated(path, "7z")),
        }
    }

    let mut files: Option<Vec<(String, Kind)>> = Some(Vec::new());
    for e in &entries {
        let member_path = format!("{path}/{}", e.name);
        let base_name = e
            .name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&e.name)
            .to_string();
        let info = MemberInfo {
            path: member_path.clone(),
            depth: depth + 1,
            size: e.size,
            compressed_size: e.compressed_size,
            encrypted: e.encrypted,
            detected_type: None,
        };
        if e.is_dir {
            insp.members.push(info);
            continue;
        }
        let head = heads
            .iter()
            .position(|(n, _)| *n == e.name)
            .map(|i| heads.swap_remove(i).1);
        inspect_member(insp, info, &mut files, &base_name, head.as_deref(), depth);
    }
    report_lone_document(insp, path, files.as_deref());
}

/// Lists a file member and inspects it: by its content when it was read (its sniffed kind then
/// joins `files`, the archive's list for the lone-document rule), by name alone when it was not
/// (the list is then incomplete, so `files` becomes `None`).
fn inspect_member(
    insp: &mut Inspector<'_>,
    mut info: MemberInfo,
    files: &mut Option<Vec<(String, Kind)>>,
    base_name: &str,
    content: Option<&[u8]>,
    depth: usize,
) {
    let member_path = info.path.clone();
    match content {
        Some(content) => {
            let (kind, label) = filetype::sniff(content);
            info.detected_type = Some(label);
            if let Some(f) = files.as_mut() {
                f.push((base_name.to_string(), kind));
            }
            insp.members.push(info);
            insp.inspect(&member_path, Some(base_name), None, content, depth + 1);
        }
        None => {
            *files = None;
            insp.members.push(info);
            insp.inspect(&member_path, Some(base_name), None, &[], depth + 1);
        }
    }
}

/// `ARCHIVE_LONE_DOCUMENT` when the archive's only file (`files`: every file member read, with
/// its kind; `None` when some could not be read) is a document.
fn report_lone_document(insp: &mut Inspector<'_>, path: &str, files: Option<&[(String, Kind)]>) {
    if let Some([(name, kind)]) = files
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

/// Is a member of this type read in full, to be opened in turn? These are the containers the
/// scanner looks inside: archives, Office (OLE2) files and PDFs. The zip and 7z readers share it,
/// so each opens the other.
fn worth_opening(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Zip | Kind::Ole2 | Kind::Pdf | Kind::Gzip | Kind::SevenZip
    )
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
    if !worth_opening(filetype::sniff(&head).0) || head.len() < SNIFF_BYTES {
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
