#!/usr/bin/env python3
"""A scripted SMTP receiver for making real-MTA bounces (see scripts/real_mta_bounces.sh).

It listens on 127.0.0.1:PORT and answers each recipient by its local part with a fixed reply,
either at RCPT TO (the address is refused) or at the end of DATA (the content is refused). A
recipient whose local part is not in the table is accepted and the message is discarded. A
"+tag" after the local part is ignored ("full+multi" answers as "full").

Standard library only (asyncio streams), no smtpd (removed in Python 3.12). It is a test tool
for loopback: no TLS, no AUTH, no size limit beyond MAX_LINE and MAX_DATA.

    python3 scripts/smtp_responder.py --port 2525 [--log FILE]

Stop it with SIGTERM or Ctrl-C.
"""

import argparse
import asyncio
import signal
import sys
import time

# local part -> (stage, reply). stage is "rcpt" (the reply answers RCPT TO) or "data" (the
# reply answers the final dot of DATA; the RCPT is accepted). A reply with several lines is
# sent as a multi-line reply.
SCENARIOS = {
    "unknown": ("rcpt", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table"),
    "full": ("rcpt", "552 5.2.2 <{rcpt}>: Mailbox full"),
    "fullsoft": ("rcpt", "452 4.2.2 <{rcpt}>: Mailbox full, try again later"),
    "blocked": ("rcpt", "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org"),
    "spam": ("data", "550 5.7.1 Message rejected as spam by content filter"),
    "dmarc": ("data", "550 5.7.26 Unauthenticated email from sender.test is not accepted due to domain's DMARC policy"),
    "relay": ("rcpt", "554 5.7.1 <{rcpt}>: Relay access denied"),
    "big": ("data", "552 5.3.4 Message size exceeds fixed maximum message size"),
    "virus": ("data", "554 5.7.1 Virus found: Eicar-Test-Signature"),
    "ptr": ("rcpt", "550 5.7.25 The IP address sending this message does not have a PTR record"),
    "defer": ("rcpt", "451 4.3.0 Temporary failure"),
}

MAX_LINE = 4096
MAX_DATA = 10 * 1024 * 1024
HOSTNAME = "mx.rcpt.test"

LOG = sys.stderr


def log(peer, direction, text):
    print(f"{time.strftime('%H:%M:%S')} {peer} {direction} {text}", file=LOG, flush=True)


def local_part(address):
    address = address.strip().strip("<>")
    # "unknown+multi" is scenario "unknown": a tag lets one message carry several scenarios.
    return address.split("@", 1)[0].split("+", 1)[0].lower(), address


async def reply(writer, peer, text):
    lines = text.split("\n")
    code = lines[0][:3]
    out = []
    for i, line in enumerate(lines):
        body = line[4:] if line[:3] == code else line
        sep = " " if i == len(lines) - 1 else "-"
        out.append(f"{code}{sep}{body}")
    for line in out:
        log(peer, ">", line)
    writer.write(("\r\n".join(out) + "\r\n").encode())
    await writer.drain()


async def read_line(reader):
    line = await reader.readline()
    if not line:
        return None
    return line[:MAX_LINE].decode("utf-8", "replace").rstrip("\r\n")


async def session(reader, writer):
    peer = "%s:%s" % writer.get_extra_info("peername")[:2]
    await reply(writer, peer, f"220 {HOSTNAME} ESMTP scripted responder")
    mail_from = None
    data_replies = []
    accepted = []
    try:
        while True:
            line = await read_line(reader)
            if line is None:
                break
            log(peer, "<", line)
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                if verb == "EHLO":
                    await reply(writer, peer, f"250 {HOSTNAME}\n250 8BITMIME\n250 ENHANCEDSTATUSCODES\n250 PIPELINING")
                else:
                    await reply(writer, peer, f"250 {HOSTNAME}")
            elif verb == "MAIL":
                mail_from = line[10:].strip()
                data_replies, accepted = [], []
                await reply(writer, peer, "250 2.1.0 Ok")
            elif verb == "RCPT":
                if mail_from is None:
                    await reply(writer, peer, "503 5.5.1 Error: need MAIL command")
                    continue
                arg = line[8:].strip().split(" ", 1)[0]
                name, address = local_part(arg)
                stage, text = SCENARIOS.get(name, ("accept", None))
                if stage == "rcpt":
                    await reply(writer, peer, text.format(rcpt=address))
                else:
                    accepted.append(address)
                    if stage == "data":
                        data_replies.append(text.format(rcpt=address))
                    await reply(writer, peer, "250 2.1.5 Ok")
            elif verb == "DATA":
                if not accepted:
                    await reply(writer, peer, "554 5.5.1 Error: no valid recipients")
                    continue
                await reply(writer, peer, "354 End data with <CR><LF>.<CR><LF>")
                size = 0
                while True:
                    raw = await reader.readline()
                    if not raw:
                        return
                    size += len(raw)
                    if raw.rstrip(b"\r\n") == b".":
                        break
                    if size > MAX_DATA:
                        await reply(writer, peer, "552 5.3.4 Message too big for this responder")
                        return
                log(peer, "<", f"[{size} bytes of DATA for {', '.join(accepted)}]")
                if data_replies:
                    await reply(writer, peer, data_replies[0])
                else:
                    await reply(writer, peer, "250 2.0.0 Ok: discarded")
                mail_from, data_replies, accepted = None, [], []
            elif verb == "RSET":
                mail_from, data_replies, accepted = None, [], []
                await reply(writer, peer, "250 2.0.0 Ok")
            elif verb == "NOOP":
                await reply(writer, peer, "250 2.0.0 Ok")
            elif verb == "QUIT":
                await reply(writer, peer, "221 2.0.0 Bye")
                break
            else:
                await reply(writer, peer, "502 5.5.2 Error: command not recognized")
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    global LOG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--log", help="append the SMTP dialogue to this file (default stderr)")
    args = parser.parse_args()
    if args.log:
        LOG = open(args.log, "a", encoding="utf-8")
    server = await asyncio.start_server(session, "127.0.0.1", args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log("-", "*", f"listening on 127.0.0.1:{args.port}")
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
