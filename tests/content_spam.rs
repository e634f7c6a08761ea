//! Spam signals: transparent scored rules, and the classifier seam.

mod content_support;
use content_support::*;
use fivefifty::checks::content::spam::{SpamClassifier, SpamDocument};
use fivefifty::checks::content::{analyze_with, spam::RuleClassifier};
use fivefifty::finding::{Cause, Finding, Severity};

fn score(r: &fivefifty::checks::content::ContentReport, code: &str) -> f64 {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .and_then(|f| f.evidence.get("score"))
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0)
}

#[test]
fn shouting_subject_is_scored() {
    let r = run(&text_message(
        "a@sender.example.com",
        "FREE OFFER FOR YOU TODAY",
        "hello",
    ));
    assert!(has(&r, "SPAM_SHOUTING_SUBJECT"));
    assert!(score(&r, "SPAM_SHOUTING_SUBJECT") > 0.0);
    let r = run(&text_message(
        "a@sender.example.com",
        "Minutes of the ACME board meeting",
        "hello",
    ));
    assert!(!has(&r, "SPAM_SHOUTING_SUBJECT"));
}

#[test]
fn money_and_urgency_phrases_are_scored() {
    let r = run(&text_message(
        "a@sender.example.com",
        "hello",
        "You have won the lottery! Claim your prize with no credit check. Act now, this offer ends within 24 hours.",
    ));
    assert!(has(&r, "SPAM_MONEY_PHRASES"));
    assert!(has(&r, "SPAM_URGENCY_PHRASES"));
    assert!(r.spam_score >= 4.0);
    // One "urgent" alone is ordinary business mail.
    let r = run(&text_message(
        "a@sender.example.com",
        "hello",
        "This is urgent: the report is due Monday.",
    ));
    assert!(!has(&r, "SPAM_URGENCY_PHRASES"));
}

#[test]
fn image_only_mail_is_scored() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<html><body><a href="https://shop.example.org"><img src="https://shop.example.org/offer.jpg"></a></body></html>"#,
    ));
    assert!(has(&r, "SPAM_IMAGE_ONLY"));
}

#[test]
fn hidden_text_is_scored() {
    let filler = "lorem ipsum dolor sit amet ".repeat(20);
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        &format!(r#"<p>Buy now.</p><div style="font-size:0px">{filler}</div>"#),
    ));
    assert!(has(&r, "SPAM_HIDDEN_TEXT"));
}

#[test]
fn bulk_mail_without_list_unsubscribe() {
    let raw = format!(
        "{}Precedence: bulk\r\nContent-Type: text/plain\r\n\r\nOur news this week.\r\n",
        headers("news@sender.example.com", "News")
    );
    let r = run(raw.as_bytes());
    assert!(has(&r, "SPAM_BULK_NO_UNSUBSCRIBE"));
    let raw = format!(
        "{}Precedence: bulk\r\nList-Unsubscribe: <mailto:u@sender.example.com>\r\nContent-Type: text/plain\r\n\r\nOur news.\r\n",
        headers("news@sender.example.com", "News")
    );
    let r = run(raw.as_bytes());
    assert!(!has(&r, "SPAM_BULK_NO_UNSUBSCRIBE"));
    assert!(has(&r, "SPAM_NO_ONE_CLICK_UNSUBSCRIBE"));
}

#[test]
fn spam_findings_are_content_and_never_errors() {
    let r = run(&text_message(
        "a@sender.example.com",
        "WIN BIG MONEY NOW!!!",
        "100% free casino bonus, double your bitcoin, act now, last chance, limited time",
    ));
    for f in r.findings.iter().filter(|f| f.code.starts_with("SPAM_")) {
        assert_eq!(f.cause, Cause::Content);
        assert!(f.severity < Severity::Error);
        assert!(f.evidence.contains_key("score"));
    }
}

struct AlwaysSpam;

impl SpamClassifier for AlwaysSpam {
    fn name(&self) -> &'static str {
        "always"
    }
    fn classify(&self, _doc: &SpamDocument<'_>) -> Vec<Finding> {
        vec![
            Finding::new(
                "SPAM_MODEL",
                Cause::Content,
                Severity::Info,
                "body",
                "model says spam",
            )
            .evidence("score", 3.5),
        ]
    }
}

#[test]
fn a_trained_classifier_plugs_into_the_seam() {
    let raw = text_message("a@sender.example.com", "hello", "hi");
    let r = analyze_with(&raw, &ctx(), &[&RuleClassifier, &AlwaysSpam]);
    assert!(r.has("SPAM_MODEL"));
    assert_eq!(r.spam_score, 3.5);
}
