//! Spam signals: a small set of transparent rules, each a Finding with a numeric `score` in its
//! evidence that the policy can weigh (the report adds them up in `spam_score`).
//!
//! The rules sit behind the [`SpamClassifier`] trait: a trained statistical classifier can be
//! added later as another implementation and passed to [`super::analyze_with`]; it sees the
//! same [`SpamDocument`] and speaks the same language (Findings with a score).

use super::content_finding;
use super::headers::HeaderFacts;
use super::html::HtmlDoc;
use crate::finding::{Finding, Severity};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// What a classifier sees of a message.
#[derive(Debug)]
pub struct SpamDocument<'a> {
    /// The decoded Subject.
    pub subject: Option<&'a str>,
    /// Plain-text bodies.
    pub texts: Vec<&'a str>,
    /// HTML bodies and attachments, scanned.
    pub html: &'a [HtmlDoc],
    /// Header facts.
    pub headers: &'a HeaderFacts,
    /// Number of attachments.
    pub attachment_count: usize,
}

/// A source of scored spam Findings. Implementations must be cheap to call per message, must
/// not do I/O, and must put a numeric `score` in each Finding's evidence.
pub trait SpamClassifier: Send + Sync {
    /// A short name for reports.
    fn name(&self) -> &'static str;
    /// The Findings for one message.
    fn classify(&self, doc: &SpamDocument<'_>) -> Vec<Finding>;
}

/// The built-in transparent rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuleClassifier;

/// Phrases of money offers, prizes and pills (matched case-insensitively on whole words).
pub const MONEY_PHRASES: &[&str] = &[
    "100% free",
    "make money",
    "earn money",
    "extra cash",
    "cash bonus",
    "free money",
    "million dollars",
    "you have won",
    "you've won",
    "you are a winner",
    "claim your prize",
    "lottery",
    "jackpot",
    "casino",
    "risk-free",
    "risk free",
    "no credit check",
    "credit score",
    "loan approved",
    "pre-approved",
    "lowest price",
    "best price",
    "cheap meds",
    "online pharmacy",
    "viagra",
    "cialis",
    "weight loss",
    "investment opportunity",
    "double your",
    "bitcoin",
    "crypto profit",
    "wire transfer",
    "western union",
    "inheritance",
    "beneficiary",
    "unclaimed funds",
    "no hidden fees",
    "save big",
    "% off",
    "buy now",
    "order now",
    "special promotion",
    "exclusive deal",
    "get paid",
    "work from home",
];

/// Phrases that press the reader to act at once.
pub const URGENCY_PHRASES: &[&str] = &[
    "act now",
    "urgent",
    "immediately",
    "within 24 hours",
    "within 48 hours",
    "expires today",
    "final notice",
    "last chance",
    "limited time",
    "action required",
    "respond now",
    "account will be suspended",
    "account has been suspended",
    "account will be closed",
    "account has been locked",
    "verify your account",
    "confirm your identity",
    "unusual activity",
    "unusual sign-in",
    "password expires",
    "password will expire",
    "update your payment",
    "failure to comply",
    "don't miss out",
    "offer ends",
];

fn matcher(
    phrases: &'static [&'static str],
    cell: &'static OnceLock<AhoCorasick>,
) -> &'static AhoCorasick {
    cell.get_or_init(|| {
        // Patterns are lowercase and texts are lowercased once before searching: a
        // case-sensitive automaton keeps its fast prefilter.
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(phrases)
            .expect("static phrases build")
    })
}

fn distinct_hits(
    ac: &AhoCorasick,
    phrases: &[&'static str],
    texts: &[String],
) -> BTreeSet<&'static str> {
    let mut hits = BTreeSet::new();
    for t in texts {
        let b = t.as_bytes();
        for m in ac.find_iter(t.as_str()) {
            let before_ok = m.start() == 0 || !b[m.start() - 1].is_ascii_alphanumeric();
            let after_ok = m.end() >= b.len() || !b[m.end()].is_ascii_alphanumeric();
            if before_ok && after_ok {
                hits.insert(phrases[m.pattern().as_usize()]);
            }
        }
    }
    hits
}

/// Most text (bytes per body) the phrase rules read.
const MAX_PHRASE_SCAN: usize = 512 * 1024;

fn spam(code: &str, score: f64, subject: &str, summary: String, fix: &str) -> Finding {
    let sev = if score >= 2.0 {
        Severity::Warning
    } else {
        Severity::Info
    };
    content_finding(code, sev, subject, summary, fix).evidence("score", score)
}

impl SpamClassifier for RuleClassifier {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn classify(&self, doc: &SpamDocument<'_>) -> Vec<Finding> {
        static MONEY: OnceLock<AhoCorasick> = OnceLock::new();
        static URGENT: OnceLock<AhoCorasick> = OnceLock::new();
        let mut out = Vec::new();
        let subject = doc.subject.unwrap_or("");

        // Shouting subject.
        let letters: Vec<char> = subject
            .chars()
            .filter(|c| c.is_alphabetic())
            .take(4096)
            .collect();
        let upper = letters.iter().filter(|c| c.is_uppercase()).count();
        let bangs = subject.chars().take(4096).filter(|c| *c == '!').count();
        if (letters.len() >= 10 && upper * 10 >= letters.len() * 7) || bangs >= 3 {
            out.push(
                spam(
                    "SPAM_SHOUTING_SUBJECT",
                    1.5,
                    "subject",
                    "the subject is written in capitals or with many exclamation marks".into(),
                    "Write the subject in normal sentence case without strings of \"!!!\".",
                )
                .evidence(
                    "uppercase_ratio",
                    if letters.is_empty() {
                        0.0
                    } else {
                        upper as f64 / letters.len() as f64
                    },
                )
                .evidence("exclamation_marks", bangs),
            );
        }

        let mut texts: Vec<&str> = vec![super::html::truncate(subject, 4096)];
        texts.extend(
            doc.texts
                .iter()
                .map(|t| super::html::truncate(t, MAX_PHRASE_SCAN)),
        );
        texts.extend(
            doc.html
                .iter()
                .map(|h| super::html::truncate(&h.text, MAX_PHRASE_SCAN)),
        );

        let lowered: Vec<String> = texts.iter().map(|t| t.to_ascii_lowercase()).collect();
        let money = distinct_hits(matcher(MONEY_PHRASES, &MONEY), MONEY_PHRASES, &lowered);
        if money.len() >= 2 {
            let score = (money.len() as f64).min(4.0);
            out.push(
                spam(
                    "SPAM_MONEY_PHRASES",
                    score,
                    "body",
                    format!("the text uses {} money or prize phrases", money.len()),
                    "Describe the offer plainly; stacks of phrases like \"100% free\", \"you \
                     have won\" or \"no credit check\" are what spam filters score.",
                )
                .evidence("phrases", &money),
            );
        }
        let urgent = distinct_hits(matcher(URGENCY_PHRASES, &URGENT), URGENCY_PHRASES, &lowered);
        if urgent.len() >= 2 {
            let score = (urgent.len() as f64).min(3.0);
            out.push(
                spam(
                    "SPAM_URGENCY_PHRASES",
                    score,
                    "body",
                    format!(
                        "the text presses for action with {} urgency phrases",
                        urgent.len()
                    ),
                    "Drop the pressure (\"act now\", \"account will be suspended\", \"within 24 \
                     hours\"): it is the tone of phishing and filters score it.",
                )
                .evidence("phrases", &urgent),
            );
        }

        // Image-only mail.
        let images: usize = doc.html.iter().map(|h| h.images).sum();
        let html_chars: usize = doc.html.iter().map(|h| h.visible_chars).sum();
        let text_chars: usize = doc
            .texts
            .iter()
            .map(|t| t.chars().take(1000).filter(|c| !c.is_whitespace()).count())
            .sum();
        if images > 0 && html_chars < 100 && text_chars < 100 {
            out.push(
                spam(
                    "SPAM_IMAGE_ONLY",
                    2.0,
                    "body",
                    format!("the message is {images} image(s) with almost no text"),
                    "Put the message in text, with images as illustration: an image with no \
                     text is how spam hides its words from filters.",
                )
                .evidence("images", images)
                .evidence("text_chars", html_chars + text_chars),
            );
        }

        // Hidden text.
        let hidden: usize = doc.html.iter().map(|h| h.hidden_chars).sum();
        if hidden >= 300 || (hidden >= 100 && hidden > html_chars) {
            out.push(
                spam(
                    "SPAM_HIDDEN_TEXT",
                    2.5,
                    "body",
                    format!("{hidden} characters of text are styled to be invisible"),
                    "Remove invisible text (display:none, zero font size); a short preheader is \
                     fine, but hidden paragraphs are a filter-evasion trick.",
                )
                .evidence("hidden_chars", hidden)
                .evidence("visible_chars", html_chars),
            );
        }

        // Bulk mail without unsubscribe.
        let h = doc.headers;
        let mentions_unsub = lowered
            .iter()
            .any(|t| memchr::memmem::find(t.as_bytes(), b"unsubscribe").is_some());
        if h.list_unsubscribe.is_none() && (h.bulk || mentions_unsub) {
            out.push(
                spam(
                    "SPAM_BULK_NO_UNSUBSCRIBE",
                    2.0,
                    "header",
                    "bulk mail without a List-Unsubscribe header field".into(),
                    "Add List-Unsubscribe: <https://your-domain/unsub?id=...>, <mailto:...> and \
                     List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058); Gmail, \
                     Yahoo and Microsoft require it of bulk senders.",
                )
                .evidence("bulk_headers", h.bulk),
            );
        } else if let Some(lu) = &h.list_unsubscribe {
            let one_click = h.list_unsubscribe_post.as_deref().is_some_and(|p| {
                p.replace(' ', "")
                    .eq_ignore_ascii_case("List-Unsubscribe=One-Click")
            });
            let https = contains_ci(lu, "<https://");
            if !(one_click && https) {
                out.push(
                    spam(
                        "SPAM_NO_ONE_CLICK_UNSUBSCRIBE",
                        0.5,
                        "header",
                        "List-Unsubscribe is there but not RFC 8058 one-click".into(),
                        "Add an https unsubscribe URI to List-Unsubscribe and the header \
                         List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).",
                    )
                    .evidence("https_uri", https)
                    .evidence("post_header", one_click),
                );
            }
        }
        out
    }
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}
