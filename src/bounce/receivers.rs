//! Receivers whose replies mean a reason of their own: the forms some large receivers document
//! (error-code pages, reply tables), read before the general phrase tables for recipients at
//! those receivers, as Sisimai reads its `Rhost` modules before its reason phrases.
//!
//! A receiver is recognised by the remote MTA's name or the recipient's domain. The tables are
//! in [`super::sisimai_receivers`]; KDDI's and NTT DOCOMO's rules, Google Workspace's status rules
//! and the code syntaxes (Spectrum's, Orange's, i.ua's) are written here. Facebook's and GoDaddy's
//! codes name their receiver and a meaning of their own: [`super::advice`] recognises them.

use super::advice::Recognition;
use super::parse::scan::find_ascii_ci;
use super::reason::Reason;
use super::sisimai_receivers as tables;
use super::status::{DsnStatus, ReplyCode, StatusClass};
use memchr::memmem::Finder;
use std::sync::LazyLock;

/// What a receiver rule reads of one failed recipient.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReceiverFacts<'a> {
    /// The recipient's domain.
    pub recipient_domain: Option<&'a str>,
    /// The remote MTA's host name.
    pub remote_mta: Option<&'a str>,
    /// The diagnostic, normalised ([`super::reason::normalise`]).
    pub text: &'a str,
    /// The diagnostic as written (codes inside links survive here).
    pub raw: &'a str,
    /// The row's DSN status.
    pub status: Option<DsnStatus>,
    /// The SMTP reply code.
    pub reply_code: Option<ReplyCode>,
    /// The SMTP command the reply answered (`RCPT`, `DATA`, ...).
    pub command: Option<&'a str>,
}

impl ReceiverFacts<'_> {
    /// Whether the row's status and its reply code, each, say the failure is permanent (a
    /// missing code says nothing): Google's readings of a DNS answer turn on them.
    pub(crate) fn permanent_codes(&self) -> (bool, bool) {
        (
            self.status.map(|s| s.class()) == Some(StatusClass::Permanent),
            self.reply_code.and_then(|r| r.class()) == Some(StatusClass::Permanent),
        )
    }
}

/// Is `host` one of the domains or a host under one of them (ASCII case ignored)?
pub(crate) fn host_in(host: &str, domains: &[&str]) -> bool {
    let h = host.trim_end_matches('.').as_bytes();
    domains.iter().any(|d| {
        let d = d.as_bytes();
        // The label boundary first: one byte, which most hosts fail.
        h.len() >= d.len()
            && (h.len() == d.len() || h[h.len() - d.len() - 1] == b'.')
            && h[h.len() - d.len()..].eq_ignore_ascii_case(d)
    })
}

/// A receiver's reading of a reply: the reason, and the recognition that says whose table
/// gave it.
#[derive(Debug, Clone)]
pub struct ReceiverReading {
    /// The reason the receiver's table gives (or the narrower one the general tables found).
    pub reason: Reason,
    /// Names the receiver and what was read, for the row's explanation.
    pub recognition: Recognition,
}

/// The reason the receiver's documented reply means, or `None` when the recipient is at no
/// such receiver or the reply is none of its documented ones. `ours` is the reason the general
/// tables found: where the receiver's table names the older, wider reason that the vocabulary
/// has since split (blocked into requireptr, authfailure and badreputation; toomanyconn into
/// speeding), the narrower reading stays.
pub fn receiver_reason(f: &ReceiverFacts<'_>, ours: Reason) -> Option<ReceiverReading> {
    let (who, theirs) = table_reason(f)?;
    let narrower = match (theirs, ours) {
        // SPF, DKIM and DMARC refusals, which the tables file under blocked and others (not
        // SMTP AUTH's "client was not authenticated").
        (
            Reason::Blocked | Reason::PolicyViolation | Reason::Rejected | Reason::SecurityError,
            Reason::AuthFailure,
        ) => names_mail_authentication(f.text),
        (Reason::Blocked, Reason::RequirePtr | Reason::BadReputation) => true,
        (Reason::TooManyConn, Reason::Speeding) => true,
        _ => false,
    };
    Some(ReceiverReading {
        reason: if narrower { ours } else { theirs },
        recognition: Recognition {
            provider: who.name(),
            code: who.marker(),
            meaning: documented_as(if narrower { ours } else { theirs }),
            fix: "",
            link: who.link(),
        },
    })
}

/// What the receiver's own documentation makes of the reply, said for the reason it gives:
/// its words can mean more, or less, than the same words elsewhere ("User unknown" after the
/// message at KDDI is a filter's refusal), so the row says which reading it follows.
fn documented_as(reason: Reason) -> &'static str {
    use Reason::*;
    match reason {
        UserUnknown => "this receiver documents the reply as userunknown: no such mailbox there.",
        HostUnknown => {
            "this receiver documents the reply as hostunknown: no such domain or mail host."
        }
        MailboxFull => {
            "this receiver documents the reply as mailboxfull: the recipient's mailbox is over its quota."
        }
        Filtered => {
            "this receiver documents the reply as filtered: the address may exist, but a filter or a rule of the recipient refused the message."
        }
        Rejected => {
            "this receiver documents the reply as rejected: it refused the envelope sender."
        }
        Blocked => {
            "this receiver documents the reply as blocked: it refused the sending IP or host."
        }
        Expired => "this receiver documents the reply as expired: delivery took too long.",
        Suspend => {
            "this receiver documents the reply as suspend: the mailbox is disabled or inactive."
        }
        AuthFailure => {
            "this receiver documents the reply as authfailure: SPF, DKIM or DMARC failed."
        }
        NetworkError => {
            "this receiver documents the reply as networkerror: a network or DNS failure on the way."
        }
        PolicyViolation => {
            "this receiver documents the reply as policyviolation: a policy of the receiver refused the message."
        }
        RequirePtr => {
            "this receiver documents the reply as requireptr: the sending IP lacks valid reverse DNS."
        }
        SystemError => {
            "this receiver documents the reply as systemerror: a fault of the receiving system."
        }
        SpamDetected => {
            "this receiver documents the reply as spamdetected: its filter judged the message spam."
        }
        SecurityError => {
            "this receiver documents the reply as securityerror: a security or authorisation check failed."
        }
        NotAccept => "this receiver documents the reply as notaccept: the domain accepts no mail.",
        TooManyConn => {
            "this receiver documents the reply as toomanyconn: too many connections or recipients at once."
        }
        Speeding => {
            "this receiver documents the reply as speeding: mail came faster than it accepts."
        }
        BadReputation => {
            "this receiver documents the reply as badreputation: the sending IP or domain has a poor reputation."
        }
        VirusDetected => {
            "this receiver documents the reply as virusdetected: it found malware in the message."
        }
        ContentError => {
            "this receiver documents the reply as contenterror: the message's format was refused."
        }
        NotCompliantRfc => {
            "this receiver documents the reply as notcompliantrfc: the message breaks the mail standards."
        }
        MesgTooBig | ExceedLimit => {
            "this receiver documents the reply as a size limit: the message is larger than it accepts."
        }
        NoRelaying => {
            "this receiver documents the reply as norelaying: it does not relay for this sender."
        }
        SyntaxError => {
            "this receiver documents the reply as syntaxerror: a malformed command or address."
        }
        SystemFull => {
            "this receiver documents the reply as systemfull: the receiving system is out of storage."
        }
        FailedStartTls => {
            "this receiver documents the reply as failedstarttls: encryption was required or failed."
        }
        HasMoved => {
            "this receiver documents the reply as hasmoved: the recipient has a new address."
        }
        MailerError | OnHold | Undefined | Vacation | Delivered | Feedback => {
            "this receiver documents the reply with a meaning of its own, which the reason follows."
        }
    }
}

/// Does the normalised text name the authentication of mail (SPF, DKIM, DMARC)?
fn names_mail_authentication(text: &str) -> bool {
    [
        "spf",
        "dkim",
        "dmarc",
        "sender policy framework",
        "unauthenticated email",
        "authentication checks",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// The receivers with documented replies of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Receiver {
    Iua,
    Spectrum,
    Cox,
    Orange,
    Kddi,
    Docomo,
    TencentQq,
    Mimecast,
    Microsoft,
    Outlook,
    Google,
    GoogleWorkspace,
    Aol,
    Apple,
    Cloudflare,
    GoDaddy,
    MessageLabs,
    Yahoo,
}

impl Receiver {
    fn name(self) -> &'static str {
        match self {
            Self::Iua => "i.ua",
            Self::Spectrum => "Spectrum",
            Self::Cox => "Cox",
            Self::Orange => "Orange",
            Self::Kddi => "KDDI au",
            Self::Docomo => "NTT DOCOMO",
            Self::TencentQq => "Tencent QQ",
            Self::Mimecast => "Mimecast",
            Self::Microsoft => "Microsoft",
            Self::Outlook => "Outlook.com",
            Self::Google => "Google",
            Self::GoogleWorkspace => "Google Workspace",
            Self::Aol => "AOL",
            Self::Apple => "Apple iCloud Mail",
            Self::Cloudflare => "Cloudflare Email Routing",
            Self::GoDaddy => "GoDaddy",
            Self::MessageLabs => "Broadcom MessageLabs",
            Self::Yahoo => "Yahoo",
        }
    }

    /// Where the receiver documents its replies.
    fn link(self) -> Option<&'static str> {
        match self {
            Self::Spectrum => {
                Some("https://www.spectrum.net/support/internet/understanding-email-error-codes")
            }
            Self::Orange => Some("https://postmaster.orange.fr/"),
            Self::TencentQq => Some("https://service.mail.qq.com/cgi-bin/help?id=20022"),
            Self::Mimecast => Some("https://community.mimecast.com/docs/DOC-1369"),
            Self::Microsoft | Self::Outlook => Some(super::advice::EXCHANGE_NDR),
            Self::Google | Self::GoogleWorkspace => {
                Some("https://support.google.com/a/answer/3726730")
            }
            Self::Apple => Some("https://support.apple.com/en-us/102322"),
            Self::Yahoo => Some("https://senders.yahooinc.com/smtp-error-codes"),
            Self::GoDaddy => {
                Some("https://www.godaddy.com/help/what-does-my-email-bounceback-mean-3568")
            }
            Self::Cloudflare => Some("https://developers.cloudflare.com/email-routing/postmaster/"),
            Self::Iua | Self::Cox | Self::Kddi | Self::Docomo | Self::Aol | Self::MessageLabs => {
                None
            }
        }
    }

    /// What was read: a code of the receiver's own syntax, or its documented words.
    fn marker(self) -> &'static str {
        match self {
            Self::Iua => "error page (i.ua/err/N)",
            Self::Spectrum | Self::Cox => "AUP# code",
            Self::Orange => "OFR/LPN code",
            Self::Microsoft => "status and reply",
            Self::Kddi
            | Self::Docomo
            | Self::TencentQq
            | Self::Mimecast
            | Self::Outlook
            | Self::Google
            | Self::GoogleWorkspace
            | Self::Aol
            | Self::Apple
            | Self::Cloudflare
            | Self::GoDaddy
            | Self::MessageLabs
            | Self::Yahoo => "reply",
        }
    }
}

/// The domains of the receivers whose replies are read by host: a remote MTA under one, or a
/// recipient at one (Sisimai 5's `Sisimai::Rhost` list, and the carriers' and providers' own
/// mail domains).
const RECEIVER_DOMAINS: &[(&str, Receiver)] = &[
    ("ezweb.ne.jp", Receiver::Kddi),
    ("au.com", Receiver::Kddi),
    ("docomo.ne.jp", Receiver::Docomo),
    ("qq.com", Receiver::TencentQq),
    ("foxmail.com", Receiver::TencentQq),
    ("cox.net", Receiver::Cox),
    ("mimecast.com", Receiver::Mimecast),
    ("outlook.com", Receiver::Microsoft),
    ("onmicrosoft.com", Receiver::Microsoft),
    ("exchangelabs.com", Receiver::Microsoft),
    ("live.com", Receiver::Microsoft),
    ("msn.com", Receiver::Microsoft),
    ("hotmail.com", Receiver::Outlook),
    ("google.com", Receiver::Google),
    ("gmail.com", Receiver::Google),
    ("googlemail.com", Receiver::GoogleWorkspace),
    ("orange.fr", Receiver::Orange),
    ("wanadoo.fr", Receiver::Orange),
    ("laposte.net", Receiver::Orange),
    ("aol.com", Receiver::Aol),
    ("icloud.com", Receiver::Apple),
    ("me.com", Receiver::Apple),
    ("apple.com", Receiver::Apple),
    ("mx.cloudflare.net", Receiver::Cloudflare),
    ("secureserver.net", Receiver::GoDaddy),
    ("messagelabs.com", Receiver::MessageLabs),
    ("yahoodns.net", Receiver::Yahoo),
    ("yahoo.com", Receiver::Yahoo),
];

/// The receiver a host or domain belongs to. A Remote-MTA field may add a comment after the
/// name (Oracle Messaging Server: `lsean.ezweb.ne.jp (TCP|192.0.2.1|...) (au mail)`): the name
/// is its first word.
fn receiver_of(host: &str) -> Option<Receiver> {
    let host = host.split_whitespace().next().unwrap_or("");
    RECEIVER_DOMAINS
        .iter()
        .find(|(d, _)| host_in(host, &[d]))
        .map(|(_, r)| *r)
}

/// Does the (normalised) reply carry Google's trailer, `gsmtp` as a word (`... -
/// gsmtp`)? Google's servers end every reply so, whichever domain they receive for.
fn carries_google_trailer(text: &str) -> bool {
    let b = text.as_bytes();
    GSMTP.find_iter(b).any(|at| {
        let before = at.checked_sub(1).and_then(|i| b.get(i));
        let after = b.get(at + "gsmtp".len());
        !before.is_some_and(u8::is_ascii_alphanumeric)
            && !after.is_some_and(u8::is_ascii_alphanumeric)
    })
}

/// The host a reply ends with in brackets, as Microsoft's servers sign theirs (`... (S77719)
/// [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]`): the receiving server's own name, which a
/// reply given alone still carries. Only the last word counts: a bracketed name earlier in the
/// reply may be the client's (`Client host [mail.example.com] blocked`).
fn trailer_host(raw: &str) -> Option<&str> {
    let last = raw
        .trim_end()
        .trim_end_matches('.')
        .rsplit(char::is_whitespace)
        .next()?;
    let host = last.strip_prefix('[')?.strip_suffix(']')?;
    super::parse::text::is_host_name(host).then_some(host)
}

/// The receiver's own reading of the reply, before the vocabulary's later splits.
fn table_reason(f: &ReceiverFacts<'_>) -> Option<(Receiver, Reason)> {
    // Codes that name their receiver whatever the host (a link to its error page, its own code
    // syntax): a forwarded bounce keeps them.
    if let Some(coded) = coded_reason(f) {
        return Some(coded);
    }
    // The remote MTA's name first, then the recipient's domain, as Sisimai looks; then the
    // `gsmtp` every Google reply ends with (a reply given alone names no host).
    let who = f
        .remote_mta
        .and_then(receiver_of)
        .or_else(|| f.recipient_domain.and_then(receiver_of))
        .or_else(|| carries_google_trailer(f.text).then_some(Receiver::Google))
        .or_else(|| trailer_host(f.raw).and_then(receiver_of))?;
    let r = match who {
        Receiver::Kddi => kddi(f.text),
        Receiver::Docomo => docomo(f),
        Receiver::TencentQq => words_in(tables::TENCENT_QQ, f),
        Receiver::Cox => words_in(tables::COX_TEXTS, f),
        Receiver::Orange => words_in(tables::ORANGE_TEXTS, f),
        Receiver::Mimecast => mimecast(f),
        Receiver::Microsoft => microsoft(f),
        // Outlook.com's own two replies, then Microsoft's table (the same servers).
        Receiver::Outlook => written_in(tables::OUTLOOK, f.raw).or_else(|| microsoft(f)),
        Receiver::Google => google(f),
        Receiver::GoogleWorkspace => google_workspace(f).or_else(|| google(f)),
        Receiver::Aol => written_in(tables::AOL, f.raw),
        Receiver::Apple => words_in(tables::APPLE, f),
        Receiver::Cloudflare => written_in(tables::CLOUDFLARE, f.raw),
        Receiver::GoDaddy => words_in(tables::GODADDY_TEXTS, f),
        Receiver::MessageLabs => written_in(tables::MESSAGELABS, f.raw),
        Receiver::Yahoo => words_in(tables::YAHOO, f),
        Receiver::Iua | Receiver::Spectrum => None,
    };
    r.map(|r| (who, r))
}

/// The reason of the first table entry whose (lowercase) words the reply holds, in any case:
/// in the normalised text, or in the reply as written where normalising hid them (words in a
/// link, next to an address).
fn words_in(table: &[(&str, Reason)], f: &ReceiverFacts<'_>) -> Option<Reason> {
    table
        .iter()
        .find(|(w, _)| {
            f.text.contains(w) || find_ascii_ci(f.raw.as_bytes(), w.as_bytes()).is_some()
        })
        .map(|(_, r)| *r)
}

/// The reason of the first table entry whose words the reply holds as written, case and all
/// (the receivers whose tables Sisimai compares so: AOL, Cloudflare, MessageLabs, Outlook.com).
fn written_in(table: &[(&str, Reason)], raw: &str) -> Option<Reason> {
    table.iter().find(|(w, _)| raw.contains(w)).map(|(_, r)| *r)
}

/// Google Workspace's replies about the recipient's domain: "Domain name not found" and an
/// NXDOMAIN answer are an unknown host when both the status and the reply code are permanent,
/// and a network trouble when neither is (a lookup that may yet succeed).
fn google_workspace(f: &ReceiverFacts<'_>) -> Option<Reason> {
    let (status, reply) = f.permanent_codes();
    tables::GSUITE
        .iter()
        .filter(|(w, _)| f.raw.contains(w))
        .map(|(_, r)| *r)
        .find(|r| match r {
            Reason::NetworkError => !status && !reply,
            Reason::HostUnknown => status && reply,
            _ => true,
        })
}

/// The reason a code table gives a number.
fn code_in(table: &[(u16, Reason)], code: u16) -> Option<Reason> {
    table.iter().find(|(c, _)| *c == code).map(|(_, r)| *r)
}

/// KDDI au: `550 <addr>: User unknown` quotes the address it does not know (an unknown
/// mailbox); `550 : User unknown`, the address left empty, is what au answers when the
/// recipient's reception filter refuses the sender (filtered). Any other wording ("550 5.1.1
/// User unknown") is not one of these two replies: the general tables read it.
fn kddi(text: &str) -> Option<Reason> {
    if text.contains("<addr> user unknown") {
        Some(Reason::UserUnknown)
    } else if text.contains(": user unknown") {
        Some(Reason::Filtered)
    } else {
        None
    }
}

/// NTT DOCOMO: an unknown address is 5.1.1; its reception filter answers 5.2.0; a bare 5.0.0
/// refusal is an unknown address at RCPT and the filter after DATA (the sender refused).
fn docomo(f: &ReceiverFacts<'_>) -> Option<Reason> {
    let status_is = |class, subject, detail| {
        f.status.is_some() && f.status == DsnStatus::new(class, subject, detail)
    };
    if status_is(5, 1, 1) {
        return Some(Reason::UserUnknown);
    }
    if status_is(5, 2, 0) {
        return Some(Reason::Filtered);
    }
    if f.text.contains("552 too much mail data") {
        return Some(Reason::MailboxFull);
    }
    if f.text.contains("552 too many recipients") {
        return Some(Reason::TooManyConn);
    }
    if f.text.contains("503 bad sequence of commands")
        || f.text.contains("504 command parameter not implemented")
    {
        return Some(Reason::SyntaxError);
    }
    match f.command {
        Some("RCPT") if status_is(5, 0, 0) => Some(Reason::UserUnknown),
        Some("DATA") if status_is(5, 0, 0) => Some(Reason::Rejected),
        _ => None,
    }
}

/// Mimecast: the reply code and its words (a reply without a code is not read, as Sisimai
/// does not). The code is compared first: a few entries share each code, so the words are
/// searched for those only.
fn mimecast(f: &ReceiverFacts<'_>) -> Option<Reason> {
    let reply = f.reply_code?.get();
    tables::MIMECAST
        .iter()
        .filter(|(code, ..)| *code == reply)
        .find(|(_, words, _)| f.text.contains(words))
        .map(|(_, _, r)| *r)
}

/// Microsoft: the status (exactly, or its first two numbers with the third in a range) and
/// the words, compared in that order (the status leaves one to three of the 119 entries).
fn microsoft(f: &ReceiverFacts<'_>) -> Option<Reason> {
    let status = f.status?;
    let written = status.to_string();
    tables::MICROSOFT
        .iter()
        .filter(|(st, lo, hi, ..)| {
            if lo == hi {
                written == *st
            } else {
                written.starts_with(st) && (*lo..=*hi).contains(&status.detail())
            }
        })
        .find(|(.., words, _)| f.text.contains(words))
        .map(|(.., r)| *r)
}

/// Google: the status's last two numbers (its class aside, as Sisimai compares them) and the
/// words. Its table is read for replies with a reply code and a status only, as Sisimai does.
fn google(f: &ReceiverFacts<'_>) -> Option<Reason> {
    f.reply_code?;
    let written = f.status?.to_string();
    let want = status_tail(&written);
    GOOGLE_SEARCH
        .iter()
        .zip(tables::GOOGLE)
        .filter(|((tail, _), _)| *tail == want)
        .find(|((_, words), _)| words.find(f.text.as_bytes()).is_some())
        .map(|(_, (.., r))| *r)
}

/// A status without its class: `5.7.1` → `7.1`.
fn status_tail(status: &str) -> Option<&str> {
    status.split_once('.').map(|(_, t)| t)
}

/// Each entry of Google's table ([`tables::GOOGLE`]) with its status tail and a searcher for its
/// words, made once. Why: a Google row compares its status with every entry's and searches the
/// words of those that agree; splitting each entry's status and building a searcher for each
/// search cost about 36,000 instructions a row.
static GOOGLE_SEARCH: LazyLock<Vec<(Option<&'static str>, Finder<'static>)>> =
    LazyLock::new(|| {
        tables::GOOGLE
            .iter()
            .map(|(_, st, words, _)| (status_tail(st), Finder::new(words)))
            .collect()
    });

/// Searchers for the marks of [`coded_reason`], built once (a one-off search builds its
/// searcher each time, which costs more than searching a short diagnostic).
static ERR_LOWER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"/err/"));
/// See [`ERR_LOWER`].
static ERR_UPPER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"/ERR/"));
/// See [`ERR_LOWER`]: Google's trailer, for [`carries_google_trailer`].
static GSMTP: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"gsmtp"));
/// See [`ERR_LOWER`].
static AUP: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"aup#"));
/// See [`ERR_LOWER`]: Orange's and La Poste's code prefixes, `lpnaaa` read as `lpn`.
static ORANGE_PREFIXES: LazyLock<[Finder<'static>; 3]> = LazyLock::new(|| {
    [
        Finder::new(b"lpn"),
        Finder::new(b"ofr"),
        Finder::new(b"ouk"),
    ]
});

/// A reason from a code of a receiver's own syntax: i.ua's error-page links (in the raw text:
/// normalising turns links into `<url>`), Spectrum's and Cox's `AUP#` codes and Orange's
/// `OFR_`/`LPN` codes (in the normalised, lowercase text). Every row passes here, so each is
/// looked for with one vector search for a mark it cannot do without before it is read.
fn coded_reason(f: &ReceiverFacts<'_>) -> Option<(Receiver, Reason)> {
    let raw = f.raw.as_bytes();
    let links_error_page = ERR_LOWER.find(raw).is_some() || ERR_UPPER.find(raw).is_some();
    if links_error_page && let Some(r) = iua_code(f.raw).and_then(|c| code_in(tables::IUA_CODES, c))
    {
        return Some((Receiver::Iua, r));
    }
    if let Some(at) = AUP.find(f.text.as_bytes()) {
        let code = &f.text[at + "aup#".len()..];
        if let Some(r) = spectrum_code(code).and_then(spectrum_reason) {
            return Some((Receiver::Spectrum, r));
        }
        if let Some(r) = cox_code(code) {
            return Some((Receiver::Cox, r));
        }
    }
    if memchr::memchr2(b'_', b'-', f.text.as_bytes()).is_some()
        && let Some(r) = orange_code(f.text).and_then(|c| code_in(tables::ORANGE_CODES, c))
    {
        return Some((Receiver::Orange, r));
    }
    None
}

/// The number after `i.ua/err/` in a text, if it links to one of i.ua's error pages.
fn iua_code(raw: &str) -> Option<u16> {
    let at = find_ascii_ci(raw.as_bytes(), b"i.ua/err/")? + "i.ua/err/".len();
    let digits = raw.get(at..)?.split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

/// The four digits of a Spectrum `AUP#` code, given the lowercase text after `aup#`
/// (`i-1000`, `o-1530`, `1300`); Cox's lettered `cxbl` and `ipbl0001` are not Spectrum's.
fn spectrum_code(rest: &str) -> Option<u16> {
    // One direction letter (i in, o out) and a dash, both optional.
    let rest = rest.strip_prefix(['i', 'o']).unwrap_or(rest);
    let digits = rest.strip_prefix('-').unwrap_or(rest);
    let code = digits
        .get(..4)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    // Exactly four digits.
    if digits[4..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    code.parse().ok()
}

/// Spectrum's reason for a code: the listed codes, then the ranges.
fn spectrum_reason(code: u16) -> Option<Reason> {
    code_in(tables::SPECTRUM_CODES, code).or_else(|| {
        tables::SPECTRUM_RANGES
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&code))
            .map(|(.., r)| *r)
    })
}

/// Cox's `AUP#` code, given the lowercase text after `aup#` (`cxbl`, `ipbl0001`), read from
/// its table.
fn cox_code(rest: &str) -> Option<Reason> {
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let code = &rest[..end];
    tables::COX_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, r)| *r)
}

/// The code of an Orange or La Poste refusal in a lowercase text: `ofr_506`, `ofr005_505`,
/// `lpn007_416`, `lpnaaa_101`, `ouk_513` (its last three digits), as a word of its own.
fn orange_code(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    let digits_at = |i: usize| {
        b.get(i..i + 3)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    for finder in ORANGE_PREFIXES.iter() {
        let mut from = 0;
        while let Some(p) = finder.find(&b[from..]) {
            let at = from + p;
            from = at + 1;
            if at > 0 && b[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            let mut i = at + 3;
            if b[i..].starts_with(b"aaa") {
                i += 3;
            }
            // `_NNN`, or `NNN_NNN` / `NNN-NNN`.
            let code = if b.get(i) == Some(&b'_') && digits_at(i + 1) {
                i + 1
            } else if digits_at(i) && matches!(b.get(i + 3), Some(b'_' | b'-')) && digits_at(i + 4)
            {
                i + 4
            } else {
                continue;
            };
            // The word ends there.
            if b.get(code + 3).is_some_and(u8::is_ascii_alphanumeric) {
                continue;
            }
            return text.get(code..code + 3).and_then(|d| d.parse().ok());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounce::reason::normalise;

    fn at(domain: &str, remote: &str, reply: &str, status: Option<&str>) -> Option<Reason> {
        let n = normalise(reply);
        let reading = table_reason(&ReceiverFacts {
            recipient_domain: Some(domain),
            remote_mta: Some(remote),
            text: &n,
            raw: reply,
            status: status.and_then(DsnStatus::parse),
            reply_code: ReplyCode::find_in(reply),
            command: Some("RCPT"),
        });
        reading.map(|(_, r)| r)
    }

    #[test]
    fn googles_trailer_names_google_when_no_host_does() {
        // At an unknown domain, with no remote host: a reply given alone.
        let google = |reply: &str, status| at("example.com", "", reply, status);
        assert_eq!(
            google(
                "421 4.7.0 Try again later, closing connection. (EHLO) - gsmtp",
                Some("4.7.0")
            ),
            Some(Reason::Blocked)
        );
        assert_eq!(
            google(
                "421 4.7.0 Temporary System Problem. Try again later (10). - gsmtp",
                Some("4.7.0")
            ),
            Some(Reason::SystemError)
        );
        // Only the word: a host or word that merely holds the letters is not Google's.
        assert!(!carries_google_trailer(
            "421 4.7.0 temporary system problem. x-gsmtpd"
        ));
        assert_eq!(
            google(
                "421 4.7.0 Temporary System Problem. Try again later (10). mygsmtp",
                Some("4.7.0")
            ),
            None
        );
    }

    #[test]
    fn a_trailing_bracketed_host_names_its_receiver_when_no_host_does() {
        let alone = |reply: &str, status| at("example.com", "", reply, status);
        // Microsoft signs its replies with the answering server's name.
        assert_eq!(
            alone(
                "451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719) \
                 [AM0PR01MB1234.eurprd01.prod.exchangelabs.com]",
                Some("4.7.500")
            ),
            Some(Reason::SystemError)
        );
        // The same words unsigned, or signed by an unknown host, are not Microsoft's to read.
        assert_eq!(
            alone(
                "451 4.7.500 Server busy. Please try again later from [192.0.2.1].",
                Some("4.7.500")
            ),
            None
        );
        assert_eq!(
            alone(
                "451 4.7.500 Server busy. Please try again later from [192.0.2.1]. \
                 [mx.example.net]",
                Some("4.7.500")
            ),
            None
        );
        // A bracketed name before the end is the client's, not the signer's.
        assert_eq!(
            trailer_host("550 Client host [mx.outlook.com] blocked"),
            None
        );
        assert_eq!(trailer_host("550 blocked [192.0.2.1]"), None);
        assert_eq!(
            trailer_host("550 blocked [mx.example.org]."),
            Some("mx.example.org")
        );
    }

    #[test]
    fn the_recognition_says_which_reason_the_receiver_documents() {
        // au's `550 : User unknown`, the address left empty: its reception filter refused.
        let reply = "550 : User unknown";
        let n = normalise(reply);
        let facts = ReceiverFacts {
            recipient_domain: Some("ezweb.ne.jp"),
            remote_mta: Some("lsean.ezweb.ne.jp"),
            text: &n,
            raw: reply,
            status: None,
            reply_code: ReplyCode::find_in(reply),
            command: Some("DATA"),
        };
        let reading = receiver_reason(&facts, Reason::UserUnknown).expect("KDDI's table");
        assert_eq!(reading.reason, Reason::Filtered);
        assert!(
            reading.recognition.meaning.contains("as filtered"),
            "{}",
            reading.recognition.meaning
        );
    }

    #[test]
    fn japanese_carriers_tell_filter_refusals_apart() {
        assert_eq!(
            at(
                "ezweb.ne.jp",
                "lsean.ezweb.ne.jp",
                "550 <a@ezweb.ne.jp>: User unknown",
                None
            ),
            Some(Reason::UserUnknown)
        );
        assert_eq!(
            at(
                "example.jp",
                "msmx.au.com",
                "550 5.1.351 Remote server returned unknown recipient -> 550 : User unknown",
                None
            ),
            Some(Reason::Filtered)
        );
        assert_eq!(
            at(
                "example.com",
                "mx.example.com",
                "550 <a@example.com>: User unknown",
                None
            ),
            None
        );
        assert_eq!(
            at(
                "docomo.ne.jp",
                "mfsmax.docomo.ne.jp",
                "550 Unknown user",
                Some("5.0.0")
            ),
            Some(Reason::UserUnknown)
        );
        // A reply in neither of au's two wordings is read by the general tables.
        assert_eq!(
            at(
                "ezweb.ne.jp",
                "lsean.ezweb.ne.jp",
                "550 5.1.1 User unknown",
                Some("5.1.1")
            ),
            None
        );
        // A look-alike domain is not the carrier.
        assert!(!host_in("notezweb.ne.jp", &["ezweb.ne.jp"]));
    }

    #[test]
    fn tencent_qq_words_mean_their_documented_reasons() {
        let qq = |t: &str| at("qq.com", "mx3.qq.com", t, None);
        assert_eq!(qq("550 Ip frequency limited"), Some(Reason::TooManyConn));
        assert_eq!(qq("550 Mailbox not found."), Some(Reason::UserUnknown));
        assert_eq!(qq("550 Suspected spam ip"), Some(Reason::Blocked));
        // Sisimai 5's reading: the message, not the sending IP, was suspected.
        assert_eq!(qq("550 Suspected spam"), Some(Reason::Rejected));
        assert_eq!(qq("550 Some other words"), None);
        // The same words elsewhere keep their usual meaning.
        assert_eq!(
            at(
                "example.com",
                "mx.example.com",
                "550 Ip frequency limited",
                None
            ),
            None
        );
    }

    #[test]
    fn codes_name_their_receiver_wherever_they_come_from() {
        let any = |t: &str| at("example.com", "mx.example.com", t, None);
        assert_eq!(
            any("550 Mailbox is frozen. See http://mail.i.ua/err/3/"),
            Some(Reason::Suspend)
        );
        assert_eq!(
            any("550 IP blacklisted, see HTTP://MAIL.I.UA/ERR/9"),
            Some(Reason::Blocked)
        );
        assert_eq!(any("550 see http://mail.i.ua/err/77/"), None);
        assert_eq!(
            any("554 5.7.1 AUP#I-1000 IP blocked"),
            Some(Reason::Blocked)
        );
        assert_eq!(any("550 AUP#O-1530 too big"), Some(Reason::MesgTooBig));
        assert_eq!(any("421 AUP#1340"), Some(Reason::TooManyConn));
        assert_eq!(any("550 AUP#I-10000"), None);
        assert_eq!(any("554 AUP#CXBL"), Some(Reason::Blocked));
        assert_eq!(any("554 Mail rejected AUP#IPBL1010"), Some(Reason::Blocked));
        assert_eq!(any("554 AUP#URLBL011"), Some(Reason::SpamDetected));
        assert_eq!(
            any("550 Mail rejete. Mail rejected. OFR_506 [506]"),
            Some(Reason::SpamDetected)
        );
        assert_eq!(
            any("550 5.1.1 Invalid recipient. LPN007_416"),
            Some(Reason::UserUnknown)
        );
        assert_eq!(
            any("421 Service refused. OFR005_505 [505]"),
            Some(Reason::SystemError)
        );
        // Not a code: letters run on, or the digits do.
        assert_eq!(any("550 XOFR_506"), None);
        assert_eq!(any("550 OFR_5067"), None);
        // A code the table leaves undecided (Orange's 108) decides nothing.
        assert_eq!(
            any("550 service refused, please try later. LPN001_108"),
            None
        );
    }

    #[test]
    fn status_and_reply_code_select_the_table_row() {
        assert_eq!(
            at(
                "example.com",
                "example-com.mail.protection.outlook.com",
                "550 5.7.606 Access denied, banned sending IP [192.0.2.1]",
                Some("5.7.606")
            ),
            Some(Reason::Blocked)
        );
        assert_eq!(
            at(
                "example.com",
                "eu-smtp-inbound-1.mimecast.com",
                "554 maximum email size exceeded",
                Some("5.0.0")
            ),
            Some(Reason::MesgTooBig)
        );
    }

    #[test]
    fn the_split_reasons_stay_narrower_than_the_tables() {
        let f = ReceiverFacts {
            recipient_domain: Some("qq.com"),
            text: "550 connection denied",
            ..Default::default()
        };
        assert_eq!(
            table_reason(&f),
            Some((Receiver::TencentQq, Reason::Blocked))
        );
        let reason = |ours| receiver_reason(&f, ours).map(|r| r.reason);
        assert_eq!(reason(Reason::RequirePtr), Some(Reason::RequirePtr));
        assert_eq!(reason(Reason::OnHold), Some(Reason::Blocked));
        let r = receiver_reason(&f, Reason::OnHold).map(|r| r.recognition.provider);
        assert_eq!(r, Some("Tencent QQ"));
    }

    #[test]
    fn sisimai_5_receivers_read_their_own_forms() {
        // GoDaddy's words without a code, at its hosts only.
        assert_eq!(
            at(
                "example.com",
                "smtp.secureserver.net",
                "550 Message rejected for spam or virus content",
                None
            ),
            Some(Reason::SpamDetected)
        );
        assert_eq!(
            at(
                "example.com",
                "mx.example.com",
                "550 Message rejected for spam or virus content",
                None
            ),
            None
        );
        // Words in a link are read as written (normalising hides links).
        assert_eq!(
            at(
                "icloud.com",
                "mx01.mail.icloud.com",
                "550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.1",
                Some("5.7.0")
            ),
            Some(Reason::Blocked)
        );
        // Tables Sisimai compares case and all.
        assert_eq!(
            at(
                "aol.com",
                "mx1.mail.aol.com",
                "550 Host or domain name not found",
                None
            ),
            Some(Reason::HostUnknown)
        );
        assert_eq!(
            at(
                "aol.com",
                "mx1.mail.aol.com",
                "550 host or domain name not found",
                None
            ),
            None
        );
        // Outlook.com's own replies, then Microsoft's table.
        assert_eq!(
            at(
                "hotmail.com",
                "mx1.hotmail.com",
                "550 Requested action not taken: mailbox unavailable",
                Some("5.5.0")
            ),
            Some(Reason::UserUnknown)
        );
    }

    #[test]
    fn google_workspace_reads_a_missing_domain_by_its_codes() {
        let gw = |reply: &str, status| at("example.com", "aspmx.l.googlemail.com", reply, status);
        assert_eq!(
            gw("550 5.1.2 Domain name not found", Some("5.1.2")),
            Some(Reason::HostUnknown)
        );
        assert_eq!(
            gw("451 4.4.0 Domain name not found", Some("4.4.0")),
            Some(Reason::NetworkError)
        );
        assert_eq!(
            gw("556 5.1.10 Null MX", Some("5.1.10")),
            Some(Reason::NotAccept)
        );
    }
}
