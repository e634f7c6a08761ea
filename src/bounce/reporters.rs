//! Reporting mail systems whose own notices give words a meaning of their own: the tables
//! their documented bounces follow (as Sisimai's MTA modules record them), read before the
//! general phrase tables for the rows such a system reports. [`super::receivers`] does the
//! same for the receiving side.

use super::advice::Recognition;
use super::reason::Reason;

/// A reporting mail system with a documented reply table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporter {
    /// Symantec.cloud (MessageLabs): its notices come from `MAILER-DAEMON@messagelabs.com`
    /// with an `X-Msg-Ref` header. It words an unknown recipient as "No such user" or
    /// "542 <addr> Rejected", whatever the command.
    MessageLabs,
}

impl Reporter {
    /// The reporter of a notice, from its From address and whether it has an `X-Msg-Ref`.
    pub(crate) fn of(from: Option<&str>, has_msg_ref: bool) -> Option<Self> {
        let from = from?;
        let domain = from.rsplit_once('@').map(|(_, d)| d)?;
        (has_msg_ref && domain.eq_ignore_ascii_case("messagelabs.com")).then_some(Self::MessageLabs)
    }

    /// Says, for the row's explanation, whose table gave the reason.
    pub(crate) fn recognition(self) -> Recognition {
        match self {
            Self::MessageLabs => Recognition {
                provider: "MessageLabs",
                code: "messagelabs.com",
                meaning: "the reporting system words its refusals in a documented way of its own, which the reason follows.",
                fix: "",
                link: None,
            },
        }
    }

    /// The reason this reporter's table gives a diagnostic (normalised by
    /// [`super::reason::normalise`]), or `None` when it is none of the table's words.
    pub(crate) fn reason(self, text: &str) -> Option<Reason> {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounce::reason::normalise;

    #[test]
    fn messagelabs_is_known_by_its_sender_and_reference_header() {
        let r = Reporter::of(Some("MAILER-DAEMON@messagelabs.com"), true);
        assert_eq!(r, Some(Reporter::MessageLabs));
        assert_eq!(
            Reporter::of(Some("MAILER-DAEMON@messagelabs.com"), false),
            None
        );
        assert_eq!(Reporter::of(Some("MAILER-DAEMON@example.com"), true), None);
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
            assert_eq!(m.reason(&normalise(t)), want, "{t}");
        }
    }
}
