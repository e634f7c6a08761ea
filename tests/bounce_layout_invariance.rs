//! Layout invariance: one remote refusal, wrapped in the notices of six MTAs (a Postfix DSN,
//! qmail, Exim, Sendmail, Exchange and OpenSMTPD, in each one's documented wording), must read
//! as the bare reply does, with the recipient found. A rule that leans on one MTA's layout, or
//! on the boilerplate around the reply ("I've given up", "This is a permanent error"), shows
//! here as one layout disagreeing. The same notices are the phrase bench's `LAYOUT`s
//! (`scripts/synthetic_dsn.py`).

use fivefifty::bounce;

/// When the receiver refused: at RCPT TO, or after the message was sent.
#[derive(Clone, Copy)]
enum Stage {
    Rcpt,
    Data,
}
use Stage::{Data, Rcpt};

/// A notice refusing `bob@rcpt.example`, with the refusal at RCPT TO and after DATA: `{REPLY}`
/// is the reply, `{CODE}` and `{TEXT}` its code and words (Sendmail writes them apart).
struct Layout {
    mta: &'static str,
    rcpt: &'static str,
    data: &'static str,
}

const LAYOUTS: &[Layout] = &[
    Layout {
        mta: "postfix",
        rcpt: r#"Return-Path: <>
From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)
To: alice@sender.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

This is the mail system at host mx.sender.example.

<bob@rcpt.example>: host mx.rcpt.example[192.0.2.1] said: {REPLY} (in reply to RCPT TO command)

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example

Final-Recipient: rfc822; bob@rcpt.example
Action: failed
Status: 5.0.0
Remote-MTA: dns; mx.rcpt.example
Diagnostic-Code: smtp; {REPLY}

--B1
Content-Type: text/rfc822-headers

From: alice@sender.example
To: bob@rcpt.example
Subject: hello

--B1--
"#,
        data: r#"Return-Path: <>
From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)
To: alice@sender.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

This is the mail system at host mx.sender.example.

<bob@rcpt.example>: host mx.rcpt.example[192.0.2.1] said: {REPLY} (in reply to end of DATA command)

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example

Final-Recipient: rfc822; bob@rcpt.example
Action: failed
Status: 5.0.0
Remote-MTA: dns; mx.rcpt.example
Diagnostic-Code: smtp; {REPLY}

--B1
Content-Type: text/rfc822-headers

From: alice@sender.example
To: bob@rcpt.example
Subject: hello

--B1--
"#,
    },
    Layout {
        mta: "qmail",
        rcpt: r#"Return-Path: <>
From: MAILER-DAEMON@mx.sender.example
To: alice@sender.example
Subject: failure notice

Hi. This is the qmail-send program at mx.sender.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<bob@rcpt.example>:
192.0.2.1 does not like recipient.
Remote host said: {REPLY}
Giving up on 192.0.2.1.

--- Below this line is a copy of the message.

From: alice@sender.example
To: bob@rcpt.example
Subject: hello
"#,
        data: r#"Return-Path: <>
From: MAILER-DAEMON@mx.sender.example
To: alice@sender.example
Subject: failure notice

Hi. This is the qmail-send program at mx.sender.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<bob@rcpt.example>:
192.0.2.1 failed after I sent the message.
Remote host said: {REPLY}
Giving up on 192.0.2.1.

--- Below this line is a copy of the message.

From: alice@sender.example
To: bob@rcpt.example
Subject: hello
"#,
    },
    Layout {
        mta: "exim",
        rcpt: r#"Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@mx.sender.example>
To: alice@sender.example
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: bob@rcpt.example
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  bob@rcpt.example
    host mx.rcpt.example [192.0.2.1]
    SMTP error from remote mail server after RCPT TO:<bob@rcpt.example>:
    {REPLY}

------ This is a copy of the message, including all the headers. ------

From: alice@sender.example
To: bob@rcpt.example
Subject: hello
"#,
        data: r#"Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@mx.sender.example>
To: alice@sender.example
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: bob@rcpt.example
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  bob@rcpt.example
    host mx.rcpt.example [192.0.2.1]
    SMTP error from remote mail server after end of data:
    {REPLY}

------ This is a copy of the message, including all the headers. ------

From: alice@sender.example
To: bob@rcpt.example
Subject: hello
"#,
    },
    Layout {
        mta: "sendmail",
        rcpt: r#"Return-Path: <>
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.sender.example>
To: alice@sender.example
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1

The original message was received at Tue, 3 Mar 2015 10:00:00 +0900
from localhost [127.0.0.1]

   ----- The following addresses had permanent fatal errors -----
<bob@rcpt.example>
    (reason: {TEXT})

   ----- Transcript of session follows -----
... while talking to mx.rcpt.example.:
>>> RCPT To:<bob@rcpt.example>
<<< {CODE} {TEXT}
{CODE} 5.0.0 <bob@rcpt.example>... {TEXT}

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example

Final-Recipient: RFC822; bob@rcpt.example
Action: failed
Status: 5.0.0
Remote-MTA: DNS; mx.rcpt.example
Diagnostic-Code: SMTP; {CODE} {TEXT}

--B1
Content-Type: text/rfc822-headers

From: alice@sender.example
To: bob@rcpt.example
Subject: hello

--B1--
"#,
        data: r#"Return-Path: <>
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.sender.example>
To: alice@sender.example
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1

The original message was received at Tue, 3 Mar 2015 10:00:00 +0900
from localhost [127.0.0.1]

   ----- The following addresses had permanent fatal errors -----
<bob@rcpt.example>
    (reason: {TEXT})

   ----- Transcript of session follows -----
... while talking to mx.rcpt.example.:
>>> DATA
<<< {CODE} {TEXT}
{CODE} 5.0.0 <bob@rcpt.example>... {TEXT}

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example

Final-Recipient: RFC822; bob@rcpt.example
Action: failed
Status: 5.0.0
Remote-MTA: DNS; mx.rcpt.example
Diagnostic-Code: SMTP; {CODE} {TEXT}

--B1
Content-Type: text/rfc822-headers

From: alice@sender.example
To: bob@rcpt.example
Subject: hello

--B1--
"#,
    },
    Layout {
        mta: "exchange",
        rcpt: r#"Return-Path: <>
From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@sender.example>
To: alice@sender.example
Subject: Undeliverable: hello
Content-Language: en-US
Auto-Submitted: auto-replied
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

bob@rcpt.example (bob@rcpt.example)
Your message couldn't be delivered. Despite repeated attempts to deliver your message, the recipient's email system refused to accept a connection from your email system.

Diagnostic information for administrators:

Generating server: mail.sender.example

bob@rcpt.example
mx.rcpt.example
Remote Server returned '{REPLY}'

Original message headers:

From: alice@sender.example
To: bob@rcpt.example
Subject: hello
"#,
        data: r#"Return-Path: <>
From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@sender.example>
To: alice@sender.example
Subject: Undeliverable: hello
Content-Language: en-US
Auto-Submitted: auto-replied
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

bob@rcpt.example (bob@rcpt.example)
Your message couldn't be delivered. Despite repeated attempts to deliver your message, the recipient's email system refused to accept a connection from your email system.

Diagnostic information for administrators:

Generating server: mail.sender.example

bob@rcpt.example
mx.rcpt.example
Remote Server returned '{REPLY}'

Original message headers:

From: alice@sender.example
To: bob@rcpt.example
Subject: hello
"#,
    },
    Layout {
        mta: "opensmtpd",
        rcpt: r#"Return-Path: <>
From: Mailer Daemon <MAILER-DAEMON@mx.sender.example>
To: alice@sender.example
Subject: Delivery status notification: error
Content-Type: text/plain; charset=us-ascii

Hi!

This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.

An error has occurred while attempting to deliver a message for
the following list of recipients:

bob@rcpt.example: {REPLY}

Below is a copy of the original message:

From: alice@sender.example
To: bob@rcpt.example
Subject: hello
"#,
        data: r#"Return-Path: <>
From: Mailer Daemon <MAILER-DAEMON@mx.sender.example>
To: alice@sender.example
Subject: Delivery status notification: error
Content-Type: text/plain; charset=us-ascii

Hi!

This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.

An error has occurred while attempting to deliver a message for
the following list of recipients:

bob@rcpt.example: {REPLY}

Below is a copy of the original message:

From: alice@sender.example
To: bob@rcpt.example
Subject: hello
"#,
    },
];

/// Permanent refusals as the common receivers write them, with the stage they answer.
const REPLIES: &[(Stage, &str)] = &[
    (
        Rcpt,
        "550 5.1.1 <bob@rcpt.example>: Recipient address rejected: User unknown in local recipient table",
    ),
    (
        Rcpt,
        "550 5.1.1 The email account that you tried to reach does not exist.",
    ),
    (Rcpt, "552 5.2.2 <bob@rcpt.example>: Mailbox full"),
    (
        Data,
        "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    ),
    (
        Data,
        "550 5.7.1 Message rejected as spam by Content Filtering",
    ),
    (Data, "554 5.7.1 Virus found in message"),
    (
        Data,
        "552 5.3.4 Message size exceeds fixed maximum message size",
    ),
    (
        Rcpt,
        "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
    ),
    (
        Rcpt,
        "550 5.7.25 The IP address sending this message does not have a PTR record setup.",
    ),
    (
        Rcpt,
        "550 5.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.1]",
    ),
    (Rcpt, "554 5.7.1 <bob@rcpt.example>: Relay access denied"),
    (Rcpt, "550 5.1.2 Host or domain name not found"),
    (
        Rcpt,
        "550 5.2.1 The email account that you tried to reach is disabled.",
    ),
    (
        Rcpt,
        "550 5.7.606 Access denied, banned sending IP [192.0.2.1].",
    ),
    (
        Rcpt,
        "550 5.7.509 Access denied, sending domain [SENDER.EXAMPLE] does not pass DMARC verification and has a DMARC policy of reject.",
    ),
    (
        Data,
        "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list.",
    ),
    (Rcpt, "554 5.7.9 Message not accepted for policy reasons."),
    (
        Rcpt,
        "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
    ),
    (
        Rcpt,
        "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)",
    ),
    (
        Rcpt,
        "550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required",
    ),
    (
        Rcpt,
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    ),
    (
        Rcpt,
        "550 5.5.0 Requested action not taken: mailbox unavailable",
    ),
    (Rcpt, "550 5.7.0 Local Policy Violation"),
    (
        Rcpt,
        "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
    ),
    (Rcpt, "553 5.1.8 Domain of sender address does not exist"),
    (Rcpt, "550 5.4.5 Daily user sending quota exceeded."),
    (Data, "554 5.6.0 Message contains invalid header"),
    (
        Data,
        "550 5.7.350 Remote server returned message detected as spam",
    ),
    (
        Data,
        "554 5.7.1 The message from (<alice@sender.example>) with the subject of (hello) matches a profile the Internet community may consider spam.",
    ),
    (Rcpt, "550 5.1.0 Address rejected."),
];

#[test]
fn a_reply_reads_the_same_in_every_layout() {
    let mut mismatches = Vec::new();
    for &(stage, reply) in REPLIES {
        let (code, text) = reply.split_once(' ').unwrap_or((reply, ""));
        let mut reasons = Vec::new();
        for layout in LAYOUTS {
            let template = match stage {
                Rcpt => layout.rcpt,
                Data => layout.data,
            };
            let raw = template
                .replace("{REPLY}", reply)
                .replace("{CODE}", code)
                .replace("{TEXT}", text)
                .replace('\n', "\r\n");
            let report = bounce::explain_bytes(raw.as_bytes());
            match report.recipients.as_slice() {
                [row] if row.recipient.as_deref() == Some("bob@rcpt.example") => {
                    reasons.push((layout.mta, row.reason));
                }
                rows => mismatches.push(format!(
                    "{}: rows {:?}: {reply}",
                    layout.mta,
                    rows.iter()
                        .map(|r| r.recipient.as_deref())
                        .collect::<Vec<_>>()
                )),
            }
        }
        // Every layout as the Postfix DSN reads it (whose fields state the stage exactly).
        if let Some(&(_, first)) = reasons.first() {
            for (mta, reason) in &reasons {
                if *reason != first {
                    mismatches.push(format!("{mta}: {reason} (postfix {first}): {reply}"));
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
