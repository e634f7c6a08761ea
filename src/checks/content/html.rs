//! HTML as a gateway reads it: links with their visible text, forms, images, scripts, hidden
//! text, `data:` URIs, and HTML smuggling.
//!
//! This is a tolerant tag scanner, not a DOM: a checker needs the attributes of a handful of
//! tags and which text is visible, in one linear pass with bounded memory, and no pure-Rust
//! HTML5 parser was already in the dependency tree. Malformed HTML never fails: unknown
//! constructs are read as text, unclosed tags end at the end of the input.

use super::filetype::{self, Kind};
use super::limits::MAX_HTML_BYTES;
use super::{Sink, UrlSource, content_finding};
use crate::finding::Severity;
use base64::Engine;

/// A link (`<a href>`, `<area href>`, a meta refresh) with the text it shows.
#[derive(Debug, Clone)]
pub struct Link {
    /// The target, entities decoded.
    pub href: String,
    /// The visible text (whitespace collapsed, at most 512 characters).
    pub text: String,
    /// Where the URL came from.
    pub source: UrlSource,
    /// True when the `<a>` has a `download` attribute.
    pub download: bool,
}

/// A `<form>`.
#[derive(Debug, Clone)]
pub struct Form {
    /// Its `action`, entities decoded (empty when none).
    pub action: String,
    /// True when it holds a password field.
    pub has_password: bool,
}

/// A `data:` URI found in an attribute.
#[derive(Debug, Clone)]
pub struct DataUri {
    /// The declared media type, lowercase.
    pub media_type: String,
    /// The first decoded bytes (enough to sniff).
    pub head: Vec<u8>,
    /// The attribute it was in (`href`, `src`...).
    pub attribute: String,
}

/// What the scanner found in one HTML document.
#[derive(Debug, Clone, Default)]
pub struct HtmlDoc {
    /// The part it came from.
    pub part: usize,
    /// Links and sources.
    pub links: Vec<Link>,
    /// Forms.
    pub forms: Vec<Form>,
    /// Number of `<img>` tags.
    pub images: usize,
    /// Script bodies (at most [`MAX_SCRIPT_BYTES`] in all).
    pub scripts: String,
    /// Visible text (whitespace collapsed, at most [`MAX_TEXT_BYTES`]).
    pub text: String,
    /// Characters of visible text (not capped).
    pub visible_chars: usize,
    /// Characters of text styled to be invisible.
    pub hidden_chars: usize,
    /// Longest run of base64 characters anywhere in the document.
    pub longest_base64: usize,
    /// `data:` URIs in attributes.
    pub data_uris: Vec<DataUri>,
}

/// Most script text kept per document.
pub const MAX_SCRIPT_BYTES: usize = 1024 * 1024;
/// Most visible text kept per document.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;
/// Most links kept per document.
pub const MAX_LINKS: usize = 2_000;
/// Most open elements tracked for visibility.
const MAX_STACK: usize = 256;
/// Bytes of a `data:` URI decoded to sniff it.
const DATA_URI_SNIFF: usize = filetype::SNIFF_BYTES;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

struct Open {
    name: String,
    hidden: bool,
}

/// Scans one HTML document.
pub fn scan(html: &str, part: usize) -> HtmlDoc {
    let html = truncate(html, MAX_HTML_BYTES);
    let mut doc = HtmlDoc {
        part,
        longest_base64: longest_base64_run(html.as_bytes()),
        ..HtmlDoc::default()
    };
    let bytes = html.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut hidden_depth = 0usize; // number of hidden elements open
    let mut link: Option<Link> = None;
    let mut in_form: Option<usize> = None;
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        // Flush the text before the tag.
        add_text(
            &mut doc,
            &html[text_start..i],
            hidden_depth > 0,
            link.as_mut(),
        );
        let rest = &bytes[i..];
        if rest.starts_with(b"<!--") {
            let end =
                memchr::memmem::find(&rest[4..], b"-->").map_or(bytes.len(), |e| i + 4 + e + 3);
            i = end;
            text_start = i;
            continue;
        }
        if rest.len() > 1 && (rest[1] == b'!' || rest[1] == b'?') {
            i = memchr::memchr(b'>', rest).map_or(bytes.len(), |e| i + e + 1);
            text_start = i;
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = i + 1 + usize::from(closing);
        let name_len = bytes[name_start.min(bytes.len())..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b':'))
            .unwrap_or(bytes.len() - name_start.min(bytes.len()));
        if name_len == 0 {
            // A lone '<': text.
            i += 1;
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let (attrs, end) = parse_attrs(html, name_start + name_len);
        i = end;
        text_start = i;
        if closing {
            if name == "a"
                && let Some(l) = link.take()
            {
                push_link(&mut doc, l);
            }
            if name == "form" {
                in_form = None;
            }
            if let Some(pos) = stack.iter().rposition(|o| o.name == name) {
                for o in stack.drain(pos..) {
                    if o.hidden {
                        hidden_depth -= 1;
                    }
                }
            }
            continue;
        }
        let attr = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        for (k, v) in &attrs {
            if v.len() > 5
                && v.is_char_boundary(5)
                && v[..5].eq_ignore_ascii_case("data:")
                && let Some(d) = data_uri(v, k)
            {
                doc.data_uris.push(d);
            }
        }
        match name.as_str() {
            "a" | "area" => {
                if let Some(l) = link.take() {
                    push_link(&mut doc, l);
                }
                if let Some(href) = attr("href") {
                    let l = Link {
                        href: href.trim().to_string(),
                        text: String::new(),
                        source: UrlSource::Href,
                        download: attr("download").is_some(),
                    };
                    if name == "a" {
                        link = Some(l);
                    } else {
                        push_link(&mut doc, l);
                    }
                }
            }
            "img" | "iframe" | "frame" | "script" | "embed" | "source" | "video" | "audio" => {
                if name == "img" {
                    doc.images += 1;
                }
                if let Some(src) = attr("src") {
                    push_link(
                        &mut doc,
                        Link {
                            href: src.trim().to_string(),
                            text: String::new(),
                            source: UrlSource::Src,
                            download: false,
                        },
                    );
                }
            }
            "form" => {
                doc.forms.push(Form {
                    action: attr("action").unwrap_or("").trim().to_string(),
                    has_password: false,
                });
                in_form = Some(doc.forms.len() - 1);
                if let Some(a) = attr("action").filter(|a| !a.trim().is_empty()) {
                    push_link(
                        &mut doc,
                        Link {
                            href: a.trim().to_string(),
                            text: String::new(),
                            source: UrlSource::FormAction,
                            download: false,
                        },
                    );
                }
            }
            "input" if attr("type").is_some_and(|t| t.eq_ignore_ascii_case("password")) => {
                match in_form.and_then(|f| doc.forms.get_mut(f)) {
                    Some(f) => f.has_password = true,
                    None => doc.forms.push(Form {
                        action: String::new(),
                        has_password: true,
                    }),
                }
            }
            "meta" => {
                if attr("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
                    && let Some(c) = attr("content")
                    && let Some(pos) = c.to_ascii_lowercase().find("url=")
                {
                    push_link(
                        &mut doc,
                        Link {
                            href: c[pos + 4..].trim_matches(['\'', '"', ' ']).to_string(),
                            text: String::new(),
                            source: UrlSource::Href,
                            download: false,
                        },
                    );
                }
            }
            _ => {}
        }
        // Raw-text elements: their content is not markup.
        if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            let close = format!("</{name}");
            let body_end = find_ci(&bytes[i..], close.as_bytes()).map_or(bytes.len(), |e| i + e);
            let body = &html[i..body_end];
            if name == "script" && doc.scripts.len() < MAX_SCRIPT_BYTES {
                doc.scripts
                    .push_str(truncate(body, MAX_SCRIPT_BYTES - doc.scripts.len()));
                doc.scripts.push('\n');
            }
            i = memchr::memchr(b'>', &bytes[body_end..]).map_or(bytes.len(), |e| body_end + e + 1);
            text_start = i;
            continue;
        }
        if VOID.contains(&name.as_str()) || html[..i].ends_with("/>") {
            continue;
        }
        let hidden = is_hidden(attr("style"), attr("hidden").is_some());
        if stack.len() < MAX_STACK {
            if hidden {
                hidden_depth += 1;
            }
            stack.push(Open { name, hidden });
        }
    }
    add_text(
        &mut doc,
        &html[text_start.min(html.len())..],
        hidden_depth > 0,
        link.as_mut(),
    );
    if let Some(l) = link.take() {
        push_link(&mut doc, l);
    }
    doc
}

fn push_link(doc: &mut HtmlDoc, mut l: Link) {
    if doc.links.len() < MAX_LINKS {
        l.text = l.text.trim().to_string();
        doc.links.push(l);
    }
}

fn add_text(doc: &mut HtmlDoc, raw: &str, hidden: bool, link: Option<&mut Link>) {
    if raw.is_empty() {
        return;
    }
    let text = decode_entities(raw);
    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
    if chars == 0 {
        if !doc.text.ends_with(' ') && !doc.text.is_empty() {
            doc.text.push(' ');
        }
        return;
    }
    if hidden {
        doc.hidden_chars += chars;
        return;
    }
    doc.visible_chars += chars;
    let collapsed = collapse_ws(&text);
    if doc.text.len() < MAX_TEXT_BYTES {
        doc.text
            .push_str(truncate(&collapsed, MAX_TEXT_BYTES - doc.text.len()));
        doc.text.push(' ');
    }
    if let Some(l) = link
        && l.text.len() < 512
    {
        l.text.push_str(truncate(&collapsed, 512 - l.text.len()));
        l.text.push(' ');
    }
}

fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut ws = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !ws {
                out.push(' ');
            }
            ws = true;
        } else {
            out.push(c);
            ws = false;
        }
    }
    out
}

/// Parses attributes from `start` up to the closing `>`; returns them (names lowercase, values
/// entity-decoded) and the index after `>`.
fn parse_attrs(html: &str, start: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut i = start;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, b.len());
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let n0 = i;
        while i < b.len() && !(b[i].is_ascii_whitespace() || matches!(b[i], b'=' | b'>' | b'/')) {
            i += 1;
        }
        let name = html[n0..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let v0 = i + 1;
                let end = memchr::memchr(q, &b[v0..]).map_or(b.len(), |e| v0 + e);
                value = decode_entities(&html[v0..end]);
                i = (end + 1).min(b.len());
            } else {
                let v0 = i;
                while i < b.len() && !(b[i].is_ascii_whitespace() || b[i] == b'>') {
                    i += 1;
                }
                value = decode_entities(&html[v0..i]);
            }
        }
        if attrs.len() < 64 && !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

fn is_hidden(style: Option<&str>, hidden_attr: bool) -> bool {
    if hidden_attr {
        return true;
    }
    let Some(style) = style else { return false };
    let s: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    s.contains("display:none")
        || s.contains("visibility:hidden")
        || s.contains("opacity:0;")
        || s.ends_with("opacity:0")
        || s.contains("font-size:0")
        || s.contains("font-size:1px")
        || s.contains("max-height:0")
        || s.contains("height:0;overflow:hidden")
}

/// Decodes HTML character references: numeric ones and the named ones that matter for URLs
/// and text (including those used to disguise domains, like `&period;` and `&commat;`).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let (entity, consumed) = match end {
            Some(e) => (&rest[1..e], e + 1),
            None => {
                // Legacy references without ';' (e.g. "&amp" or "&#46").
                let n = rest[1..]
                    .char_indices()
                    .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '#'))
                    .map_or(rest.len() - 1, |(i, _)| i);
                (&rest[1..1 + n], 1 + n)
            }
        };
        match decode_entity(entity) {
            Some(c) => {
                out.push(c);
                rest = &rest[consumed..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(e: &str) -> Option<char> {
    if let Some(num) = e.strip_prefix('#') {
        let v = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        return char::from_u32(v);
    }
    Some(match e {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "period" => '.',
        "commat" => '@',
        "sol" => '/',
        "bsol" => '\\',
        "colon" => ':',
        "lpar" => '(',
        "rpar" => ')',
        "num" => '#',
        "percnt" => '%',
        "equals" => '=',
        "quest" => '?',
        "excl" => '!',
        "comma" => ',',
        "semi" => ';',
        "lowbar" => '_',
        "hyphen" | "dash" => '\u{2010}',
        "shy" => '\u{ad}',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "rsquo" => '\u{2019}',
        "lsquo" => '\u{2018}',
        "rdquo" => '\u{201d}',
        "ldquo" => '\u{201c}',
        "bull" => '•',
        "middot" => '·',
        _ => return None,
    })
}

fn data_uri(v: &str, attribute: &str) -> Option<DataUri> {
    let body = &v[5..];
    let comma = body.find(',')?;
    let meta = body[..comma].to_ascii_lowercase();
    let payload = &body[comma + 1..];
    let is_b64 = meta.ends_with(";base64");
    let media_type = meta.split(';').next().unwrap_or("").trim().to_string();
    let head = if is_b64 {
        let take = (DATA_URI_SNIFF / 3 + 1) * 4;
        let cleaned: String = payload
            .chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_whitespace())
            .take(take)
            .collect();
        let cut = cleaned.len() / 4 * 4;
        base64::engine::general_purpose::STANDARD
            .decode(&cleaned[..cut])
            .unwrap_or_default()
    } else {
        truncate(payload, DATA_URI_SNIFF).as_bytes().to_vec()
    };
    Some(DataUri {
        media_type,
        head,
        attribute: attribute.to_string(),
    })
}

fn longest_base64_run(b: &[u8]) -> usize {
    let (mut best, mut cur) = (0, 0);
    for &c in b {
        if c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=' {
            cur += 1;
            if cur > best {
                best = cur;
            }
        } else if c != b'\r' && c != b'\n' {
            cur = 0;
        }
    }
    best
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    memchr::memchr_iter(first, hay).find(|&p| {
        hay.get(p..p + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// Cuts `s` at a character boundary at most `max` bytes long.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Base64 run that, with a script building a Blob, makes a smuggled file.
pub const SMUGGLING_MIN_BLOB: usize = 1024;

const SMUGGLING_FIX: &str = "Do not build files inside HTML with scripts or data: links; attach \
the file itself (if it is allowed) or send a link to a download page. Gateways treat script-built \
downloads as HTML smuggling, a malware technique.";

/// Reports HTML smuggling: a script turning a large encoded blob into a download, or `data:`
/// URIs carrying programs or archives.
pub fn check_smuggling(doc: &HtmlDoc, subject: &str, sink: &mut Sink) {
    let s = &doc.scripts;
    let blob_api = [
        "createObjectURL",
        "msSaveOrOpenBlob",
        "msSaveBlob",
        "new Blob",
        "Blob(",
    ]
    .iter()
    .any(|m| s.contains(m));
    if blob_api && doc.longest_base64 >= SMUGGLING_MIN_BLOB {
        sink.push(
            content_finding(
                "HTML_SMUGGLING",
                Severity::Error,
                subject,
                format!(
                    "{subject} has a script that turns a {}-character encoded blob into a file",
                    doc.longest_base64
                ),
                SMUGGLING_FIX,
            )
            .evidence("technique", "script_blob")
            .evidence("blob_chars", doc.longest_base64),
        );
    }
    for d in &doc.data_uris {
        let (kind, label) = filetype::sniff(&d.head);
        let dangerous_kind =
            kind.is_executable() || kind.is_disk_image() || kind.is_archive() || kind == Kind::Ole2;
        let download_type = d.media_type.starts_with("application/")
            && !matches!(
                d.media_type.as_str(),
                "application/pdf" | "application/json"
            )
            && d.attribute == "href";
        if dangerous_kind || download_type {
            sink.push(
                content_finding(
                    "HTML_SMUGGLING",
                    Severity::Error,
                    subject,
                    format!(
                        "{subject} carries a {} file in a data: URI ({})",
                        label, d.media_type
                    ),
                    SMUGGLING_FIX,
                )
                .evidence("technique", "data_uri")
                .evidence("detected", label)
                .evidence("media_type", &d.media_type),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_their_text() {
        let d = scan(
            r#"<p>Hi <a href="https://evil.example/x?a=1&amp;b=2">www.paypal.com</a></p>"#,
            1,
        );
        assert_eq!(d.links.len(), 1);
        assert_eq!(d.links[0].href, "https://evil.example/x?a=1&b=2");
        assert_eq!(d.links[0].text, "www.paypal.com");
    }

    #[test]
    fn hidden_text_is_counted_apart() {
        let d = scan(
            r#"<div style="display: none">secret words here</div><p>shown</p>"#,
            1,
        );
        assert_eq!(d.hidden_chars, "secretwordshere".len());
        assert_eq!(d.visible_chars, 5);
    }

    #[test]
    fn entities_used_to_disguise_domains_are_decoded() {
        assert_eq!(decode_entities("paypal&period;com"), "paypal.com");
        assert_eq!(decode_entities("&#104;ttp"), "http");
        assert_eq!(decode_entities("a & b"), "a & b");
    }
}
