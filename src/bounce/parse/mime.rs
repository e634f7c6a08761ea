//! A lazy MIME splitter for bounces.
//!
//! Why hand-written: a full MIME parser (mail-parser's `parse`) decodes every part of a
//! message, the returned original's body and its attachments included, and parses every header
//! of every part. A bounce explainer reads a handful of things: the top-level headers, the
//! notification text, the `message/delivery-status` or `message/feedback-report` part, and the
//! returned message's headers. This module only finds where parts begin and end (a `memchr`
//! search for the boundary) and leaves each part's body as a slice of the input; a part's body
//! is decoded (base64, quoted-printable, charset to UTF-8) only when the explainer asks for it.
//! Header values in their plain forms (`Name <a@b>` lists, `<id>`, `type/subtype; k=v`, text
//! without encoded words) are read here in one pass; any other value goes to mail-parser's own
//! field parsers, and randomised tests check that both read the plain forms alike. mail-parser's
//! transfer and charset decoders are reused too.
//!
//! Every loop is bounded by the input's length, nesting by [`MAX_MIME_DEPTH`] and the number of
//! parts by [`MAX_MIME_PARTS`]; nothing here panics on any input.

use super::super::limits::{MAX_MIME_DEPTH, MAX_MIME_PARTS};
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;
use mail_parser::{Address, Attribute, ContentType, HeaderValue};
use std::borrow::Cow;

/// One header field: its name and its raw value (from after the colon to the end of the field,
/// folded lines and the final line break included).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    name: &'a [u8],
    value: &'a [u8],
}

/// Is `b` one of the white-space bytes mail-parser skips around a header name?
fn is_ws(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// Split a header block into fields, the way mail-parser reads one: a line that has no colon
/// is skipped, a line that starts with white space continues the field above, and the block
/// ends at the first empty (or all-blank) line. Returns the fields and the offset of the body.
pub(crate) fn split_fields(data: &[u8]) -> (Vec<Field<'_>>, usize) {
    split_fields_upto(data, usize::MAX)
}

/// Does the block at the top of `data` hold a header field (is [`split_fields`]'s list not
/// empty)? Stops at the first field instead of splitting the whole block.
pub(crate) fn has_field(data: &[u8]) -> bool {
    !split_fields_upto(data, 1).0.is_empty()
}

/// [`split_fields`], stopping once `max` fields are found (the offset returned is then the end
/// of the last field, not the body's).
fn split_fields_upto(data: &[u8], max: usize) -> (Vec<Field<'_>>, usize) {
    let mut fields = Vec::with_capacity(max.min(16));
    let mut pos = 0;
    let len = data.len();
    loop {
        // Skip white space at the start of a line; an empty line ends the block.
        while pos < len && data[pos] != b'\n' && is_ws(data[pos]) {
            pos += 1;
        }
        if pos >= len {
            return (fields, len);
        }
        if data[pos] == b'\n' {
            return (fields, pos + 1);
        }
        // The name: from the first character that is neither blank nor a colon, up to the next
        // colon. A line without one holds no field and is skipped.
        let line_end = memchr::memchr(b'\n', &data[pos..]).map_or(len, |p| pos + p);
        let line = &data[pos..line_end];
        let name_start = line.iter().position(|c| !is_ws(*c) && *c != b':');
        let colon = name_start.and_then(|s| {
            // Names are short: a plain loop finds the colon cheaper than a vector search.
            line[s..]
                .iter()
                .position(|&c| c == b':')
                .map(|c| (pos + s, pos + s + c))
        });
        let Some((name_start, colon)) = colon else {
            if line_end >= len {
                return (fields, len);
            }
            pos = line_end + 1;
            continue;
        };
        let name = trim_ws(&data[name_start..colon]);
        // The value: up to a line break that is not followed by a space or a tab.
        let start = colon + 1;
        let mut end = line_end;
        loop {
            if end >= len {
                end = len;
                break;
            }
            match data.get(end + 1) {
                Some(b' ' | b'\t') => {
                    end = memchr::memchr(b'\n', &data[end + 1..]).map_or(len, |p| end + 1 + p);
                }
                _ => {
                    end += 1;
                    break;
                }
            }
        }
        fields.push(Field {
            name,
            value: &data[start..end],
        });
        if fields.len() >= max {
            return (fields, end);
        }
        pos = end;
    }
}

fn trim_ws(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|c| !is_ws(*c)).unwrap_or(b.len());
    let e = b.iter().rposition(|c| !is_ws(*c)).map_or(s, |e| e + 1);
    &b[s..e.max(s)]
}

/// A header value read as mail-parser's raw reader does: white space trimmed at both ends,
/// folding kept, invalid UTF-8 replaced.
fn raw_text(v: &[u8]) -> Cow<'_, str> {
    lossy(trim_ws(v))
}

/// Bytes as text, invalid UTF-8 replaced; valid text (the usual case) is checked by the fast
/// validator and borrowed.
pub(crate) fn lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// The header fields of one message or part.
#[derive(Debug, Default)]
pub(crate) struct Headers<'a> {
    fields: Vec<Field<'a>>,
    /// One bit per [`name_bit`] of the fields' names. Why: about half the names looked up are
    /// absent (`X-Failed-Recipients`, `List-Id`, `X-Autoreply`, …), and each lookup compared
    /// every field's name; a clear bit answers at once.
    names: u64,
}

/// The bit of [`Headers::names`] for a field name: from its length and its first and last
/// bytes in lower case, so names that differ only in case share it.
fn name_bit(name: &[u8]) -> u64 {
    let (first, last) = match name {
        [] => (0, 0),
        [f, .., l] => (f.to_ascii_lowercase(), l.to_ascii_lowercase()),
        [f] => (f.to_ascii_lowercase(), f.to_ascii_lowercase()),
    };
    let h = (name.len() as u64)
        .wrapping_mul(31)
        .wrapping_add(u64::from(first))
        .wrapping_mul(31)
        .wrapping_add(u64::from(last));
    1 << (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

impl<'a> Headers<'a> {
    /// Headers of these fields.
    fn new(fields: Vec<Field<'a>>) -> Self {
        let names = fields.iter().fold(0, |m, f| m | name_bit(f.name));
        Self { fields, names }
    }

    /// The header block at the top of `raw`; `None` when it holds no field.
    pub(crate) fn parse(raw: &'a [u8]) -> Option<Self> {
        let (fields, _) = split_fields(raw);
        (!fields.is_empty()).then(|| Self::new(fields))
    }

    /// The fields that may have this name: all of them, or none when [`Headers::names`] says
    /// no field has it.
    fn maybe_named(&self, name: &str) -> &[Field<'a>] {
        if self.names & name_bit(name.as_bytes()) != 0 {
            &self.fields
        } else {
            &[]
        }
    }

    /// The last field of this name (names compare case-insensitively).
    fn last(&self, name: &str) -> Option<&Field<'a>> {
        self.maybe_named(name)
            .iter()
            .rev()
            .find(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
    }

    /// The raw value of the last field of this name, if it is valid UTF-8.
    pub(crate) fn raw(&self, name: &str) -> Option<&'a str> {
        self.last(name)
            .and_then(|f| std::str::from_utf8(f.value).ok())
    }

    /// Every field of this name, in order, as trimmed text.
    pub(crate) fn texts<'s>(&'s self, name: &'s str) -> impl Iterator<Item = Cow<'a, str>> + 's {
        self.maybe_named(name)
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name.as_bytes()))
            .map(|f| raw_text(f.value))
            .filter(|t| !t.is_empty())
    }

    /// The last field of this name read as an address list: what mail-parser's address parser
    /// gives as each entry's address (`None` for an entry that has only a name), in order.
    /// `None` when the field is absent or holds no entry.
    pub(crate) fn addresses(&self, name: &str) -> Option<Addresses<'a>> {
        let value = self.last(name)?.value;
        if let Some(list) = simple_addresses(value) {
            return (!list.is_empty()).then_some(list);
        }
        match MessageStream::new(value).parse_address() {
            HeaderValue::Address(Address::List(list)) => {
                Some(list.into_iter().map(|a| a.address).collect())
            }
            HeaderValue::Address(Address::Group(groups)) => Some(
                groups
                    .into_iter()
                    .flat_map(|g| g.addresses)
                    .map(|a| a.address)
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The last field of this name as unstructured text (encoded words decoded).
    pub(crate) fn unstructured(&self, name: &str) -> Option<String> {
        let value = self.last(name)?.value;
        match plain_unstructured(value) {
            Some(text) => text,
            None => text_of(MessageStream::new(value).parse_unstructured()),
        }
    }

    /// The last field of this name read as message ids (the last id when there are several).
    pub(crate) fn id(&self, name: &str) -> Option<String> {
        last_id(self.last(name)?.value).map(|id| lossy(id).into_owned())
    }

    /// The parsed `Content-Type` field.
    pub(crate) fn content_type(&self) -> Option<ContentType<'a>> {
        let value = self.last("Content-Type")?.value;
        if let Some(c) = simple_content_type(value) {
            return Some(c);
        }
        match MessageStream::new(value).parse_content_type() {
            HeaderValue::ContentType(c) => Some(c),
            _ => None,
        }
    }

    /// Is the part an attachment (`Content-Disposition: attachment`)?
    fn is_attachment(&self) -> bool {
        self.last("Content-Disposition").is_some_and(|f| {
            let v = trim_ws(f.value);
            let end = v
                .iter()
                .position(|c| *c == b';' || is_ws(*c))
                .unwrap_or(v.len());
            v[..end].eq_ignore_ascii_case(b"attachment")
        })
    }

    /// The transfer encoding.
    fn encoding(&self) -> Encoding {
        match self
            .last("Content-Transfer-Encoding")
            .map(|f| trim_ws(f.value))
        {
            Some(v) if v.eq_ignore_ascii_case(b"base64") => Encoding::Base64,
            Some(v) if v.eq_ignore_ascii_case(b"quoted-printable") => Encoding::QuotedPrintable,
            _ => Encoding::None,
        }
    }
}

/// The addresses of an address list, one per entry (see [`Headers::addresses`]).
pub(crate) type Addresses<'a> = Vec<Option<Cow<'a, str>>>;

/// Is `b` white space to mail-parser's address parser (a line break inside a field value is
/// always followed by a space or a tab)?
fn is_addr_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `b` without white space (see [`is_addr_ws`]) at its ends; `None` when that leaves nothing.
fn trim_addr_ws(t: &str) -> Option<&str> {
    let b = t.as_bytes();
    let s = b.iter().position(|&c| !is_addr_ws(c))?;
    let e = b.iter().rposition(|&c| !is_addr_ws(c))?;
    t.get(s..=e)
}

/// [`Headers::addresses`] of the plain forms most fields have (`a@b.example`,
/// `Name <a@b.example>`, lists of them), read in one pass without mail-parser's general
/// parser: the same result, or `None` for any value this does not handle (quotes, comments,
/// groups, escapes, encoded words, non-ASCII text, a line break inside an address).
fn simple_addresses(value: &[u8]) -> Option<Addresses<'_>> {
    // mail-parser stops at a line break that no white space follows: the field's last one.
    // (Without one, at the end of the input, it drops the last word: left to it.)
    let v = value.strip_suffix(b"\n")?;
    let v = v.strip_suffix(b"\r").unwrap_or(v);
    // Checked once: the entries are cut at ASCII bytes, so their slices are text too.
    let text = std::str::from_utf8(v).ok()?;
    let mut out = Vec::new();
    // The current entry: where it starts, its `<` and `>`, and whether an `@` stands outside
    // the brackets (a name holding one would read as part of the address).
    let mut start = 0;
    let (mut lt, mut gt) = (None, None);
    let mut at_outside = false;
    for (i, &c) in v.iter().enumerate() {
        let in_brackets = lt.is_some() && gt.is_none();
        match c {
            b'"' | b'\\' | b'(' | b')' | b':' | b';' => return None,
            b'?' if i > 0 && v[i - 1] == b'=' => return None,
            b'\n' if in_brackets || !matches!(v.get(i + 1), Some(b' ' | b'\t')) => return None,
            b'\r' if v.get(i + 1) != Some(&b'\n') => return None,
            b'<' if lt.is_none() => lt = Some(i),
            b'>' if in_brackets => gt = Some(i),
            b'<' | b'>' => return None,
            b'@' if !in_brackets => at_outside = true,
            b',' if in_brackets => return None,
            b',' => {
                let brackets = lt.zip(gt).map(|(l, g)| (l - start, g - start));
                push_simple(&mut out, text.get(start..i)?, brackets, at_outside)?;
                (start, lt, gt, at_outside) = (i + 1, None, None, false);
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ if !c.is_ascii_graphic() => return None,
            _ => {}
        }
    }
    if lt.is_some() && gt.is_none() {
        return None;
    }
    let brackets = lt.zip(gt).map(|(l, g)| (l - start, g - start));
    push_simple(&mut out, text.get(start..)?, brackets, at_outside)?;
    Some(out)
}

/// The address of one entry of [`simple_addresses`] (with the offsets of its brackets in it),
/// pushed as mail-parser adds it: nothing for an empty entry.
fn push_simple<'a>(
    out: &mut Addresses<'a>,
    entry: &'a str,
    brackets: Option<(usize, usize)>,
    at_outside: bool,
) -> Option<()> {
    match brackets {
        Some(_) if at_outside => return None,
        Some((lt, gt)) => {
            let (pre, inner, post) = (
                entry.get(..lt)?,
                entry.get(lt + 1..gt)?,
                entry.get(gt + 1..)?,
            );
            let address = trim_addr_ws(inner).map(Cow::Borrowed);
            let named = pre.bytes().chain(post.bytes()).any(|c| !is_addr_ws(c));
            if address.is_some() || named {
                out.push(address);
            }
        }
        None => match trim_addr_ws(entry) {
            None => {}
            // A name alone.
            Some(_) if !at_outside => out.push(None),
            Some(token) if token.bytes().any(is_addr_ws) => return None,
            Some(token) => out.push(Some(Cow::Borrowed(token))),
        },
    }
    Some(())
}

/// A byte of a type, subtype or parameter name that [`simple_content_type`] reads (RFC 2045's
/// token characters but `*` and `'`, which start RFC 2231 parameters).
fn is_ct_token(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'+'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
                | b'-'
        )
}

/// A byte of an unquoted parameter value that [`simple_content_type`] reads.
fn is_ct_value(c: u8) -> bool {
    c.is_ascii_graphic() && !matches!(c, b'"' | b';' | b'(' | b')' | b'\\')
}

/// A name in lower case, as mail-parser gives it; borrowed when it is already.
fn lower_name(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// [`Headers::content_type`] of the plain form most fields have
/// (`type/subtype; name=value; name="quoted value"`, folded between parameters), read in one
/// pass without mail-parser's general parser: the same result, or `None` for any value this
/// does not handle (comments, escapes, RFC 2231 and RFC 2047 parameters, empty values, line
/// breaks elsewhere, non-ASCII text).
fn simple_content_type(value: &[u8]) -> Option<ContentType<'_>> {
    let v = value.strip_suffix(b"\n")?;
    let v = v.strip_suffix(b"\r").unwrap_or(v);
    // Checked once: what is kept is cut at ASCII bytes, so its slices are text too.
    let text = std::str::from_utf8(v).ok()?;
    let mut i = 0;
    // Spaces and tabs; with `folds`, line breaks that continue the field too.
    let skip = |i: &mut usize, folds: bool| -> Option<()> {
        loop {
            match v.get(*i) {
                Some(b' ' | b'\t') => *i += 1,
                Some(b'\r') if folds && v.get(*i + 1) == Some(&b'\n') => *i += 1,
                Some(b'\n') if folds && matches!(v.get(*i + 1), Some(b' ' | b'\t')) => *i += 2,
                Some(b'\r' | b'\n') => return None,
                _ => return Some(()),
            }
        }
    };
    // A run of bytes `ok` accepts, at least one.
    let run = |i: &mut usize, ok: fn(u8) -> bool| -> Option<&str> {
        let start = *i;
        while v.get(*i).is_some_and(|&c| ok(c)) {
            *i += 1;
        }
        text.get(start..*i).filter(|t| !t.is_empty())
    };
    skip(&mut i, false)?;
    let c_type = lower_name(run(&mut i, is_ct_token)?);
    skip(&mut i, false)?;
    if v.get(i) != Some(&b'/') {
        return None;
    }
    i += 1;
    skip(&mut i, false)?;
    let c_subtype = lower_name(run(&mut i, is_ct_token)?);
    let mut attributes = Vec::new();
    loop {
        skip(&mut i, true)?;
        match v.get(i) {
            None => break,
            Some(b';') => i += 1,
            Some(_) => return None,
        }
        skip(&mut i, true)?;
        if matches!(v.get(i), None | Some(b';')) {
            continue;
        }
        let name = lower_name(run(&mut i, is_ct_token)?);
        skip(&mut i, false)?;
        if v.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        skip(&mut i, false)?;
        let value = if v.get(i) == Some(&b'"') {
            let len = v.get(i + 1..)?.iter().position(|&c| c == b'"')?;
            let quoted = text.get(i + 1..i + 1 + len)?;
            if quoted.is_empty()
                || !quoted
                    .bytes()
                    .all(|c| (c.is_ascii_graphic() && c != b'\\') || c == b' ' || c == b'\t')
            {
                return None;
            }
            i += len + 2;
            quoted
        } else {
            run(&mut i, is_ct_value)?
        };
        // `=?` may start an encoded word.
        if value.as_bytes().windows(2).any(|w| w == b"=?") {
            return None;
        }
        attributes.push(Attribute {
            name,
            value: Cow::Borrowed(value),
        });
    }
    Some(ContentType {
        c_type,
        c_subtype: Some(c_subtype),
        attributes: (!attributes.is_empty()).then_some(attributes),
    })
}

/// What mail-parser's `parse_unstructured` gives as text for a value without encoded words:
/// the lines up to the one no white space continues, each without white space at its ends,
/// joined by a space; no text when no line ends there. `None` (not read here) for a value
/// that may hold an encoded word (`=?`).
fn plain_unstructured(value: &[u8]) -> Option<Option<String>> {
    if memchr::memchr_iter(b'=', value).any(|p| value.get(p + 1) == Some(&b'?')) {
        return None;
    }
    let is_ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r');
    let mut out: Option<String> = None;
    let mut rest = value;
    loop {
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            return Some(None);
        };
        let line = &rest[..nl];
        if let (Some(s), Some(e)) = (
            line.iter().position(|c| !is_ws(c)),
            line.iter().rposition(|c| !is_ws(c)),
        ) {
            let word = lossy(&line[s..=e]);
            match out.as_mut() {
                Some(o) => {
                    o.push(' ');
                    o.push_str(&word);
                }
                None => out = Some(word.into_owned()),
            }
        }
        match rest.get(nl + 1) {
            Some(b' ' | b'\t') => rest = &rest[nl + 2..],
            _ => return Some(out),
        }
    }
}

/// The id mail-parser's `parse_id` gives as text (the last one when there are several), as
/// bytes of the value: what is inside `<...>` without white space at its ends, or, when no
/// bracketed id is found, the text outside brackets. `None` when the value does not end with a
/// line break that no white space follows (mail-parser then returns no value).
fn last_id(value: &[u8]) -> Option<&[u8]> {
    let (mut token_start, mut token_end) = (None::<usize>, 0);
    let (mut invalid_start, mut invalid_end) = (None::<usize>, 0);
    let mut in_id = false;
    let mut last: Option<&[u8]> = None;
    let mut i = 0;
    while i < value.len() {
        let c = value[i];
        match c {
            b'\n' => {
                if matches!(value.get(i + 1), Some(b' ' | b'\t')) {
                    i += 2;
                    continue;
                }
                return last.or_else(|| invalid_start.map(|s| &value[s..=invalid_end]));
            }
            b'<' => {
                in_id = true;
                i += 1;
                continue;
            }
            b'>' => {
                in_id = false;
                match token_start.take() {
                    Some(s) => last = Some(&value[s..=token_end]),
                    None => {
                        i += 1;
                        continue;
                    }
                }
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if in_id {
            token_start.get_or_insert(i);
            token_end = i;
        } else {
            invalid_start.get_or_insert(i);
            invalid_end = i;
        }
        i += 1;
    }
    None
}

fn text_of(v: HeaderValue<'_>) -> Option<String> {
    v.as_text().map(str::to_string)
}

/// A message: its header fields and its undecoded body.
#[derive(Debug)]
pub(crate) struct Mail<'a> {
    /// The top-level header fields.
    pub(crate) headers: Headers<'a>,
    body: &'a [u8],
    from: Option<Addresses<'a>>,
    to: Option<Addresses<'a>>,
    subject: Option<String>,
    /// The parsed `Content-Type`, kept: the MIME walk and the report type both read it.
    content_type: Option<ContentType<'a>>,
}

impl<'a> Mail<'a> {
    /// Split a message's header block from its body. `None` when there is no header field.
    pub(crate) fn parse(raw: &'a [u8]) -> Option<Self> {
        let (fields, body) = split_fields(raw);
        if fields.is_empty() {
            return None;
        }
        let headers = Headers::new(fields);
        Some(Self {
            from: headers.addresses("From"),
            to: headers.addresses("To"),
            subject: headers.unstructured("Subject"),
            content_type: headers.content_type(),
            headers,
            body: raw.get(body..).unwrap_or_default(),
        })
    }

    /// The undecoded body (everything after the header block).
    pub(crate) fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The `From` addresses (last field).
    pub(crate) fn from(&self) -> Option<&Addresses<'a>> {
        self.from.as_ref()
    }

    /// The `To` addresses (last field).
    pub(crate) fn to(&self) -> Option<&Addresses<'a>> {
        self.to.as_ref()
    }

    /// The decoded `Subject`.
    pub(crate) fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The parsed `Content-Type` field.
    pub(crate) fn content_type(&self) -> Option<&ContentType<'a>> {
        self.content_type.as_ref()
    }

    /// The raw value of a header field (see [`Headers::raw`]).
    pub(crate) fn header_raw(&self, name: &str) -> Option<&'a str> {
        self.headers.raw(name)
    }

    /// The message's parts, leaves only, in order (multipart containers are walked, not listed).
    pub(crate) fn parts(&self) -> Vec<Part<'a>> {
        let mut out = Vec::new();
        let entity = Entity {
            headers: &self.headers,
            // The message's own fields are the message's: never a pasted one.
            header_block: &[],
            content_type: self.content_type.as_ref(),
            body: self.body,
        };
        collect(&entity, true, false, 0, &mut out);
        out
    }
}

/// A transfer encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    None,
    Base64,
    QuotedPrintable,
}

/// How a part's body is read, the way mail-parser classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text (`text/*` but HTML, or untyped): decoded to UTF-8.
    Text,
    /// `text/html`, decoded to UTF-8.
    Html,
    /// An attached message (`message/rfc822` or `message/global`).
    Message,
    /// Anything else: transfer-decoded bytes.
    Binary,
}

/// One leaf part, its body not yet decoded.
#[derive(Debug)]
pub(crate) struct Part<'a> {
    /// Is this the message's own body (not a part of a multipart)?
    pub(crate) root: bool,
    /// How the body reads.
    pub(crate) kind: Kind,
    /// Content type and subtype, lower case (`text`/`plain` when absent).
    pub(crate) ctype: Cow<'a, str>,
    /// See `ctype`.
    pub(crate) subtype: Cow<'a, str>,
    /// `Content-Disposition: attachment`.
    pub(crate) attachment: bool,
    /// The part's own header block, when it carries a message's fields (`From:`, and
    /// `Message-ID:` or `Received:`), not only a part's: a returned message pasted in as a
    /// part, with no `message/rfc822` around it (Mail2000's notices).
    pub(crate) message_fields: Option<&'a [u8]>,
    charset: Option<Cow<'a, str>>,
    encoding: Encoding,
    body: &'a [u8],
}

impl<'a> Part<'a> {
    /// The body with its transfer encoding undone. A body that does not decode is returned as
    /// it is (as mail-parser does).
    pub(crate) fn bytes(&self) -> Cow<'a, [u8]> {
        match self.encoding {
            Encoding::None => Cow::Borrowed(self.body),
            Encoding::Base64 => {
                let (end, b) = MessageStream::new(self.body).decode_base64_mime(b"");
                if end == usize::MAX {
                    Cow::Borrowed(self.body)
                } else {
                    Cow::Owned(b.into_owned())
                }
            }
            Encoding::QuotedPrintable => match decode_qp(self.body) {
                Some(b) => Cow::Owned(b),
                None => Cow::Borrowed(self.body),
            },
        }
    }

    /// The body as text: transfer-decoded, then converted from its charset to UTF-8.
    pub(crate) fn text(&self) -> Cow<'a, str> {
        let bytes = self.bytes();
        let decoder = self
            .charset
            .as_deref()
            .filter(|c| !reads_as_itself(c, &bytes) && !mislabelled_utf8(c, &bytes))
            .and_then(|c| charset_decoder(c.as_bytes()));
        match (bytes, decoder) {
            (b, Some(d)) => Cow::Owned(d(&b)),
            (Cow::Borrowed(b), None) => lossy(b),
            (Cow::Owned(v), None) => Cow::Owned(
                String::from_utf8(v)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
        }
    }
}

/// Does text in `charset` decode to its own bytes: ASCII text in an [`ascii_compatible`]
/// charset, or ISO-2022-JP text that never leaves ASCII (it holds no escape sequence, nor the
/// shift bytes 0x0E and 0x0F, which its decoder takes for errors)? Japanese bounces label
/// their English parts ISO-2022-JP too, and its decoder steps through every byte.
fn reads_as_itself(charset: &str, bytes: &[u8]) -> bool {
    let c = charset.trim().as_bytes();
    let starts = |p: &[u8]| c.len() >= p.len() && c[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"iso-2022-jp") || starts(b"iso_2022_jp") || starts(b"csiso2022jp") {
        bytes.is_ascii() && memchr::memchr3(0x1b, 0x0e, 0x0f, bytes).is_none()
    } else {
        ascii_compatible(charset) && bytes.is_ascii()
    }
}

/// Text labelled US-ASCII that has 8-bit bytes was not ASCII: when those bytes are valid UTF-8
/// (an address or a reply in another script, passed on by an MTA that kept its template's
/// label), they are read as UTF-8, not as the Windows-1252 a decoder takes ASCII's label for.
fn mislabelled_utf8(charset: &str, bytes: &[u8]) -> bool {
    let c = charset.trim();
    (c.eq_ignore_ascii_case("us-ascii") || c.eq_ignore_ascii_case("ascii"))
        && !bytes.is_ascii()
        && std::str::from_utf8(bytes).is_ok()
}

/// Charsets that read ASCII bytes as ASCII: text in one of them that is all ASCII needs no
/// conversion (and is valid UTF-8 as it is).
fn ascii_compatible(charset: &str) -> bool {
    let c = charset.trim().as_bytes();
    let starts = |p: &[u8]| c.len() >= p.len() && c[..p.len()].eq_ignore_ascii_case(p);
    [
        &b"us-ascii"[..],
        b"ascii",
        b"utf-8",
        b"utf8",
        b"iso-8859-",
        b"iso8859-",
        b"windows-125",
        b"cp125",
        b"latin",
    ]
    .iter()
    .any(|p| starts(p))
}

/// Quoted-printable decoding, byte for byte what mail-parser's `decode_quoted_printable_mime`
/// gives for a part body (soft breaks joined, trailing white space of a line dropped, the line
/// break kept as CRLF once a CR was seen), but copying runs of plain bytes at once.
/// `None` when the body is not quoted-printable (`==`).
fn decode_qp(src: &[u8]) -> Option<Vec<u8>> {
    use mail_parser::decoders::quoted_printable::HEX_MAP;
    #[derive(PartialEq, Eq)]
    enum St {
        Plain,
        Eq,
        Hex1,
    }
    let hex = |c: u8| u8::try_from(HEX_MAP.get(usize::from(c)).copied().unwrap_or(-1)).ok();
    let mut buf = Vec::with_capacity(src.len());
    let mut state = St::Plain;
    let mut hex1 = 0u8;
    let mut last_ch = 0u8;
    let mut ws_count = 0usize;
    let mut crlf: &[u8] = b"\n";
    let mut i = 0;
    while i < src.len() {
        if state == St::Plain {
            // `=XY`, the usual escape, decoded at once (what the three states below give it).
            if let Some(byte) = escaped_byte(&src[i..], hex) {
                buf.push(byte);
                ws_count = 0;
                last_ch = src[i + 2];
                i += 3;
                continue;
            }
            let end = next_qp_mark(src, i);
            if end > i {
                let run = &src[i..end];
                buf.extend_from_slice(run);
                let trailing = run
                    .iter()
                    .rev()
                    .take_while(|c| c.is_ascii_whitespace())
                    .count();
                ws_count = if trailing == run.len() {
                    ws_count + trailing
                } else {
                    trailing
                };
                last_ch = run[run.len() - 1];
                i = end;
                continue;
            }
        }
        let ch = src[i];
        match ch {
            b'=' if state == St::Plain => state = St::Eq,
            b'=' => return None,
            b'\n' => {
                if state == St::Eq {
                    state = St::Plain;
                } else {
                    buf.truncate(buf.len().saturating_sub(ws_count));
                    buf.extend_from_slice(crlf);
                }
                ws_count = 0;
            }
            b'\r' => crlf = b"\r\n",
            _ => match state {
                St::Plain => {
                    ws_count = if ch.is_ascii_whitespace() {
                        ws_count + 1
                    } else {
                        0
                    };
                    buf.push(ch);
                }
                St::Eq => {
                    if let Some(h) = hex(ch) {
                        hex1 = h;
                        state = St::Hex1;
                    } else if !ch.is_ascii_whitespace() {
                        state = St::Plain;
                        buf.extend_from_slice(&[b'=', ch]);
                        ws_count = 0;
                    }
                }
                St::Hex1 => {
                    state = St::Plain;
                    match hex(ch) {
                        Some(h) => buf.push((hex1 << 4) | h),
                        None => buf.extend_from_slice(&[b'=', last_ch, ch]),
                    }
                    ws_count = 0;
                }
            },
        }
        last_ch = ch;
        i += 1;
    }
    Some(buf)
}

/// The position of the next `=`, `\n` or `\r` at or after `from` (or the end). The first bytes
/// are looked at one by one: in quoted-printable HTML an escape (`=3D`) comes every few bytes,
/// and a vector search costs more to set up than such a short run.
fn next_qp_mark(src: &[u8], from: usize) -> usize {
    const SHORT_RUN: usize = 16;
    let is_mark = |c: &u8| matches!(c, b'=' | b'\n' | b'\r');
    let near = &src[from..src.len().min(from + SHORT_RUN)];
    match near.iter().position(is_mark) {
        Some(p) => from + p,
        None if near.len() < SHORT_RUN => src.len(),
        None => memchr::memchr3(b'=', b'\n', b'\r', &src[from + SHORT_RUN..])
            .map_or(src.len(), |p| from + SHORT_RUN + p),
    }
}

/// The byte a quoted-printable escape `=XY` (two hex digits) at the start of `src` stands for.
fn escaped_byte(src: &[u8], hex: impl Fn(u8) -> Option<u8>) -> Option<u8> {
    match src {
        [b'=', x, y, ..] => Some((hex(*x)? << 4) | hex(*y)?),
        _ => None,
    }
}

/// One entity: its header fields, their parsed `Content-Type` and its body.
struct Entity<'h, 'a> {
    headers: &'h Headers<'a>,
    /// The header block as it stands (see [`Part::message_fields`]).
    header_block: &'a [u8],
    content_type: Option<&'h ContentType<'a>>,
    body: &'a [u8],
}

/// Collect the leaves of one entity into `out`.
fn collect<'a>(
    entity: &Entity<'_, 'a>,
    root: bool,
    in_digest: bool,
    depth: usize,
    out: &mut Vec<Part<'a>>,
) {
    if out.len() >= MAX_MIME_PARTS {
        return;
    }
    let (headers, ct, body) = (entity.headers, entity.content_type, entity.body);
    let (ctype, subtype) = match ct {
        Some(c) => (
            lower_case(c.c_type.clone()),
            lower_case(c.c_subtype.clone().unwrap_or(Cow::Borrowed(""))),
        ),
        None if in_digest => (Cow::Borrowed("message"), Cow::Borrowed("rfc822")),
        None => (Cow::Borrowed("text"), Cow::Borrowed("plain")),
    };
    let mut kind = match (ctype.as_ref(), subtype.as_ref()) {
        ("text", "html") => Kind::Html,
        ("text", _) => Kind::Text,
        ("message", "rfc822" | "global") => Kind::Message,
        _ => Kind::Binary,
    };
    if ctype == "multipart" {
        match ct.and_then(|c| c.attribute("boundary")) {
            Some(b) if depth < MAX_MIME_DEPTH => {
                // A boundary parameter that never occurs in the body (a sample edited by
                // hand, a gateway that rewrote one and not the other): the delimiter the body
                // does use, when it has one.
                let parts = split_multipart(body, b.as_bytes())
                    .or_else(|| used_boundary(body).and_then(|used| split_multipart(body, used)));
                if let Some(parts) = parts {
                    let digest = subtype == "digest";
                    for p in parts {
                        let (fields, at) = split_fields(p);
                        let h = Headers::new(fields);
                        let ct = h.content_type();
                        let entity = Entity {
                            headers: &h,
                            header_block: &p[..at.min(p.len())],
                            content_type: ct.as_ref(),
                            body: &p[at.min(p.len())..],
                        };
                        collect(&entity, false, digest, depth + 1, out);
                        if out.len() >= MAX_MIME_PARTS {
                            return;
                        }
                    }
                    return;
                }
                // The boundary never occurs: the body is read as text.
                kind = Kind::Text;
            }
            Some(_) => return,
            // No boundary: an opaque part.
            None => kind = Kind::Binary,
        }
    }
    let encoding = headers.encoding();
    if kind == Kind::Message {
        // A returned message whose body does not hold a header block reads as text.
        let has_headers = match encoding {
            Encoding::None => has_field(body),
            _ => true,
        };
        if !has_headers {
            kind = Kind::Text;
        }
    }
    let message_fields = (!root
        && headers.last("From").is_some()
        && (headers.last("Message-ID").is_some() || headers.last("Received").is_some()))
    .then_some(entity.header_block);
    out.push(Part {
        root,
        kind,
        ctype,
        subtype,
        attachment: headers.is_attachment(),
        message_fields,
        charset: ct.and_then(charset_of),
        encoding,
        body,
    });
}

/// A content type name in lower case; one already in lower case (the usual) is kept as it is,
/// borrowed from the message when the parser borrowed it.
fn lower_case(name: Cow<'_, str>) -> Cow<'_, str> {
    if name.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        name
    }
}

/// The `charset` parameter (what `ContentType::attribute("charset")` gives), kept borrowed
/// from the message when the parser borrowed it.
fn charset_of<'a>(c: &ContentType<'a>) -> Option<Cow<'a, str>> {
    c.attributes
        .as_ref()?
        .iter()
        .find(|a| a.name == "charset")
        .map(|a| a.value.clone())
}

/// A searcher for `\n--`, the start of every delimiter line but the first line of a body:
/// built once, where a searcher for each multipart's own `--boundary` cost more to build than
/// the search itself.
static LINE_DASHES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("\n--"));

/// Where [`split_multipart`] looks for `--boundary`.
enum Delimiters<'p> {
    /// The usual case: only an occurrence at the start of a line can be a delimiter, so the
    /// lines that start with `--` are found with [`LINE_DASHES`] and compared with the pattern.
    LineStarts(&'p [u8]),
    /// A boundary holding a line break (an encoded word can decode to one): every occurrence,
    /// as a plain search gives them. An occurrence that is not a delimiter is skipped whole,
    /// and with a line break inside the pattern a line start can hide in what it skips.
    Anywhere(Box<memchr::memmem::Finder<'p>>),
}

impl<'p> Delimiters<'p> {
    /// The search for `pat` (`--` and the boundary).
    fn new(pat: &'p [u8]) -> Self {
        if pat.contains(&b'\n') {
            Self::Anywhere(Box::new(memchr::memmem::Finder::new(pat)))
        } else {
            Self::LineStarts(pat)
        }
    }

    /// The first occurrence of the pattern at or after `from` that can be a delimiter: for
    /// [`Delimiters::LineStarts`] the first one at the start of a line (the others are never
    /// delimiters and, the pattern holding no line break, never overlap a line start).
    fn find(&self, body: &[u8], from: usize) -> Option<usize> {
        match self {
            Self::Anywhere(f) => f.find(body.get(from..)?).map(|p| from + p),
            Self::LineStarts(pat) => {
                if from == 0 && body.starts_with(pat) {
                    return Some(0);
                }
                // A line start `at` >= `from` has its `\n` at `at - 1` >= `from - 1`.
                let mut nl = from.saturating_sub(1);
                while let Some(p) = LINE_DASHES.find(body.get(nl..)?) {
                    let at = nl + p + 1;
                    if body[at..].starts_with(pat) {
                        return Some(at);
                    }
                    nl = at;
                }
                None
            }
        }
    }
}

/// The bodies of a multipart's parts (each with its header block), or `None` when the boundary
/// never starts a line. A missing closing boundary ends the last part at the end of the input;
/// text before the first boundary and after the closing one is not part of any part.
/// The boundary a multipart body uses: its first `--boundary` line (RFC 2046: at most 70
/// characters, no white space at its end) that a part's header field follows and that occurs
/// again further on. Only the first 64 KiB are searched for it.
fn used_boundary(body: &[u8]) -> Option<&[u8]> {
    let head = &body[..body.len().min(64 * 1024)];
    let mut at = 0;
    for line in head.split(|&c| c == b'\n') {
        let next = at + line.len() + 1;
        let l = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(candidate) = l.strip_prefix(b"--")
            && (1..=70).contains(&candidate.len())
            && !candidate.iter().any(|c| c.is_ascii_whitespace())
            && body.get(next..).is_some_and(has_field)
            && memchr::memmem::find(&body[next.min(body.len())..], l).is_some()
        {
            return Some(candidate);
        }
        at = next;
    }
    None
}

fn split_multipart<'a>(body: &'a [u8], boundary: &[u8]) -> Option<Vec<&'a [u8]>> {
    if boundary.is_empty() || boundary.len() > 200 {
        return None;
    }
    let mut pat = Vec::with_capacity(boundary.len() + 2);
    pat.extend_from_slice(b"--");
    pat.extend_from_slice(boundary);
    let delimiters = Delimiters::new(&pat);
    let mut parts = Vec::new();
    // Start of the current part's content (after its delimiter line), once a delimiter is seen.
    let mut open: Option<usize> = None;
    let mut from = 0;
    while let Some(at) = delimiters.find(body, from) {
        from = at + pat.len();
        if at > 0 && body[at - 1] != b'\n' {
            continue;
        }
        let rest = &body[from..];
        let line_end = memchr::memchr(b'\n', rest).map_or(body.len(), |e| from + e);
        let close = rest.starts_with(b"--");
        if !close && !body[from..line_end].iter().all(|c| is_ws(*c)) {
            continue;
        }
        if let Some(start) = open {
            // The line break before the delimiter belongs to the delimiter.
            let mut end = at;
            if end > start && body[end - 1] == b'\n' {
                end -= 1;
                if end > start && body[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            parts.push(&body[start..end.max(start)]);
            if parts.len() >= MAX_MIME_PARTS {
                return Some(parts);
            }
        }
        if close {
            return Some(parts);
        }
        open = Some((line_end + 1).min(body.len()));
        from = open.unwrap_or(body.len());
    }
    let start = open?;
    parts.push(&body[start..]);
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(raw: &str) -> Vec<(String, Kind, String)> {
        let m = Mail::parse(raw.as_bytes()).expect("headers");
        m.parts()
            .iter()
            .map(|p| {
                (
                    format!("{}/{}", p.ctype, p.subtype),
                    p.kind,
                    p.text().into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn a_boundary_parameter_the_body_does_not_use_yields_to_the_one_it_does() {
        let raw = "Content-Type: multipart/report; report-type=delivery-status; boundary=\"declared\"\n\npreamble\n\n--used\nContent-Type: text/plain\n\nthe notice\n\n--used\nContent-Type: message/rfc822\n\nSubject: original\n\nbody\n\n--used--\n";
        let got = parts(raw);
        let types: Vec<&str> = got.iter().map(|(t, _, _)| t.as_str()).collect();
        assert_eq!(types, vec!["text/plain", "message/rfc822"], "{got:?}");
        assert_eq!(got[0].2.trim(), "the notice");
        // A rule line that no header follows is no delimiter: the body stays text.
        let raw = "Content-Type: multipart/mixed; boundary=\"declared\"\n\n-----\ntext\n-----\n";
        let got = parts(raw);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, Kind::Text);
    }

    #[test]
    fn fields_unfold_and_skip_junk() {
        let (f, body) = split_fields(b"From: a@b\r\nX-Junk\r\nSubject: one\r\n two\r\n\r\nbody");
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].name, b"Subject");
        assert_eq!(f[1].value, b" one\r\n two\r\n");
        assert_eq!(body, 41);
        let m = Mail::parse(b"Subject: =?utf-8?q?caf=C3=A9?=\n\nx").expect("mail");
        assert_eq!(m.subject(), Some("café"));
        // Names compare in any ASCII case.
        let h = Headers::parse(b"content-TYPE: text/plain\nX-a: 1\nx-A: 2\n\n").expect("fields");
        assert!(h.raw("Content-Type").is_some());
        assert_eq!(h.texts("X-A").collect::<Vec<_>>(), ["1", "2"]);
        assert!(h.raw("X-B").is_none() && h.raw("Content-Typ").is_none());
    }

    #[test]
    fn a_field_is_found_whatever_the_case_of_its_name() {
        let names = [
            "From",
            "X-Failed-Recipients",
            "a",
            "Content-Type",
            "List-Id",
            "X",
        ];
        let mut seed = 37u32;
        for _ in 0..2000 {
            let name = *crate::bounce::pick(&mut seed, &names);
            // The same name in a pseudo-random mix of cases.
            let mixed: String = name
                .chars()
                .map(|c| {
                    if *crate::bounce::pick(&mut seed, &[true, false]) {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect();
            let raw = format!("Other: 1\n{mixed}: v\n\n");
            let h = Headers::parse(raw.as_bytes()).expect("fields");
            assert_eq!(h.raw(name), Some(" v\n"), "{mixed}");
            assert_eq!(h.texts(name).count(), 1, "{mixed}");
        }
    }

    #[test]
    fn a_report_splits_into_its_parts() {
        let raw = "Content-Type: multipart/report; boundary=\"B\"\n\npreamble\n--B\n\
                   Content-Type: text/plain\n\nhello\n--B\n\
                   Content-Type: message/delivery-status\n\nAction: failed\n\n--B\n\
                   Content-Type: message/rfc822\n\nFrom: x@y\n\nbody\n--B--\nepilogue\n";
        let p = parts(raw);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], ("text/plain".into(), Kind::Text, "hello".into()));
        assert_eq!(p[1].2, "Action: failed\n");
        assert_eq!(p[2].1, Kind::Message);
    }

    #[test]
    fn nested_multiparts_and_encodings() {
        let raw = "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\
                   Content-Type: multipart/alternative; boundary=ab\r\n\r\n--ab\r\n\
                   Content-Type: text/plain; charset=iso-8859-1\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n--ab\r\n\
                   Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                   PGI+aGk8L2I+\r\n--ab--\r\n--a--\r\n";
        let p = parts(raw);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].2, "café");
        assert_eq!(p[1], ("text/html".into(), Kind::Html, "<b>hi</b>".into()));
    }

    #[test]
    fn missing_or_bad_boundaries_degrade_to_text() {
        // Never closed: the last part runs to the end.
        let p = parts("Content-Type: multipart/mixed; boundary=z\n\n--z\n\nlast words\n");
        assert_eq!(
            p,
            vec![("text/plain".into(), Kind::Text, "last words\n".into())]
        );
        // The boundary never occurs: the body is text.
        let p = parts("Content-Type: multipart/mixed; boundary=q\n\njust text\n");
        assert_eq!(p[0].1, Kind::Text);
        assert_eq!(p[0].2, "just text\n");
        // No boundary parameter: opaque.
        let p = parts("Content-Type: multipart/mixed\n\njust text\n");
        assert_eq!(p[0].1, Kind::Binary);
        // A boundary inside a line, or followed by other text, is not a delimiter.
        let p = parts("Content-Type: multipart/mixed; boundary=z\n\n--z\n\nx --z\n--zz\n--z--\n");
        assert_eq!(p[0].2, "x --z\n--zz");
    }

    #[test]
    fn quoted_printable_reads_as_mail_parser_reads_it() {
        let mut inputs: Vec<Vec<u8>> = [
            &b"caf=E9 =\r\nsoft  \r\ntrail \t\r\n=3D=3d=\n=XY=4=\r\n"[..],
            b"a==b",
            b"=A\nb=\t \nc  \n\n= x=\r",
            b"",
            b"   \n",
        ]
        .iter()
        .map(|b| b.to_vec())
        .collect();
        // Pseudo-random mixes of the bytes that matter.
        let alphabet = b"=\r\n \taF09x\x0c\xe9";
        let mut seed = 7u32;
        for n in 0..500 {
            let v = (0..n % 40)
                .map(|_| *crate::bounce::pick(&mut seed, alphabet))
                .collect();
            inputs.push(v);
        }
        // Long runs of plain bytes between the escapes.
        let pieces: [&[u8]; 16] = [
            b"=3D",
            b"=\r\n",
            b"=\n",
            b"  \n",
            // Runs about as long as the bytes looked at before a vector search.
            &[b'w'; 15],
            &[b'v'; 16],
            &[b'u'; 17],
            &[b'x'; 23],
            &[b'y'; 24],
            &[b'z'; 61],
            b" \t",
            // Runs about a word long, with white space inside and at their ends.
            b"abcdefg",
            b"abcdefgh",
            b"a b\tc\x0cd e",
            b"\x0c \t",
            b"\xc3\xa9\xff\x80=",
        ];
        for m in mixes(&pieces, 2000, 19) {
            inputs.push(m);
        }
        for input in inputs {
            let (end, theirs) = MessageStream::new(&input).decode_quoted_printable_mime(b"");
            let theirs = (end != usize::MAX).then(|| theirs.into_owned());
            assert_eq!(decode_qp(&input), theirs, "{input:?}");
        }
    }

    #[test]
    fn delimiters_are_found_as_a_search_for_the_whole_boundary_finds_them() {
        let pieces: [&[u8]; 12] = [
            b"--", b"-", b"b", b"bb", b"\n", b"\r\n", b" ", b"x", b"--b", b"\n--b", b"b\nb", b"\t",
        ];
        let boundaries: [&[u8]; 6] = [b"b", b"bb", b"-b", b"b-", b"b\nb", b"\n"];
        let mut seed = 5u32;
        for n in 0..6000 {
            let body: Vec<u8> = (0..n % 48)
                .flat_map(|_| crate::bounce::pick(&mut seed, &pieces).iter().copied())
                .collect();
            let pat = [&b"--"[..], boundaries[n % boundaries.len()]].concat();
            let delimiters = Delimiters::new(&pat);
            for from in 0..=body.len() {
                // What the delimiter loop needs: the first occurrence at the start of a line
                // (any occurrence when the pattern holds a line break, as memmem finds them).
                let expected = (from..body.len()).find(|&at| {
                    body[at..].starts_with(&pat)
                        && (pat.contains(&b'\n') || at == 0 || body[at - 1] == b'\n')
                });
                assert_eq!(
                    delimiters.find(&body, from),
                    expected,
                    "{body:?} {pat:?} {from}"
                );
            }
        }
    }

    /// Pseudo-random mixes of `pieces`, `count` of them.
    fn mixes(pieces: &[&[u8]], count: usize, mut seed: u32) -> Vec<Vec<u8>> {
        (0..count)
            .map(|n| {
                (0..n % 24)
                    .flat_map(|_| crate::bounce::pick(&mut seed, pieces).iter().copied())
                    .collect()
            })
            .collect()
    }

    /// What [`Headers::addresses`] gave when it always asked mail-parser.
    fn addresses_reference(value: &[u8]) -> Option<Vec<Option<String>>> {
        let owned = |a: &mail_parser::Addr<'_>| a.address().map(str::to_string);
        match MessageStream::new(value).parse_address() {
            HeaderValue::Address(a) => Some(a.iter().map(owned).collect()),
            _ => None,
        }
    }

    #[test]
    fn plain_addresses_read_as_mail_parser_reads_them() {
        let pieces: [&[u8]; 22] = [
            b"a@b.example",
            b"x",
            b"@",
            b"Name",
            b" ",
            b"\t",
            b",",
            b"<",
            b">",
            b"\r\n ",
            b"\n\t",
            b"\n",
            b"\r",
            b"\"",
            b"(c)",
            b":",
            b";",
            b"=?utf-8?q?x?=",
            b"\xc3\xa9",
            b"  ",
            b"<a@b.example>",
            b"=",
        ];
        // Field values end with their line break.
        let mut inputs: Vec<Vec<u8>> = mixes(&pieces, 20_000, 9)
            .into_iter()
            .flat_map(|m| [[&m[..], b"\n"].concat(), [&m[..], b"\r\n"].concat(), m])
            .collect();
        for tail in [&b""[..], b"\n", b"\r\n", b"\n x", b"\r"] {
            for v in [
                &b"John <j@x.example>"[..],
                b" a@b.c, C <c@d.e>",
                b"<>",
                b"N <>",
                b"a, b@c",
            ] {
                inputs.push([v, tail].concat());
            }
        }
        let mut simple = 0;
        for input in inputs {
            let reference = addresses_reference(&input);
            if let Some(fast) = simple_addresses(&input) {
                simple += 1;
                let fast: Vec<Option<String>> = fast
                    .iter()
                    .map(|a| a.as_deref().map(str::to_string))
                    .collect();
                let fast = (!fast.is_empty()).then_some(fast);
                assert_eq!(fast, reference, "{:?}", String::from_utf8_lossy(&input));
            }
        }
        assert!(
            simple > 2000,
            "the plain forms are common in the mixes: {simple}"
        );
    }

    /// A content type as comparable text: type, subtype, parameters.
    fn content_type_text(c: &ContentType<'_>) -> String {
        let mut out = format!("{}/{:?}", c.c_type, c.c_subtype);
        for a in c.attributes.iter().flatten() {
            out.push_str(&format!(";{}={:?}", a.name, a.value));
        }
        out
    }

    #[test]
    fn plain_content_types_read_as_mail_parser_reads_them() {
        let pieces: [&[u8]; 27] = [
            b"text",
            b"Plain",
            b"/",
            b";",
            b" ",
            b"\t",
            b"\r\n ",
            b"\n\t",
            b"\n",
            b"=",
            b"charset",
            b"\"",
            b"us-ascii",
            b"\"a b\"",
            b"Boundary",
            b"=?x?q?y?=",
            b"(c)",
            b"*",
            b"'",
            b"\\",
            b"\xc3\xa9",
            b"==_x",
            b"report-type=delivery-status",
            b"text/plain",
            b"; charset=\"UTF-8\"",
            b";\r\n\tboundary=\"b1\"",
            b"x.y",
        ];
        let types: [&[u8]; 5] = [
            b"text/plain",
            b" Text/HTML",
            b"",
            b"message / rfc822",
            b"x/",
        ];
        let inputs: Vec<Vec<u8>> = mixes(&pieces, 20_000, 23)
            .into_iter()
            .enumerate()
            .map(|(n, m)| [types[n % types.len()], &m[..]].concat())
            .flat_map(|m| [[&m[..], b"\n"].concat(), [&m[..], b"\r\n"].concat(), m])
            .collect();
        let mut simple = 0;
        for input in inputs {
            let theirs = match MessageStream::new(&input).parse_content_type() {
                HeaderValue::ContentType(c) => Some(content_type_text(&c)),
                _ => None,
            };
            if let Some(ours) = simple_content_type(&input) {
                simple += 1;
                assert_eq!(
                    Some(content_type_text(&ours)),
                    theirs,
                    "{:?}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
        assert!(
            simple > 1500,
            "the plain forms are common in the mixes: {simple}"
        );
        for common in [
            &b"multipart/report; report-type=delivery-status;\r\n\tboundary=\"9B095B5ADSN=_01D\"\r\n"[..],
            b"text/plain; charset=\"iso-2022-jp\"\n",
            b"Text/Plain; Charset=US-ASCII\n",
            b"message/delivery-status\n",
        ] {
            let theirs = match MessageStream::new(common).parse_content_type() {
                HeaderValue::ContentType(c) => Some(content_type_text(&c)),
                _ => None,
            };
            let ours = simple_content_type(common).map(|c| content_type_text(&c));
            assert!(ours.is_some());
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn plain_text_reads_as_mail_parser_reads_it() {
        let pieces: [&[u8]; 12] = [
            b"Undelivered",
            b" ",
            b"\t",
            b"\r",
            b"\n",
            b"\n ",
            b"\r\n\t",
            b"=",
            b"?",
            b"=?utf-8?q?caf=C3=A9?=",
            b"\xc3\xa9",
            b"\xff",
        ];
        let mut plain = 0;
        for input in mixes(&pieces, 20_000, 31) {
            let theirs = text_of(MessageStream::new(&input).parse_unstructured());
            if let Some(ours) = plain_unstructured(&input) {
                plain += 1;
                assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(&input));
            }
        }
        assert!(plain > 5000, "{plain}");
    }

    #[test]
    fn ids_read_as_mail_parser_reads_them() {
        let pieces: [&[u8]; 12] = [
            b"<",
            b">",
            b"id@x",
            b" ",
            b"\t",
            b"\r",
            b"\n",
            b"\n ",
            b"\r\n\t",
            b"a",
            b"\xc3\xa9",
            b"<a@b>",
        ];
        for input in mixes(&pieces, 20_000, 17) {
            let theirs = text_of(MessageStream::new(&input).parse_id());
            let ours = last_id(&input).map(|id| lossy(id).into_owned());
            assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(&input));
        }
    }

    #[test]
    fn ascii_text_needs_no_charset_conversion() {
        let ascii: Vec<u8> = (0u8..128).collect();
        for cs in [
            "us-ascii",
            "ASCII",
            "utf-8",
            "iso-8859-1",
            "ISO-8859-15",
            "windows-1252",
        ] {
            assert!(ascii_compatible(cs));
            // Charsets mail-parser has no decoder for (UTF-8) are read as UTF-8 anyway.
            if let Some(d) = charset_decoder(cs.as_bytes()) {
                assert_eq!(d(&ascii).as_bytes(), &ascii[..], "{cs}");
            }
        }
        for cs in ["utf-16", "utf-7", "iso-2022-jp", "shift_jis"] {
            assert!(!ascii_compatible(cs));
        }
    }

    #[test]
    fn utf8_labelled_ascii_is_read_as_utf8() {
        let utf8 = "用户@例子.广告: 550 Boîte pleine".as_bytes();
        assert!(mislabelled_utf8("us-ascii", utf8));
        assert!(mislabelled_utf8(" ASCII ", utf8));
        // Plain ASCII needs nothing; bytes that are not UTF-8 go to the label's decoder.
        assert!(!mislabelled_utf8("us-ascii", b"550 user unknown"));
        assert!(!mislabelled_utf8("us-ascii", b"Bo\xeete pleine"));
        // A label that names an 8-bit charset is believed.
        assert!(!mislabelled_utf8("iso-8859-1", utf8));
        let raw = "From: MAILER-DAEMON@example.org\r\nTo: s@example.jp\r\nSubject: failure notice\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n<k@example.fr>:\r\n552 Boîte aux lettres pleine\r\n";
        let r = crate::bounce::explain_bytes(raw.as_bytes());
        assert!(r.recipients[0].diagnostic.contains("Boîte"), "{r:?}");
    }

    #[test]
    fn iso_2022_jp_text_that_stays_in_ascii_needs_no_conversion() {
        // Every ASCII byte but ESC and the shifts reads as itself, under each name mail-parser
        // gives the ISO-2022-JP decoder.
        let plain: Vec<u8> = (0u8..128)
            .filter(|c| ![0x1b, 0x0e, 0x0f].contains(c))
            .collect();
        for cs in ["iso-2022-jp", "ISO-2022-JP", "iso_2022_jp", "csISO2022JP"] {
            assert!(reads_as_itself(cs, &plain), "{cs}");
            let d = charset_decoder(cs.as_bytes()).expect("a decoder");
            assert_eq!(d(&plain).as_bytes(), &plain[..], "{cs}");
        }
        // An escape to JIS X 0208 (a word of Japanese) is decoded; so is a stray shift byte,
        // which the decoder replaces.
        let japanese = b"Subject: \x1b$B%F%9%H\x1b(B\n";
        assert!(!reads_as_itself("iso-2022-jp", japanese));
        let d = charset_decoder(b"iso-2022-jp").expect("a decoder");
        assert_eq!(d(japanese), "Subject: テスト\n");
        assert!(!reads_as_itself("iso-2022-jp", b"a\x0eb"));
        assert_ne!(d(b"a\x0eb"), "a\u{e}b");
        assert!(!reads_as_itself("iso-2022-jp", "é".as_bytes()));
    }

    #[test]
    fn hostile_input_is_bounded() {
        // 10,000 parts: capped.
        let mut raw = String::from("Content-Type: multipart/mixed; boundary=b\n\n");
        for _ in 0..10_000 {
            raw.push_str("--b\n\nx\n");
        }
        let m = Mail::parse(raw.as_bytes()).expect("mail");
        assert_eq!(m.parts().len(), MAX_MIME_PARTS);
        // Deep nesting: the walk stops at the depth limit.
        let mut raw = String::new();
        for d in 0..1000 {
            raw.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=d{d}\n\n--d{d}\n"
            ));
        }
        raw.push_str("\ninnermost\n");
        let m = Mail::parse(raw.as_bytes()).expect("mail");
        assert!(m.parts().len() <= 1);
        // A huge header line and binary garbage.
        let mut raw = b"Subject: ".to_vec();
        raw.extend(std::iter::repeat_n(b'x', 2_000_000));
        raw.extend_from_slice(
            b"\nContent-Type: multipart/mixed; boundary=\xff\xfe\n\n\x00\x01--\xff\xfe\n\xff",
        );
        let m = Mail::parse(&raw).expect("mail");
        assert_eq!(m.subject().map(str::len), Some(2_000_000));
        let _ = m.parts().iter().map(|p| p.text().len()).sum::<usize>();
        for len in 0..64 {
            let junk: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            if let Some(m) = Mail::parse(&junk) {
                for p in m.parts() {
                    let _ = p.text();
                }
            }
        }
        // Unterminated everything.
        for raw in [
            &b"Content-Type: multipart/mixed; boundary=\"b"[..],
            b"Content-Type: multipart/mixed; boundary=b\n\n--b",
            b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n",
            b"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!",
            b"Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n=",
        ] {
            if let Some(m) = Mail::parse(raw) {
                for p in m.parts() {
                    let _ = p.text();
                }
            }
        }
    }
}
