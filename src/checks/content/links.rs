//! URLs: found in text and HTML, de-obfuscated, and keyed by registered domain.
//!
//! De-obfuscation follows what browsers do with what they are given: whitespace inside a URL is
//! dropped, backslashes become slashes, a scheme-less `www.` or `//host` gets `http:`, and the
//! `url` crate (WHATWG URL standard) percent-decodes and IDNA-maps the host and reads IPv4 hosts
//! written in hex, octal or as one number. Each trick a URL used is recorded in
//! [`UrlInfo`]'s `tricks` field through [`UrlSet`], so the phishing checks can name it.

use super::{Sink, UrlInfo, UrlSource, content_finding};
use crate::finding::Severity;
use aho_corasick::AhoCorasick;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Most bytes of one text body scanned for URLs.
pub const MAX_TEXT_SCAN: usize = 4 * 1024 * 1024;
/// Longest URL kept.
pub const MAX_URL_LEN: usize = 4096;

/// A URL as parsed, with the obfuscation tricks it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The normalised URL.
    pub url: String,
    /// Its host (A-labels) or IP literal (without brackets).
    pub host: String,
    /// True when the host is an IP address.
    pub ip_literal: bool,
    /// Tricks: `userinfo` (`https://paypal.com@evil.example`), `encoded_host` (percent-encoded
    /// host), `numeric_ip` (IP in hex, octal or one number), `backslashes`, `whitespace`.
    pub tricks: Vec<&'static str>,
}

/// Parses one URL as found in a message. `None` for non-web schemes (`mailto:`, `cid:`,
/// `javascript:`, `data:`) and garbage.
pub fn parse(raw: &str) -> Option<ParsedUrl> {
    let mut tricks = Vec::new();
    let trimmed = raw
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '<' | '>'));
    if trimmed.is_empty() || trimmed.len() > MAX_URL_LEN {
        return None;
    }
    let mut s: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    if s.len() != trimmed.len() {
        tricks.push("whitespace");
    }
    if s.contains('\\') {
        let head_end = s.find(['?', '#']).unwrap_or(s.len());
        if s[..head_end].contains('\\') {
            tricks.push("backslashes");
            let fixed = s[..head_end].replace('\\', "/");
            s = format!("{fixed}{}", &s[head_end..]);
        }
    }
    let lower = s.to_ascii_lowercase();
    let s = if lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("ftp://")
    {
        s
    } else if lower.starts_with("http:/") || lower.starts_with("https:/") {
        // One slash: browsers still go there.
        let colon = s.find(':')?;
        format!(
            "{}://{}",
            &s[..colon],
            s[colon + 1..].trim_start_matches('/')
        )
    } else if lower.starts_with("//") {
        format!("http:{s}")
    } else if lower.starts_with("www.") {
        format!("http://{s}")
    } else {
        return None;
    };
    // The raw authority, to see what the url crate will normalise away.
    let after_scheme = &s[s.find("//")? + 2..];
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..authority_end];
    let raw_host = authority.rsplit('@').next().unwrap_or(authority);
    if authority.contains('@') {
        tricks.push("userinfo");
    }
    if raw_host.contains('%') {
        tricks.push("encoded_host");
    }
    let url = url::Url::parse(&s).ok()?;
    let (host, ip) = match url.host()? {
        url::Host::Domain(d) => (d.trim_end_matches('.').to_string(), false),
        url::Host::Ipv4(a) => {
            let dotted = a.to_string();
            let raw_h = raw_host.split(':').next().unwrap_or(raw_host);
            if raw_h != dotted {
                tricks.push("numeric_ip");
            }
            (dotted, true)
        }
        url::Host::Ipv6(a) => (a.to_string(), true),
    };
    if host.is_empty() {
        return None;
    }
    Some(ParsedUrl {
        url: url.to_string(),
        host,
        ip_literal: ip,
        tricks,
    })
}

/// The distinct URLs of one message, in the order found, at most [`Limits::max_urls`].
///
/// [`Limits::max_urls`]: super::limits::Limits::max_urls
#[derive(Debug)]
pub struct UrlSet {
    list: Vec<UrlInfo>,
    tricks: HashMap<usize, Vec<&'static str>>,
    index: HashMap<String, usize>,
    max: usize,
    dropped: usize,
    reported: bool,
}

impl UrlSet {
    /// An empty set holding at most `max` URLs.
    pub fn new(max: usize) -> Self {
        UrlSet {
            list: Vec::new(),
            tricks: HashMap::new(),
            index: HashMap::new(),
            max,
            dropped: 0,
            reported: false,
        }
    }

    /// Adds a URL found at `source` in `part`; non-web and unparseable ones are ignored.
    pub fn add(&mut self, raw: &str, source: UrlSource, part: usize) {
        let Some(p) = parse(raw) else { return };
        if self.index.contains_key(&p.url) {
            return;
        }
        if self.list.len() >= self.max {
            self.dropped += 1;
            return;
        }
        let registered = if p.ip_literal {
            None
        } else {
            crate::names::registered_domain(&p.host)
        };
        let i = self.list.len();
        self.index.insert(p.url.clone(), i);
        if !p.tricks.is_empty() {
            self.tricks.insert(i, p.tricks);
        }
        self.list.push(UrlInfo {
            url: p.url,
            host: p.host,
            registered_domain: registered,
            ip_literal: p.ip_literal,
            source,
            part,
        });
    }

    /// The obfuscation tricks recorded for a URL (as normalised in [`UrlInfo::url`]).
    pub fn tricks_of(&self, url: &str) -> &[&'static str] {
        self.index
            .get(url)
            .and_then(|i| self.tricks.get(i))
            .map_or(&[], Vec::as_slice)
    }

    /// Reports (once) that URLs were dropped at the limit.
    pub fn note_truncated(&mut self, sink: &mut Sink) {
        if self.dropped > 0 && !self.reported {
            self.reported = true;
            sink.push(
                content_finding(
                    "MIME_LIMIT_EXCEEDED",
                    Severity::Info,
                    "urls",
                    format!(
                        "more than {} distinct URLs; the rest were not checked",
                        self.max
                    ),
                    "",
                )
                .evidence("limit", "max_urls"),
            );
        }
    }

    /// The URLs, with the tricks each used.
    pub fn into_parts(self) -> (Vec<UrlInfo>, HashMap<String, Vec<&'static str>>) {
        let mut tricks = HashMap::new();
        for (i, t) in self.tricks {
            if let Some(u) = self.list.get(i) {
                tricks.insert(u.url.clone(), t);
            }
        }
        (self.list, tricks)
    }

    /// The URLs.
    pub fn into_vec(self) -> Vec<UrlInfo> {
        self.list
    }
}

fn starters() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["http://", "https://", "www."])
            .expect("static patterns build")
    })
}

/// Finds URLs (`http://`, `https://`, `www.`) in plain text.
pub fn extract_from_text(text: &str, part: usize, set: &mut UrlSet) {
    let text = super::html::truncate(text, MAX_TEXT_SCAN);
    let b = text.as_bytes();
    let mut covered = 0;
    for m in starters().find_iter(text) {
        if m.start() < covered {
            continue;
        }
        if m.pattern().as_usize() == 2
            && m.start() > 0
            && (b[m.start() - 1].is_ascii_alphanumeric() || b"./-@".contains(&b[m.start() - 1]))
        {
            continue;
        }
        let end = b[m.start()..]
            .iter()
            .position(|&c| c.is_ascii_whitespace() || b"<>\"'`{}|^".contains(&c) || c < 0x20)
            .map_or(b.len(), |e| m.start() + e);
        let mut url = &text[m.start()..end];
        url = url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '*']);
        covered = end;
        if url.len() > m.len() {
            set.add(url, UrlSource::Text, part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscations_are_undone_and_named() {
        let p = parse("http://0x7f.0.0.1/x").expect("parses");
        assert_eq!(p.host, "127.0.0.1");
        assert!(p.tricks.contains(&"numeric_ip"));
        let p = parse("https://www.paypal.com@evil.example/login").expect("parses");
        assert_eq!(p.host, "evil.example");
        assert!(p.tricks.contains(&"userinfo"));
        let p = parse("https://%65vil.example/").expect("parses");
        assert_eq!(p.host, "evil.example");
        assert!(p.tricks.contains(&"encoded_host"));
        assert_eq!(parse("mailto:a@b.example"), None);
        assert_eq!(parse("javascript:alert(1)"), None);
    }

    #[test]
    fn text_urls_lose_trailing_punctuation() {
        let mut set = UrlSet::new(10);
        extract_from_text(
            "See https://example.com/a. Or www.example.org, then (http://x.example/).",
            0,
            &mut set,
        );
        let urls: Vec<String> = set.into_vec().into_iter().map(|u| u.url).collect();
        assert_eq!(
            urls,
            vec![
                "https://example.com/a",
                "http://www.example.org/",
                "http://x.example/"
            ]
        );
    }
}
