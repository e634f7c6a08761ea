"""Synthetic bounces for the bench scripts that compare fivefifty with Sisimai on one reply at a
time (bench/bounce_phrases_vs_sisimai.sh, bench/bounce_receivers_vs_sisimai.sh).

    from synthetic_dsn import LAYOUTS, postfix_dsn
    msg = postfix_dsn("550 5.1.1 User unknown", "RCPT TO")
    msg = LAYOUTS["qmail"]("550 5.1.1 User unknown", "end of DATA")

Each MTA's notice is a template under tests/fixtures/layouts/ (the same ones
tests/bounce_layout_invariance.rs reads): a comment line, a `stage:` line giving the words for a
refusal at RCPT TO and after DATA, then the message with {REPLY}, {CODE}, {TEXT}, {STATUS},
{RECIPIENT}, {REMOTE} and {STAGE} to fill. The result has CRLF line ends.
"""
import os

LAYOUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                          "layouts")
NAMES = ("postfix", "qmail", "exim", "sendmail", "exchange", "opensmtpd")


def _layout(name):
    """The function that fills the named template."""
    with open(os.path.join(LAYOUT_DIR, name + ".eml.in"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    rcpt, data = (w.strip() for w in lines[1][len("stage:"):].split("|"))
    template = "\n".join(lines[2:])

    def make(reply, command, status="5.0.0", recipient="bob@rcpt.example",
             remote="mx.rcpt.example"):
        """The notice refusing `recipient` with `reply`, at RCPT TO or after DATA (`command`)."""
        stage = rcpt if command.upper().startswith("RCPT") else data
        code, _, text = reply.partition(" ")
        msg = template.replace("{STAGE}", stage)
        for key, value in (("{REPLY}", reply), ("{CODE}", code), ("{TEXT}", text),
                           ("{STATUS}", status), ("{RECIPIENT}", recipient), ("{REMOTE}", remote)):
            msg = msg.replace(key, value)
        return msg.replace("\n", "\r\n")

    return make


# The layouts the phrase bench can wrap a reply in (its LAYOUT variable).
LAYOUTS = {name: _layout(name) for name in NAMES}
postfix_dsn = LAYOUTS["postfix"]
