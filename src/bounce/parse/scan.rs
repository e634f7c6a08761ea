//! Small text-scanning helpers built on the `memchr` crate.
//!
//! Why they exist: `str::lines`, `str::split_inclusive('\n')` and `str::find(char)` go through
//! core's portable word-at-a-time byte search, which is several times slower than the `memchr`
//! crate's vectorised one. The explainer splits every notification into lines three times and
//! searches most lines for `@` and `:`, so these helpers keep the exact behaviour of the
//! standard functions while searching with `memchr`.

/// The lines of a text exactly as [`str::lines`] gives them: split at `\n`, a trailing `\r`
/// stripped from a line that ended with `\n`, and no empty line after a final `\n`.
pub(crate) fn lines(text: &str) -> Lines<'_> {
    Lines(LinesInclusive(text))
}

/// The lines of a text with their line ends, exactly as `str::split_inclusive('\n')` gives
/// them.
pub(crate) fn lines_inclusive(text: &str) -> LinesInclusive<'_> {
    LinesInclusive(text)
}

/// See [`lines_inclusive`]: the text not yet returned.
#[derive(Debug, Clone)]
pub(crate) struct LinesInclusive<'a>(&'a str);

impl<'a> Iterator for LinesInclusive<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.0.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', self.0.as_bytes()).map_or(self.0.len(), |p| p + 1);
        // `end` follows an ASCII byte (or is the text's length): always a char boundary.
        let (line, rest) = self.0.split_at_checked(end)?;
        self.0 = rest;
        Some(line)
    }
}

/// See [`lines`].
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a>(LinesInclusive<'a>);

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.0.next().map(line_content)
    }
}

/// A line from [`lines_inclusive`] without its line end, as [`lines`] gives it: the `\r` goes
/// only with a `\n`.
#[inline]
pub(crate) fn line_content(line: &str) -> &str {
    match line.strip_suffix('\n') {
        Some(l) => l.strip_suffix('\r').unwrap_or(l),
        None => line,
    }
}

/// Does the text hold this ASCII byte? (`str::contains(char)` for an ASCII character.)
#[inline]
pub(crate) fn has_byte(text: &str, b: u8) -> bool {
    memchr::memchr(b, text.as_bytes()).is_some()
}

/// The first position of an ASCII byte in the text (`str::find(char)` for an ASCII character).
#[inline]
pub(crate) fn find_byte(text: &str, b: u8) -> Option<usize> {
    memchr::memchr(b, text.as_bytes())
}

/// The first position of an ASCII needle in `hay`, ignoring ASCII case (no lower-case copy).
/// The search is anchored on the needle's first byte that is not a space (spaces are the most
/// frequent byte of text, and a needle such as `" by "` would stop at every one).
pub(crate) fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let k = needle.iter().position(|&c| c != b' ').unwrap_or(0);
    find_ascii_ci_anchored(hay, needle, k)
}

/// [`find_ascii_ci`] anchored on the needle's byte `k`: a caller that knows which of its
/// needle's bytes is rare in text (`;` in `remote-mta: dns;`) stops at fewer candidates.
pub(crate) fn find_ascii_ci_anchored(hay: &[u8], needle: &[u8], k: usize) -> Option<usize> {
    let anchor = *needle.get(k)?;
    let (lo, up) = (anchor.to_ascii_lowercase(), anchor.to_ascii_uppercase());
    // Where the anchor is searched from: candidates start at `from - k` or later.
    let mut from = k;
    while let Some(p) = memchr::memchr2(lo, up, hay.get(from..)?) {
        let i = from + p - k;
        if hay.len() - i >= needle.len() && hay[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(i);
        }
        from += p + 1;
    }
    None
}

/// Is this character white space for [`str::trim`] (the ASCII ones: tab, line feed, vertical
/// tab, form feed, carriage return, space)?
#[inline]
pub(crate) fn is_ascii_trim_ws(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// [`str::trim`], trimming ASCII white space byte by byte; only a text whose first or last
/// remaining character is not ASCII (which may be Unicode white space) goes to `str::trim`.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let mut start = 0;
    while start < b.len() && is_ascii_trim_ws(b[start]) {
        start += 1;
    }
    let mut end = b.len();
    while end > start && is_ascii_trim_ws(b[end - 1]) {
        end -= 1;
    }
    if start < end && (!b[start].is_ascii() || !b[end - 1].is_ascii()) {
        return s.trim();
    }
    // The bytes cut off are ASCII: `start` and `end` are character boundaries.
    s.get(start..end).unwrap_or_else(|| s.trim())
}

/// ASCII case-insensitive `starts_with` (what `to_ascii_lowercase().starts_with(prefix)` gives
/// for a lower-case prefix, without the copy).
#[inline]
pub(crate) fn starts_with_ci(hay: &str, prefix: &str) -> bool {
    let (h, p) = (hay.as_bytes(), prefix.as_bytes());
    h.len() >= p.len() && h[..p.len()].eq_ignore_ascii_case(p)
}

/// ASCII case-insensitive `ends_with` (what `to_ascii_lowercase().ends_with(suffix)` gives for
/// a lower-case suffix, without the copy).
#[inline]
pub(crate) fn ends_with_ci(hay: &str, suffix: &str) -> bool {
    let (h, s) = (hay.as_bytes(), suffix.as_bytes());
    h.len() >= s.len() && h[h.len() - s.len()..].eq_ignore_ascii_case(s)
}

/// A case-insensitive automaton over a fixed word list, so a text is searched once, not once
/// per word. A contiguous NFA: cheap to build, and the texts it reads (subjects, single lines)
/// are short. `None` only if the automaton cannot be built; [`contains_any_ci`] then searches
/// word by word.
pub(crate) fn word_index(words: &[&str]) -> Option<aho_corasick::AhoCorasick> {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(words)
        .ok()
}

/// Does `text` hold one of `words`, in any ASCII case? `index` is the [`word_index`] of `words`.
pub(crate) fn contains_any_ci(
    index: Option<&aho_corasick::AhoCorasick>,
    words: &[&str],
    text: &str,
) -> bool {
    match index {
        Some(ac) => ac.is_match(text),
        None => words
            .iter()
            .any(|w| find_ascii_ci(text.as_bytes(), w.as_bytes()).is_some()),
    }
}

/// Searchers for a fixed list of words, built once: does a text hold any of them
/// (case-sensitively, as `str::contains` reads)? `str::contains` sets up a searcher for its
/// word on every call, which costs more than the search in the short texts of a row.
pub(crate) struct Needles(Vec<memchr::memmem::Finder<'static>>);

impl Needles {
    /// The searchers for `words`.
    pub(crate) fn new(words: &[&'static str]) -> Self {
        Self(
            words
                .iter()
                .map(|&w| memchr::memmem::Finder::new(w.as_bytes()))
                .collect(),
        )
    }

    /// Does `text` hold one of the words?
    pub(crate) fn any_in(&self, text: &str) -> bool {
        self.0.iter().any(|f| f.find(text.as_bytes()).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_as_the_standard_ones() {
        for t in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\r\n",
            "a\r",
            "a\rb\r\n\r\nc\r",
            "x\n\ny\r\n z \n",
            "é\n漢字\r\n",
            "\r\n\r",
        ] {
            assert_eq!(lines(t).collect::<Vec<_>>(), t.lines().collect::<Vec<_>>());
            assert_eq!(
                lines_inclusive(t).collect::<Vec<_>>(),
                t.split_inclusive('\n').collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for t in [
            "",
            " ",
            "a",
            " a ",
            "a b",
            "\u{3000}a",
            "a\u{a0}",
            "\x0ba\x0c",
            "\x1fa",
            "é",
            " é\r",
            "\u{85}x",
            " \u{a0} a \u{3000}",
            "\t\u{2003}x\u{2003} ",
            "a\u{85}",
            "\u{a0}",
            " \u{a0} ",
            "\r\n",
            " \t ",
            "  ab  c\x0b",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn case_insensitive_search() {
        assert_eq!(find_ascii_ci(b"xx FROM y", b"from "), Some(3));
        assert_eq!(find_ascii_ci(b"abyx By ", b" by "), Some(4));
        assert_eq!(find_ascii_ci(b"by ", b" by "), None);
        assert_eq!(find_ascii_ci(b"  ", b"  "), Some(0));
        assert_eq!(find_ascii_ci(b"x   ", b"  "), Some(1));
        assert_eq!(find_ascii_ci(b"fro", b"from"), None);
        assert_eq!(find_ascii_ci(b"abc", b""), None);
        assert!(ends_with_ci("Mail To", " to"));
        assert!(!ends_with_ci("o", " to"));
        assert!(ends_with_ci("Adresse à", " à"));
        // Only ASCII letters fold, as with `to_ascii_lowercase`.
        assert!(!ends_with_ci("Adresse À", " à"));
    }
}
