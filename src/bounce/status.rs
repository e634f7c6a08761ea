//! Typed SMTP facts: the RFC 3463 enhanced status code and the RFC 5321 reply code.
//!
//! Both are validated on construction, so a value that exists is well formed. Both can also be
//! *found* in free text (a diagnostic line, a human-readable bounce), which is how most
//! non-standard bounces carry them.

use serde::{Serialize, Serializer};
use std::fmt;

/// The class of an enhanced status code or reply code: success, persistent transient failure,
/// permanent failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusClass {
    /// 2.x.x / 2yz: the action succeeded.
    Success,
    /// 4.x.x / 4yz: a temporary failure; the sender may retry.
    Transient,
    /// 5.x.x / 5yz: a permanent failure.
    Permanent,
}

/// An RFC 3463 enhanced mail system status code, `class.subject.detail` (e.g. `5.1.1`).
///
/// RFC 3463 allows a subject of up to three digits and a detail of up to three digits; the class
/// is 2, 4 or 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DsnStatus {
    class: u8,
    subject: u16,
    detail: u16,
}

impl DsnStatus {
    /// Build a status from its three numbers; `None` unless the class is 2, 4 or 5 and the other
    /// two fit RFC 3463's "1*3digit".
    pub fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        if !matches!(class, 2 | 4 | 5) || subject > 999 || detail > 999 {
            return None;
        }
        Some(Self {
            class,
            subject,
            detail,
        })
    }

    /// Parse exactly `c.s.d` (surrounding whitespace allowed), e.g. the value of a DSN `Status:`
    /// field. Trailing comments such as `5.1.1 (user unknown)` are ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        Self::parse_exact(&t[..end])
    }

    fn parse_exact(t: &str) -> Option<Self> {
        let mut it = t.split('.');
        let c = it.next()?;
        let s = it.next()?;
        let d = it.next()?;
        if it.next().is_some() || c.len() != 1 || s.is_empty() || d.is_empty() {
            return None;
        }
        if s.len() > 3 || d.len() > 3 {
            return None;
        }
        Self::new(c.parse().ok()?, s.parse().ok()?, d.parse().ok()?)
    }

    /// Find the first enhanced status code in free text (`... 550 5.7.1 Message rejected ...`).
    /// A code must stand alone: not part of an IP address, a version number or a date.
    pub fn find_in(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let mut i = 0;
        // Only a 2, 4 or 5 can start a code: jump from one to the next.
        while let Some(p) = memchr::memchr3(b'2', b'4', b'5', b.get(i..)?) {
            i += p;
            if i + 1 < b.len()
                && b[i + 1] == b'.'
                && (i == 0
                    || is_code_boundary(b[i - 1])
                    || is_label_colon(b, i)
                    || (b[i - 1] == b'-'
                        && i >= 4
                        && b[i - 4..i - 1].iter().all(u8::is_ascii_digit)))
            {
                let mut j = i + 2;
                while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                    j += 1;
                }
                // Trim trailing dots ("5.1.1.").
                let mut end = j;
                while end > i && b[end - 1] == b'.' {
                    end -= 1;
                }
                let after_ok = j >= b.len() || is_code_boundary(b[j]) || end < j;
                if after_ok && let Some(s) = Self::parse_exact(&text[i..end]) {
                    return Some(s);
                }
                i = j;
                continue;
            }
            i += 1;
        }
        None
    }

    /// The class digit (2, 4 or 5).
    pub fn class(self) -> StatusClass {
        match self.class {
            2 => StatusClass::Success,
            4 => StatusClass::Transient,
            _ => StatusClass::Permanent,
        }
    }

    /// The subject number (the `1` of `5.1.1`).
    pub fn subject(self) -> u16 {
        self.subject
    }

    /// The detail number (the last `1` of `5.1.1`).
    pub fn detail(self) -> u16 {
        self.detail
    }

    /// True for a status that says nothing beyond its class (`x.0.y`), which classification
    /// treats as "look at the text instead".
    pub fn is_vague(self) -> bool {
        self.subject == 0
    }

    /// True for `x.4.7` (delivery time expired): the reporting MTA's own code, which hides the
    /// remote server's more telling one when the diagnostic carries it.
    pub fn is_queue_expiry(self) -> bool {
        self.subject == 4 && self.detail == 7
    }

    /// The same status with another class (used to match a 4.x.x against a 5.x.x table).
    pub fn with_class(self, class: u8) -> Option<Self> {
        Self::new(class, self.subject, self.detail)
    }
}

/// `Status:5.1.1`, `ERROR_CODE :5.1.1`: a code right after a label's colon. The byte before the
/// colon must be a space or a letter that is no hex digit, so IPv6 text (`::`, `db8:`) never
/// counts.
fn is_label_colon(b: &[u8], i: usize) -> bool {
    i >= 2
        && b[i - 1] == b':'
        && (b[i - 2] == b' ' || (b[i - 2].is_ascii_alphabetic() && !b[i - 2].is_ascii_hexdigit()))
}

fn is_code_boundary(b: u8) -> bool {
    !(b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' || b == b'/' || b == b':')
}

impl fmt::Display for DsnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl Serialize for DsnStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An RFC 5321 three-digit reply code (`550`), first digit 2–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// A reply code from its number; `None` outside 200–599 or with a second digit above 5.
    pub fn new(code: u16) -> Option<Self> {
        if !(200..=599).contains(&code) || (code / 10) % 10 > 5 {
            return None;
        }
        Some(Self(code))
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }

    /// The class of the reply.
    pub fn class(self) -> Option<StatusClass> {
        match self.0 / 100 {
            2 => Some(StatusClass::Success),
            4 => Some(StatusClass::Transient),
            5 => Some(StatusClass::Permanent),
            _ => None,
        }
    }

    /// Find the first reply code of class 4 or 5 in free text: three digits standing alone and
    /// followed by a space, a hyphen (multi-line reply), end of text, or an enhanced code.
    /// Digits inside addresses, IPs, dates or queue ids are skipped.
    pub fn find_in(text: &str) -> Option<Self> {
        Self::find_with_offset(text).map(|(_, rc)| rc)
    }

    /// [`Self::find_in`], with the byte offset where the code starts: a diagnostic that quotes
    /// a reply (`host mx.example[192.0.2.1] said: 550 ...`) is read from there.
    pub fn find_with_offset(text: &str) -> Option<(usize, Self)> {
        let b = text.as_bytes();
        let mut i = 0;
        // Only a 4 or a 5 can start a reply code: jump from one to the next.
        while let Some(p) = memchr::memchr2(b'4', b'5', b.get(i..)?) {
            i += p;
            if i + 3 > b.len() {
                return None;
            }
            if b[i + 1].is_ascii_digit()
                && b[i + 2].is_ascii_digit()
                && (i == 0 || is_reply_left_boundary(b[i - 1]))
                && (i + 3 == b.len() || matches!(b[i + 3], b' ' | b'-' | b'\t' | b'\n' | b')'))
                && !(b.get(i + 3) == Some(&b'-') && is_number_after_hyphen(&b[i + 4..]))
            {
                // "550-5.1.1" and "550 5.1.1" and "550 Text" are all replies; "450 2014" is a year.
                let v = u16::from(b[i] - b'0') * 100
                    + u16::from(b[i + 1] - b'0') * 10
                    + u16::from(b[i + 2] - b'0');
                if let Some(rc) = Self::new(v) {
                    return Some((i, rc));
                }
            }
            i += 1;
        }
        None
    }
}

/// After `NNN-`, a number that is not an enhanced status (`555-1234`, a phone number or a
/// range): a multi-line reply's hyphen is followed by its text or by a status (`550-5.1.1`).
fn is_number_after_hyphen(rest: &[u8]) -> bool {
    match rest {
        [d, b'.', ..] if d.is_ascii_digit() => false,
        [d, ..] => d.is_ascii_digit(),
        [] => false,
    }
}

fn is_reply_left_boundary(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\n' | b'(' | b'[' | b':' | b';' | b'"' | b'\'' | b'<' | b'='
    )
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parses_rfc3463_forms() {
        assert_eq!(
            DsnStatus::parse("5.1.1").map(|s| s.to_string()),
            Some("5.1.1".into())
        );
        assert_eq!(
            DsnStatus::parse(" 4.7.650 (rate)").map(|s| s.to_string()),
            Some("4.7.650".into())
        );
        assert!(DsnStatus::parse("6.1.1").is_none());
        assert!(DsnStatus::parse("5.1").is_none());
        assert!(DsnStatus::parse("5.1.1234").is_none());
    }

    #[test]
    fn status_found_in_text_but_not_in_ips() {
        let s = DsnStatus::find_in("host 192.0.2.5 said: 550 5.7.1 denied");
        assert_eq!(s.map(|s| s.to_string()), Some("5.7.1".into()));
        assert!(DsnStatus::find_in("version 2.4.5-beta from 10.5.5.1").is_none());
        assert_eq!(
            DsnStatus::find_in("550-5.7.26 Unauthenticated").map(|s| s.to_string()),
            Some("5.7.26".into())
        );
    }

    #[test]
    fn reply_code_found_in_text() {
        assert_eq!(
            ReplyCode::find_in("said: 550 5.1.1 x").map(|r| r.get()),
            Some(550)
        );
        assert_eq!(
            ReplyCode::find_in("550-5.7.1 x").map(|r| r.get()),
            Some(550)
        );
        assert!(ReplyCode::find_in("id 4501234 at 192.0.2.1").is_none());
        assert!(ReplyCode::find_in("code 599 x").is_none());
        // A phone number is no multi-line reply; a status after the hyphen is.
        assert!(ReplyCode::find_in("Phone: 555-1234").is_none());
        assert_eq!(
            ReplyCode::find_in("Phone: 555-1234, then 421-4.7.0 try later").map(|r| r.get()),
            Some(421)
        );
    }
}
