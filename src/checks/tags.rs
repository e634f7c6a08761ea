//! The `tag=value; tag=value` syntax shared by DKIM key records, DMARC, MTA-STS, TLS-RPT and BIMI.
//!
//! RFC 6376 section 3.2 defines the tag-list; DMARC (RFC 9989), MTA-STS (RFC 8461), TLS-RPT
//! (RFC 8460) and BIMI reuse it with small variations. One scanner serves them all so that every
//! check reports the same kind of syntax error the same way, with the byte position marked.
//!
//! The scanner never fails: it returns the tags it could read and a list of problems. Checks
//! decide what a problem means for their record (a DMARC receiver ignores an invalid record, a DKIM
//! verifier fails the signature, ...).

use serde::Serialize;

/// One `name=value` pair, as written (name lowercased, value trimmed of surrounding whitespace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    /// The tag name, lowercased.
    pub name: String,
    /// The value with leading and trailing whitespace removed.
    pub value: String,
    /// Byte offset of the tag name in the record.
    pub position: usize,
}

/// A syntax problem in a tag-list, with the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagProblem {
    /// Byte offset in the record.
    pub position: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

/// The result of scanning a tag-list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TagList {
    /// Tags in the order written. A duplicate is kept out of this list and reported as a problem.
    pub tags: Vec<Tag>,
    /// Syntax problems found.
    pub problems: Vec<TagProblem>,
}

impl TagList {
    /// The value of the first tag with this (lowercase) name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.value.as_str())
    }

    /// The first tag, if any.
    pub fn first(&self) -> Option<&Tag> {
        self.tags.first()
    }
}

/// Scans `record` as a tag-list. Tag names are letters, digits and `_`, starting with a letter;
/// empty specs (`;;`, a trailing `;`) are allowed; a repeated tag is a problem.
pub fn scan(record: &str) -> TagList {
    let mut out = TagList::default();
    let mut offset = 0usize;
    for spec in record.split(';') {
        let start = offset;
        offset += spec.len() + 1;
        if spec.trim().is_empty() {
            continue;
        }
        let lead = spec.len() - spec.trim_start().len();
        let position = start + lead;
        let Some((name, value)) = spec.split_once('=') else {
            out.problems.push(TagProblem {
                position,
                message: format!("{:?} is not of the form name=value", clip(spec.trim())),
            });
            continue;
        };
        let name = name.trim();
        let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            out.problems.push(TagProblem {
                position,
                message: format!("{:?} is not a valid tag name", clip(name)),
            });
            continue;
        }
        let name = name.to_ascii_lowercase();
        if out.tags.iter().any(|t| t.name == name) {
            out.problems.push(TagProblem {
                position,
                message: format!("the tag {name:?} appears more than once"),
            });
            continue;
        }
        out.tags.push(Tag {
            name,
            value: value.trim().to_string(),
            position,
        });
    }
    out
}

/// Shortens hostile input for messages: at most 60 characters.
pub fn clip(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// The record with a caret under byte `position`, for fix texts and evidence.
pub fn mark(record: &str, position: usize) -> String {
    let shown: String = record.chars().take(200).collect();
    let column = record
        .get(..position.min(record.len()))
        .map_or(0, |s| s.chars().count())
        .min(200);
    format!("{shown}\n{}^", " ".repeat(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_tags_with_whitespace_and_trailing_semicolon() {
        let list = scan(" v=DMARC1 ;  p = reject;rua=mailto:a@b.example; ");
        assert!(list.problems.is_empty(), "{:?}", list.problems);
        assert_eq!(list.get("p"), Some("reject"));
        assert_eq!(list.get("rua"), Some("mailto:a@b.example"));
        assert_eq!(list.first().map(|t| t.position), Some(1));
    }

    #[test]
    fn reports_duplicates_and_garbage_with_positions() {
        let list = scan("v=DMARC1; p=none; p=reject; junk; 9x=1");
        assert_eq!(list.get("p"), Some("none"));
        let positions: Vec<usize> = list.problems.iter().map(|p| p.position).collect();
        assert_eq!(positions, vec![18, 28, 34]);
        assert!(mark("v=DMARC1; p=none; p=reject", 18).ends_with(&format!("{}^", " ".repeat(18))));
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let long = "é=".repeat(10_000);
        let list = scan(&long);
        assert!(!list.problems.is_empty());
        assert!(clip(&long).chars().count() <= 61);
        let _ = mark(&long, 3);
        let _ = mark("ab", 99);
    }
}
