//! Office documents: macros (OOXML `vbaProject.bin`, Excel 4 macro sheets, OLE2 `VBA`
//! storages), remote template injection (`attachedTemplate` and other external relationships
//! pointing at the web), and RTF embedded objects.
//!
//! OLE2 directories are read with the `cfb` crate. A document `cfb` refuses (truncated,
//! corrupt) is still searched byte-wise for the UTF-16 names of a VBA project, which is what
//! quick macro detectors do; the result is reported the same way.

use super::archive::read_small;
use super::attachments::Inspector;
use super::{UrlSource, content_finding};
use crate::finding::Severity;
use std::io::Cursor;

const MACRO_FIX: &str = "Send the document without macros: save it as .docx/.xlsx/.pptx (or \
PDF). Gateways refuse macro documents from outside because macros are the most common way \
malware arrives by mail.";
const TEMPLATE_FIX: &str = "Remove the link to an online template or object (in Word: Developer \
→ Document Template → detach it) and save again; a document that fetches content from the web \
when opened is treated as an exploit.";

/// Largest relationship file read from an OOXML package.
const MAX_RELS_BYTES: u64 = 1024 * 1024;

/// Checks an OOXML package whose member names are `names`.
pub(crate) fn check_ooxml(
    insp: &mut Inspector<'_>,
    path: &str,
    names: &[String],
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
) {
    if let Some(vba) = names
        .iter()
        .find(|n| n.to_ascii_lowercase().ends_with("vbaproject.bin"))
    {
        insp.sink.push(
            content_finding(
                "OFFICE_MACRO",
                Severity::Error,
                path,
                format!("{path} contains VBA macros ({vba})"),
                MACRO_FIX,
            )
            .evidence("kind", "vba")
            .evidence("member", vba),
        );
    }
    if let Some(sheet) = names
        .iter()
        .find(|n| n.to_ascii_lowercase().starts_with("xl/macrosheets/"))
    {
        insp.sink.push(
            content_finding(
                "OFFICE_MACRO",
                Severity::Error,
                path,
                format!("{path} contains Excel 4.0 macro sheets ({sheet})"),
                MACRO_FIX,
            )
            .evidence("kind", "xlm")
            .evidence("member", sheet),
        );
    }
    for rels in names.iter().filter(|n| n.ends_with(".rels")) {
        let Some(xml) = read_small(zip, rels, MAX_RELS_BYTES) else {
            continue;
        };
        for rel in relationships(&xml) {
            let external = rel.mode.eq_ignore_ascii_case("External");
            if !external {
                continue;
            }
            let ty = rel.ty.rsplit('/').next().unwrap_or("").to_string();
            let target_lower = rel.target.to_ascii_lowercase();
            let remote = ["http:", "https:", "\\\\", "file:", "mhtml:", "ms-"]
                .iter()
                .any(|p| target_lower.starts_with(p));
            if ty == "hyperlink" {
                insp.urls.add(&rel.target, UrlSource::Attachment, insp.part);
                continue;
            }
            if remote
                && matches!(
                    ty.as_str(),
                    "attachedTemplate" | "oleObject" | "frame" | "subDocument"
                )
            {
                insp.sink.push(
                    content_finding(
                        "OFFICE_EXTERNAL_TEMPLATE",
                        Severity::Error,
                        path,
                        format!("{path} loads a remote {ty} from {} when opened", rel.target),
                        TEMPLATE_FIX,
                    )
                    .evidence("relationship", ty)
                    .evidence("target", &rel.target)
                    .evidence("part", rels),
                );
            }
        }
    }
}

struct Relationship {
    ty: String,
    target: String,
    mode: String,
}

/// Reads `<Relationship Type=".." Target=".." TargetMode=".."/>` elements.
fn relationships(xml: &[u8]) -> Vec<Relationship> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Empty(e)) | Ok(Event::Start(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                let mut rel = Relationship {
                    ty: String::new(),
                    target: String::new(),
                    mode: String::new(),
                };
                for a in e.attributes().flatten() {
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_else(|_| a.value.to_string());
                    match a.key.local_name().as_ref() {
                        "Type" => rel.ty = v,
                        "Target" => rel.target = v,
                        "TargetMode" => rel.mode = v,
                        _ => {}
                    }
                }
                out.push(rel);
                if out.len() > 10_000 {
                    break;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// Storage and stream names that hold a VBA project in an OLE2 document.
const VBA_NAMES: &[&str] = &["vba", "_vba_project", "_vba_project_cur", "macros"];

/// Checks an OLE2 compound file (doc, xls, ppt, msi, msg) for a VBA project.
pub(crate) fn check_ole2(insp: &mut Inspector<'_>, path: &str, data: &[u8], _depth: usize) {
    let found = std::panic::catch_unwind(|| ole2_vba_entry(data)).unwrap_or(Err(()));
    let entry = match found {
        Ok(e) => e,
        // cfb could not read the directory: search the raw bytes for the UTF-16 names.
        Err(()) => raw_vba_marker(data).map(str::to_string),
    };
    if let Some(entry) = entry {
        insp.sink.push(
            content_finding(
                "OFFICE_MACRO",
                Severity::Error,
                path,
                format!("{path} contains VBA macros ({entry})"),
                MACRO_FIX,
            )
            .evidence("kind", "vba")
            .evidence("member", entry),
        );
    }
}

fn ole2_vba_entry(data: &[u8]) -> Result<Option<String>, ()> {
    let cf = cfb::CompoundFile::open(Cursor::new(data)).map_err(|_| ())?;
    let found = cf.walk().take(100_000).find(|e| {
        let n = e.name().to_ascii_lowercase();
        VBA_NAMES.contains(&n.as_str()) || n == "vbaproject.bin"
    });
    Ok(found.map(|e| e.path().to_string_lossy().into_owned()))
}

fn raw_vba_marker(data: &[u8]) -> Option<&'static str> {
    const MARKERS: &[(&[u8], &str)] = &[
        (b"_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T\0", "_VBA_PROJECT"),
        (b"V\0B\0A\0\0\0", "VBA"),
    ];
    MARKERS
        .iter()
        .find(|(m, _)| memchr::memmem::find(data, m).is_some())
        .map(|(_, n)| *n)
}

/// Checks an RTF document for embedded OLE objects that update themselves on open (the
/// Equation Editor and template-injection exploits use them).
pub(crate) fn check_rtf(insp: &mut Inspector<'_>, path: &str, data: &[u8]) {
    let has_obj = memchr::memmem::find(data, b"\\objdata").is_some();
    let autoupdate = memchr::memmem::find(data, b"\\objupdate").is_some();
    if has_obj && autoupdate {
        insp.sink.push(
            content_finding(
                "OFFICE_EMBEDDED_OBJECT",
                Severity::Error,
                path,
                format!("{path} embeds an OLE object that runs when the document opens"),
                "Send the document as PDF or .docx without embedded objects.",
            )
            .evidence("objupdate", true),
        );
    }
}
