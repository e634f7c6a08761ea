//! Named limits that keep the explainer's time and memory bounded on hostile or huge input.
//!
//! A bounce's useful part (the notification, the delivery-status fields, the returned headers)
//! sits near its top; a 50 MB bounce is 50 MB because it returns a 50 MB attachment. So the
//! explainer reads at most [`MAX_MESSAGE_BYTES`] of each message, scans at most
//! [`MAX_SCAN_BYTES`] of human-readable text, and says in the report's notes when it cut.

/// The most bytes of one message that are read and parsed (the rest is skipped, never held).
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// The most bytes of the bounce's human-readable notification text that are scanned for
/// recipients and diagnostics.
pub const MAX_SCAN_BYTES: usize = 128 * 1024;

/// The most recipient rows one report holds (a DSN may list thousands; the rest are counted).
pub const MAX_RECIPIENTS: usize = 500;

/// The most characters of diagnostic text kept per recipient row.
pub const MAX_DIAGNOSTIC_CHARS: usize = 2000;

/// The longest line an mbox reader holds; longer lines are cut (the cut is noted).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The most entries read from one Maildir sub-folder listing.
pub const MAX_MAILDIR_ENTRIES: usize = 1_000_000;

/// The limits one run applies. `Limits::default()` uses the named constants of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// See [`MAX_MESSAGE_BYTES`].
    pub max_message_bytes: usize,
    /// See [`MAX_SCAN_BYTES`].
    pub max_scan_bytes: usize,
    /// See [`MAX_RECIPIENTS`].
    pub max_recipients: usize,
    /// See [`MAX_DIAGNOSTIC_CHARS`].
    pub max_diagnostic_chars: usize,
    /// See [`MAX_LINE_BYTES`].
    pub max_line_bytes: usize,
    /// See [`MAX_MAILDIR_ENTRIES`].
    pub max_maildir_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: MAX_MESSAGE_BYTES,
            max_scan_bytes: MAX_SCAN_BYTES,
            max_recipients: MAX_RECIPIENTS,
            max_diagnostic_chars: MAX_DIAGNOSTIC_CHARS,
            max_line_bytes: MAX_LINE_BYTES,
            max_maildir_entries: MAX_MAILDIR_ENTRIES,
        }
    }
}

/// The deepest nesting of multiparts the MIME walk follows; deeper parts are not read.
pub const MAX_MIME_DEPTH: usize = 16;

/// The most MIME parts read from one message; the rest are not read.
pub const MAX_MIME_PARTS: usize = 1000;
