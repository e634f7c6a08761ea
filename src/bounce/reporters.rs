//! Reporting mail systems whose own notices give words a meaning of their own: the tables
//! their documented bounces follow (as Sisimai's MTA modules record them), read before the
//! general phrase tables for the rows such a system reports. [`super::receivers`] does the
//! same for the receiving side.

use super::advice::Recognition;
use super::reason::Reason;
use super::receivers::ReceiverFacts;

/// A reporting mail system with a documented way of wording its notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporter {
    /// Symantec.cloud (MessageLabs): its notices come from `MAILER-DAEMON@messagelabs.com`
    /// with an `X-Msg-Ref` header. It words an unknown recipient as "No such user" or
    /// `542 <addr> Rejected`, whatever the command.
    MessageLabs,
    /// Amazon SES, as a sending service (`X-SES-Outgoing` or `X-AWS-Outgoing` on its notices;
    /// not Amazon WorkMail). Its diagnostic is its own category with the receiver's reply in
    /// quotes: `5.1.0 - Unknown address error 550-'5.7.1 <addr>... Access denied'`.
    AmazonSes,
    /// Trend Micro InterScan Messaging Security Suite: From "InterScan MSS" or "InterScan
    /// Notification", or its subjects ("Mail could not be delivered", and the Japanese
    /// editions'). Its `Unable to deliver message to <addr>`, with no reply beside it, is what
    /// it says of a recipient the next hop does not know.
    InterScan,
    /// Google's own notices, from `mailer-daemon@googlemail.com` (Gmail's and Google
    /// Workspace's alike). Google words what it found of the recipient's domain and address
    /// itself: an NXDOMAIN answer it may yet get past is a network trouble unless the row's
    /// codes are permanent, "answer with no data" an unknown host, "Null MX" a domain that
    /// takes no mail.
    Google,
}

/// Google's own words in its notices, as written (Google Workspace's and the older Gmail
/// notice's). An answer about the recipient's domain that a later lookup may change (`DNS type
/// 'mx' lookup of example.org responded with code NXDOMAIN`, `... had no relevant answers.`) is
/// a network trouble, unless the row's codes say the failure is permanent, as Google's
/// receiving side reads them ([`super::receivers`]); Gmail's "DNS Error: Domain name not
/// found" is not among them, and the general tables read it as an unknown host. Gmail words a
/// domain without mail records "DNS server returned answer with no data", and its resolver's
/// own trouble, which it retries until the message expires, "Could not contact DNS servers".
const GOOGLE_NOTICE: &[(&str, Reason)] = &[
    (
        "because the address couldn't be found. Check for typos or unnecessary spaces and try again.",
        Reason::UserUnknown,
    ),
    ("Null MX", Reason::NotAccept),
    (" responded with code NXDOMAIN", Reason::NetworkError),
    (" had no relevant answers.", Reason::NetworkError),
    (
        "DNS Error: DNS server returned answer with no data",
        Reason::HostUnknown,
    ),
    ("DNS Error: Could not contact DNS servers", Reason::Expired),
];

/// InterScan's subjects for a failed delivery.
const INTERSCAN_SUBJECTS: &[&str] = &[
    "Mail could not be delivered",
    "メッセージを配信できません。",
    "メール配信に失敗しました",
];

impl Reporter {
    /// The reporter of a notice, from its From address, its subject (decoded) and its header
    /// fields (`header` gives a field's raw value by name).
    pub(crate) fn of<'h>(
        from: Option<&str>,
        subject: &str,
        header: impl Fn(&str) -> Option<&'h str>,
    ) -> Option<Self> {
        let from_domain = from.and_then(|f| f.rsplit_once('@')).map(|(_, d)| d);
        if header("X-Msg-Ref").is_some()
            && from_domain.is_some_and(|d| d.eq_ignore_ascii_case("messagelabs.com"))
        {
            return Some(Self::MessageLabs);
        }
        let workmail = header("X-Mailer").is_some_and(|x| x.contains("Amazon WorkMail"));
        if !workmail && (header("X-SES-Outgoing").is_some() || header("X-AWS-Outgoing").is_some()) {
            return Some(Self::AmazonSes);
        }
        if from.is_some_and(|f| f.eq_ignore_ascii_case("mailer-daemon@googlemail.com")) {
            return Some(Self::Google);
        }
        let from_name = header("From").unwrap_or_default().trim_start();
        let from_name = from_name.strip_prefix('"').unwrap_or(from_name);
        if from_name.starts_with("InterScan MSS")
            || from_name.starts_with("InterScan Notification")
            || INTERSCAN_SUBJECTS.contains(&subject.trim())
        {
            return Some(Self::InterScan);
        }
        None
    }

    /// The receiver's own reply inside this reporter's diagnostic, with its reply code
    /// (`550 5.7.1 <addr>... Access denied`), when the reporter quotes one.
    pub(crate) fn quoted_reply(self, diagnostic: &str) -> Option<String> {
        if self != Self::AmazonSes {
            return None;
        }
        let open = diagnostic.find(['\'', '"'])?;
        let quote = diagnostic[open..].chars().next()?;
        let before = diagnostic[..open].trim_end_matches(['-', ' ']);
        let code = before.get(before.len().checked_sub(3)?..)?;
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let rest = &diagnostic[open + 1..];
        let reply = rest[..rest.rfind(quote)?].trim();
        (!reply.is_empty()).then(|| format!("{code} {reply}"))
    }

    /// Says, for the row's explanation, whose wording decided the reason.
    pub(crate) fn recognition(self) -> Recognition {
        match self {
            Self::MessageLabs => Recognition {
                provider: "MessageLabs",
                code: "messagelabs.com",
                meaning: "the reporting system words its refusals in a documented way of its own, which the reason follows.",
                fix: "",
                link: None,
            },
            Self::AmazonSes => Recognition {
                provider: "Amazon SES",
                code: "X-SES-Outgoing",
                meaning: "Amazon SES quotes the receiver's reply after a category of its own; the reason follows the receiver's reply.",
                fix: "",
                link: Some("https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html"),
            },
            Self::InterScan => Recognition {
                provider: "Trend Micro InterScan",
                code: "Unable to deliver message to",
                meaning: "InterScan words a recipient the next hop refused as unknown this way, without the reply.",
                fix: "",
                link: None,
            },
            Self::Google => Recognition {
                provider: "Google",
                code: "mailer-daemon@googlemail.com",
                meaning: "Google words what it found of the recipient's domain and address in documented ways of its own, which the reason follows: a DNS answer it may yet get past is a network trouble, not a missing domain, unless its codes say the failure is permanent.",
                fix: "",
                link: Some("https://support.google.com/mail/answer/7720"),
            },
        }
    }

    /// The reason this reporter's table gives a row's diagnostic (`f.text` is normalised by
    /// [`super::reason::normalise`]), or `None` when it is none of the table's words.
    pub(crate) fn reason(self, f: &ReceiverFacts<'_>) -> Option<Reason> {
        let text = f.text;
        match self {
            Self::MessageLabs => {
                let rejected_542 = text
                    .find("542 ")
                    .is_some_and(|i| text[i..].contains(" rejected"));
                if text.contains("no such user") || rejected_542 {
                    Some(Reason::UserUnknown)
                } else if text.contains("please turn on smtp authentication in your mail client") {
                    Some(Reason::SecurityError)
                } else {
                    None
                }
            }
            Self::AmazonSes => None,
            Self::InterScan => {
                // The sentence alone: a reply beside it says the reason itself.
                (text.contains("unable to deliver message to")
                    && super::status::ReplyCode::find_in(text).is_none())
                .then_some(Reason::UserUnknown)
            }
            Self::Google => {
                let (status, reply) = f.permanent_codes();
                GOOGLE_NOTICE
                    .iter()
                    .find(|(w, _)| f.raw.contains(w))
                    .map(|(_, r)| *r)
                    .filter(|r| *r != Reason::NetworkError || !(status || reply))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounce::reason::normalise;
    use crate::bounce::status::{DsnStatus, ReplyCode};

    /// A reporter's reading of a diagnostic with this status, no host known.
    fn read(rep: Reporter, diagnostic: &str, status: Option<&str>) -> Option<Reason> {
        let n = normalise(diagnostic);
        rep.reason(&ReceiverFacts {
            recipient_domain: None,
            remote_mta: None,
            text: &n,
            raw: diagnostic,
            status: status.and_then(DsnStatus::parse),
            reply_code: ReplyCode::find_in(diagnostic),
            command: None,
        })
    }

    #[test]
    fn reporters_are_known_by_their_headers() {
        let msg_ref = |n: &str| (n == "X-Msg-Ref").then_some("server-1!2!3");
        let none = |_: &str| None;
        let ses = |n: &str| (n == "X-SES-Outgoing").then_some("2016.10.12-54.240.27.6");
        let m = Some("MAILER-DAEMON@messagelabs.com");
        assert_eq!(Reporter::of(m, "", msg_ref), Some(Reporter::MessageLabs));
        assert_eq!(Reporter::of(m, "", none), None);
        let other = Some("MAILER-DAEMON@example.com");
        assert_eq!(Reporter::of(other, "", msg_ref), None);
        assert_eq!(Reporter::of(None, "", ses), Some(Reporter::AmazonSes));
        let interscan = |n: &str| (n == "From").then_some("\"InterScan MSS\" <pm@x.example>");
        assert_eq!(
            Reporter::of(None, "x", interscan),
            Some(Reporter::InterScan)
        );
        let subject = "Mail could not be delivered";
        assert_eq!(Reporter::of(None, subject, none), Some(Reporter::InterScan));
        assert_eq!(Reporter::of(None, "Undelivered Mail", none), None);
        let workmail = |n: &str| match n {
            "X-SES-Outgoing" => Some("x"),
            "X-Mailer" => Some("Amazon WorkMail"),
            _ => None,
        };
        assert_eq!(Reporter::of(None, "", workmail), None);
    }

    #[test]
    fn messagelabs_words_name_their_reasons() {
        let m = Reporter::MessageLabs;
        for (t, want) in [
            (
                "550 bob@example.org... No such user",
                Some(Reason::UserUnknown),
            ),
            ("542 bob@example.org Rejected", Some(Reason::UserUnknown)),
            (
                "553 Please turn on SMTP Authentication in your mail client.",
                Some(Reason::SecurityError),
            ),
            ("554 Message rejected as spam", None),
        ] {
            assert_eq!(read(m, t, None), want, "{t}");
        }
    }

    #[test]
    fn interscan_unable_to_deliver_alone_names_an_unknown_recipient() {
        let i = Reporter::InterScan;
        let t = "Reason: Unable to deliver message to <a@b.example> (and other recipients in the same domain).";
        assert_eq!(read(i, t, None), Some(Reason::UserUnknown));
        let with_reply = "Unable to deliver message to <a@b.example>: 552 5.2.2 Mailbox full";
        assert_eq!(read(i, with_reply, None), None);
    }

    #[test]
    fn googles_own_notices_read_a_missing_domain_by_their_codes() {
        let googles = |n: &str| {
            (n == "From").then_some("Mail Delivery Subsystem <mailer-daemon@googlemail.com>")
        };
        let from = Some("mailer-daemon@googlemail.com");
        let g = Reporter::of(from, "Delivery Status Notification (Failure)", googles);
        assert_eq!(g, Some(Reporter::Google));
        let g = Reporter::Google;
        let nx = "DNS Error: DNS type 'mx' lookup of rcpt.example responded with code NXDOMAIN Domain name not found: rcpt.example";
        // No code (Google Workspace's text notice), or a temporary one: a lookup that may
        // yet succeed.
        assert_eq!(read(g, nx, None), Some(Reason::NetworkError));
        assert_eq!(read(g, nx, Some("4.0.0")), Some(Reason::NetworkError));
        // A permanent status or reply: not a network trouble; the general tables read the
        // words (an unknown host).
        let permanent = format!("550 5.1.2 {nx}");
        assert_eq!(read(g, &permanent, Some("5.1.2")), None);
        assert_eq!(read(g, &permanent, None), None);
        // The older Gmail notice's words: a missing domain is the general tables' to read.
        assert_eq!(read(g, "DNS Error: Domain name not found", None), None);
        let no_data = "DNS Error: DNS server returned answer with no data";
        assert_eq!(read(g, no_data, None), Some(Reason::HostUnknown));
        let no_dns = "DNS Error: Could not contact DNS servers";
        assert_eq!(read(g, no_dns, Some("4.0.0")), Some(Reason::Expired));
        assert_eq!(
            read(g, "DNS Error: null MX\nNull MX", None),
            Some(Reason::NotAccept)
        );
        assert_eq!(
            read(g, "550 5.7.1 Message rejected due to local policy", None),
            None
        );
    }

    #[test]
    fn amazon_ses_quotes_the_receivers_reply() {
        let s = Reporter::AmazonSes;
        let d = "5.1.0 - Unknown address error 550-'5.7.1 <a@b.example>... Access denied' (delivery attempts: 0)";
        assert_eq!(
            s.quoted_reply(d).as_deref(),
            Some("550 5.7.1 <a@b.example>... Access denied")
        );
        assert_eq!(s.quoted_reply("550 5.1.1 user unknown"), None);
        assert_eq!(s.quoted_reply("5.3.0 - Other 'x"), None);
        assert_eq!(Reporter::MessageLabs.quoted_reply(d), None);
    }
}
