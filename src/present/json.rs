//! The JSON envelope every command prints with `--json` (schema in docs/json.md).

use super::{Outcome, Tally};
use crate::finding::Finding;
use serde::Serialize;
use std::io::{self, Read, Seek, Write};

/// Schema identifier; bumped only on incompatible changes.
pub const SCHEMA: &str = "fivefifty.report/1";

/// The top-level JSON object of every report.
#[derive(Debug, Serialize)]
pub struct Envelope<'a, T: Serialize> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The subcommand that produced the report (`domain`, `ip`, ...).
    pub command: &'a str,
    /// What was examined (a domain, an IP, a file).
    pub subject: &'a str,
    /// The conclusion, as the exit code says it.
    pub outcome: Outcome,
    /// The process exit code.
    pub exit_code: u8,
    /// Findings per severity.
    pub tally: Tally,
    /// Every finding, in report order.
    pub findings: &'a [Finding],
    /// Command-specific facts (an SPF tree, list answers, ...).
    pub details: T,
}

/// Renders the envelope as pretty JSON.
pub fn render<T: Serialize>(
    command: &str,
    subject: &str,
    findings: &[Finding],
    details: T,
) -> String {
    let outcome = Outcome::of(findings);
    let envelope = Envelope {
        schema: SCHEMA,
        command,
        subject,
        outcome,
        exit_code: outcome.exit_code(),
        tally: Tally::of(findings),
        findings,
        details,
    };
    serde_json::to_string_pretty(&envelope)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise report: {e}\"}}"))
}

/// Why a report written piece by piece (see [`SpooledArray`]) could not be written. The caller
/// branches on it: a closed standard output ends the run quietly, a temporary file that cannot
/// be written is an error to report.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The temporary file holding a long list could not be created, written or read back.
    #[error("cannot keep the report in a temporary file: {0}")]
    Spool(#[source] io::Error),
    /// The output (standard output) refused the bytes, e.g. a closed pipe.
    #[error("cannot write the report: {0}")]
    Output(#[source] io::Error),
}

/// One level of pretty-JSON indentation, as `serde_json::to_string_pretty` writes it.
const INDENT: &[u8] = b"  ";

fn write_indent<W: Write + ?Sized>(out: &mut W, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(INDENT)?;
    }
    Ok(())
}

/// A writer that indents every line after the first by `depth` levels. Pretty JSON never has a
/// raw newline inside a string (it is escaped as `\n`), so every newline it writes is a line
/// break of the layout.
struct Indented<W> {
    out: W,
    depth: usize,
}

impl<W: Write> Write for Indented<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut rest = buf;
        while let Some(p) = memchr::memchr(b'\n', rest) {
            self.out.write_all(&rest[..=p])?;
            write_indent(&mut self.out, self.depth)?;
            rest = &rest[p + 1..];
        }
        self.out.write_all(rest)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes `value` as `serde_json::to_string_pretty` prints it when it sits `depth` levels deep
/// in a larger document, so a report written in pieces has the bytes of one pretty document.
/// The caller has written the indentation of the first line.
pub fn write_pretty_at<W: Write, T: Serialize + ?Sized>(
    out: W,
    value: &T,
    depth: usize,
) -> io::Result<()> {
    serde_json::to_writer_pretty(Indented { out, depth }, value).map_err(io::Error::from)
}

/// A JSON array too long to keep in memory (the reports and findings of an mbox of a million
/// bounces): each element is written, pretty and indented for its place, to an anonymous
/// temporary file as it comes, and the file is copied into the output at the end. Memory holds
/// one element at a time; the disk holds what the output will.
pub struct SpooledArray {
    file: io::BufWriter<std::fs::File>,
    len: usize,
    depth: usize,
}

impl SpooledArray {
    /// An empty array whose key sits `depth` levels deep (1 for a key of the envelope).
    pub fn new(depth: usize) -> Result<Self, WriteError> {
        let file = tempfile::tempfile().map_err(WriteError::Spool)?;
        Ok(Self {
            file: io::BufWriter::new(file),
            len: 0,
            depth,
        })
    }

    /// Appends one element.
    pub fn push<T: Serialize + ?Sized>(&mut self, item: &T) -> Result<(), WriteError> {
        let lead: &[u8] = if self.len == 0 { b"\n" } else { b",\n" };
        self.file.write_all(lead).map_err(WriteError::Spool)?;
        write_indent(&mut self.file, self.depth + 1).map_err(WriteError::Spool)?;
        write_pretty_at(&mut self.file, item, self.depth + 1).map_err(WriteError::Spool)?;
        self.len += 1;
        Ok(())
    }

    /// Writes the whole array (`[]` when empty) to `out`.
    pub fn write_to<W: Write + ?Sized>(self, out: &mut W) -> Result<(), WriteError> {
        if self.len == 0 {
            return out.write_all(b"[]").map_err(WriteError::Output);
        }
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| WriteError::Spool(e.into_error()))?;
        file.seek(io::SeekFrom::Start(0))
            .map_err(WriteError::Spool)?;
        out.write_all(b"[").map_err(WriteError::Output)?;
        copy(&mut file, out)?;
        out.write_all(b"\n").map_err(WriteError::Output)?;
        write_indent(out, self.depth).map_err(WriteError::Output)?;
        out.write_all(b"]").map_err(WriteError::Output)
    }
}

/// `io::copy` with the side that failed told apart.
fn copy<W: Write + ?Sized>(from: &mut std::fs::File, out: &mut W) -> Result<(), WriteError> {
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(WriteError::Spool(e)),
        };
        out.write_all(&buf[..n]).map_err(WriteError::Output)?;
    }
}

/// A pretty JSON object written field by field, with the bytes `serde_json::to_string_pretty`
/// gives the whole object: for an envelope whose lists are [`SpooledArray`]s.
pub struct ObjectWriter<'w, W: Write + ?Sized> {
    out: &'w mut W,
    depth: usize,
    fields: usize,
}

impl<'w, W: Write + ?Sized> ObjectWriter<'w, W> {
    /// Opens an object that sits `depth` levels deep (0 for the envelope itself).
    pub fn begin(out: &'w mut W, depth: usize) -> Result<Self, WriteError> {
        out.write_all(b"{").map_err(WriteError::Output)?;
        Ok(Self {
            out,
            depth,
            fields: 0,
        })
    }

    fn key(&mut self, key: &str) -> Result<(), WriteError> {
        let lead: &[u8] = if self.fields == 0 { b"\n" } else { b",\n" };
        self.fields += 1;
        let out = &mut *self.out;
        out.write_all(lead)
            .and_then(|()| write_indent(out, self.depth + 1))
            .and_then(|()| serde_json::to_writer(&mut *out, key).map_err(io::Error::from))
            .and_then(|()| out.write_all(b": "))
            .map_err(WriteError::Output)
    }

    /// Writes one field whose value is in memory.
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), WriteError> {
        self.key(key)?;
        write_pretty_at(&mut *self.out, value, self.depth + 1).map_err(WriteError::Output)
    }

    /// Writes one field whose value is a spooled array.
    pub fn spooled(&mut self, key: &str, value: SpooledArray) -> Result<(), WriteError> {
        self.key(key)?;
        value.write_to(self.out)
    }

    /// Opens a field whose value is an object, written through the returned writer.
    pub fn object(&mut self, key: &str) -> Result<ObjectWriter<'_, W>, WriteError> {
        self.key(key)?;
        ObjectWriter::begin(&mut *self.out, self.depth + 1)
    }

    /// Closes the object (`{}` when it has no field).
    pub fn end(self) -> Result<(), WriteError> {
        if self.fields > 0 {
            self.out.write_all(b"\n").map_err(WriteError::Output)?;
            write_indent(self.out, self.depth).map_err(WriteError::Output)?;
        }
        self.out.write_all(b"}").map_err(WriteError::Output)
    }
}

/// [`render`] for a report too long to keep in memory: writes the same envelope to `out`, with
/// the findings counted as they came (`tally`) and kept in a [`SpooledArray`], and `details`
/// written by the caller's function into the `details` object. `outcome` is the command's: the
/// findings' ([`Outcome::of_tally`]), or bad input when the input was no mail at all.
pub fn write_envelope<W: Write + ?Sized>(
    out: &mut W,
    command: &str,
    subject: &str,
    outcome: Outcome,
    tally: Tally,
    findings: SpooledArray,
    details: impl FnOnce(&mut ObjectWriter<'_, W>) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let mut envelope = ObjectWriter::begin(out, 0)?;
    envelope.field("schema", SCHEMA)?;
    envelope.field("command", command)?;
    envelope.field("subject", subject)?;
    envelope.field("outcome", &outcome)?;
    envelope.field("exit_code", &outcome.exit_code())?;
    envelope.field("tally", &tally)?;
    envelope.spooled("findings", findings)?;
    let mut inner = envelope.object("details")?;
    details(&mut inner)?;
    inner.end()?;
    envelope.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Cause, Severity};

    #[derive(Serialize)]
    struct Details<'a> {
        reports: &'a [serde_json::Value],
        note: &'a str,
    }

    fn findings() -> Vec<Finding> {
        vec![
            Finding::new("A_B", Cause::Protocol, Severity::Error, "x", "line\none")
                .fix("do \"this\"")
                .evidence("list", vec!["a", "b"]),
            Finding::new("C", Cause::Content, Severity::Info, "y", "fine"),
        ]
    }

    /// The envelope written in pieces, as `explain` writes an mbox's report.
    fn spooled(findings: &[Finding], reports: &[serde_json::Value]) -> String {
        let mut list = SpooledArray::new(1).expect("spool");
        let mut tally = Tally::default();
        for f in findings {
            list.push(f).expect("push");
            tally.count(f);
        }
        let mut spooled_reports = SpooledArray::new(2).expect("spool");
        for r in reports {
            spooled_reports.push(r).expect("push");
        }
        let mut out = Vec::new();
        let outcome = Outcome::of_tally(tally);
        write_envelope(
            &mut out,
            "explain",
            "a \"file\"",
            outcome,
            tally,
            list,
            |d| {
                d.spooled("reports", spooled_reports)?;
                d.field("note", "n")
            },
        )
        .expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn an_envelope_written_in_pieces_has_the_bytes_of_the_whole() {
        let reports = vec![
            serde_json::json!({"kind": "bounce", "rows": [{"a": 1}, {"b": []}], "e": {}}),
            serde_json::json!([1, "two"]),
        ];
        for (f, r) in [
            (findings(), reports.clone()),
            (Vec::new(), reports),
            (findings(), Vec::new()),
            (Vec::new(), Vec::new()),
        ] {
            let whole = render(
                "explain",
                "a \"file\"",
                &f,
                Details {
                    reports: &r,
                    note: "n",
                },
            );
            assert_eq!(spooled(&f, &r), whole);
        }
    }
}
