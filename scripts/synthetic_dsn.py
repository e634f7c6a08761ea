"""A synthetic Postfix-style DSN for the bench scripts that compare fivefifty with Sisimai on
one reply at a time (bench/bounce_phrases_vs_sisimai.sh, bench/bounce_receivers_vs_sisimai.sh).

    from synthetic_dsn import postfix_dsn
    msg = postfix_dsn(reply="550 5.1.1 User unknown", command="RCPT TO")
"""


def postfix_dsn(reply, command, status="5.0.0", recipient="bob@rcpt.example",
                remote="mx.rcpt.example"):
    """A multipart/report bounce from Postfix at mx.sender.example: the human text naming the
    recipient, the remote host and the reply to `command`, the delivery-status fields (with
    `status` and the reply as Diagnostic-Code) and the returned headers; CRLF line ends."""
    msg = f"""Return-Path: <>
From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)
To: alice@sender.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

This is the mail system at host mx.sender.example.

<{recipient}>: host {remote}[192.0.2.1] said: {reply} (in reply to {command} command)

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example

Final-Recipient: rfc822; {recipient}
Action: failed
Status: {status}
Remote-MTA: dns; {remote}
Diagnostic-Code: smtp; {reply}

--B1
Content-Type: text/rfc822-headers

From: alice@sender.example
To: {recipient}
Subject: hello

--B1--
"""
    return msg.replace("\n", "\r\n")


def qmail_bounce(reply, command, recipient="bob@rcpt.example", remote="mx.rcpt.example"):
    """The same refusal in qmail-send's plain-text notice (qmail-remote's wording: "does not
    like recipient" at RCPT, "failed after I sent the message" after DATA)."""
    said = ("192.0.2.1 does not like recipient." if command == "RCPT TO"
            else "192.0.2.1 failed after I sent the message.")
    msg = f"""Return-Path: <>
From: MAILER-DAEMON@mx.sender.example
To: alice@sender.example
Subject: failure notice

Hi. This is the qmail-send program at mx.sender.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<{recipient}>:
{said}
Remote host said: {reply}
Giving up on 192.0.2.1.

--- Below this line is a copy of the message.

From: alice@sender.example
To: {recipient}
Subject: hello
"""
    return msg.replace("\n", "\r\n")


def exim_bounce(reply, command, recipient="bob@rcpt.example", remote="mx.rcpt.example"):
    """The same refusal in Exim's plain-text notice (its default bounce_message_text)."""
    after = f"RCPT TO:<{recipient}>" if command == "RCPT TO" else "end of data"
    msg = f"""Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@mx.sender.example>
To: alice@sender.example
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: {recipient}
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {recipient}
    host {remote} [192.0.2.1]
    SMTP error from remote mail server after {after}:
    {reply}

------ This is a copy of the message, including all the headers. ------

From: alice@sender.example
To: {recipient}
Subject: hello
"""
    return msg.replace("\n", "\r\n")


def sendmail_bounce(reply, command, status="5.0.0", recipient="bob@rcpt.example",
                    remote="mx.rcpt.example"):
    """The same refusal in Sendmail's DSN: the fatal-errors list, the session transcript and
    the delivery-status fields."""
    sent = f"RCPT To:<{recipient}>" if command == "RCPT TO" else "DATA"
    code, _, text = reply.partition(" ")
    msg = f"""Return-Path: <>
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
<{recipient}>
    (reason: {text})

   ----- Transcript of session follows -----
... while talking to {remote}.:
>>> {sent}
<<< {reply}
{code} {status} <{recipient}>... {text}

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example

Final-Recipient: RFC822; {recipient}
Action: failed
Status: {status}
Remote-MTA: DNS; {remote}
Diagnostic-Code: SMTP; {reply}

--B1
Content-Type: text/rfc822-headers

From: alice@sender.example
To: {recipient}
Subject: hello

--B1--
"""
    return msg.replace("\n", "\r\n")


def exchange_ndr(reply, command, recipient="bob@rcpt.example", remote="mx.rcpt.example"):
    """The same refusal in an Exchange 2010+ / Exchange Online plain-text NDR (the reply under
    "Diagnostic information for administrators")."""
    msg = f"""Return-Path: <>
From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@sender.example>
To: alice@sender.example
Subject: Undeliverable: hello
Content-Language: en-US
Auto-Submitted: auto-replied
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

{recipient} ({recipient})
Your message couldn't be delivered. Despite repeated attempts to deliver your message, the recipient's email system refused to accept a connection from your email system.

Diagnostic information for administrators:

Generating server: mail.sender.example

{recipient}
{remote}
Remote Server returned '{reply}'

Original message headers:

From: alice@sender.example
To: {recipient}
Subject: hello
"""
    return msg.replace("\n", "\r\n")


def opensmtpd_bounce(reply, command, recipient="bob@rcpt.example", remote="mx.rcpt.example"):
    """The same refusal in OpenSMTPD's notice."""
    msg = f"""Return-Path: <>
From: Mailer Daemon <MAILER-DAEMON@mx.sender.example>
To: alice@sender.example
Subject: Delivery status notification: error
Content-Type: text/plain; charset=us-ascii

Hi!

This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.

An error has occurred while attempting to deliver a message for
the following list of recipients:

{recipient}: {reply}

Below is a copy of the original message:

From: alice@sender.example
To: {recipient}
Subject: hello
"""
    return msg.replace("\n", "\r\n")


# The layouts the phrase bench can wrap a reply in (its LAYOUT variable).
LAYOUTS = {
    "postfix": postfix_dsn,
    "qmail": qmail_bounce,
    "exim": exim_bounce,
    "sendmail": sendmail_bounce,
    "exchange": exchange_ndr,
    "opensmtpd": opensmtpd_bounce,
}
