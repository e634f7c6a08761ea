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
