//! MTA layouts the bounce explainer reads, each with a synthetic message in the MTA's
//! documented wording (no corpus files).

use fivefifty::bounce::{self, Reason, ReportKind};

fn explain(raw: &str) -> bounce::BounceReport {
    bounce::explain_bytes(raw.replace('\n', "\r\n").as_bytes())
}

#[test]
fn apache_james_notification_with_an_unfolded_boundary() {
    // James's AbstractNotify text inside a multipart whose boundary parameter sits on its own
    // unfolded line: the MIME parser finds no parts, the text is read as it stands.
    let raw = "From: postmaster@example.net\nTo: s@example.com\nSubject: Re:Test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"AAA\"\n\n--AAA\nContent-Type: multipart/alternative;\nboundary=\"BBB\"\n\n--BBB\nContent-Type: text/plain\n\nError: Invalid user address\n\nError message below:\n550 - Requested action not taken: no such user here\n\nMessage details:\n  Subject: Test\n  MAIL FROM: s@example.com\n  RCPT TO: r@example.net\n  From: s@example.com\n\n--BBB--\n\n--AAA--\n";
    let r = explain(raw);
    assert_eq!(r.kind, ReportKind::Bounce);
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(r.recipients[0].recipient.as_deref(), Some("r@example.net"));
    // No SMTP command is known: the vocabulary calls "no such user" filtered then.
    assert_eq!(r.recipients[0].reason, Reason::Filtered);
}

#[test]
fn fml_refuses_a_post_from_a_non_member() {
    let raw = "From: list-admin@example.org\nTo: s@example.net\nSubject: You s@example.net are not member (list ML)\nX-MLServer: fml [fml 4.0.3 release]\n\nYou are not a member of this mailing list <list@example.org>.\n";
    let r = explain(raw);
    assert_eq!(r.kind, ReportKind::Bounce);
    assert_eq!(
        r.recipients[0].recipient.as_deref(),
        Some("list@example.org")
    );
    assert_eq!(r.recipients[0].reason, Reason::Rejected);
}

#[test]
fn a_list_post_that_mentions_members_is_not_a_bounce() {
    // A list's ordinary post (not from the list's admin address) is not a refusal.
    let raw = "From: alice@example.org\nTo: list@example.org\nSubject: who is not a member?\nList-Id: <list.example.org>\n\nAsking who is not a member of <list@example.org> yet.\n";
    assert_eq!(explain(raw).kind, ReportKind::NotBounce);
}

#[test]
fn a_web_form_mail_from_the_web_server_is_not_a_bounce() {
    // PHP's mail() sends as the web server's user (`nobody`); a form's "Email address:" field
    // and a phone number ("555-1234", no multi-line reply) are not a failed recipient.
    let raw = "From: nobody@www.example.com\nTo: sales@example.com\nSubject: Contact form submission\n\nName: John Smith\nEmail address: john@example.org\nPhone: 555-1234\nMessage: Please call me back about the quote.\n";
    assert_eq!(explain(raw).kind, ReportKind::NotBounce);
}

#[test]
fn a_post_held_for_the_moderator_is_not_a_refusal() {
    let raw = "From: list-owner@example.org\nTo: s@example.net\nSubject: Your message to List awaits moderator approval\nList-Id: <list.example.org>\n\nYour mail to 'List' <list@example.org> is being held until the list moderator can review it.\nThe reason it is being held: Post by non-member to a members-only list\n";
    assert_ne!(
        explain(raw).recipients.first().map(|r| r.reason),
        Some(Reason::Rejected)
    );
}

#[test]
fn kddi_spasign_ng_marks_a_filter_refusal() {
    let raw = "From: <Postmaster@ezweb.ne.jp>\nTo: <s@example.or.jp>\nSubject: Mail System Error - Returned Mail\nX-SPASIGN: NG\n\n<r@ezweb.ne.jp>\n\nEach of the following recipients was rejected by a remote mail server.\n";
    let r = explain(raw);
    assert_eq!(r.recipients[0].recipient.as_deref(), Some("r@ezweb.ne.jp"));
    assert_eq!(r.recipients[0].reason, Reason::Filtered);
}

#[test]
fn recipient_from_the_returned_message_when_the_text_names_a_reason() {
    // An MMS gateway's notice: no address in the text, the returned message's To is the
    // recipient, and the words name the reason.
    let raw = "From: MMSC NDR Administrator <sysadmin@mms.example.com>\nTo: s@example.jp\nSubject: Undeliverable Message\n\nMessage could not be delivered to mobile.\nError: No valid recipients for this MM\n\nOriginal Message:\nFrom: S <s@example.jp>\nTo: 0000000000@mms.example.com\nSubject: test\n";
    let r = explain(raw);
    assert_eq!(r.kind, ReportKind::Bounce);
    assert_eq!(
        r.recipients[0].recipient.as_deref(),
        Some("0000000000@mms.example.com")
    );
    assert_eq!(r.recipients[0].reason, Reason::UserUnknown);
}

#[test]
fn a_labelled_recipient_shows_the_line_that_gives_the_reason() {
    // A notice that names the reason on one line and the recipient on the next, with no code:
    // the row shows the reason's line, not only the label.
    let raw = "Return-Path: <>\nFrom: postmaster@mx.example.net\nTo: s@example.com\nSubject: Undelivered mail\n\nYour message could not be stored.\n\nFailure: Mailbox full\nRecipient address: r@example.net\n";
    let r = explain(raw);
    assert_eq!(r.kind, ReportKind::Bounce);
    let row = &r.recipients[0];
    assert_eq!(row.recipient.as_deref(), Some("r@example.net"));
    assert_eq!(row.reason, Reason::MailboxFull);
    assert!(
        row.diagnostic.starts_with("Failure: Mailbox full"),
        "{}",
        row.diagnostic
    );
}

#[test]
fn a_returned_message_sent_as_plain_text_is_not_notification_text() {
    // RFC 6522's third part, the returned message, as text/plain (Oracle Messaging Server):
    // its headers (a scanner's "Virus" header here) are the original's, not reason words.
    let raw = "From: postmaster@mx.example.com\nTo: s@example.com\nSubject: Delivery Notification: Delivery has been delayed\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mx.example.com\n\nFinal-Recipient: rfc822;r@example.jp\nAction: delayed\nStatus: 4.4.7 (unable to deliver this message after 1 day)\n\n--B\nContent-Type: text/plain\n\nReturn-path: <s@example.com>\nReceived: from mx.example.com by mx.example.com; Thu, 20 Nov 2014 17:52:09 +0000\nSubject: Hello\nX-Proofpoint-Virus-Version: vendor=fsecure engine=2.50\nTo: r@example.jp\n\nHello there.\n--B--\n";
    let r = explain(raw);
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(r.recipients[0].reason, Reason::Expired);
    assert_eq!(r.original.subject.as_deref(), Some("Hello"));
}

/// The recipients and reasons of a report, in order.
fn rows(r: &bounce::BounceReport) -> Vec<(String, Reason)> {
    r.recipients
        .iter()
        .map(|row| (row.recipient.clone().unwrap_or_default(), row.reason))
        .collect()
}

/// The report has exactly these rows (recipient and reason), in this order.
fn assert_rows(r: &bounce::BounceReport, want: &[(&str, Reason)]) {
    let want: Vec<(String, Reason)> = want.iter().map(|&(a, r)| (a.to_string(), r)).collect();
    assert_eq!(rows(r), want);
}

#[test]
fn gmx_names_each_failed_recipient_in_quotes_over_its_own_error() {
    // GMX and 1&1 (Exim underneath) head each failed address's paragraph with `"addr":`.
    let raw = "From: \"Mail Delivery System\" <mailer-daemon@gmx.net>\nTo: s@example.jp\nSubject: Mail delivery failed: returning message to sender\nX-GMX-Antispam: 0 (Mail was not recognized as spam); Detail=V3;\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of\nits recipients. This is a permanent error. The following addresses\nfailed:\n\n\"a@example.org\":\nSMTP error from remote server after RCPT command:\nhost: mx.example.org\n5.1.1 <a@example.org>... User Unknown\n\n\"b@example.org\":\nSMTP error from remote server after RCPT command:\nhost: mx.example.org\n5.2.2 <b@example.org>... Mailbox full\n\n--- The header of the original message is following. ---\n\nFrom: s@example.jp\nTo: a@example.org, b@example.org\nSubject: x\n";
    let r = explain(raw);
    assert_rows(
        &r,
        &[
            ("a@example.org", Reason::UserUnknown),
            ("b@example.org", Reason::MailboxFull),
        ],
    );
}

#[test]
fn active_hunter_lists_recipients_after_transcript_marks() {
    // TransWARE Active!hunter lists each failed address as `>>> addr <addr>` (a transcript's
    // command mark, but no SMTP command starts with an address), then the session's reply.
    let raw = "From: \"MAILER-DAEMON\" <MAILER-DAEMON@mx.example.org>\nTo: s@example.jp\nSubject: FAILURE NOTICE :\nX-AHMAILID: 1234567890abcdef\n\n  ----- The following addresses had permanent fatal errors -----\n\n>>> a@example.org <a@example.org>\n>>> b@example.org <b@example.org>\n\n  ----- Transcript of session follows -----\n552 5.2.2 Mailbox full\n";
    let r = explain(raw);
    let got = rows(&r);
    assert_eq!(
        got.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        ["a@example.org", "b@example.org"]
    );
    // The transcript follows the last address listed: its reply is that row's.
    assert_eq!(got[1].1, Reason::MailboxFull);
    assert_eq!(
        r.recipients[1].diagnostic,
        ">>> b@example.org <b@example.org> 552 5.2.2 Mailbox full"
    );
}

#[test]
fn powermta_category_decides_what_the_reply_leaves_open() {
    let raw = "From: postmaster@pmta.example.org\nTo: s@example.org\nSubject: Delivery report\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nHello, this is the mail server on pmta.example.org.\n\n  <a@example.jp>  delivery failed; will not continue trying\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; pmta.example.org\n\nFinal-Recipient: rfc822; a@example.jp\nAction: failed\nStatus: 5.0.0 (undefined status)\nDiagnostic-Code: smtp; 550 Requested action not taken\nX-PowerMTA-BounceCategory: quota-issues\n\nFinal-Recipient: rfc822; b@example.jp\nAction: failed\nStatus: 5.0.0 (undefined status)\nDiagnostic-Code: smtp; 550 5.7.1 Message rejected as spam\nX-PowerMTA-BounceCategory: bad-mailbox\n\n--B--\n";
    let r = explain(raw);
    assert_rows(
        &r,
        &[
            ("a@example.jp", Reason::MailboxFull),
            // Words that name a reason keep it: the category is PowerMTA's guess.
            ("b@example.jp", Reason::SpamDetected),
        ],
    );
}

#[test]
fn qmail_boilerplate_is_not_a_reason() {
    // qmail ends every notice with "This is a permanent error; I've given up": the words of
    // each recipient's paragraph decide, never that sentence (it is no queue expiry).
    let raw = "From: MAILER-DAEMON@mx.example.jp\nTo: s@example.jp\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.jp.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<a@example.jp>:\nMailaddress is administratively disabled. (#5.2.1)\n\n<b@example.jp>:\nAutomatic homedir creator crashed (#4.3.0)\n\n<c@example.jp>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n--- Below this line is a copy of the message.\n\nFrom: s@example.jp\nSubject: x\n";
    let r = explain(raw);
    assert_rows(
        &r,
        &[
            ("a@example.jp", Reason::Suspend),
            ("b@example.jp", Reason::SystemError),
            ("c@example.jp", Reason::UserUnknown),
        ],
    );
}

#[test]
fn qmail_remote_refusals_are_read_by_the_reply_first() {
    // qmail-remote writes "<host> does not like recipient." for any refused RCPT: the reply's
    // words decide, and only a reply that names nothing makes it an unknown user.
    let notice = |reply: &str| {
        format!(
            "From: MAILER-DAEMON@mx.example.jp\nTo: s@example.jp\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.jp.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<a@example.org>:\n192.0.2.1 does not like recipient.\nRemote host said: {reply}\n\n--- Below this line is a copy of the message.\n\nFrom: s@example.jp\nSubject: x\n"
        )
    };
    let reason = |reply: &str| explain(&notice(reply)).recipients[0].reason;
    assert_eq!(reason("550 go away"), Reason::Blocked);
    assert_eq!(
        reason("554 5.7.1 Message rejected as spam"),
        Reason::SpamDetected
    );
    assert_eq!(
        reason("550 Requested action not taken"),
        Reason::UserUnknown
    );
    let r = explain(&notice("550 Requested action not taken"));
    assert_eq!(r.recipients[0].smtp_command.as_deref(), Some("RCPT"));
}

#[test]
fn exim_boilerplate_does_not_override_the_reply() {
    // The notice's opening paragraph names no reason; what the codes alone would make of it (a
    // permanent refusal after DATA reads as filtered) must not replace the reply's own words.
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.jp>\nTo: s@example.jp\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: a@example.org\nAuto-Submitted: auto-replied\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  a@example.org\n    host mx.example.org [192.0.2.1]\n    SMTP error from remote mail server after end of data:\n    550 block for spam\n\n------ This is a copy of the message, including all the headers. ------\n\nFrom: s@example.jp\nSubject: x\n";
    assert_eq!(explain(raw).recipients[0].reason, Reason::SpamDetected);
}

#[test]
fn a_feedback_report_has_a_row_for_each_original_recipient() {
    // RFC 5965 section 3.2: Original-Rcpt-To appears once per recipient of the reported message.
    let raw = "From: staff@isp.example\nTo: abuse@sender.example\nSubject: FW: spam\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nThis is an email abuse report.\n\n--B\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\nOriginal-Mail-From: <s@sender.example>\nOriginal-Rcpt-To: <a@isp.example>\nOriginal-Rcpt-To: <b@isp.example>\nOriginal-Rcpt-To: <A@isp.example>\nSource-IP: 192.0.2.1\n\n--B\nContent-Type: text/rfc822-headers\n\nFrom: s@sender.example\nTo: a@isp.example, b@isp.example\nSubject: buy\n\n--B--\n";
    let r = explain(raw);
    assert_eq!(r.kind, ReportKind::Feedback);
    assert_rows(
        &r,
        &[
            ("a@isp.example", Reason::Feedback),
            ("b@isp.example", Reason::Feedback),
        ],
    );
    assert_eq!(r.feedback_type.as_deref(), Some("abuse"));
}

#[test]
fn autoresponders_mark_their_replies_in_headers() {
    for mark in [
        "Precedence: auto_reply",
        "X-Apple-Action: vacation",
        "X-Autoreply: yes",
        "Auto-Submitted: auto-replied",
    ] {
        let raw = format!(
            "From: tora@rcpt.example\nTo: s@sender.example\nSubject: Re: hello\n{mark}\n\nAway until Monday.\n"
        );
        let r = explain(&raw);
        assert_eq!(r.kind, ReportKind::AutoReply, "{mark}");
        assert_rows(&r, &[("tora@rcpt.example", Reason::Vacation)]);
    }
    // A person's answer with none of the marks is no auto-reply.
    let raw = "From: tora@rcpt.example\nTo: s@sender.example\nSubject: Re: hello\nPrecedence: bulk\n\nI'll be out of the office tomorrow.\n";
    assert_eq!(explain(raw).kind, ReportKind::NotBounce);
}

#[test]
fn gmail_session_state_names_the_refused_command() {
    let notice = |said: &str| {
        format!(
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: s@gmail.com\nSubject: Delivery Status Notification (Failure)\n\nDelivery to the following recipient failed permanently:\n\n     a@example.org\n\nTechnical details of permanent failure:\nGoogle tried to deliver your message, but it was rejected by the recipient domain. We recommend contacting the other email provider for further information about the cause of this error. The error that the other server returned was: {said}\n"
        )
    };
    let r = explain(&notice("550 550 No such user here (state 14)."));
    assert_eq!(r.recipients[0].smtp_command.as_deref(), Some("RCPT"));
    assert_eq!(r.recipients[0].reason, Reason::UserUnknown);
    // The same words after the message was sent: the recipient's filter, as the vocabulary
    // reads an unknown-user answer to DATA.
    let r = explain(&notice("550 550 No such user here (state 17)."));
    assert_eq!(r.recipients[0].smtp_command.as_deref(), Some("DATA"));
    assert_eq!(r.recipients[0].reason, Reason::Filtered);
}

#[test]
fn a_transcript_explains_the_one_recipient_whose_fields_do_not() {
    // A forwarding service's DSN names its own user; the transcript above it refused the
    // address that user forwards to, and is the only reason the report gives.
    let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@forward.example>\nTo: s@example.jp\nSubject: Returned mail: see transcript for details\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\n\n   ----- Transcript of session follows -----\n>>> RCPT TO:<destination@example.net>\n<<< 553 Invalid recipient destination@example.net (Mode: normal)\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; forward.example\n\nFinal-Recipient: rfc822; a@forward.example\nX-Actual-Recipient: rfc822; destination@example.net\nAction: failed\nStatus: 5.0.0\n\n--B--\n";
    assert_rows(&explain(raw), &[("a@forward.example", Reason::UserUnknown)]);
}

#[test]
fn remote_mta_comment_does_not_hide_the_receiver() {
    // Oracle Messaging Server adds a comment after the Remote-MTA name; KDDI's reading of
    // `550 <addr>: User unknown` (an unknown address) still applies, whatever the address.
    let raw = "From: Internet Mail Delivery <postmaster@mx.example.jp>\nTo: s@example.jp\nSubject: Delivery Notification: Delivery has failed\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nThis report relates to a message you sent.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mx.example.jp\n\nOriginal-recipient: rfc822;someone@example.org\nFinal-recipient: rfc822;someone@example.org\nAction: failed\nStatus: 5.0.0 (Remote SMTP server has rejected address)\nRemote-MTA: dns;lsean.ezweb.ne.jp (TCP|192.0.2.1|31066|192.0.2.2|25) (au mail)\nDiagnostic-code: smtp;550 <someone@example.org>: User unknown\n\n--B--\n";
    let r = explain(raw);
    assert_eq!(
        r.recipients[0].recipient.as_deref(),
        Some("someone@example.org")
    );
    assert_eq!(r.recipients[0].reason, Reason::UserUnknown);
}

#[test]
fn google_groups_refusal_for_a_group_on_its_own_domain() {
    // A Workspace group lives on the organisation's domain; the notice is the same one, with
    // its link to the Groups Help Center.
    let raw = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: s@example.net\nSubject: Delivery Status Notification (Failure)\nX-Failed-Recipients: team@example.org\nX-Google-Smtp-Source: AAAA\n\nHello s@example.net,\n\nWe're writing to let you know that the group you tried to contact (team) may not exist, or you may not have permission to post messages to the group. A few more details on why you weren't able to post:\n\n * You might have spelled or formatted the group name incorrectly.\n * The owner of the group may have removed this group.\n * You may need to join the group before receiving permission to post.\n * This group may not be open to posting.\n\nIf you have questions related to this or any other Google Group, visit the Help Center at https://groups.google.com/support/.\n\nThanks,\n\nGoogle Groups\n";
    let r = explain(raw);
    assert_eq!(
        r.recipients[0].recipient.as_deref(),
        Some("team@example.org")
    );
    assert_eq!(r.recipients[0].reason, Reason::Rejected);
}

#[test]
fn imail_names_the_recipient_after_any_error_text() {
    // IMail writes `error: addr`, one line a recipient; the error may be a remote server's
    // reply (colons and all) that holds no recipient label's words.
    for (error, reason) in [
        ("Invalid final delivery userid", Reason::UserUnknown),
        (
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
            Reason::Blocked,
        ),
    ] {
        let raw = format!(
            "From: \"Postmaster\" <postmaster@mx.example.net>\nTo: <s@example.net>\nSubject: Undeliverable Mail\nX-Mailer: <SMTP32 v8.12>\n\n{error}: r.someone@example.org\n\n\nOriginal message follows.\n\nFrom: s@example.net\nTo: <other@example.com>\nSubject: hi\n\nhi\n"
        );
        let r = explain(&raw);
        assert_eq!(r.recipients.len(), 1, "{error}");
        assert_eq!(
            r.recipients[0].recipient.as_deref(),
            Some("r.someone@example.org")
        );
        assert_eq!(r.recipients[0].reason, reason, "{error}");
    }
}

#[test]
fn own_domain_host_unknown_with_its_status_stays_host_unknown() {
    // An unknown host of the reporting system's own domain reads as an unknown user when only
    // the words say so (Exim's "Unrouteable address", status 5.0.0); a 5.1.2 status is the
    // MTA naming the destination host as the trouble.
    let dsn = |status: &str, diag: &str| {
        format!(
            "From: MAILER-DAEMON@mx.example.jp\nTo: s@example.net\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.jp.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: rfc822; r@example.jp\nAction: failed\nStatus: {status}\nDiagnostic-Code: smtp; {diag}\n\n--B--\n"
        )
    };
    let r = explain(&dsn(
        "5.1.2",
        "550 5.1.2 Host unknown: domain name not found",
    ));
    assert_eq!(r.recipients[0].reason, Reason::HostUnknown);
    let r = explain(&dsn("5.0.0", "Unrouteable address"));
    assert_eq!(r.recipients[0].reason, Reason::UserUnknown);
}

#[test]
fn exim_failed_recipient_who_is_also_the_sender() {
    // Sent to oneself and another: Exim's bounce goes back to the sender, whose address is
    // one of the failed recipients its X-Failed-Recipients lists.
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: me@example.net\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: me@example.net, friend@example.org\nAuto-Submitted: auto-replied\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  me@example.net\n    SMTP error from remote mail server after RCPT TO:<me@example.net>:\n    host mx.example.net [192.0.2.22]: 550 5.1.1 <me@example.net>: Recipient address rejected: User unknown in local recipient table\n\n  friend@example.org\n    SMTP error from remote mail server after RCPT TO:<friend@example.org>:\n    host mx.example.org [192.0.2.23]: 552 5.2.2 <friend@example.org>: Mailbox full\n\n------ This is a copy of the message, including all the headers. ------\n\nFrom: me@example.net\nTo: me@example.net, friend@example.org\nSubject: hi\n\nhi\n";
    let r = explain(raw);
    let rows: Vec<(Option<&str>, Reason)> = r
        .recipients
        .iter()
        .map(|x| (x.recipient.as_deref(), x.reason))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some("me@example.net"), Reason::UserUnknown),
            (Some("friend@example.org"), Reason::MailboxFull),
        ]
    );
}

#[test]
fn exim_file_delivery_among_several_recipients_names_its_address() {
    // A delivery to a file has no address in the DSN; Exim's text names the address that
    // generated it under the file, whatever the number of recipients.
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\nTo: s@example.com\nSubject: Mail delivery failed: returning message to sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-type: text/plain; charset=us-ascii\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  save to /var/mail/spool/r1\n    generated by r1@example.net\n    mailbox is full: retry timeout exceeded\n\n  r2@example.org\n    SMTP error from remote mail server after RCPT TO:<r2@example.org>:\n    host mx.example.org [192.0.2.23]: 550 5.1.1 <r2@example.org>: User unknown\n\n--B\nContent-type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nAction: failed\nFinal-Recipient: rfc822;/var/mail/spool/r1\nStatus: 5.0.0\n\nAction: failed\nFinal-Recipient: rfc822;r2@example.org\nStatus: 5.0.0\nRemote-MTA: dns; mx.example.org\nDiagnostic-Code: smtp; 550 5.1.1 <r2@example.org>: User unknown\n\n--B--\n";
    let r = explain(raw);
    let rows: Vec<(Option<&str>, Reason)> = r
        .recipients
        .iter()
        .map(|x| (x.recipient.as_deref(), x.reason))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some("r1@example.net"), Reason::MailboxFull),
            (Some("r2@example.org"), Reason::UserUnknown),
        ]
    );
}

/// The action and the reason of each row.
fn actions(r: &bounce::BounceReport) -> Vec<(String, bounce::Action, Reason)> {
    r.recipients
        .iter()
        .filter_map(|x| Some((x.recipient.clone()?, x.action?, x.reason)))
        .collect()
}

/// The report's rows are these, in order: recipient, action, reason.
fn assert_actions(r: &bounce::BounceReport, want: &[(&str, bounce::Action, Reason)]) {
    let want: Vec<_> = want
        .iter()
        .map(|&(a, x, r)| (a.to_string(), x, r))
        .collect();
    assert_eq!(actions(r), want);
}

#[test]
fn an_exim_delay_warning_reports_a_delayed_recipient_and_says_not_to_resend() {
    // Exim's delay warning (its `delay_warning` setting): the message is still queued.
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.jp>\nTo: s@example.jp\nSubject: Warning: message 1Xyz-0001AB-CD delayed 24 hours\nAuto-Submitted: auto-replied\n\nThis message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mx.example.jp.\n\nThe message identifier is:     1Xyz-0001AB-CD\nThe subject of the message is: hello\n\nThe address to which the message has not yet been delivered is:\n\n  a@example.org\n    host mx.example.org [192.0.2.9]\n    Delay reason: SMTP error from remote mail server after RCPT TO:<a@example.org>:\n    452 4.2.2 Mailbox full\n\nNo action is required on your part. Delivery attempts will continue for\nsome time, and this warning may be repeated at intervals if the message\nremains undelivered. Eventually the mail delivery software will give up,\nand when that happens, the message will be returned to you.\n";
    let r = explain(raw);
    assert_actions(
        &r,
        &[(
            "a@example.org",
            bounce::Action::Delayed,
            Reason::MailboxFull,
        )],
    );
    assert!(
        r.recipients[0].remediation[0].starts_with("Nothing to resend yet"),
        "{:?}",
        r.recipients[0].remediation
    );
    // No message is returned; the warning names its subject in words.
    assert_eq!(r.original.subject.as_deref(), Some("hello"));
}

#[test]
fn a_warning_keeps_a_permanent_failure_failed_and_delays_the_rest() {
    // Sendmail's warning lists recipients that failed for good beside ones still being tried.
    let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.jp>\nTo: s@example.jp\nSubject: Warning: could not send message for past 4 hours\n\n    **********************************************\n    **      THIS IS A WARNING MESSAGE ONLY      **\n    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n    **********************************************\n\nThe original message was received at Mon, 1 Jan 2024 00:00:00 +0900\nfrom localhost [127.0.0.1]\n\n   ----- The following addresses had permanent fatal errors -----\n<a@example.org>\n    (reason: 550 5.1.1 User unknown)\n\n   ----- The following addresses had transient non-fatal errors -----\n<b@example.net>\n    (reason: 421 4.4.2 Connection timed out)\n";
    let r = explain(raw);
    assert_actions(
        &r,
        &[
            ("a@example.org", bounce::Action::Failed, Reason::UserUnknown),
            ("b@example.net", bounce::Action::Delayed, Reason::Expired),
        ],
    );
}

#[test]
fn a_final_failure_after_retries_is_not_a_warning() {
    // Exim's bounce once the retry time ran out: failed, expired.
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.jp>\nTo: s@example.jp\nSubject: Mail delivery failed: returning message to sender\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  a@example.org\n    retry timeout exceeded\n";
    assert_actions(
        &explain(raw),
        &[("a@example.org", bounce::Action::Failed, Reason::Expired)],
    );
}

/// An MTA's notice of a failure of its own (no SMTP reply: routing, local delivery, its
/// queue), with the words its source gives that failure.
fn own_failure(mta: &str, words: &str) -> String {
    match mta {
        "exim" => format!(
            "From: Mail Delivery System <Mailer-Daemon@mx.sender.example>\nTo: alice@sender.example\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: bob@rcpt.example\nAuto-Submitted: auto-replied\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  bob@rcpt.example\n    {words}\n\n------ This is a copy of the message, including all the headers. ------\n\nFrom: alice@sender.example\nTo: bob@rcpt.example\nSubject: hello\n"
        ),
        "qmail" => format!(
            "From: MAILER-DAEMON@mx.sender.example\nTo: alice@sender.example\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.sender.example.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<bob@rcpt.example>:\n{words}\n\n--- Below this line is a copy of the message.\n\nFrom: alice@sender.example\nTo: bob@rcpt.example\nSubject: hello\n"
        ),
        _ => format!(
            "From: Mailer Daemon <MAILER-DAEMON@mx.sender.example>\nTo: alice@sender.example\nSubject: Delivery status notification: error\n\nHi!\n\nThis is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\nAn error has occurred while attempting to deliver a message for\nthe following list of recipients:\n\nbob@rcpt.example: {words}\n\nBelow is a copy of the original message:\n\nFrom: alice@sender.example\nTo: bob@rcpt.example\nSubject: hello\n"
        ),
    }
}

#[test]
fn on_its_own_domain_an_mta_that_finds_no_host_for_the_domain_names_the_host() {
    // Exim's "Unrouteable address" is the same for a missing domain and a missing local user:
    // on a domain the reporting system serves, it is the user. Words about the domain's mail
    // hosts are about the hosts wherever the domain is.
    let own = |words: &str| {
        let raw = own_failure("exim", words)
            .replace("bob@rcpt.example", "bob@sender.example")
            .replace(
                "Mailer-Daemon@mx.sender.example",
                "Mailer-Daemon@sender.example",
            );
        rows(&explain(&raw))
    };
    assert_eq!(
        own("Unrouteable address"),
        [("bob@sender.example".to_string(), Reason::UserUnknown)]
    );
    for words in [
        "all host address lookups failed permanently",
        "all relevant MX records point to non-existent hosts",
        "The remote domain doesnt exist",
    ] {
        assert_eq!(
            own(words),
            [("bob@sender.example".to_string(), Reason::HostUnknown)],
            "{words}"
        );
    }
}

#[test]
fn an_mtas_own_failure_messages_read_as_its_source_means_them() {
    // Exim's parse.c, transports and deliver.c; qmail-ldap and qmail-local; OpenSMTPD's mta.c.
    let cases: &[(&str, &str, Reason)] = &[
        (
            "exim",
            "angle-brackets nested too deep",
            Reason::SyntaxError,
        ),
        (
            "exim",
            "domain missing in source-routed address",
            Reason::SyntaxError,
        ),
        (
            "exim",
            "malformed address: x may not follow y",
            Reason::SyntaxError,
        ),
        (
            "exim",
            "Too many \"Received\" headers - suspected mail loop",
            Reason::ContentError,
        ),
        ("exim", "Unrouteable address", Reason::HostUnknown),
        ("exim", "delivery to pipe forbidden", Reason::SystemError),
        (
            "qmail",
            "Temporary error while executing qmail-forward (#4.4.4)",
            Reason::SystemError,
        ),
        (
            "qmail",
            "Illegal value in LDAP attribute (#5.3.5)",
            Reason::SystemError,
        ),
        (
            "qmail",
            "/bin/sh: bad interpreter: No such file or directory",
            Reason::SystemError,
        ),
        (
            "qmail",
            "Unable to chdir to maildir. (#4.2.1)",
            Reason::SystemError,
        ),
        (
            "qmail",
            "Requested action not taken: mailbox unavailable (not enough free space)",
            Reason::SystemFull,
        ),
        (
            "qmail",
            "Sorry, no mailbox here by that name. (#5.1.1)",
            Reason::UserUnknown,
        ),
        // Exim's router: the system has no such local user.
        ("exim", "user not found", Reason::UserUnknown),
        // qmail-local's words without their status.
        (
            "qmail",
            "Sorry, no mailbox here by that name.",
            Reason::UserUnknown,
        ),
        // A local transport (appendfile, pipe) failed: the receiving system's trouble, as
        // Sisimai 5's Exim table has it (4.25 called it a mailer error).
        ("exim", "local delivery failed", Reason::SystemError),
        (
            "opensmtpd",
            "All routes to destination blocked",
            Reason::NetworkError,
        ),
        // A domain with no mail exchanger accepts no mail (Sisimai 5's OpenSMTPD table; 4.25
        // called it a network error).
        ("opensmtpd", "No MX found for domain", Reason::NotAccept),
        ("opensmtpd", "Loop detected", Reason::NetworkError),
        ("opensmtpd", "Envelope expired", Reason::Expired),
        ("opensmtpd", "Domain does not exist", Reason::HostUnknown),
    ];
    let mut wrong = Vec::new();
    for &(mta, words, want) in cases {
        let r = explain(&own_failure(mta, words));
        let got = rows(&r);
        if got != [("bob@rcpt.example".to_string(), want)] {
            wrong.push(format!("{mta}: {words}: want {want:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn outlook_com_gives_the_reason_above_its_list_of_recipients() {
    // Outlook.com (Hotmail) writes the reason once, then the recipients it applies to; the
    // delivery-status part has no diagnostic and only a vague status.
    let raw = "From: postmaster@outlook.example\nTo: s@example.jp\nSubject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain; charset=us-ascii\n\nThis is an automatically generated Delivery Status Notification.\n\nThe mail could not be delivered to the recipient because the domain is not reachable\n\n       bob@rcpt.example\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;BAY004-OMC1S18.hotmail.com\n\nFinal-Recipient: rfc822;bob@rcpt.example\nAction: failed\nStatus: 5.0.0\n\n--B--\n";
    let r = explain(raw);
    assert_rows(&r, &[("bob@rcpt.example", Reason::HostUnknown)]);
    assert!(
        r.recipients[0]
            .diagnostic
            .contains("domain is not reachable"),
        "{}",
        r.recipients[0].diagnostic
    );
}

#[test]
fn messagelabs_words_an_unknown_recipient_its_own_way() {
    // Symantec.cloud's notice: "No such user" means the address, whatever answered it.
    let raw = "From: Mail Delivery System <MAILER-DAEMON@messagelabs.com>\nTo: s@example.jp\nSubject: Mail Delivery Failure\nX-Msg-Ref: server-1.tower-2.messagelabs.com!1!2!3\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nThis is the mail delivery agent at messagelabs.com.\nI was unable to deliver your message to the following addresses:\n\nbob@rcpt.example\n\nReason: 550 bob@rcpt.example... No such user\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; server-1.tower-2.messagelabs.com\n\nFinal-Recipient: rfc822; bob@rcpt.example\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 bob@rcpt.example... No such user\n\n--B--\n";
    assert_rows(&explain(raw), &[("bob@rcpt.example", Reason::UserUnknown)]);
    // The same words from another system, with nothing to place them, read as a filter.
    let other = raw
        .replace(
            "MAILER-DAEMON@messagelabs.com",
            "MAILER-DAEMON@mx.example.net",
        )
        .replace("X-Msg-Ref: server-1.tower-2.messagelabs.com!1!2!3\n", "");
    assert_rows(&explain(&other), &[("bob@rcpt.example", Reason::Filtered)]);
}

#[test]
fn amazon_ses_is_read_by_the_receivers_reply_it_quotes() {
    // SES writes a category of its own, then the receiver's reply in quotes.
    let ses = |diag: &str| {
        format!(
            "From: MAILER-DAEMON@email-bounces.amazonses.com\nTo: s@example.jp\nSubject: Delivery Status Notification (Failure)\nX-SES-Outgoing: 2016.10.12-54.240.27.6\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nThe following message to <bob@rcpt.example> was undeliverable.\nThe reason for the problem:\n{diag}\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; a192-79.smtp-out.amazonses.com\n\nFinal-Recipient: rfc822;bob@rcpt.example\nAction: failed\nStatus: 5.0.0 (permanent failure)\nDiagnostic-Code: smtp; {diag}\n\n--B--\n"
        )
    };
    let r = explain(&ses(
        "5.1.0 - Unknown address error 550-'5.2.2 <bob@rcpt.example>... Mailbox full' (delivery attempts: 0)",
    ));
    assert_rows(&r, &[("bob@rcpt.example", Reason::MailboxFull)]);
    assert_eq!(
        r.recipients[0].status.map(|s| s.to_string()).as_deref(),
        Some("5.2.2")
    );
    // The row says whose quoting it read.
    assert!(
        r.recipients[0]
            .recognitions
            .iter()
            .any(|k| k.provider == "Amazon SES")
    );
    let r = explain(&ses(
        "5.1.0 - Unknown address error 550-'5.7.1 <x@bounces.example>... Access denied' (delivery attempts: 0)",
    ));
    assert_rows(&r, &[("bob@rcpt.example", Reason::SecurityError)]);
}

#[test]
fn an_sns_email_json_envelope_carries_the_ses_notification_as_a_string() {
    // An SNS "email-json" subscription mails SNS's envelope; SES's notification is the JSON
    // string in its `Message`, every quote of it escaped.
    let inner = r#"{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Transient\",\"bounceSubType\":\"MailboxFull\",\"bouncedRecipients\":[{\"emailAddress\":\"full@rcpt.example\",\"action\":\"failed\",\"status\":\"4.2.2\",\"diagnosticCode\":\"smtp; 452 4.2.2 Mailbox full\"}],\"timestamp\":\"2016-10-21T00:06:40.502Z\",\"feedbackId\":\"x\"},\"mail\":{\"source\":\"s@sender.example\",\"destination\":[\"full@rcpt.example\"],\"commonHeaders\":{\"from\":[\"s@sender.example\"],\"to\":[\"full@rcpt.example\"],\"subject\":\"nyaan\"}}}"#;
    let raw = format!(
        "From: AWS Notifications <no-reply@sns.amazonaws.com>\nTo: ops@sender.example\nSubject: AWS Notification Message\nx-amz-sns-message-id: ad6bdf42-f483-5bae-bf50-8fc1aad3f983\nContent-Type: text/plain; charset=UTF-8\n\n{{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\",\n  \"TopicArn\" : \"arn:aws:sns:us-west-2:123456789012:SES-EJ-B\",\n  \"Message\" : \"{inner}\",\n  \"Timestamp\" : \"2016-10-21T00:06:41.000Z\"\n}}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\nhttps://sns.us-west-2.amazonaws.com/unsubscribe.html\n"
    );
    let r = explain(&raw);
    assert_eq!(r.kind, ReportKind::Bounce);
    assert_rows(&r, &[("full@rcpt.example", Reason::MailboxFull)]);
    assert_eq!(r.original.subject.as_deref(), Some("nyaan"));
}

/// A Gmail or Google Workspace notice without a delivery-status part: Google's headline and
/// account of the failure, then (when a server answered) its reply under `response_line`.
fn google_notice(headline: &str, account: &str, response_line: &str, reply: &str) -> String {
    format!(
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: s@sender.example\nSubject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain; charset=\"UTF-8\"\n\n** {headline} **\n\n{account}\n\n{response_line}\n\n{reply}\n\n--B\nContent-Type: message/rfc822\n\nFrom: s@sender.example\nTo: bob@rcpt.example\nSubject: hi\n\nhello\n--B--\n"
    )
}

#[test]
fn a_gmail_notice_is_read_by_the_servers_reply_under_its_own_account() {
    // "has been blocked" is Google's word for any refusal; the reply says which.
    let raw = google_notice(
        "Message blocked",
        "Your message to bob@rcpt.example has been blocked. See technical details below for more information.",
        "The response from the remote server was:",
        "550 5.7.1 Message rejected due to local policy",
    );
    let r = explain(&raw);
    assert_rows(&r, &[("bob@rcpt.example", Reason::PolicyViolation)]);
    assert_eq!(
        r.recipients[0].diagnostic,
        "550 5.7.1 Message rejected due to local policy"
    );
    let raw = google_notice(
        "Message blocked",
        "Your message to bob@rcpt.example has been blocked. See technical details below for more information.",
        "The response was:",
        "552 5.2.2 The email account that you tried to reach is over quota.",
    );
    assert_rows(&explain(&raw), &[("bob@rcpt.example", Reason::MailboxFull)]);
    // Google's own reply when the receiver's TLS fails: the notice's "misconfigured" is
    // Google's guess, the reply says what failed.
    let raw = google_notice(
        "Message not delivered",
        "Your message couldn't be delivered to bob@rcpt.example because the remote server is misconfigured. See technical details below for more information.",
        "The response from the remote server was:",
        "TLS Negotiation failed, the certificate doesn't match the host.",
    );
    assert_rows(
        &explain(&raw),
        &[("bob@rcpt.example", Reason::FailedStartTls)],
    );
}

#[test]
fn google_reads_a_missing_recipient_domain_as_a_network_trouble_unless_its_codes_are_permanent() {
    // Google Workspace's text notice gives no code: the lookup may yet succeed.
    let raw = google_notice(
        "Message not delivered",
        "There was a problem delivering your message to bob@rcpt.example. See the technical details below.",
        "The response was:",
        "DNS Error: DNS type 'mx' lookup of rcpt.example responded with code NXDOMAIN\nDomain name not found: rcpt.example",
    );
    let r = explain(&raw);
    assert_rows(&r, &[("bob@rcpt.example", Reason::NetworkError)]);
    assert!(
        r.recipients[0]
            .recognitions
            .iter()
            .any(|k| k.provider == "Google")
    );
    // Another reporter's notice with the same words: the domain is not there.
    let other = raw.replace(
        "mailer-daemon@googlemail.com",
        "MAILER-DAEMON@mx.sender.example",
    );
    assert_rows(
        &explain(&other),
        &[("bob@rcpt.example", Reason::HostUnknown)],
    );
    // The older Gmail notice: "Domain name not found" is an unknown host; "answer with no
    // data" is a domain with no mail host; its resolver's trouble is retried until it expires.
    let old = |failed: &str, error: &str| {
        format!(
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: s@sender.example\nSubject: Delivery Status Notification (Failure)\nContent-Type: text/plain\n\nThis is an automatically generated Delivery Status Notification\n\nDelivery to the following recipient {failed}:\n\n     bob@rcpt.example\n\nTechnical details of permanent failure:\nDNS Error: {error}\n\n----- Original message -----\n\nFrom: s@sender.example\nTo: bob@rcpt.example\nSubject: hi\n"
        )
    };
    for (failed, error, want) in [
        (
            "failed permanently",
            "Domain name not found",
            Reason::HostUnknown,
        ),
        (
            "failed permanently",
            "DNS server returned answer with no data",
            Reason::HostUnknown,
        ),
        (
            "has been delayed",
            "Could not contact DNS servers",
            Reason::Expired,
        ),
    ] {
        assert_rows(&explain(&old(failed, error)), &[("bob@rcpt.example", want)]);
    }
}

#[test]
fn the_diagnostic_shown_is_the_paragraph_of_the_servers_reply() {
    // Exim's delay warning: the reply's paragraph, then the notice's own words.
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.sender.example>\nTo: s@sender.example\nSubject: Warning: message 1XsaQZ-0005MG-8M delayed 24 hours\nX-Failed-Recipients: r@rcpt.example\n\nThis message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mx.sender.example.\n\nThe message identifier is:     1XsaQZ-0005MG-8M\n\nThe address to which the message has not yet been delivered is:\n\n  r@rcpt.example\n    host mx.rcpt.example [192.0.2.222]\n    Delay reason: SMTP error from remote mail server after RCPT TO:<r@rcpt.example>:\n    452 4.2.2 <r@rcpt.example>... Mailbox full\n\nNo action is required on your part. Delivery attempts will continue for\nsome time, and this warning may be repeated at intervals if the message\nremains undelivered.\n";
    let r = explain(raw);
    assert_rows(&r, &[("r@rcpt.example", Reason::MailboxFull)]);
    let d = &r.recipients[0].diagnostic;
    assert!(d.ends_with("Mailbox full"), "{d}");
    // A reply whose lines end in `\r\r\n` (a blank line between each) stays whole.
    let raw = "From: MAILER-DAEMON@df.sender.example\r\nTo: s@sender.example\r\nSubject: Mail delivery failed\r\n\r\nThere was an error delivering your mail to <r@rcpt.example>.\r\n\r\nmx.rcpt.example [192.0.2.1] did not like our final DATA:\r\n550-5.7.26 Unauthenticated email from sender.example is not accepted due to\r\r\n550-5.7.26 domain's DMARC policy.\r\r\n550 5.7.26 https://support.google.com/mail/?p=DmarcRejection x1 - gsmtp\r\n\r\nMessage headers follow.\r\n";
    let r = bounce::explain_bytes(raw.as_bytes());
    assert_rows(&r, &[("r@rcpt.example", Reason::AuthFailure)]);
    let d = &r.recipients[0].diagnostic;
    assert!(d.ends_with("x1 - gsmtp"), "{d}");
    assert!(d.contains("550 5.7.26 Unauthenticated email"), "{d}");
    assert!(!d.contains("550-5.7.26"), "{d}");
}

#[test]
fn a_feedback_report_is_advised_by_its_feedback_type() {
    let arf = |kind: &str| {
        format!(
            "From: fbl@rcpt.example\nTo: fbl@sender.example\nSubject: FW: report\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nThis is an email abuse report.\n\n--B\nContent-Type: message/feedback-report\n\nFeedback-Type: {kind}\nUser-Agent: SomeGenerator/1.0\nVersion: 1\nOriginal-Rcpt-To: <u@rcpt.example>\nSource-IP: 192.0.2.1\n\n--B\nContent-Type: text/rfc822-headers\n\nFrom: s@sender.example\nTo: u@rcpt.example\nSubject: hello\n\n--B--\n"
        )
    };
    let row = |kind: &str| {
        let r = explain(&arf(kind));
        assert_eq!(r.kind, ReportKind::Feedback, "{kind}");
        assert_eq!(r.feedback_type.as_deref(), Some(kind));
        r.recipients[0].clone()
    };
    let auth = row("auth-failure");
    assert_eq!(auth.cause, bounce::BounceCause::Authentication);
    assert!(
        auth.remediation.iter().any(|s| s.contains("DMARC")),
        "{auth:?}"
    );
    let abuse = row("abuse");
    assert_eq!(abuse.cause, bounce::BounceCause::Reputation);
    assert!(abuse.remediation[0].contains("reported the message as spam"));
    let opt_out = row("opt-out");
    assert_eq!(opt_out.cause, bounce::BounceCause::Recipient);
    assert!(opt_out.remediation[0].contains("unsubscribed"));
}

#[test]
fn a_receivers_code_is_recognised_once() {
    // Orange's OFR_506 is both a code with a meaning (advice) and a row of Orange's reply
    // table: one recognition says it.
    let r = bounce::explain_reply("550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]");
    let row = &r.recipients[0];
    assert_eq!(row.reason, Reason::SpamDetected);
    let orange: Vec<_> = row
        .recognitions
        .iter()
        .filter(|k| k.provider == "Orange")
        .collect();
    assert_eq!(orange.len(), 1, "{:?}", row.recognitions);
}

#[test]
fn a_delivery_programs_exit_status_is_said_in_words() {
    let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.rcpt.example>\nTo: s@sender.example\nSubject: Returned mail: see transcript for details\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\n\n   ----- The following addresses had permanent fatal errors -----\n\"|/usr/local/bin/procmail\"\n    (reason: 554 5.3.0 unknown mailer error 77)\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.rcpt.example\n\nFinal-Recipient: RFC822; u@rcpt.example\nX-Actual-Recipient: X-Unix; |/usr/local/bin/procmail\nAction: failed\nStatus: 5.3.0\nDiagnostic-Code: X-Unix; 77\n\n--B--\n";
    let r = explain(raw);
    assert_rows(&r, &[("u@rcpt.example", Reason::MailerError)]);
    let d = &r.recipients[0].diagnostic;
    assert!(d.starts_with("77 (") && d.contains("EX_NOPERM"), "{d}");
}

#[test]
fn an_amazon_ses_notification_names_the_message_it_is_about() {
    // SES through SNS: a JSON document whose `mail` object describes the sent message.
    let raw = r#"From: no-reply@sns.amazonaws.com
To: s@sender.example
Subject: AWS Notification Message

{"Type":"Notification","Message":"x","notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"u@rcpt.example","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"reportingMTA":"dsn; a1-2.smtp-out.amazonses.com"},"mail":{"source":"bounces@sender.example","messageId":"0101-ses-id","commonHeaders":{"from":["Shop <shop@sender.example>"],"to":["u@rcpt.example"],"messageId":"<orig-1@sender.example>","subject":"Your order"}}}
"#;
    let r = explain(raw);
    assert_rows(&r, &[("u@rcpt.example", Reason::UserUnknown)]);
    assert_eq!(
        r.reporting_mta.as_deref(),
        Some("a1-2.smtp-out.amazonses.com")
    );
    let o = &r.original;
    assert_eq!(o.envelope_from.as_deref(), Some("bounces@sender.example"));
    assert_eq!(o.from.as_deref(), Some("shop@sender.example"));
    assert_eq!(o.message_id.as_deref(), Some("orig-1@sender.example"));
    assert_eq!(o.subject.as_deref(), Some("Your order"));
    assert_eq!(o.to, vec!["u@rcpt.example".to_string()]);
}

#[test]
fn the_receivers_address_is_not_taken_for_the_senders() {
    // The IP after the refusing host's name is the receiver's, not the sender's.
    let raw = "From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)\nTo: s@sender.example\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mx.sender.example.\n\n<u@rcpt.example>: host mx.rcpt.example[192.0.2.7] said: 554 5.7.1 Service\n    unavailable; blocked using bl.spamcop.net (in reply to RCPT TO command)\n\n--- Below this line is a copy of the message.\n\nReceived: from out.sender.example (out.sender.example [198.51.100.9])\n\tby mx.sender.example (Postfix) with ESMTP id 1\nFrom: s@sender.example\nTo: u@rcpt.example\nSubject: hi\n";
    let r = explain(raw);
    assert_rows(&r, &[("u@rcpt.example", Reason::Blocked)]);
    // Nor is the client of the sending side's own hop (the notice is its MTA's, which names
    // another host as the one that refused): no receiver saw that address.
    assert!(r.hints.sending_ips.is_empty(), "{:?}", r.hints.sending_ips);
    // A notice the receiver wrote returns its own Received header: its client is the sender's
    // MTA as the receiver saw it.
    let raw = "From: MAILER-DAEMON@mx.rcpt.example\nTo: s@sender.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.rcpt.example\n\nFinal-Recipient: rfc822; u@rcpt.example\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n\n--B\nContent-Type: text/rfc822-headers\n\nReceived: from out.sender.example (out.sender.example [198.51.100.9])\n\tby mx.rcpt.example (Postfix) with ESMTP id 1\nFrom: s@sender.example\nTo: u@rcpt.example\nSubject: hi\n\n--B--\n";
    let r = explain(raw);
    assert_rows(&r, &[("u@rcpt.example", Reason::MailboxFull)]);
    assert_eq!(r.hints.sending_ips, vec!["198.51.100.9".to_string()]);
}

/// Trustwave Secure Email Gateway (formerly MailMarshal SMTP) as its notice template writes
/// it: a summary of the message, the reason, the recipients, and a trailer of its own fields.
const TRUSTWAVE: &str = "From: postmaster@gw.example.com\nTo: s@example.com\nSubject: Undeliverable Mail: \"Quarterly figures\"\nMIME-Version: 1.0\nContent-Type: text/plain; charset=\"iso-8859-1\"\n\nYour message:\n   From:    s@example.com\n   Subject: Quarterly figures\n\nCould not be delivered because of\n\n550 5.1.1 User unknown\n\nThe following recipients were affected: \n    bob@rcpt.example\n    carol@rcpt.example\n\n\nAdditional Information\n======================\nOriginal Sender:    <s@example.com>\nSender-MTA:         <192.0.2.250>\nRemote-MTA:\t\t\t<203.0.113.2>\nReporting-MTA:      <gw.example.com>\nMessageName:        <B000000001.00000000EEEE.0001.mml>\nLast-Attempt-Date:  <23:34:45 Thu, 29 Apr 2015>\n";

#[test]
fn trustwave_names_the_message_and_the_receiver_in_fields_of_its_own() {
    let r = explain(TRUSTWAVE);
    assert_rows(
        &r,
        &[
            ("bob@rcpt.example", Reason::UserUnknown),
            ("carol@rcpt.example", Reason::UserUnknown),
        ],
    );
    for row in &r.recipients {
        // The trailer is the gateway's, not the receiver's words.
        assert!(row.diagnostic.starts_with("550 5.1.1 User unknown"));
        assert!(
            !row.diagnostic.contains("Additional Information")
                && !row.diagnostic.contains("Remote-MTA"),
            "{}",
            row.diagnostic
        );
        assert_eq!(row.remote_mta.as_deref(), Some("203.0.113.2"));
    }
    assert_eq!(r.reporting_mta.as_deref(), Some("gw.example.com"));
    assert_eq!(r.original.envelope_from.as_deref(), Some("s@example.com"));
    assert_eq!(r.original.from.as_deref(), Some("s@example.com"));
    assert_eq!(r.original.subject.as_deref(), Some("Quarterly figures"));
    // The receiver's address is no hint of the sender's.
    assert!(
        !r.hints.sending_ips.iter().any(|ip| ip == "203.0.113.2"),
        "{:?}",
        r.hints.sending_ips
    );
}

#[test]
fn a_notices_summary_of_the_message_names_it_when_nothing_is_returned() {
    // Exchange 2003 and Domino describe the message in indented fields under "Your message"
    // and return none of it.
    let exchange = "From: postmaster@example.net\nTo: s@example.com\nSubject: Undeliverable: Kickoff\nMIME-Version: 1.0\nContent-Type: text/plain\n\nYour message\n\n  To:      bob@rcpt.example; carol@rcpt.example\n  Subject: Kickoff\n  Sent:    Thu, 29 Apr 2010 00:00:00 -0000\n\ndid not reach the following recipient(s):\n\nbob@rcpt.example on Thu, 29 Apr 2010 00:00:01 -0000\n    The e-mail account does not exist at the organization this message was sent to.\n    <mx.example.net #5.1.1 smtp;550 5.1.1 User unknown>\n";
    let r = explain(exchange);
    assert_rows(&r, &[("bob@rcpt.example", Reason::UserUnknown)]);
    assert_eq!(r.original.subject.as_deref(), Some("Kickoff"));
    assert_eq!(r.original.to, ["bob@rcpt.example", "carol@rcpt.example"]);
    assert_eq!(r.original.from, None);

    let domino = "From: Postmaster <postmaster@example.org>\nTo: s@example.com\nSubject: DELIVERY FAILURE: User bob (bob@rcpt.example) not listed in Domino Directory\nMIME-Version: 1.0\nContent-Type: text/plain\n\nYour message\n\n  Subject: Budget\n\nwas not delivered to:\n\n  bob@rcpt.example\n\nbecause:\n\n  User bob (bob@rcpt.example) not listed in Domino Directory\n";
    let r = explain(domino);
    assert_rows(&r, &[("bob@rcpt.example", Reason::UserUnknown)]);
    assert_eq!(r.original.subject.as_deref(), Some("Budget"));

    // A returned header block says more than a summary, and is kept.
    let returned = exchange.replace(
        "<mx.example.net #5.1.1 smtp;550 5.1.1 User unknown>\n",
        "<mx.example.net #5.1.1 smtp;550 5.1.1 User unknown>\n\n------ Original message follows ------\nFrom: s@example.com\nTo: bob@rcpt.example\nSubject: Kickoff (revised)\nMessage-ID: <k1@example.com>\n\nHello\n",
    );
    let r = explain(&returned);
    assert_eq!(r.original.subject.as_deref(), Some("Kickoff (revised)"));
    assert_eq!(r.original.to, ["bob@rcpt.example"]);
}

#[test]
fn a_returned_message_pasted_in_as_a_part_is_the_original() {
    // Mail2000 (X1) returns the message as a part whose own header block is the message's:
    // no message/rfc822 around it, no part headers of its own.
    let raw = "From: \"Mail Deliver System\" <MAILER-DAEMON>\nTo: s@example.jp\nSubject: Returned Mail: User unknown\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"--B\"\n\n----B\nContent-Type: text/plain\n\nThe original message was received at Thu, 29 Apr 2011 23:34:45 +0900 (JST)\nfrom s@example.jp\n\n---The following addresses had delivery errors---\n\nbob@rcpt.example [User unknown]\n\n----B\nReceived: from mail.example.jp ([198.51.100.7])\n    by relay.example.net with ESMTP; Thu, 29 Apr 2011 23:34:45 +0900\nMessage-Id: <m1@example.jp>\nFrom: S <s@example.jp>\nTo: bob@rcpt.example\nSubject: Lunch\nContent-Type: text/plain; charset=US-ASCII\n\nSee you at noon, bob@rcpt.example.\n\n----B--\n";
    let r = explain(raw);
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(
        r.recipients[0].recipient.as_deref(),
        Some("bob@rcpt.example")
    );
    assert_eq!(r.original.subject.as_deref(), Some("Lunch"));
    assert_eq!(r.original.message_id.as_deref(), Some("m1@example.jp"));
    assert_eq!(r.original.from.as_deref(), Some("s@example.jp"));
    // The message's body is not the notice's text.
    assert!(
        !r.recipients[0].diagnostic.contains("noon"),
        "{}",
        r.recipients[0].diagnostic
    );
    assert_eq!(r.hints.sending_ips, ["198.51.100.7"]);

    // Part headers alone (no From) make no returned message; nor does a first part, which is
    // the notice's own text whatever its header block says.
    let plain = raw.replace("From: S <s@example.jp>\n", "");
    assert_eq!(explain(&plain).original.subject, None);
    let first = "From: MAILER-DAEMON@example.net\nTo: s@example.jp\nSubject: failure notice\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\nFrom: MAILER-DAEMON@example.net\nMessage-Id: <n1@example.net>\nContent-Type: text/plain\n\n<bob@rcpt.example>:\n550 5.1.1 no such user\n\n--B--\n";
    let r = explain(first);
    assert_rows(&r, &[("bob@rcpt.example", Reason::UserUnknown)]);
    assert_eq!(r.original.message_id, None);
}

#[test]
fn a_recipient_named_only_in_headers_shows_the_paragraph_of_the_reply() {
    // Exim names the failed address in X-Failed-Recipients, and in its text by the local part
    // alone: the row's diagnostic is the paragraph that holds the server's reply, not the
    // notice's boilerplate above it.
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.jp>\nTo: s@example.jp\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: bob@rcpt.example\nAuto-Submitted: auto-replied\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  bob\n    SMTP error from remote mail server after MAIL FROM:<s@example.jp> SIZE=1543:\n    host mx.rcpt.example [192.0.2.20]: 550 5.7.0 Please use the smtp server of your ISP.\n\n------ This is a copy of the message, including all the headers. ------\n";
    let r = explain(raw);
    assert_eq!(r.recipients.len(), 1);
    let row = &r.recipients[0];
    assert_eq!(row.recipient.as_deref(), Some("bob@rcpt.example"));
    assert!(
        row.diagnostic
            .starts_with("bob SMTP error from remote mail server")
            && row
                .diagnostic
                .ends_with("Please use the smtp server of your ISP."),
        "{}",
        row.diagnostic
    );
    assert_eq!(row.reply_code.map(|c| c.get()), Some(550));
    assert_eq!(row.remote_mta.as_deref(), Some("mx.rcpt.example"));
}

#[test]
fn postfix_names_the_host_it_could_not_connect_to() {
    let raw = "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\nTo: s@example.com\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<bob@rcpt.example>: connect to mx1.rcpt.example[192.0.2.79]:25: Connection timed out\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; bob@rcpt.example\nAction: failed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; connect to mx1.rcpt.example[192.0.2.79]:25: Connection\n    timed out\n\n--B--\n";
    let r = explain(raw);
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(
        r.recipients[0].remote_mta.as_deref(),
        Some("mx1.rcpt.example")
    );
    // The host that could not be reached is no hint of the sender's address.
    assert!(!r.hints.sending_ips.iter().any(|ip| ip == "192.0.2.79"));
}

#[test]
fn a_receiver_known_by_its_address_alone_is_the_remote_mta() {
    // qmail-remote names the server by its address ("%s does not like recipient.").
    let qmail = "From: MAILER-DAEMON@mx.example.jp\nTo: s@example.jp\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.jp.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<bob@rcpt.example>:\n192.0.2.25 does not like recipient.\nRemote host said: 550 5.1.1 <bob@rcpt.example>: Recipient address rejected: User unknown\nGiving up on 192.0.2.25.\n\n--- Below this line is a copy of the message.\n";
    let r = explain(qmail);
    assert_rows(&r, &[("bob@rcpt.example", Reason::UserUnknown)]);
    assert_eq!(r.recipients[0].remote_mta.as_deref(), Some("192.0.2.25"));
    assert!(r.hints.sending_ips.is_empty(), "{:?}", r.hints.sending_ips);

    // Exim writes a host with no name as its address twice ("host %s [%s]").
    let exim = "From: Mail Delivery System <Mailer-Daemon@mx.example.jp>\nTo: s@example.jp\nSubject: Mail delivery failed: returning message to sender\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  bob@rcpt.example\n    SMTP error from remote mail server after RCPT TO:<bob@rcpt.example>:\n    host 192.0.2.22 [192.0.2.22]: 550 5.1.1 <bob@rcpt.example>: User unknown\n";
    let r = explain(exim);
    assert_rows(&r, &[("bob@rcpt.example", Reason::UserUnknown)]);
    assert_eq!(r.recipients[0].remote_mta.as_deref(), Some("192.0.2.22"));
    assert!(r.hints.sending_ips.is_empty(), "{:?}", r.hints.sending_ips);

    // Gmail names the host before its bracketed address: the name is the remote MTA.
    let gmail = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: s@gmail.example.com\nSubject: Delivery Status Notification (Failure)\n\nDelivery to the following recipient failed permanently:\n\n     bob@rcpt.example\n\nTechnical details of permanent failure:\nThe recipient server did not accept our requests to connect.\n[(0) mx9.rcpt.example. [192.0.2.135]:25: socket error]\n";
    let r = explain(gmail);
    assert_eq!(
        r.recipients[0].remote_mta.as_deref(),
        Some("mx9.rcpt.example")
    );
}

/// MDaemon's notice, whose only account of the failure is its session transcript.
fn mdaemon_notice(session: &str) -> String {
    format!(
        "Return-Path: <>\nFrom: \"MDaemon at mail.example.com\" <MDaemon@mail.example.com>\nTo: s@example.com\nSubject: Permanent Delivery Failure\n\nThe attached message had PERMANENT fatal delivery errors!\n\nAfter one or more unsuccessful delivery attempts the attached message has\nbeen removed from the mail queue on this server.\n\n  --- Session Transcript ---\n Mon 2026-11-30 10:00:00.123: Parsing message <mail.example.com\\pd50000012345.msg>\n Mon 2026-11-30 10:00:00.124: *  From: s@example.com\n Mon 2026-11-30 10:00:00.125: Attempting SMTP connection to [mx.example.net : 25]\n Mon 2026-11-30 10:00:00.300: <-- 220 mx.example.net ESMTP\n Mon 2026-11-30 10:00:00.301: --> EHLO mail.example.com\n Mon 2026-11-30 10:00:00.400: <-- 250 mx.example.net\n Mon 2026-11-30 10:00:00.401: --> MAIL From:<s@example.com> SIZE=1234\n Mon 2026-11-30 10:00:00.500: <-- 250 2.1.0 Ok\n{session}  --- End Transcript ---\n"
    )
}

#[test]
fn mdaemon_transcript_names_the_refused_recipients() {
    // A refused RCPT (its multi-line reply joined); an accepted one is no failure.
    let r = explain(&mdaemon_notice(
        " Mon 2026-11-30 10:00:00.501: --> RCPT To:<ok@example.net>\n Mon 2026-11-30 10:00:00.550: <-- 250 2.1.5 Ok\n Mon 2026-11-30 10:00:00.551: --> RCPT To:<carol@example.net>\n Mon 2026-11-30 10:00:00.600: <-- 552-5.2.2 The email account that you tried to reach is over quota.\n Mon 2026-11-30 10:00:00.600: <-- 552 5.2.2 Please direct the recipient to the help page.\n Mon 2026-11-30 10:00:00.601: --> QUIT\n",
    ));
    assert_eq!(r.kind, ReportKind::Bounce);
    assert_rows(&r, &[("carol@example.net", Reason::MailboxFull)]);
    let diagnostic = &r.recipients[0].diagnostic;
    assert!(diagnostic.contains("help page"), "{diagnostic}");
    // A refusal of the message after DATA fails every recipient the session accepted.
    let r = explain(&mdaemon_notice(
        " Mon 2026-11-30 10:00:00.501: --> RCPT To:<a@example.net>\n Mon 2026-11-30 10:00:00.550: <-- 250 2.1.5 Ok\n Mon 2026-11-30 10:00:00.551: --> RCPT To:<b@example.net>\n Mon 2026-11-30 10:00:00.560: <-- 250 2.1.5 Ok\n Mon 2026-11-30 10:00:00.561: --> DATA\n Mon 2026-11-30 10:00:00.570: <-- 354 End data with <CR><LF>.<CR><LF>\n Mon 2026-11-30 10:00:00.900: <-- 554 5.7.1 Message rejected as spam by Content Filtering\n",
    ));
    assert_rows(
        &r,
        &[
            ("a@example.net", Reason::SpamDetected),
            ("b@example.net", Reason::SpamDetected),
        ],
    );
}

#[test]
fn communigate_quotes_the_failed_recipient() {
    let raw = "Return-Path: <>\nFrom: MAILER-DAEMON@mail.example.com\nTo: s@example.com\nSubject: Undeliverable mail: Failed to deliver to '<erin@example.net>'\n\nFailed to deliver to '<erin@example.net>'\nSMTP module(domain example.net) reports:\n mx.example.net: 550 5.1.1 <erin@example.net>: Recipient address rejected: User unknown\n";
    assert_rows(&explain(raw), &[("erin@example.net", Reason::UserUnknown)]);
}

#[test]
fn sendmails_error_lines_with_an_enhanced_status_name_their_recipient() {
    // Sendmail's text notice (no delivery-status part): its transcript, then each failed
    // recipient on a line of its own, `550 5.1.1 <addr>... reason`, the enhanced status between
    // the reply code and the address.
    let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\nTo: s@example.com\nSubject: Returned mail: see transcript for details\n\n   ----- Transcript of session follows -----\n... while talking to mx.example.net.:\n>>> RCPT To:<dave@example.net>\n<<< 550 5.1.1 <dave@example.net>... User unknown\n550 5.1.1 <dave@example.net>... User unknown\n552 5.2.2 <erin@example.net>... Mailbox full\n";
    assert_rows(
        &explain(raw),
        &[
            ("dave@example.net", Reason::UserUnknown),
            ("erin@example.net", Reason::MailboxFull),
        ],
    );
}

#[test]
fn courier_signs_its_notices_as_its_mail_server() {
    // Courier's default `dsnfrom` ("Courier mail server at <host>" <@>, no address) and its
    // subject say a notice; here its text alone, without the delivery-status part.
    let raw = "From: \"Courier mail server at mx.example.org\" <@>\nTo: s@example.com\nSubject: NOTICE: mail delivery status.\n\nThis is a delivery status notification from mx.example.org,\nrunning the Courier mail server, version 1.0.16.\n\n                           UNDELIVERABLE MAIL\n\nYour message to the following recipients cannot be delivered:\n\n<frank@example.net>:\n    mx.example.net [192.0.2.1]:\n>>> RCPT TO:<frank@example.net>\n<<< 550 5.1.1 <frank@example.net>: Recipient address rejected: User unknown\n";
    assert_rows(&explain(raw), &[("frank@example.net", Reason::UserUnknown)]);
}

#[test]
fn postfix_text_names_its_local_failures() {
    // Postfix's notice text alone (no delivery-status part, so no status to lean on): local(8)'s
    // unknown user and full mailbox (mailbox_size_limit, EFBIG) beside a remote refusal.
    let raw = "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\nTo: s@example.com\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mx.example.org.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\n                   The mail system\n\n<gina@example.org> (expanded from <alias@example.org>): unknown user: \"gina\"\n\n<hank@example.org>: cannot update mailbox /var/mail/hank for user hank. error\n    writing message: File too large\n\n<ivy@example.net>: host mx.example.net[192.0.2.1] said: 554 5.7.1 Spam message\n    rejected (in reply to end of DATA command)\n";
    assert_rows(
        &explain(raw),
        &[
            ("gina@example.org", Reason::UserUnknown),
            ("hank@example.org", Reason::MailboxFull),
            ("ivy@example.net", Reason::SpamDetected),
        ],
    );
}

#[test]
fn gmails_blocked_and_delayed_notices_name_their_recipient() {
    // Gmail's notice text, without its delivery-status part: "Your message to <addr> has been
    // blocked." and "There was a temporary problem delivering your message to <addr>."
    let notice = |body: &str| {
        format!(
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: s@gmail.com\nSubject: Delivery Status Notification (Failure)\n\n{body}\n"
        )
    };
    let r = explain(&notice(
        "** Message blocked **\n\nYour message to jack@example.net has been blocked. See technical details below for more information.\n\nThe response was:\n\n550 5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.",
    ));
    assert_rows(&r, &[("jack@example.net", Reason::AuthFailure)]);
    let r = explain(&notice(
        "** Delivery incomplete **\n\nThere was a temporary problem delivering your message to kate@example.net. Gmail will retry for 47 more hours. You'll be notified if the delivery fails permanently.\n\nThe response was:\n\nThe recipient server did not accept our requests to connect. [mx.example.net 192.0.2.1: timed out]",
    ));
    assert_eq!(rows(&r).len(), 1);
    assert_eq!(
        r.recipients[0].recipient.as_deref(),
        Some("kate@example.net")
    );
}
