//! Named limits of the content checks.
//!
//! Every size, count and depth the content checks honour is here, with its default. A message
//! that hits a limit is not an error: the check stops looking at that piece, says so in a
//! Finding (`MIME_LIMIT_EXCEEDED`, `ARCHIVE_BOMB`, `ARCHIVE_UNSCANNABLE`) and goes on with the
//! rest. A gateway treats "could not be scanned" as a reason to refuse, so these Findings are
//! errors or warnings, never silence.

use serde::{Deserialize, Serialize};

/// Largest message the MIME walk parses in full (bytes). Larger ones get their headers checked
/// and a `MIME_LIMIT_EXCEEDED` finding.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
/// Deepest nesting of multiparts and attached messages the walk descends into.
pub const MAX_MIME_DEPTH: usize = 20;
/// Most MIME parts the walk accepts in one message.
pub const MAX_MIME_PARTS: usize = 1_000;
/// Most decoded bytes, summed over all parts, that the checks look at.
pub const MAX_DECODED_BYTES: usize = 100 * 1024 * 1024;
/// Deepest nesting of archives inside archives that is opened (the attachment itself is depth 1).
pub const MAX_ARCHIVE_DEPTH: usize = 4;
/// Most members listed in one archive (all nesting levels together).
pub const MAX_ARCHIVE_MEMBERS: usize = 10_000;
/// Largest total uncompressed size an archive may declare before it is called a bomb.
pub const MAX_ARCHIVE_TOTAL_UNCOMPRESSED: u64 = 1024 * 1024 * 1024;
/// Largest compression ratio (uncompressed / compressed) of one member before it is a bomb.
pub const MAX_COMPRESSION_RATIO: u64 = 100;
/// Members smaller than this never count as bombs whatever their ratio (a 20 kB text of
/// spaces compresses 1000:1 and is harmless).
pub const RATIO_MIN_SIZE: u64 = 1024 * 1024;
/// Most bytes decompressed from one archive member (enough to sniff it or open it as a nested
/// archive or Office document).
pub const MAX_MEMBER_READ: usize = 16 * 1024 * 1024;
/// Most bytes decompressed from archives over the whole message.
pub const MAX_DECOMPRESSED_TOTAL: usize = 64 * 1024 * 1024;
/// Most URLs collected from one message.
pub const MAX_URLS: usize = 2_000;
/// Most Findings one message can produce (the rest are counted, not listed).
pub const MAX_FINDINGS: usize = 200;
/// Most bytes of HTML (per part) the HTML scanner reads.
pub const MAX_HTML_BYTES: usize = 8 * 1024 * 1024;
/// Most bytes of a PDF scanned for active content (and of its inflated object streams).
pub const MAX_PDF_BYTES: usize = 16 * 1024 * 1024;

/// The limits in force for one analysis; [`Limits::default`] gives the constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// See [`MAX_MESSAGE_BYTES`].
    pub max_message_bytes: usize,
    /// See [`MAX_MIME_DEPTH`].
    pub max_mime_depth: usize,
    /// See [`MAX_MIME_PARTS`].
    pub max_mime_parts: usize,
    /// See [`MAX_DECODED_BYTES`].
    pub max_decoded_bytes: usize,
    /// See [`MAX_ARCHIVE_DEPTH`].
    pub max_archive_depth: usize,
    /// See [`MAX_ARCHIVE_MEMBERS`].
    pub max_archive_members: usize,
    /// See [`MAX_ARCHIVE_TOTAL_UNCOMPRESSED`].
    pub max_archive_total_uncompressed: u64,
    /// See [`MAX_COMPRESSION_RATIO`].
    pub max_compression_ratio: u64,
    /// See [`MAX_MEMBER_READ`].
    pub max_member_read: usize,
    /// See [`MAX_DECOMPRESSED_TOTAL`].
    pub max_decompressed_total: usize,
    /// See [`MAX_URLS`].
    pub max_urls: usize,
    /// See [`MAX_FINDINGS`].
    pub max_findings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: MAX_MESSAGE_BYTES,
            max_mime_depth: MAX_MIME_DEPTH,
            max_mime_parts: MAX_MIME_PARTS,
            max_decoded_bytes: MAX_DECODED_BYTES,
            max_archive_depth: MAX_ARCHIVE_DEPTH,
            max_archive_members: MAX_ARCHIVE_MEMBERS,
            max_archive_total_uncompressed: MAX_ARCHIVE_TOTAL_UNCOMPRESSED,
            max_compression_ratio: MAX_COMPRESSION_RATIO,
            max_member_read: MAX_MEMBER_READ,
            max_decompressed_total: MAX_DECOMPRESSED_TOTAL,
            max_urls: MAX_URLS,
            max_findings: MAX_FINDINGS,
        }
    }
}
