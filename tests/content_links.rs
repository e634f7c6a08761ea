//! Links, phishing and header signals.

mod content_support;
use content_support::*;
use fivefifty::checks::content::{ContentContext, analyze};
use fivefifty::finding::Severity;

#[test]
fn phishing_fixture_is_flagged_on_every_count() {
    let raw = std::fs::read("tests/fixtures/content/phish_link_mismatch.eml").expect("fixture");
    let r = run(&raw);
    assert!(has(&r, "LINK_TEXT_MISMATCH"));
    assert!(has(&r, "URL_IP_LITERAL"));
    assert!(has(&r, "LOOKALIKE_DOMAIN"));
    assert!(has(&r, "REPLY_TO_MISMATCH"));
    assert!(has(&r, "HEADER_DISPLAY_NAME_SPOOF"));
    // Entity-disguised link text is decoded before comparing.
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == "LINK_TEXT_MISMATCH" && f.subject == "secure-paypal-login.net")
    );
    assert_eq!(r.from_domain.as_deref(), Some("paypa1-support.com"));
    assert_eq!(r.url_ips(), vec!["198.51.100.7".to_string()]);
    assert_fixes(&r);
}

#[test]
fn vendor_exe_download_link_in_a_newsletter_is_not_phishing() {
    let raw =
        std::fs::read("tests/fixtures/content/vendor_newsletter_exe_link.eml").expect("fixture");
    let r = analyze(
        &raw,
        &ContentContext::new(Some("updates.examplesoft.com"), &["example.edu"]),
    );
    assert_no_error(&r);
    assert!(!has(&r, "LINK_TEXT_MISMATCH"));
    assert!(!has(&r, "SPAM_BULK_NO_UNSUBSCRIBE"));
    assert!(!has(&r, "SPAM_NO_ONE_CLICK_UNSUBSCRIBE"));
    assert!(!has(&r, "SPAM_HIDDEN_TEXT"), "a short preheader is fine");
    assert_eq!(r.url_domains(), vec!["examplesoft.com".to_string()]);
}

#[test]
fn link_text_showing_another_domain() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<a href="https://login.evil-site.net/x">https://www.mybank.com/login</a>"#,
    ));
    assert!(has(&r, "LINK_TEXT_MISMATCH"));
    assert_eq!(severity(&r, "LINK_TEXT_MISMATCH"), Some(Severity::Error));
}

#[test]
fn link_text_in_words_is_not_a_mismatch() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<a href="https://partner.example.org/x">Read the full story.</a> <a href="https://t.example.net/c?u=1">example.org</a>"#,
    ));
    // The second one shows example.org but goes to example.net: a mismatch; the first is fine.
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.code == "LINK_TEXT_MISMATCH")
            .count(),
        1
    );
}

#[test]
fn click_tracking_of_the_senders_own_domain_is_only_a_warning() {
    let r = run(&html_message(
        "news@sender.example.com",
        "hi",
        r#"<a href="https://click.example.com/t/123">www.partner-shop.org</a>"#,
    ));
    assert_eq!(severity(&r, "LINK_TEXT_MISMATCH"), Some(Severity::Warning));
}

#[test]
fn known_redirectors_are_not_mismatches() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<a href="https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.example.org">www.example.org</a>"#,
    ));
    assert!(!has(&r, "LINK_TEXT_MISMATCH"));
}

#[test]
fn shorteners_and_javascript_links() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<a href="https://bit.ly/3xYz">here</a> <a href="javascript:steal()">there</a>"#,
    ));
    assert!(has(&r, "URL_SHORTENER"));
    assert!(has(&r, "URL_JAVASCRIPT"));
}

#[test]
fn obfuscated_urls_are_undone_and_reported() {
    let r = run(&text_message(
        "a@sender.example.com",
        "hi",
        "Log in at http://www.paypal.com@evil-host.net/login or http://0xc0.0xa8.1.1/ now",
    ));
    assert!(has(&r, "URL_OBFUSCATED"));
    let hosts: Vec<&str> = r.urls.iter().map(|u| u.host.as_str()).collect();
    assert!(hosts.contains(&"evil-host.net"));
    assert!(hosts.contains(&"192.168.1.1"));
}

#[test]
fn percent_encoded_hosts_are_decoded() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<a href="https://%70aypa%6c-secure.com/">sign in</a>"#,
    ));
    assert!(r.urls.iter().any(|u| u.host == "paypal-secure.com"));
    assert!(has(&r, "URL_OBFUSCATED"));
    assert!(has(&r, "LOOKALIKE_DOMAIN"));
}

#[test]
fn urls_from_text_html_src_and_forms_with_registered_domains() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<p>see www.example.org/a</p><img src="https://img.cdn.example.co.uk/x.png"><form action="https://forms.example.net/post"><input name=q></form>"#,
    ));
    let doms = r.url_domains();
    assert!(doms.contains(&"example.co.uk".to_string()), "{doms:?}");
    assert!(doms.contains(&"example.net".to_string()));
    assert!(has(&r, "PHISHING_FORM"));
    assert_eq!(severity(&r, "PHISHING_FORM"), Some(Severity::Warning));
}

#[test]
fn password_form_is_an_error() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<form action="https://collect.example.net/p"><input type="password" name="p"></form>"#,
    ));
    assert_eq!(severity(&r, "PHISHING_FORM"), Some(Severity::Error));
}

#[test]
fn idn_homograph_link_is_a_lookalike() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        "<a href=\"https://www.p\u{0430}ypal.com/\">sign in</a>",
    ));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "LOOKALIKE_DOMAIN")
        .expect("lookalike");
    assert_eq!(f.evidence["technique"], "homograph");
    assert_eq!(f.evidence["imitates"], "paypal.com");
}

#[test]
fn rn_for_m_is_a_lookalike() {
    let r = run(&text_message(
        "a@sender.example.com",
        "hi",
        "https://rnicrosoft.com/login",
    ));
    assert!(has(&r, "LOOKALIKE_DOMAIN"));
}

#[test]
fn lookalike_of_the_recipients_own_domain() {
    let ctx = ContentContext::new(Some("vendor.example.com"), &["acmecorp.com"]);
    let raw = text_message("ceo@acmec0rp.com", "wire", "Please pay the invoice today.");
    let r = analyze(&raw, &ctx);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "LOOKALIKE_DOMAIN")
        .expect("lookalike");
    assert_eq!(f.evidence["imitates"], "acmecorp.com");
}

#[test]
fn real_brand_domains_are_not_lookalikes() {
    let r = run(&html_message(
        "service@paypal.com",
        "receipt",
        r#"<a href="https://www.paypal.com/activity">www.paypal.com</a>"#,
    ));
    assert!(!has(&r, "LOOKALIKE_DOMAIN"));
    assert_no_error(&r);
}

#[test]
fn display_name_carrying_another_address() {
    let r = run(&text_message(
        "\"support@paypal.com\" <x@mailer.example.net>",
        "hi",
        "hello",
    ));
    assert_eq!(
        severity(&r, "HEADER_DISPLAY_NAME_SPOOF"),
        Some(Severity::Error)
    );
    let r = run(&text_message(
        "\"alice@sender.example.com\" <alice@sender.example.com>",
        "hi",
        "hello",
    ));
    assert!(!has(&r, "HEADER_DISPLAY_NAME_SPOOF"));
}

#[test]
fn brand_in_display_name_from_a_freemail() {
    let r = run(&text_message(
        "Netflix Billing <netflixbill123@gmail.com>",
        "hi",
        "hello",
    ));
    assert_eq!(
        severity(&r, "HEADER_DISPLAY_NAME_SPOOF"),
        Some(Severity::Error)
    );
}

#[test]
fn reply_to_freemail_from_a_company() {
    let raw = format!(
        "{}Reply-To: ceo.private@gmail.com\r\nContent-Type: text/plain\r\n\r\nPay it.\r\n",
        headers("CEO <ceo@sender.example.com>", "urgent")
    );
    let r = run(raw.as_bytes());
    assert_eq!(severity(&r, "REPLY_TO_MISMATCH"), Some(Severity::Warning));
    let raw = format!(
        "{}Reply-To: help@sender.example.com\r\nContent-Type: text/plain\r\n\r\nok\r\n",
        headers("Shop <news@mail.sender.example.com>", "news")
    );
    assert!(!has(&run(raw.as_bytes()), "REPLY_TO_MISMATCH"));
}

#[test]
fn several_from_fields_missing_date_and_message_id() {
    let raw = b"From: a@sender.example.com\r\nFrom: b@other.example.org\r\nTo: bob@example.edu\r\nSubject: x\r\n\r\nbody\r\n";
    let r = run(raw);
    assert!(has(&r, "HEADER_MULTIPLE_FROM"));
    assert!(has(&r, "HEADER_DATE_MISSING"));
    assert!(has(&r, "HEADER_MESSAGE_ID_MISSING"));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "HEADER_MULTIPLE_FROM")
        .expect("f");
    assert_eq!(f.cause, fivefifty::finding::Cause::Protocol);
}

#[test]
fn missing_or_unusable_from_is_an_error() {
    let no_from = b"To: bob@example.edu\r\nSubject: x\r\nDate: Tue, 04 Jun 2024 10:00:00 +0000\r\nMessage-ID: <a@b.example>\r\n\r\nbody\r\n";
    let r = run(no_from);
    assert_eq!(severity(&r, "HEADER_FROM_MISSING"), Some(Severity::Error));
    let group_only = b"From: undisclosed-senders:;\r\nTo: bob@example.edu\r\nSubject: x\r\nDate: Tue, 04 Jun 2024 10:00:00 +0000\r\nMessage-ID: <a@b.example>\r\n\r\nbody\r\n";
    assert!(has(&run(group_only), "HEADER_FROM_MISSING"));
    // Near miss: one ordinary From.
    let ok = text_message("Alice <alice@sender.example.com>", "Hello", "Hi Bob.");
    assert!(!has(&run(&ok), "HEADER_FROM_MISSING"));
}

#[test]
fn malformed_date_and_message_id() {
    let raw = b"From: a@sender.example.com\r\nTo: bob@example.edu\r\nSubject: x\r\nDate: yesterday-ish\r\nMessage-ID: not-an-id\r\n\r\nbody\r\n";
    let r = run(raw);
    assert!(has(&r, "HEADER_DATE_MALFORMED"));
    assert!(has(&r, "HEADER_MESSAGE_ID_MALFORMED"));
}

#[test]
fn well_formed_plain_mail_has_no_findings() {
    let r = run(&text_message(
        "Alice <alice@sender.example.com>",
        "Lunch on Friday?",
        "Hi Bob, are you free for lunch on Friday? The usual place at noon. Alice",
    ));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn html_smuggling_blob_with_script() {
    let blob = "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA4fug4AtAnNIbgBTM0hVGhpcyBwcm9ncmFt".repeat(40);
    let html = format!(
        "<html><body><script>var b64 = '{blob}'; var bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0)); var blob = new Blob([bytes]); var a = document.createElement('a'); a.href = URL.createObjectURL(blob); a.download = 'invoice.iso'; a.click();</script></body></html>"
    );
    let r = run(&with_attachment(
        "invoice.html",
        "text/html",
        html.as_bytes(),
    ));
    assert!(has(&r, "HTML_SMUGGLING"));
}

#[test]
fn data_uri_carrying_an_executable() {
    use base64::Engine;
    let exe = base64::engine::general_purpose::STANDARD.encode(pe());
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        &format!(
            r#"<a href="data:application/octet-stream;base64,{exe}" download="setup.exe">Get it</a>"#
        ),
    ));
    assert!(has(&r, "HTML_SMUGGLING"));
}

#[test]
fn inline_data_image_without_script_is_not_smuggling() {
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .encode([0x89u8, b'P', b'N', b'G', 13, 10, 26, 10].repeat(500));
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        &format!(r#"<p>Our logo</p><img src="data:image/png;base64,{png}">"#),
    ));
    assert!(!has(&r, "HTML_SMUGGLING"));
}

#[test]
fn url_domains_are_deduplicated() {
    let r = run(&html_message(
        "a@sender.example.com",
        "hi",
        r#"<a href="https://a.example.org/1">x</a><a href="https://b.example.org/2">y</a><a href="https://a.example.org/1">z</a>"#,
    ));
    assert_eq!(r.urls.len(), 2);
    assert_eq!(r.url_domains(), vec!["example.org".to_string()]);
}
