//! Attachments: dangerous by name, dangerous by content, and what they hold.
//!
//! Each file is judged the way Gmail and Microsoft 365 judge attachments: its name (blocked
//! extensions, double extensions, bidi and padding tricks), its real type from magic bytes
//! against the name and the declared MIME type, and then its insides: zip members (nested,
//! through [`super::archive`]), Office macros ([`super::office`]), PDF actions
//! ([`super::pdf`]), gzip streams. A file inside an archive is judged like one outside; only the
//! code changes (`ARCHIVE_EXECUTABLE` instead of `ATTACHMENT_EXECUTABLE`).

use super::filetype::{self, Kind};
use super::limits::Limits;
use super::links::UrlSet;
use super::mime::File;
use super::{AttachmentInfo, MemberInfo, Sink, archive, content_finding, office, pdf};
use crate::finding::{Finding, Severity};
use std::io::Read;

/// Budgets shared by all the attachments of one message.
#[derive(Debug)]
pub struct Budget {
    /// Bytes that may still be decompressed from archives.
    pub decompress_left: usize,
    /// Archive members that may still be listed.
    pub members_left: usize,
    /// True once the decompression budget ran out (reported once).
    pub decompress_exhausted: bool,
}

impl Budget {
    /// A fresh budget from the limits.
    pub fn new(limits: &Limits) -> Self {
        Budget {
            decompress_left: limits.max_decompressed_total,
            members_left: limits.max_archive_members,
            decompress_exhausted: false,
        }
    }
}

/// The report subject for a file: its name, or its part number.
pub fn subject_of(file: &File<'_>) -> String {
    match &file.name {
        Some(n) => n.clone(),
        None => format!("part {}", file.part),
    }
}

/// Checks one file and returns its listing.
pub fn check(
    file: &File<'_>,
    limits: &Limits,
    budget: &mut Budget,
    sink: &mut Sink,
    urls: &mut UrlSet,
) -> AttachmentInfo {
    let mut insp = Inspector {
        limits,
        budget,
        sink,
        urls,
        members: Vec::new(),
        part: file.part,
    };
    let subject = subject_of(file);
    let (_, label) = insp.inspect(
        &subject,
        file.name.as_deref(),
        Some(&file.declared_type),
        &file.bytes,
        0,
    );
    AttachmentInfo {
        part: file.part,
        file_name: file.name.clone(),
        declared_type: file.declared_type.clone(),
        detected_type: label,
        size: file.bytes.len(),
        members: insp.members,
    }
}

/// Walks one file and whatever it contains. Depth 0 is the attachment itself.
pub(crate) struct Inspector<'a> {
    pub(crate) limits: &'a Limits,
    pub(crate) budget: &'a mut Budget,
    pub(crate) sink: &'a mut Sink,
    pub(crate) urls: &'a mut UrlSet,
    pub(crate) members: Vec<MemberInfo>,
    pub(crate) part: usize,
}

const EXE_FIX: &str = "Do not attach programs or scripts: upload the file to a download page or \
file-sharing service you control and send a link to it instead. Mail gateways refuse these file \
types whatever the sender.";
const EXE_IN_ARCHIVE_FIX: &str = "Do not put programs or scripts in an archive to get them past \
filters: gateways open archives and refuse them anyway. Send a link to a download page instead.";
const DISK_IMAGE_FIX: &str = "Do not attach disk images (.iso, .img, .vhd): they hide their \
contents from scanners and are refused. Send the files themselves, or a download link.";
const DOUBLE_EXT_FIX: &str = "Give the file its real, single extension (e.g. report.pdf, not \
report.pdf.exe); a name that disguises a program as a document is refused.";
const OBFUSCATED_FIX: &str = "Rename the file with plain characters: no right-to-left marks, \
invisible characters or long runs of spaces before the extension.";
const MISMATCH_FIX: &str = "Make the file name's extension and the declared Content-Type match \
what the file really is (save a PDF as .pdf with application/pdf); a file that claims to be \
something else is treated as disguised malware.";

impl Inspector<'_> {
    fn exe_code(depth: usize) -> (&'static str, &'static str) {
        if depth == 0 {
            ("ATTACHMENT_EXECUTABLE", EXE_FIX)
        } else {
            ("ARCHIVE_EXECUTABLE", EXE_IN_ARCHIVE_FIX)
        }
    }

    fn push(&mut self, f: Finding) {
        self.sink.push(f);
    }

    /// Judges one file by name and content; returns its kind and label.
    pub(crate) fn inspect(
        &mut self,
        path: &str,
        name: Option<&str>,
        declared: Option<&str>,
        data: &[u8],
        depth: usize,
    ) -> (Kind, String) {
        let ext = name.and_then(filetype::extension);
        if let Some(name) = name {
            self.check_name(path, name, ext.as_deref(), depth);
        }
        let (kind, label) = filetype::sniff(data);
        self.check_type(path, ext.as_deref(), declared, kind, &label, depth);

        match kind {
            Kind::Zip => archive::scan_zip(self, path, data, depth),
            Kind::Ole2 => office::check_ole2(self, path, data, depth),
            Kind::Pdf => pdf::check(self, path, data),
            Kind::Rtf => office::check_rtf(self, path, data),
            Kind::Gzip => self.gunzip(path, name, data, depth),
            Kind::SevenZip => archive::scan_7z(self, path, data, depth),
            k if k.is_opaque_archive() => self.push(
                content_finding(
                    "ARCHIVE_UNSCANNABLE",
                    Severity::Warning,
                    path,
                    format!("{path} is a {label} archive, whose members cannot be checked"),
                    "Send a .zip instead of a RAR or CAB archive (and no password), or \
                     share the files by link: gateways refuse archives they cannot look into.",
                )
                .evidence("type", &label)
                .evidence("reason", "format"),
            ),
            _ => {}
        }
        (kind, label)
    }

    fn check_name(&mut self, path: &str, name: &str, ext: Option<&str>, depth: usize) {
        if let Some(trick) = name_trick(name) {
            self.push(
                content_finding(
                    "ATTACHMENT_NAME_OBFUSCATED",
                    Severity::Error,
                    path,
                    format!("the file name {name:?} hides its real extension ({trick})"),
                    OBFUSCATED_FIX,
                )
                .evidence("trick", trick)
                .evidence("name", name),
            );
        }
        let Some(ext) = ext else { return };
        if let Some(category) = filetype::dangerous_extension(ext) {
            let (code, fix) = if depth == 0 && category == "disk_image" {
                ("ATTACHMENT_DISK_IMAGE", DISK_IMAGE_FIX)
            } else {
                Self::exe_code(depth)
            };
            self.push(
                content_finding(
                    code,
                    Severity::Error,
                    path,
                    format!("{path} has the blocked extension .{ext} ({category})"),
                    fix,
                )
                .evidence("extension", ext)
                .evidence("category", category)
                .evidence("by", "name"),
            );
            if let Some(decoy) = decoy_extension(name) {
                self.push(
                    content_finding(
                        "ATTACHMENT_DOUBLE_EXTENSION",
                        Severity::Error,
                        path,
                        format!("{name:?} poses as a .{decoy} file but is a .{ext}"),
                        DOUBLE_EXT_FIX,
                    )
                    .evidence("shown", decoy)
                    .evidence("real", ext),
                );
            }
        }
    }

    fn check_type(
        &mut self,
        path: &str,
        ext: Option<&str>,
        declared: Option<&str>,
        kind: Kind,
        label: &str,
        depth: usize,
    ) {
        let named_dangerous = ext.and_then(filetype::dangerous_extension).is_some();
        if kind.is_executable() && !named_dangerous {
            let (code, fix) = Self::exe_code(depth);
            self.push(
                content_finding(
                    code,
                    Severity::Error,
                    path,
                    format!("{path} is a program ({label}) whatever its name says"),
                    fix,
                )
                .evidence("detected", label)
                .evidence("by", "content"),
            );
        }
        if kind.is_disk_image() && !named_dangerous {
            let (code, fix) = if depth == 0 {
                ("ATTACHMENT_DISK_IMAGE", DISK_IMAGE_FIX)
            } else {
                ("ARCHIVE_EXECUTABLE", EXE_IN_ARCHIVE_FIX)
            };
            self.push(
                content_finding(
                    code,
                    Severity::Error,
                    path,
                    format!("{path} is a disk image ({label})"),
                    fix,
                )
                .evidence("detected", label)
                .evidence("by", "content"),
            );
        }
        let by_name = ext
            .and_then(filetype::expected_kinds)
            .filter(|ok| !ok.contains(&kind) && kind != Kind::Unknown);
        let by_type = declared
            .and_then(filetype::expected_kinds_for_type)
            .filter(|ok| !ok.contains(&kind) && kind != Kind::Unknown);
        if by_name.is_some() || by_type.is_some() {
            let dangerous = kind.is_executable() || kind.is_disk_image();
            let claimed = match (ext, declared) {
                (Some(e), _) if by_name.is_some() => format!(".{e}"),
                (_, Some(t)) => t.to_string(),
                _ => String::new(),
            };
            self.push(
                content_finding(
                    "ATTACHMENT_TYPE_MISMATCH",
                    if dangerous {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    path,
                    format!("{path} claims to be {claimed} but its content is {label}"),
                    MISMATCH_FIX,
                )
                .evidence("claimed", claimed)
                .evidence("detected", label)
                .evidence("declared_type", declared),
            );
        }
    }

    /// Reads at most `max` bytes from `r`, charging the shared decompression budget. `None` when
    /// the budget is spent (reported once as `ARCHIVE_BOMB`).
    pub(crate) fn read_budgeted(
        &mut self,
        path: &str,
        r: &mut dyn Read,
        max: usize,
    ) -> Option<std::io::Result<Vec<u8>>> {
        let allowed = max.min(self.budget.decompress_left);
        if allowed == 0 {
            self.budget_spent(path);
            return None;
        }
        let mut buf = Vec::new();
        let res = r.take(allowed as u64).read_to_end(&mut buf);
        self.budget.decompress_left -= buf.len().min(self.budget.decompress_left);
        Some(res.map(|_| buf))
    }

    fn budget_spent(&mut self, path: &str) {
        if self.budget.decompress_exhausted {
            return;
        }
        self.budget.decompress_exhausted = true;
        let limit = self.limits.max_decompressed_total;
        self.push(
            content_finding(
                "ARCHIVE_BOMB",
                Severity::Error,
                path,
                format!("the archives of this message decompress to more than {limit} bytes"),
                BOMB_FIX,
            )
            .evidence("reason", "decompressed_total")
            .evidence("limit", limit),
        );
    }

    fn gunzip(&mut self, path: &str, name: Option<&str>, data: &[u8], depth: usize) {
        let inner_name = name.map(|n| {
            let lower = n.to_ascii_lowercase();
            if lower.ends_with(".tgz") {
                format!("{}.tar", &n[..n.len() - 4])
            } else if lower.ends_with(".gz") {
                n[..n.len() - 3].to_string()
            } else {
                n.to_string()
            }
        });
        if depth + 1 > self.limits.max_archive_depth {
            self.too_deep(path);
            return;
        }
        let mut dec = flate2::read::GzDecoder::new(data);
        let Some(res) = self.read_budgeted(path, &mut dec, self.limits.max_member_read) else {
            return;
        };
        let inner = match res {
            Ok(b) => b,
            Err(_) => {
                self.push(truncated(path, "gzip"));
                return;
            }
        };
        let inner_path = format!(
            "{path}/{}",
            inner_name.as_deref().unwrap_or("(gzip content)")
        );
        self.members.push(MemberInfo {
            path: inner_path.clone(),
            depth: depth + 1,
            size: inner.len() as u64,
            compressed_size: data.len() as u64,
            encrypted: false,
            detected_type: Some(filetype::sniff(&inner).1),
        });
        self.inspect(&inner_path, inner_name.as_deref(), None, &inner, depth + 1);
    }

    /// Reports nesting beyond [`Limits::max_archive_depth`].
    pub(crate) fn too_deep(&mut self, path: &str) {
        let limit = self.limits.max_archive_depth;
        self.push(
            content_finding(
                "ARCHIVE_BOMB",
                Severity::Error,
                path,
                format!("archives are nested more than {limit} levels deep at {path}"),
                BOMB_FIX,
            )
            .evidence("reason", "nesting_depth")
            .evidence("limit", limit),
        );
    }
}

/// The fix for every `ARCHIVE_BOMB`.
pub(crate) const BOMB_FIX: &str = "Send the files uncompressed or in one plain zip (no archives \
inside archives, nothing that expands to gigabytes); for large data send a download link.";

/// An `ARCHIVE_UNSCANNABLE` finding for a truncated or corrupt archive.
pub(crate) fn truncated(path: &str, format: &str) -> Finding {
    content_finding(
        "ARCHIVE_UNSCANNABLE",
        Severity::Warning,
        path,
        format!("{path} is a truncated or corrupt {format} archive and could not be checked"),
        "Re-create the archive with a standard tool and attach it again; a broken archive \
         cannot be scanned and is refused by strict gateways.",
    )
    .evidence("reason", "corrupt")
    .evidence("type", format)
}

/// Extensions a disguised file pretends to have.
const DECOY_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "csv", "odt", "jpg", "jpeg",
    "png", "gif", "bmp", "tif", "tiff", "mp3", "mp4", "wav", "avi", "mov", "htm", "html", "zip",
    "eml", "msg", "xml", "json",
];

/// When `name` ends in `.<decoy>.<dangerous>` (with optional spaces between), the decoy.
pub fn decoy_extension(name: &str) -> Option<String> {
    let (stem, _) = name.rsplit_once('.')?;
    let stem = stem.trim_end();
    let (_, prev) = stem.rsplit_once('.')?;
    let prev = prev.trim().to_ascii_lowercase();
    DECOY_EXTENSIONS.contains(&prev.as_str()).then_some(prev)
}

/// The trick a file name uses to hide its extension, if any: bidi controls, invisible
/// characters, or a long run of spaces before the extension.
pub fn name_trick(name: &str) -> Option<&'static str> {
    if name.chars().any(|c| {
        matches!(c,
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
    }) {
        return Some("bidi_override");
    }
    if name.chars().any(|c| {
        matches!(
            c,
            '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}'
        )
    }) {
        return Some("invisible_character");
    }
    if let Some((stem, _)) = name.rsplit_once('.') {
        let pad = stem
            .chars()
            .rev()
            .take_while(|c| c.is_whitespace() || *c == '\u{2800}' || *c == '_')
            .count();
        let run = longest_space_run(stem);
        if pad >= 5 || run >= 10 {
            return Some("space_padding");
        }
    }
    None
}

fn longest_space_run(s: &str) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{2800}' {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_extension_needs_a_decoy() {
        assert_eq!(decoy_extension("invoice.pdf.exe").as_deref(), Some("pdf"));
        assert_eq!(decoy_extension("setup.exe"), None);
        assert_eq!(decoy_extension("v1.2.exe"), None);
    }

    #[test]
    fn name_tricks() {
        assert_eq!(name_trick("invoice\u{202e}fdp.exe"), Some("bidi_override"));
        assert_eq!(
            name_trick("invoice.pdf                    .exe"),
            Some("space_padding")
        );
        assert_eq!(name_trick("my report 2024.pdf"), None);
    }
}
