//! SPF record text → typed terms, each with its byte position (RFC 7208 sections 4.6, 5, 6, 7).
//!
//! Written by hand, not taken from mail-auth: `mail_auth::spf::Spf::parse` answers only
//! "parse error" with no position, accepts records RFC 7208 calls permerror (CIDR lengths with
//! leading zeros or out of range, numeric top labels, control characters, unknown modifiers
//! with bad names, duplicate `exp=`), and drops unknown modifiers and term text. The audit needs
//! the position of the first error (to mark it with a caret) and the text of every term, and the
//! evaluation needs the RFC's exact permerror rules, so one small tokenizer serves both.
//!
//! A parsed [`Record`] is valid by construction: every term has passed the grammar.

use serde::Serialize;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The qualifier in front of a mechanism (RFC 7208 4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Qualifier {
    /// `+` (the default): pass.
    Pass,
    /// `-`: fail.
    Fail,
    /// `~`: softfail.
    SoftFail,
    /// `?`: neutral.
    Neutral,
}

impl Qualifier {
    /// The qualifier character.
    pub fn symbol(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }
}

/// One piece of a macro-string (RFC 7208 7.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MacroPart {
    /// Literal text (with `%%`, `%_`, `%-` already decoded).
    Literal {
        /// The text.
        text: String,
    },
    /// A `%{...}` expansion.
    Var {
        /// The macro letter, lowercase (`s l o d i p h v`, and `c r t` in explanations).
        letter: char,
        /// An upper-case letter asks for URL escaping of the value.
        escape: bool,
        /// Keep only this many right-hand parts.
        keep: Option<usize>,
        /// Reverse the parts first.
        reverse: bool,
        /// The delimiters to split on (default `.`).
        delimiters: String,
    },
}

/// A macro-string: a domain-spec, or the text of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacroString {
    /// The text as written.
    pub text: String,
    /// Its parts.
    pub parts: Vec<MacroPart>,
}

impl MacroString {
    /// True when the string holds no macro: it is a plain domain the audit can follow.
    pub fn is_literal(&self) -> bool {
        self.parts
            .iter()
            .all(|p| matches!(p, MacroPart::Literal { .. }))
    }

    /// True when some part uses the `p` macro (validated PTR name).
    pub fn uses_p(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, MacroPart::Var { letter: 'p', .. }))
    }
}

/// A mechanism (RFC 7208 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Mechanism {
    /// `all`.
    All,
    /// `include:<domain-spec>`.
    Include {
        /// The target.
        domain: MacroString,
    },
    /// `a[:<domain-spec>][/<ip4-cidr>][//<ip6-cidr>]`.
    A {
        /// The target; `None` means the current domain.
        domain: Option<MacroString>,
        /// IPv4 prefix length.
        cidr4: u8,
        /// IPv6 prefix length.
        cidr6: u8,
    },
    /// `mx[:<domain-spec>][/<ip4-cidr>][//<ip6-cidr>]`.
    Mx {
        /// The target; `None` means the current domain.
        domain: Option<MacroString>,
        /// IPv4 prefix length.
        cidr4: u8,
        /// IPv6 prefix length.
        cidr6: u8,
    },
    /// `ptr[:<domain-spec>]` (deprecated).
    Ptr {
        /// The target; `None` means the current domain.
        domain: Option<MacroString>,
    },
    /// `ip4:<network>[/<cidr>]`.
    Ip4 {
        /// The network.
        addr: Ipv4Addr,
        /// Prefix length.
        prefix: u8,
    },
    /// `ip6:<network>[/<cidr>]`.
    Ip6 {
        /// The network.
        addr: Ipv6Addr,
        /// Prefix length.
        prefix: u8,
    },
    /// `exists:<domain-spec>`.
    Exists {
        /// The name whose A record is looked up.
        domain: MacroString,
    },
}

impl Mechanism {
    /// The mechanism name as RFC 7208 writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Mechanism::All => "all",
            Mechanism::Include { .. } => "include",
            Mechanism::A { .. } => "a",
            Mechanism::Mx { .. } => "mx",
            Mechanism::Ptr { .. } => "ptr",
            Mechanism::Ip4 { .. } => "ip4",
            Mechanism::Ip6 { .. } => "ip6",
            Mechanism::Exists { .. } => "exists",
        }
    }

    /// True for the mechanisms that cost a DNS lookup (RFC 7208 4.6.4).
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Mechanism::Include { .. }
                | Mechanism::A { .. }
                | Mechanism::Mx { .. }
                | Mechanism::Ptr { .. }
                | Mechanism::Exists { .. }
        )
    }
}

/// A modifier (RFC 7208 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Modifier {
    /// `redirect=<domain-spec>`.
    Redirect {
        /// The target.
        domain: MacroString,
    },
    /// `exp=<domain-spec>`.
    Exp {
        /// Where the explanation TXT record is.
        domain: MacroString,
    },
    /// Any other `name=value` (ignored by evaluation).
    Unknown {
        /// The name as written.
        name: String,
        /// The value as written.
        value: String,
    },
}

/// What a term is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// A qualified mechanism.
    Directive {
        /// The qualifier.
        qualifier: Qualifier,
        /// The mechanism.
        mechanism: Mechanism,
    },
    /// A modifier.
    Modifier(Modifier),
}

/// One term of a record, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The term as written.
    pub text: String,
    /// Byte offset of the term in the record.
    pub position: usize,
    /// What it is.
    pub kind: TermKind,
}

impl Term {
    /// True for the terms that cost a DNS lookup: include, a, mx, ptr, exists, redirect.
    pub fn queries_dns(&self) -> bool {
        match &self.kind {
            TermKind::Directive { mechanism, .. } => mechanism.queries_dns(),
            TermKind::Modifier(Modifier::Redirect { .. }) => true,
            TermKind::Modifier(_) => false,
        }
    }
}

/// A parsed SPF record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The record text.
    pub text: String,
    /// Its terms, in order.
    pub terms: Vec<Term>,
}

impl Record {
    /// The directives (qualifier, mechanism), in order.
    pub fn directives(&self) -> impl Iterator<Item = (Qualifier, &Mechanism)> {
        self.terms.iter().filter_map(|t| match &t.kind {
            TermKind::Directive {
                qualifier,
                mechanism,
            } => Some((*qualifier, mechanism)),
            TermKind::Modifier(_) => None,
        })
    }

    /// The `redirect=` target, if any.
    pub fn redirect(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|t| match &t.kind {
            TermKind::Modifier(Modifier::Redirect { domain }) => Some(domain),
            _ => None,
        })
    }

    /// The `exp=` target, if any.
    pub fn exp(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|t| match &t.kind {
            TermKind::Modifier(Modifier::Exp { domain }) => Some(domain),
            _ => None,
        })
    }

    /// True when the record has an `all` mechanism (which makes `redirect=` ignored).
    pub fn has_all(&self) -> bool {
        self.directives().any(|(_, m)| *m == Mechanism::All)
    }
}

/// A syntax error, with the byte position where the record stops making sense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    /// Byte offset in the record.
    pub position: usize,
    /// What is wrong there.
    pub message: String,
}

impl SyntaxError {
    fn at(position: usize, message: impl Into<String>) -> Self {
        SyntaxError {
            position,
            message: message.into(),
        }
    }

    /// A line of spaces and a caret under the error, to print below the record.
    pub fn caret_line(&self) -> String {
        format!("{}^", " ".repeat(self.position))
    }
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at character {}: {}", self.position + 1, self.message)
    }
}

/// The version tag every SPF record starts with.
pub const VERSION: &str = "v=spf1";

/// True when TXT text is an SPF record: `v=spf1` (any case) alone or followed by a space
/// (RFC 7208 4.5). `v=spf10` and `v=spf1x` are not.
pub fn is_spf_record(text: &[u8]) -> bool {
    text.len() >= VERSION.len()
        && text[..VERSION.len()].eq_ignore_ascii_case(VERSION.as_bytes())
        && text.get(VERSION.len()).is_none_or(|b| *b == b' ')
}

/// Parses a record (which [`is_spf_record`] accepted). The first error found is returned: a
/// receiver answers permerror for any of them.
pub fn parse(text: &[u8]) -> Result<Record, SyntaxError> {
    let shown = String::from_utf8_lossy(text).into_owned();
    if !is_spf_record(text) {
        return Err(SyntaxError::at(0, "the record does not start with v=spf1"));
    }
    let mut terms = Vec::new();
    let mut pos = VERSION.len();
    let (mut seen_redirect, mut seen_exp) = (false, false);
    while pos < text.len() {
        if text[pos] == b' ' {
            pos += 1;
            continue;
        }
        let end = text[pos..]
            .iter()
            .position(|b| *b == b' ')
            .map_or(text.len(), |e| pos + e);
        let raw = &text[pos..end];
        if let Some(bad) = raw.iter().position(|b| !(0x21..=0x7e).contains(b)) {
            let b = raw[bad];
            let what = if b.is_ascii() {
                format!("control character 0x{b:02x}")
            } else {
                "a non-ASCII character (SPF records are 7-bit ASCII)".to_string()
            };
            return Err(SyntaxError::at(pos + bad, what));
        }
        // Checked above: every byte is visible ASCII.
        let term = String::from_utf8_lossy(raw).into_owned();
        let kind = parse_term(&term, pos)?;
        if let TermKind::Modifier(m) = &kind {
            let dup = match m {
                Modifier::Redirect { .. } => std::mem::replace(&mut seen_redirect, true),
                Modifier::Exp { .. } => std::mem::replace(&mut seen_exp, true),
                Modifier::Unknown { .. } => false,
            };
            if dup {
                return Err(SyntaxError::at(
                    pos,
                    "this modifier may appear only once in a record",
                ));
            }
        }
        terms.push(Term {
            text: term,
            position: pos,
            kind,
        });
        pos = end;
    }
    Ok(Record { text: shown, terms })
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

fn parse_term(term: &str, pos: usize) -> Result<TermKind, SyntaxError> {
    let bytes = term.as_bytes();
    let name_len = bytes.iter().take_while(|b| is_name_char(**b)).count();
    if bytes.get(name_len) == Some(&b'=') {
        if name_len == 0 {
            return Err(SyntaxError::at(pos, "a modifier needs a name before '='"));
        }
        if !bytes[0].is_ascii_alphabetic() {
            return Err(SyntaxError::at(
                pos,
                "a modifier name must begin with a letter",
            ));
        }
        let name = &term[..name_len];
        let value = &term[name_len + 1..];
        let vpos = pos + name_len + 1;
        let lower = name.to_ascii_lowercase();
        return Ok(TermKind::Modifier(match lower.as_str() {
            "redirect" => Modifier::Redirect {
                domain: domain_spec(value, vpos)?,
            },
            "exp" => Modifier::Exp {
                domain: domain_spec(value, vpos)?,
            },
            _ => {
                macro_string(value, vpos, false)?;
                Modifier::Unknown {
                    name: name.to_string(),
                    value: value.to_string(),
                }
            }
        }));
    }
    let (qualifier, rest, mpos) = match bytes.first() {
        Some(b'+') => (Qualifier::Pass, &term[1..], pos + 1),
        Some(b'-') => (Qualifier::Fail, &term[1..], pos + 1),
        Some(b'~') => (Qualifier::SoftFail, &term[1..], pos + 1),
        Some(b'?') => (Qualifier::Neutral, &term[1..], pos + 1),
        _ => (Qualifier::Pass, term, pos),
    };
    let name_end = rest.find([':', '/']).unwrap_or(rest.len());
    let name = rest[..name_end].to_ascii_lowercase();
    let args = &rest[name_end..];
    let apos = mpos + name_end;
    let mechanism = match name.as_str() {
        "all" => {
            if !args.is_empty() {
                return Err(SyntaxError::at(apos, "'all' takes no argument"));
            }
            Mechanism::All
        }
        "include" | "exists" => {
            let Some(spec) = args.strip_prefix(':') else {
                return Err(SyntaxError::at(
                    apos,
                    format!("'{name}' needs ':' and a domain"),
                ));
            };
            let domain = domain_spec(spec, apos + 1)?;
            if name == "include" {
                Mechanism::Include { domain }
            } else {
                Mechanism::Exists { domain }
            }
        }
        "a" | "mx" => {
            // The CIDR suffix is taken from the end (a domain-spec may itself hold '/').
            let (spec_part, cidr4, cidr6) = dual_cidr(args, apos)?;
            let domain = match spec_part.strip_prefix(':') {
                Some(spec) => Some(domain_spec(spec, apos + 1)?),
                None if spec_part.is_empty() => None,
                None => return Err(SyntaxError::at(apos, "expected ':' or '/' here")),
            };
            if name == "a" {
                Mechanism::A {
                    domain,
                    cidr4,
                    cidr6,
                }
            } else {
                Mechanism::Mx {
                    domain,
                    cidr4,
                    cidr6,
                }
            }
        }
        "ptr" => {
            let domain = match args.strip_prefix(':') {
                Some(spec) => Some(domain_spec(spec, apos + 1)?),
                None if args.is_empty() => None,
                None => return Err(SyntaxError::at(apos, "'ptr' takes no CIDR length")),
            };
            Mechanism::Ptr { domain }
        }
        "ip4" => {
            let Some(net) = args.strip_prefix(':') else {
                return Err(SyntaxError::at(apos, "'ip4' needs ':' and an address"));
            };
            let (addr_text, prefix) = match net.split_once('/') {
                Some((a, c)) => (a, cidr(c, apos + 2 + a.len(), 32)?),
                None => (net, 32),
            };
            let Some(addr) = strict_ipv4(addr_text) else {
                return Err(SyntaxError::at(apos + 1, "not a valid IPv4 address"));
            };
            Mechanism::Ip4 { addr, prefix }
        }
        "ip6" => {
            let Some(net) = args.strip_prefix(':') else {
                return Err(SyntaxError::at(apos, "'ip6' needs ':' and an address"));
            };
            let (addr_text, prefix) = match net.split_once('/') {
                Some((a, c)) => (a, cidr(c, apos + 2 + a.len(), 128)?),
                None => (net, 128),
            };
            let Ok(addr) = addr_text.parse::<Ipv6Addr>() else {
                return Err(SyntaxError::at(apos + 1, "not a valid IPv6 address"));
            };
            Mechanism::Ip6 { addr, prefix }
        }
        "" => return Err(SyntaxError::at(mpos, "a mechanism name is missing")),
        other => {
            return Err(SyntaxError::at(
                mpos,
                format!("unknown mechanism '{other}'"),
            ));
        }
    };
    Ok(TermKind::Directive {
        qualifier,
        mechanism,
    })
}

/// An IPv4 address in the RFC 7208 `ip4-network` form: four decimal octets, no leading zeros.
fn strict_ipv4(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if p.len() > 1 && p.starts_with('0') {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

/// A CIDR length: decimal, no leading zero, at most `max`.
fn cidr(text: &str, pos: usize, max: u8) -> Result<u8, SyntaxError> {
    let bad = || SyntaxError::at(pos, format!("CIDR length must be 0 to {max}"));
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(SyntaxError::at(pos, "CIDR length has a leading zero"));
    }
    let n: u8 = text.parse().map_err(|_| bad())?;
    if n > max {
        return Err(bad());
    }
    Ok(n)
}

/// Splits `[:domain][/ip4-cidr][//ip6-cidr]` into the domain part and the two lengths.
fn dual_cidr(args: &str, pos: usize) -> Result<(&str, u8, u8), SyntaxError> {
    let mut rest = args;
    let mut cidr6 = 128;
    let mut cidr4 = 32;
    if let Some(i) = rest.rfind("//") {
        let tail = &rest[i + 2..];
        if tail.bytes().all(|b| b.is_ascii_digit()) {
            cidr6 = cidr(tail, pos + i + 2, 128)?;
            rest = &rest[..i];
        }
    }
    if let Some(i) = rest.rfind('/') {
        let tail = &rest[i + 1..];
        if tail.bytes().all(|b| b.is_ascii_digit()) {
            cidr4 = cidr(tail, pos + i + 1, 32)?;
            rest = &rest[..i];
        }
    }
    if rest.ends_with('/') || (!rest.starts_with(':') && !rest.is_empty()) {
        return Err(SyntaxError::at(pos, "malformed CIDR length"));
    }
    Ok((rest, cidr4, cidr6))
}

/// A domain-spec: a macro-string ending in a macro or in `.` + a valid top label (RFC 7208 7.1).
fn domain_spec(text: &str, pos: usize) -> Result<MacroString, SyntaxError> {
    if text.is_empty() {
        return Err(SyntaxError::at(pos, "a domain is missing"));
    }
    let ms = macro_string(text, pos, false)?;
    if let Some(MacroPart::Literal { text: tail }) = ms.parts.last() {
        let tail = tail.strip_suffix('.').unwrap_or(tail);
        let Some((_, top)) = tail.rsplit_once('.') else {
            return Err(SyntaxError::at(
                pos,
                "the domain must end in a top-level label such as .com, or in a macro",
            ));
        };
        if !valid_toplabel(top) {
            return Err(SyntaxError::at(
                pos + text
                    .len()
                    .saturating_sub(top.len() + usize::from(text.ends_with('.'))),
                format!("'{top}' is not a valid top-level label"),
            ));
        }
    }
    Ok(ms)
}

fn valid_toplabel(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b.iter().any(u8::is_ascii_alphabetic)
        && b.first() != Some(&b'-')
        && b.last() != Some(&b'-')
}

/// Parses a macro-string. `explain` allows the `c`, `r`, `t` letters and spaces (the text of
/// an `exp=` TXT record). `pos` is where `text` starts, for error positions.
pub fn macro_string(text: &str, pos: usize, explain: bool) -> Result<MacroString, SyntaxError> {
    let b = text.as_bytes();
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c != b'%' {
            let ok = (0x21..=0x7e).contains(&c) || (explain && c == b' ');
            if !ok {
                return Err(SyntaxError::at(pos + i, "character not allowed here"));
            }
            lit.push(char::from(c));
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'%') => lit.push('%'),
            Some(b'_') => lit.push(' '),
            Some(b'-') => lit.push_str("%20"),
            Some(b'{') => {
                let start = i;
                let close = b[i..]
                    .iter()
                    .position(|x| *x == b'}')
                    .map(|e| i + e)
                    .ok_or_else(|| SyntaxError::at(pos + start, "'%{' without a closing '}'"))?;
                let body = &b[i + 2..close];
                let var = macro_var(body, explain).map_err(|m| SyntaxError::at(pos + start, m))?;
                if !lit.is_empty() {
                    parts.push(MacroPart::Literal {
                        text: std::mem::take(&mut lit),
                    });
                }
                parts.push(var);
                i = close + 1;
                continue;
            }
            _ => {
                return Err(SyntaxError::at(
                    pos + i,
                    "'%' must be followed by '{', '%', '_' or '-'",
                ));
            }
        }
        i += 2;
    }
    if !lit.is_empty() {
        parts.push(MacroPart::Literal { text: lit });
    }
    Ok(MacroString {
        text: text.to_string(),
        parts,
    })
}

fn macro_var(body: &[u8], explain: bool) -> Result<MacroPart, String> {
    let Some((&letter, rest)) = body.split_first() else {
        return Err("empty macro '%{}'".into());
    };
    let lower = letter.to_ascii_lowercase();
    let allowed: &[u8] = if explain { b"slodiphvcrt" } else { b"slodiphv" };
    if !allowed.contains(&lower) {
        return Err(format!("unknown macro letter '{}'", char::from(letter)));
    }
    let digits = rest.iter().take_while(|d| d.is_ascii_digit()).count();
    let keep = if digits > 0 {
        let n: usize = std::str::from_utf8(&rest[..digits])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or("macro digit count too large")?;
        if n == 0 {
            return Err("a macro digit count must not be zero".into());
        }
        Some(n)
    } else {
        None
    };
    let mut rest = &rest[digits..];
    let reverse = matches!(rest.first(), Some(b'r' | b'R'));
    if reverse {
        rest = &rest[1..];
    }
    if let Some(bad) = rest.iter().find(|d| !b".-+,/_=".contains(d)) {
        return Err(format!("'{}' is not a macro delimiter", char::from(*bad)));
    }
    Ok(MacroPart::Var {
        letter: char::from(lower),
        escape: letter.is_ascii_uppercase(),
        keep,
        reverse,
        delimiters: String::from_utf8_lossy(rest).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_typical_record() {
        let r = parse(b"v=spf1 ip4:192.0.2.0/24 include:_spf.example.com mx -all").expect("ok");
        assert_eq!(r.terms.len(), 4);
        assert_eq!(r.terms[1].position, 24);
        assert!(r.has_all());
    }

    #[test]
    fn marks_the_position_of_an_error() {
        let e = parse(b"v=spf1 ip4:192.0.2.0/33 -all").expect_err("bad cidr");
        assert_eq!(e.position, 21);
        let e = parse(b"v=spf1 a include:x.example.com foo -all").expect_err("unknown");
        assert_eq!(e.position, 31);
        assert_eq!(e.caret_line(), format!("{}^", " ".repeat(31)));
    }

    #[test]
    fn version_must_stand_alone() {
        assert!(is_spf_record(b"v=spf1"));
        assert!(is_spf_record(b"V=SPF1 -all"));
        assert!(!is_spf_record(b"v=spf10 -all"));
        assert!(!is_spf_record(b"v=spf1-all"));
    }

    #[test]
    fn rfc_grammar_corner_cases() {
        assert!(parse(b"v=spf1 a:museum").is_err());
        assert!(parse(b"v=spf1 a:example.123").is_err());
        assert!(parse(b"v=spf1 mx:example.com/04").is_err());
        assert!(parse(b"v=spf1 ip4:1.2.3.04").is_err());
        assert!(parse(b"v=spf1 exp=a.example.com exp=b.example.com").is_err());
        assert!(parse(b"v=spf1 1up=foo").is_err());
        assert!(parse(b"v=spf1 a:%{d0}.example.com").is_err());
        assert!(parse(b"v=spf1 mx:foo:bar/baz.example.com").is_ok());
        assert!(parse(b"v=spf1 a//64 a/24//64 a:%{d}/0").is_ok());
        assert!(parse(b"v=spf1 moo.cow-far_out=man:dog/cat -all").is_ok());
    }
}
