//! What a file really is, from its first bytes, and what its name and declared type claim.
//!
//! The dangerous families (executables, scripts, archives, disk images, OLE2) are recognised by
//! hand from their magic numbers, because a gateway must know them precisely (an ISO 9660 image
//! has its signature at 32 KiB, a PE file has `MZ` and then a `PE\0\0` header). Everything else
//! is named by the `infer` crate, for the report only.

use serde::Serialize;

/// The family a file belongs to, as far as a mail gateway cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Windows PE (exe, dll, scr, sys, cpl...).
    Pe,
    /// Linux ELF executable.
    Elf,
    /// macOS Mach-O executable.
    MachO,
    /// A script with a `#!` line.
    Shebang,
    /// Windows shortcut (.lnk).
    Lnk,
    /// OLE2 compound file (old Office, msi, msg).
    Ole2,
    /// ZIP and everything built on it (docx, xlsx, jar, apk...).
    Zip,
    /// RAR archive.
    Rar,
    /// 7-Zip archive.
    SevenZip,
    /// gzip stream.
    Gzip,
    /// ISO 9660 disk image.
    Iso,
    /// Microsoft cabinet.
    Cab,
    /// Virtual hard disk (VHD footer or VHDX header).
    Vhd,
    /// PDF document.
    Pdf,
    /// RTF document.
    Rtf,
    /// HTML document.
    Html,
    /// An image (JPEG, PNG, GIF, BMP, WebP, TIFF).
    Image,
    /// Anything else that `infer` names.
    Other,
    /// Text or unknown bytes.
    Unknown,
}

impl Kind {
    /// True for files that run as programs when opened.
    pub fn is_executable(self) -> bool {
        matches!(
            self,
            Kind::Pe | Kind::Elf | Kind::MachO | Kind::Shebang | Kind::Lnk
        )
    }

    /// True for disk images (they hide their contents from scanners and from Windows' mark of
    /// the web).
    pub fn is_disk_image(self) -> bool {
        matches!(self, Kind::Iso | Kind::Vhd)
    }

    /// True for archives whose members this crate cannot list (no well-kept pure-Rust reader).
    pub fn is_opaque_archive(self) -> bool {
        matches!(self, Kind::Rar | Kind::Cab)
    }

    /// True for any archive format (listable or not).
    pub fn is_archive(self) -> bool {
        matches!(
            self,
            Kind::Zip | Kind::Rar | Kind::SevenZip | Kind::Cab | Kind::Gzip
        )
    }
}

/// Bytes read from a file to sniff it (ISO 9660's signature sits at 32 KiB).
pub const SNIFF_BYTES: usize = 0x9006;

/// Sniffs `data`: the family and a short label for the report.
pub fn sniff(data: &[u8]) -> (Kind, String) {
    let kind = sniff_kind(data);
    let label = match kind {
        Kind::Pe => "pe",
        Kind::Elf => "elf",
        Kind::MachO => "mach-o",
        Kind::Shebang => "script",
        Kind::Lnk => "lnk",
        Kind::Ole2 => "ole2",
        Kind::Zip => "zip",
        Kind::Rar => "rar",
        Kind::SevenZip => "7z",
        Kind::Gzip => "gzip",
        Kind::Iso => "iso9660",
        Kind::Cab => "cab",
        Kind::Vhd => "vhd",
        Kind::Pdf => "pdf",
        Kind::Rtf => "rtf",
        Kind::Html => "html",
        Kind::Image | Kind::Other => {
            return (
                kind,
                infer::get(data)
                    .map(|t| t.extension().to_string())
                    .unwrap_or_else(|| "image".into()),
            );
        }
        Kind::Unknown => {
            if data.is_empty() {
                "empty"
            } else if looks_text(data) {
                "text"
            } else {
                "data"
            }
        }
    };
    (kind, label.to_string())
}

fn sniff_kind(d: &[u8]) -> Kind {
    if d.starts_with(b"MZ") {
        // DOS and PE executables alike; a gateway blocks both.
        return Kind::Pe;
    }
    if d.starts_with(b"\x7fELF") {
        return Kind::Elf;
    }
    if d.starts_with(&[0xfe, 0xed, 0xfa, 0xce])
        || d.starts_with(&[0xfe, 0xed, 0xfa, 0xcf])
        || d.starts_with(&[0xce, 0xfa, 0xed, 0xfe])
        || d.starts_with(&[0xcf, 0xfa, 0xed, 0xfe])
    {
        return Kind::MachO;
    }
    // 0xCAFEBABE is both a Mach-O fat binary and a Java class; a fat binary has few archs.
    if d.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) && d.get(4..8).is_some_and(|n| n[..3] == [0, 0, 0])
    {
        return Kind::MachO;
    }
    if d.starts_with(b"#!") {
        return Kind::Shebang;
    }
    if d.starts_with(&[0x4c, 0, 0, 0, 0x01, 0x14, 0x02, 0]) {
        return Kind::Lnk;
    }
    if d.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        return Kind::Ole2;
    }
    if d.starts_with(b"PK\x03\x04") || d.starts_with(b"PK\x05\x06") || d.starts_with(b"PK\x07\x08")
    {
        return Kind::Zip;
    }
    if d.starts_with(b"Rar!\x1a\x07") {
        return Kind::Rar;
    }
    if d.starts_with(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c]) {
        return Kind::SevenZip;
    }
    if d.starts_with(&[0x1f, 0x8b]) {
        return Kind::Gzip;
    }
    if d.starts_with(b"MSCF\0\0\0\0") {
        return Kind::Cab;
    }
    if d.starts_with(b"vhdxfile") || d.starts_with(b"conectix") {
        return Kind::Vhd;
    }
    if [0x8001usize, 0x8801, 0x9001]
        .iter()
        .any(|&o| d.get(o..o + 5) == Some(b"CD001"))
    {
        return Kind::Iso;
    }
    let head = &d[..d.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Kind::Pdf;
    }
    if d.starts_with(b"{\\rtf") {
        return Kind::Rtf;
    }
    if let Some(t) = infer::get(d) {
        if t.matcher_type() == infer::MatcherType::Image {
            return Kind::Image;
        }
        return Kind::Other;
    }
    let lower: Vec<u8> = d
        .iter()
        .take(512)
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xef || **b == 0xbb || **b == 0xbf)
        .take(16)
        .map(u8::to_ascii_lowercase)
        .collect();
    if lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") {
        return Kind::Html;
    }
    Kind::Unknown
}

fn looks_text(d: &[u8]) -> bool {
    let head = &d[..d.len().min(512)];
    !head.contains(&0) && std::str::from_utf8(head).is_ok()
        || head
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || *b >= 0x80)
}

/// The last extension of a file name, lowercase, without the dot.
pub fn extension(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (stem, ext) = base.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() || ext.len() > 10 {
        return None;
    }
    Some(ext.trim().to_ascii_lowercase())
}

/// Why an extension is dangerous, if it is. The list follows the blocked-attachment lists of
/// the big mailbox providers (Gmail, Microsoft 365's common attachment filter).
pub fn dangerous_extension(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "exe" | "ex_" | "scr" | "com" | "pif" | "cpl" | "dll" | "sys" | "drv" | "vxd" | "ocx"
        | "xll" | "gadget" | "msc" | "app" | "dmg" | "apk" | "lib" => "executable",
        "bat" | "cmd" | "js" | "jse" | "mjs" | "vbs" | "vbe" | "vb" | "wsf" | "wsh" | "wsc"
        | "hta" | "ps1" | "psm1" | "psd1" | "ps1xml" | "ps2" | "msh" | "sct" | "shb" | "scf"
        | "ins" | "isp" | "nsh" | "jnlp" | "url" | "settingcontent-ms" | "diagcab" => "script",
        "msi" | "msp" | "mst" | "msix" | "msixbundle" | "appx" | "appxbundle" | "appref-ms" => {
            "installer"
        }
        "lnk" | "library-ms" | "searchconnector-ms" => "shortcut",
        "jar" | "class" => "java",
        "reg" => "registry",
        "iso" | "img" | "vhd" | "vhdx" => "disk_image",
        "one" | "onepkg" => "onenote",
        "chm" | "hlp" => "help_file",
        "ade" | "adp" | "mde" | "accde" => "access_project",
        _ => return None,
    })
}

/// Extensions that are archives this crate can open, or that hold other files.
pub fn is_archive_extension(ext: &str) -> bool {
    matches!(
        ext,
        "zip"
            | "rar"
            | "7z"
            | "gz"
            | "tgz"
            | "tar"
            | "cab"
            | "ace"
            | "arj"
            | "lzh"
            | "z"
            | "xz"
            | "bz2"
    )
}

/// Which families a file with this extension may legitimately be. `None` when the extension
/// says nothing we can check.
pub fn expected_kinds(ext: &str) -> Option<&'static [Kind]> {
    use Kind::*;
    Some(match ext {
        "pdf" => &[Pdf],
        "jpg" | "jpeg" | "png" | "gif" | "bmp" | "webp" | "tif" | "tiff" | "heic" => &[Image],
        "txt" | "csv" | "log" => &[Unknown],
        "doc" | "xls" | "ppt" | "msg" | "pub" | "vsd" => &[Ole2, Rtf, Html, Unknown],
        "docx" | "xlsx" | "pptx" | "docm" | "xlsm" | "pptm" | "odt" | "ods" | "odp" => &[Zip, Ole2],
        "zip" => &[Zip],
        "rar" => &[Rar],
        "7z" => &[SevenZip],
        "gz" | "tgz" => &[Gzip],
        "cab" => &[Cab],
        "iso" | "img" => &[Iso, Unknown, Other],
        "vhd" | "vhdx" => &[Vhd],
        "rtf" => &[Rtf],
        "htm" | "html" => &[Html, Unknown],
        "exe" | "scr" | "dll" | "com" | "cpl" | "sys" => &[Pe],
        "msi" | "msp" => &[Ole2],
        "lnk" => &[Lnk],
        "jar" | "apk" => &[Zip],
        _ => return None,
    })
}

/// Which families a declared MIME type allows. `None` when the type is generic
/// (`application/octet-stream`) or unknown.
pub fn expected_kinds_for_type(mime: &str) -> Option<&'static [Kind]> {
    use Kind::*;
    Some(match mime {
        "application/pdf" => &[Pdf],
        t if t.starts_with("image/") && t != "image/svg+xml" => &[Image, Other],
        "text/plain" | "text/csv" => &[Unknown, Html, Other],
        "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint" => {
            &[Ole2, Rtf, Html, Unknown]
        }
        t if t.starts_with("application/vnd.openxmlformats-officedocument")
            || t.starts_with("application/vnd.ms-word.document")
            || t.starts_with("application/vnd.ms-excel.sheet")
            || t.starts_with("application/vnd.oasis.opendocument") =>
        {
            &[Zip, Ole2]
        }
        "application/zip" | "application/x-zip-compressed" => &[Zip],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_dangerous_families() {
        let mut pe = b"MZ".to_vec();
        pe.resize(0x80, 0);
        pe[0x3c] = 0x40;
        pe[0x40..0x44].copy_from_slice(b"PE\0\0");
        assert_eq!(sniff(&pe).0, Kind::Pe);
        assert_eq!(sniff(b"\x7fELF\x02\x01").0, Kind::Elf);
        assert_eq!(sniff(b"#!/bin/sh\necho").0, Kind::Shebang);
        assert_eq!(sniff(b"Rar!\x1a\x07\x01\x00").0, Kind::Rar);
        let mut iso = vec![0u8; 0x8006];
        iso[0x8001..0x8006].copy_from_slice(b"CD001");
        assert_eq!(sniff(&iso).0, Kind::Iso);
        assert_eq!(sniff(b"%PDF-1.7\n").0, Kind::Pdf);
        assert_eq!(sniff(b"hello world").1, "text");
    }

    #[test]
    fn extension_is_the_last_one_lowercased() {
        assert_eq!(extension("Invoice.PDF.exe").as_deref(), Some("exe"));
        assert_eq!(extension(".bashrc"), None);
        assert_eq!(dangerous_extension("scr"), Some("executable"));
        assert_eq!(dangerous_extension("pdf"), None);
    }
}
