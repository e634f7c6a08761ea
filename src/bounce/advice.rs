//! From a reason to what a sender should do: the seed cause, remediation steps, and the
//! provider-specific codes and blocklist texts worth naming.
//!
//! The provider table holds codes the providers document publicly (Gmail's SMTP error
//! reference, Microsoft's NDR reference for Exchange Online and Outlook.com, Yahoo's sender
//! error codes) and the listing texts of the big DNS blocklists. Each entry can override the
//! reason when the provider's code is more precise than the generic tables.

use super::parse::scan::Needles;
use super::reason::Reason;
use super::status::{DsnStatus, StatusClass};
use serde::Serialize;
use std::fmt;

/// The seed cause a bounce points to: the four classic causes of a rejection, plus the ones that
/// are about the recipient, capacity or a passing problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BounceCause {
    /// The sending IP or domain is on a blocklist.
    Blocklist,
    /// SPF, DKIM, DMARC or sender authentication.
    Authentication,
    /// What the message carries (spam, virus, format, policy).
    Content,
    /// How the sending IP or domain looks (rDNS, volume, reputation).
    Reputation,
    /// The recipient address (unknown, disabled, moved).
    Recipient,
    /// A size or storage limit (mailbox full, message too big, too many connections).
    Capacity,
    /// A passing problem (network, queue timeout, system error): retrying may work.
    Transient,
    /// Anything else (configuration, relaying, feedback, unknown).
    Other,
}

impl BounceCause {
    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Blocklist => "blocklist",
            Self::Authentication => "authentication",
            Self::Content => "content",
            Self::Reputation => "reputation",
            Self::Recipient => "recipient",
            Self::Capacity => "capacity",
            Self::Transient => "transient",
            Self::Other => "other",
        }
    }

    /// The project-wide Finding cause this seed maps to, for the four classic causes.
    pub fn finding_cause(self) -> Option<crate::finding::Cause> {
        use crate::finding::Cause;
        match self {
            Self::Blocklist => Some(Cause::Blocklist),
            Self::Authentication => Some(Cause::Authentication),
            Self::Content => Some(Cause::Content),
            Self::Reputation => Some(Cause::Reputation),
            _ => None,
        }
    }
}

impl fmt::Display for BounceCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider-specific code or listing text found in a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recognition {
    /// Who documents the code (`Gmail`, `Microsoft`, `Yahoo`, `Spamhaus`, …).
    pub provider: &'static str,
    /// The code or marker found (`5.7.26`, `S3150`, `zen.spamhaus.org`).
    pub code: &'static str,
    /// What it means, in plain words.
    pub meaning: &'static str,
    /// What to do about it (empty when the row's remediation says it all).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub fix: &'static str,
    /// Where to read more or ask for delisting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<&'static str>,
}

struct Known {
    provider: &'static str,
    code: &'static str,
    /// All of these (lowercase) must appear in the normalised text; the first is the marker.
    needles: &'static [&'static str],
    reason: Option<Reason>,
    cause: Option<BounceCause>,
    meaning: &'static str,
    fix: &'static str,
    link: Option<&'static str>,
}

impl Known {
    /// What the row shows of this code.
    fn recognition(&self) -> Recognition {
        Recognition {
            provider: self.provider,
            code: self.code,
            meaning: self.meaning,
            fix: self.fix,
            link: self.link,
        }
    }
}

/// A blocklist named in a rejection text: what to look for and the zone to check.
struct ListName {
    needle: &'static str,
    zone: &'static str,
    name: &'static str,
    link: &'static str,
}

const LISTS: &[ListName] = &[
    ListName {
        needle: "zen.spamhaus.org",
        zone: "zen.spamhaus.org",
        name: "Spamhaus ZEN",
        link: "https://check.spamhaus.org/",
    },
    ListName {
        needle: "sbl-xbl.spamhaus",
        zone: "zen.spamhaus.org",
        name: "Spamhaus SBL/XBL",
        link: "https://check.spamhaus.org/",
    },
    ListName {
        needle: "pbl.spamhaus",
        zone: "pbl.spamhaus.org",
        name: "Spamhaus PBL",
        link: "https://check.spamhaus.org/",
    },
    ListName {
        needle: "xbl.spamhaus",
        zone: "xbl.spamhaus.org",
        name: "Spamhaus XBL",
        link: "https://check.spamhaus.org/",
    },
    ListName {
        needle: "sbl.spamhaus",
        zone: "sbl.spamhaus.org",
        name: "Spamhaus SBL",
        link: "https://check.spamhaus.org/",
    },
    ListName {
        needle: "dbl.spamhaus",
        zone: "dbl.spamhaus.org",
        name: "Spamhaus DBL",
        link: "https://check.spamhaus.org/",
    },
    ListName {
        needle: "spamhaus",
        zone: "zen.spamhaus.org",
        name: "Spamhaus",
        link: "https://check.spamhaus.org/",
    },
    ListName {
        needle: "barracudacentral",
        zone: "b.barracudacentral.org",
        name: "Barracuda Reputation Block List",
        link: "https://www.barracudacentral.org/lookups",
    },
    ListName {
        needle: "barracuda reputation",
        zone: "b.barracudacentral.org",
        name: "Barracuda Reputation Block List",
        link: "https://www.barracudacentral.org/lookups",
    },
    ListName {
        needle: "spamcop",
        zone: "bl.spamcop.net",
        name: "SpamCop",
        link: "https://www.spamcop.net/bl.shtml",
    },
    ListName {
        needle: "abuseat.org",
        zone: "cbl.abuseat.org",
        name: "CBL (now part of Spamhaus XBL)",
        link: "https://check.spamhaus.org/",
    },
    ListName {
        needle: "sorbs",
        zone: "dnsbl.sorbs.net",
        name: "SORBS",
        link: "http://www.sorbs.net/",
    },
    ListName {
        needle: "uceprotect",
        zone: "dnsbl-1.uceprotect.net",
        name: "UCEPROTECT",
        link: "https://www.uceprotect.net/en/rblcheck.php",
    },
    ListName {
        needle: "psbl.surriel",
        zone: "psbl.surriel.com",
        name: "PSBL",
        link: "https://psbl.org/",
    },
    ListName {
        needle: "mailspike",
        zone: "bl.mailspike.net",
        name: "Mailspike",
        link: "https://mailspike.org/",
    },
    ListName {
        needle: "spamrats",
        zone: "all.spamrats.com",
        name: "SpamRATS",
        link: "https://www.spamrats.com/",
    },
    ListName {
        needle: "invaluement",
        zone: "ivmsip.invaluement.com",
        name: "Invaluement",
        link: "https://www.invaluement.com/",
    },
    ListName {
        needle: "surbl",
        zone: "multi.surbl.org",
        name: "SURBL",
        link: "https://www.surbl.org/surbl-analysis",
    },
    ListName {
        needle: "uribl",
        zone: "multi.uribl.com",
        name: "URIBL",
        link: "https://admin.uribl.com/",
    },
    ListName {
        needle: "backscatterer",
        zone: "ips.backscatterer.org",
        name: "Backscatterer",
        link: "https://www.backscatterer.org/",
    },
];

const YAHOO_VOLUME_MEANING: &str =
    "Yahoo deferred the message because of unexpected volume or user complaints.";
const YAHOO_VOLUME_FIX: &str = "Lower the sending rate, remove addresses that never engage, and honour complaints (join Yahoo's complaint feedback loop).";
const YAHOO_COMPLAINTS_MEANING: &str =
    "Yahoo deferred the message because its users complained about mail from this IP.";
const YAHOO_COMPLAINTS_FIX: &str = "Send only to people who asked for the mail, make unsubscribing easy, and join Yahoo's complaint feedback loop to remove complainers.";
const GREYLISTING_MEANING: &str = "The receiver greylists: it refuses the first attempt from a sender it has not seen, expecting a real mail server to try again.";
const GREYLISTING_FIX: &str = "Nothing to fix: your server retries and the retry, usually after a few minutes, is accepted. Retry from the same IP with the same sender and recipient; do not resend by hand.";

/// A Yahoo deferral or refusal for the sending IP's reputation (volume, complaints).
const fn yahoo_reputation(
    code: &'static str,
    needles: &'static [&'static str],
    meaning: &'static str,
    fix: &'static str,
) -> Known {
    Known {
        provider: "Yahoo",
        code,
        needles,
        reason: Some(Reason::BadReputation),
        cause: Some(BounceCause::Reputation),
        meaning,
        fix,
        link: Some("https://senders.yahooinc.com/smtp-error-codes/"),
    }
}

/// An Exchange Server status token (`RESOLVER.ADR.RecipNotFound`): the categorizer's or the
/// SMTP send component's name for why it refused, written after the enhanced status code in
/// Exchange and Exchange Online reports. `needle` is the token in lower case.
const fn exchange(
    code: &'static str,
    needle: &'static [&'static str],
    reason: Option<Reason>,
    meaning: &'static str,
    fix: &'static str,
) -> Known {
    Known {
        provider: "Microsoft Exchange",
        code,
        needles: needle,
        reason,
        cause: None,
        meaning,
        fix,
        link: Some(EXCHANGE_NDR),
    }
}

/// Microsoft's list of Exchange Online non-delivery codes and what each asks of the sender.
pub(crate) const EXCHANGE_NDR: &str = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online";

/// One of amavisd-new's verdicts on the message (`Reject, id=... - <VERDICT>`): content.
const fn amavis(
    code: &'static str,
    needles: &'static [&'static str],
    reason: Reason,
    meaning: &'static str,
    fix: &'static str,
) -> Known {
    Known {
        provider: "amavisd-new",
        code,
        needles,
        reason: Some(reason),
        cause: Some(BounceCause::Content),
        meaning,
        fix,
        link: None,
    }
}

/// A greylisting refusal (RFC 6647), named by one of its spellings.
const fn greylisting(needles: &'static [&'static str]) -> Known {
    Known {
        provider: "RFC 6647",
        code: "greylisting",
        needles,
        reason: Some(Reason::OnHold),
        cause: Some(BounceCause::Transient),
        meaning: GREYLISTING_MEANING,
        fix: GREYLISTING_FIX,
        link: Some("https://www.rfc-editor.org/rfc/rfc6647"),
    }
}

/// Gmail's temporary refusal with the code in `needles` (`421 4.7.NN Your email has been rate
/// limited because ...`), the rate-limiting form of its permanent 5.7.NN: recognised with its
/// cause. The reason is given only for a code in [`GMAIL_OWN_SENSE`], whose registry sense the
/// status table follows; otherwise the table and the words decide it, as they do for the
/// 4.7.28 rate limit.
const fn gmail_rate_limit(
    needles: &'static [&'static str; 1],
    reason: Option<Reason>,
    cause: BounceCause,
    meaning: &'static str,
    fix: &'static str,
) -> Known {
    Known {
        provider: "Gmail",
        code: needles[0],
        needles,
        reason,
        cause: Some(cause),
        meaning,
        fix,
        link: Some("https://support.google.com/a/answer/81126"),
    }
}

const KNOWN: &[Known] = &[
    // Gmail (https://support.google.com/a/answer/3726730).
    Known {
        provider: "Gmail",
        code: "5.7.26",
        needles: &["5.7.26"],
        reason: Some(Reason::AuthFailure),
        cause: Some(BounceCause::Authentication),
        meaning: "Gmail refused the message as unauthenticated: it failed DMARC, or passed neither SPF nor DKIM.",
        fix: "Publish an SPF record that lists every server that sends for your domain, sign with DKIM using your From domain, and publish a DMARC record; then check that SPF or DKIM aligns with the From domain.",
        link: Some("https://support.google.com/a/answer/81126"),
    },
    Known {
        provider: "Gmail",
        code: "5.7.27",
        needles: &["5.7.27"],
        reason: Some(Reason::AuthFailure),
        cause: Some(BounceCause::Authentication),
        meaning: "Gmail says the sending IP is not authorised by the envelope domain's SPF record.",
        fix: "Add the sending server to your SPF record (an ip4:/ip6: or the include: of your provider).",
        link: Some("https://support.google.com/a/answer/33786"),
    },
    Known {
        provider: "Gmail",
        code: "5.7.25",
        needles: &["5.7.25"],
        reason: Some(Reason::RequirePtr),
        cause: Some(BounceCause::Reputation),
        meaning: "The sending IP has no PTR (reverse DNS) record, which Gmail requires.",
        fix: "Ask whoever owns the IP (your hosting or ISP) to set a PTR record naming your mail server, and make that name resolve back to the same IP.",
        link: Some("https://support.google.com/a/answer/81126"),
    },
    Known {
        provider: "Gmail",
        code: "5.7.28",
        needles: &["5.7.28"],
        reason: Some(Reason::BadReputation),
        cause: Some(BounceCause::Reputation),
        meaning: "Gmail sees an unusual rate of unsolicited mail from your IP or domain.",
        fix: "Stop the unwanted sending (compromised account, purchased list), send only to people who asked, add one-click unsubscribe, and watch Postmaster Tools before raising volume again.",
        link: Some("https://postmaster.google.com/"),
    },
    // The temporary form: Gmail rate-limits before it blocks. The words decide the reason (an
    // unusual rate of mail, or of one Message-ID).
    Known {
        provider: "Gmail",
        code: "4.7.28",
        needles: &["4.7.28"],
        reason: None,
        cause: Some(BounceCause::Reputation),
        meaning: "Gmail is rate-limiting mail from your IP or DKIM domain: it sees an unusual rate of (unsolicited) mail from it.",
        fix: "Resend nothing yet (the mail is retried); slow down, stop any unwanted sending, and watch Postmaster Tools before raising volume again.",
        link: Some("https://support.google.com/mail/?p=UnsolicitedRateLimitError"),
    },
    Known {
        provider: "Gmail",
        code: "5.7.29",
        needles: &["5.7.29"],
        reason: Some(Reason::FailedStartTls),
        cause: Some(BounceCause::Other),
        meaning: "Gmail requires bulk senders to deliver over TLS; this connection was not encrypted.",
        fix: "Enable STARTTLS on the sending server (a valid certificate, opportunistic TLS on outbound SMTP).",
        link: Some("https://support.google.com/a/answer/81126"),
    },
    Known {
        provider: "Gmail",
        code: "5.7.30",
        needles: &["5.7.30"],
        reason: Some(Reason::AuthFailure),
        cause: Some(BounceCause::Authentication),
        meaning: "Gmail says DKIM did not pass for this message.",
        fix: "Sign with DKIM (d= your From domain), publish the selector's public key in DNS, and check that nothing on the way (a list, a footer) changes the signed headers or body.",
        link: Some("https://support.google.com/a/answer/174124"),
    },
    // The temporary forms of the bulk-sender requirements: Gmail rate-limits ("Your email has
    // been rate limited because ...") before it refuses for good. The words decide the reason.
    gmail_rate_limit(
        &["4.7.26"],
        None,
        BounceCause::Authentication,
        "Gmail is rate-limiting mail that passes neither SPF nor DKIM (unauthenticated mail).",
        "Publish SPF for every server that sends for your domain and sign with DKIM using your From domain; the mail is retried meanwhile.",
    ),
    gmail_rate_limit(
        &["4.7.27"],
        Some(Reason::AuthFailure),
        BounceCause::Authentication,
        "Gmail is rate-limiting mail whose SPF check did not pass.",
        "Add the sending server to your SPF record (an ip4:/ip6: or your provider's include:); the mail is retried meanwhile.",
    ),
    gmail_rate_limit(
        &["4.7.29"],
        Some(Reason::FailedStartTls),
        BounceCause::Other,
        "Gmail is rate-limiting mail that was not sent over TLS.",
        "Enable STARTTLS on the sending server (a valid certificate, opportunistic TLS on outbound SMTP); the mail is retried meanwhile.",
    ),
    gmail_rate_limit(
        &["4.7.30"],
        Some(Reason::AuthFailure),
        BounceCause::Authentication,
        "Gmail is rate-limiting mail whose DKIM check did not pass.",
        "Sign with DKIM (d= your From domain) and publish the selector's key; the mail is retried meanwhile.",
    ),
    gmail_rate_limit(
        &["4.7.32"],
        None,
        BounceCause::Authentication,
        "Gmail is rate-limiting mail whose From domain is aligned with neither the SPF domain nor the DKIM domain.",
        "Sign DKIM with your From domain (d=), or send with a Return-Path in your From domain; the mail is retried meanwhile.",
    ),
    Known {
        provider: "Gmail",
        code: "5.7.32",
        needles: &["5.7.32"],
        reason: Some(Reason::AuthFailure),
        cause: Some(BounceCause::Authentication),
        meaning: "The From domain is aligned with neither the SPF domain nor the DKIM domain.",
        fix: "Sign DKIM with your From domain (d=), or send with a Return-Path in your From domain.",
        link: Some("https://support.google.com/a/answer/81126"),
    },
    // The IANA registry's meanings of the codes Gmail uses in its own sense (see
    // [`GMAIL_OWN_SENSE`]): these hold in any reply that is not Gmail's.
    Known {
        provider: "RFC 7505",
        code: "5.7.27",
        needles: &["5.7.27"],
        reason: Some(Reason::Rejected),
        cause: Some(BounceCause::Authentication),
        meaning: "The envelope sender's domain publishes a null MX (it takes no mail), so the receiver refuses its mail: no bounce could ever reach it.",
        fix: "Send with a MAIL FROM (Return-Path) domain that accepts mail: give it a real MX record, or use a return-path domain that has one.",
        link: Some("https://www.rfc-editor.org/rfc/rfc7505#section-4.2"),
    },
    Known {
        provider: "RFC 8617",
        code: "5.7.29",
        needles: &["5.7.29"],
        reason: None,
        cause: Some(BounceCause::Authentication),
        meaning: "The message failed ARC validation: a forwarder's Authenticated Received Chain is broken or untrusted.",
        fix: "If you forward or relay mail (a list, a forwarding service), sign ARC sets correctly; if you send directly, make SPF and DKIM pass so the receiver needs no ARC.",
        link: Some("https://www.rfc-editor.org/rfc/rfc8617"),
    },
    Known {
        provider: "RFC 8689",
        code: "5.7.30",
        needles: &["5.7.30"],
        reason: None,
        cause: Some(BounceCause::Other),
        meaning: "The message asked for REQUIRETLS, and a server on the way does not support it.",
        fix: "Send without REQUIRETLS to this destination, or through servers that support it (TLS with RFC 8689's extension end to end).",
        link: Some("https://www.rfc-editor.org/rfc/rfc8689"),
    },
    // Exchange Server's status tokens (its own documented names; the enhanced code beside
    // them is often generic, 5.1.0 or 5.7.1, or says less: 5.2.3 for a size limit).
    exchange(
        "RESOLVER.ADR.RecipNotFound",
        &["resolver.adr.recipnotfound"],
        Some(Reason::UserUnknown),
        "The receiving Exchange organisation has no mailbox with this address.",
        "",
    ),
    exchange(
        "RESOLVER.ADR.ExRecipNotFound",
        &["resolver.adr.exrecipnotfound"],
        Some(Reason::UserUnknown),
        "The receiving Exchange organisation has no mailbox with this address.",
        "",
    ),
    exchange(
        "RESOLVER.ADR.RecipientNotFound",
        &["resolver.adr.recipientnotfound"],
        Some(Reason::UserUnknown),
        "Exchange Online found no recipient with this address in the receiving organisation.",
        "",
    ),
    exchange(
        "RESOLVER.ADR.RecipLimit",
        &["resolver.adr.reciplimit"],
        Some(Reason::TooManyConn),
        "The message has more recipients than the receiving Exchange organisation accepts in one message.",
        "Send to fewer recipients per message (split the list into batches).",
    ),
    exchange(
        "RESOLVER.ADR.BadPrimary",
        &["resolver.adr.badprimary"],
        Some(Reason::SystemError),
        "The recipient's directory entry in the receiving organisation has no valid primary address: their configuration is broken.",
        "Tell the recipient another way; their administrators must repair the directory entry.",
    ),
    exchange(
        "RESOLVER.ADR.InvalidInSmtp",
        &["resolver.adr.invalidinsmtp"],
        Some(Reason::SystemError),
        "The recipient's directory entry in the receiving organisation has no valid SMTP address: their configuration is broken.",
        "Tell the recipient another way; their administrators must repair the directory entry.",
    ),
    exchange(
        "RESOLVER.ADR.Ambiguous",
        &["resolver.adr.ambiguous"],
        Some(Reason::SystemError),
        "The address matches more than one entry in the receiving organisation's directory.",
        "Tell the recipient another way; their administrators must remove the duplicate address.",
    ),
    exchange(
        "RESOLVER.RST.AuthRequired",
        &["resolver.rst.authrequired"],
        Some(Reason::SecurityError),
        "The recipient (often a distribution group) accepts mail only from authenticated senders inside its own organisation.",
        "Ask the recipient's administrators to let the address receive mail from outside, or reach the people behind it directly.",
    ),
    exchange(
        "RESOLVER.RST.NotAuthorized",
        &["resolver.rst.notauthorized"],
        // The recipient's own delivery restrictions refused the sender: filtered, as the
        // phrase tables read it (Sisimai's Exchange 2007 module alone says rejected).
        Some(Reason::Filtered),
        "Your address is not among the senders this recipient (a restricted group or mailbox) accepts.",
        "Ask the group's owner to allow your address, or write to its members directly.",
    ),
    exchange(
        "RESOLVER.RST.RecipSizeLimit",
        &["resolver.rst.recipsizelimit"],
        Some(Reason::MesgTooBig),
        "The message is larger than this recipient's size limit.",
        "",
    ),
    exchange(
        "SMTPSEND.DNS.NonExistentDomain",
        &["smtpsend.dns.nonexistentdomain"],
        Some(Reason::HostUnknown),
        "The recipient's domain does not exist in DNS (NXDOMAIN when the sending Exchange looked up its MX).",
        "",
    ),
    exchange(
        "SMTPSEND.DNS.MxLoopback",
        &["smtpsend.dns.mxloopback"],
        Some(Reason::NetworkError),
        "The recipient domain's MX record points back at the sending Exchange server: the message would loop.",
        "Check the recipient's address; if it is right, the domain's MX record or your send connector (a smart host that routes back to you) is misconfigured.",
    ),
    // No reason of its own: the status says expired already, and the words beside it may
    // name the cause the queue gave up on (a refused connection, a blocklist).
    exchange(
        "QUEUE.Expired",
        &["queue.expired"],
        None,
        "The message waited in the sending Exchange server's queue until it expired: the receiving server could not be reached or kept deferring it.",
        "",
    ),
    // Exchange 2000/2003's categorizer and IMS codes, written as `MSEXCH:IMS:... (000C05A6)`.
    exchange(
        "000C05A6",
        &["000c05a6"],
        Some(Reason::UserUnknown),
        "Exchange has no recipient with this address (\"Unknown Recipient\").",
        "",
    ),
    exchange(
        "000C0595",
        &["000c0595"],
        Some(Reason::Filtered),
        "The address matches more than one recipient in the receiving Exchange organisation (\"Ambiguous Recipient\").",
        "Tell the recipient another way; their administrators must remove the duplicate address.",
    ),
    exchange(
        "000D06B5",
        &["000d06b5"],
        Some(Reason::SystemError),
        "The recipient has no address of the kind Exchange needed to deliver to it (\"No proxy for recipient\"): the receiver's configuration.",
        "Tell the recipient another way; their administrators must give the mailbox an SMTP address.",
    ),
    exchange(
        "00120270",
        &["00120270"],
        Some(Reason::NetworkError),
        "The message passed through too many servers (\"Too Many Hops\"): a mail loop between servers.",
        "Check the recipient's address; if it is right, the receiver's routing loops and their administrators must fix it.",
    ),
    exchange(
        "00050311",
        &["00050311"],
        Some(Reason::ContentError),
        "Exchange could not convert the message to Internet format.",
        "Send it again as plain text or HTML, without rich-text (TNEF) formatting or unusual attachments.",
    ),
    exchange(
        "000502CC",
        &["000502cc"],
        Some(Reason::ContentError),
        "Exchange could not convert the message to Internet format.",
        "Send it again as plain text or HTML, without rich-text (TNEF) formatting or unusual attachments.",
    ),
    exchange(
        "000B0981",
        &["000b0981"],
        Some(Reason::SecurityError),
        "The server Exchange relays through requires authentication it could not give (\"502 Server does not support AUTH\").",
        "Fix the sending Exchange's smart-host connector: its authentication settings must match what the relay offers.",
    ),
    // Microsoft Exchange Online / Outlook.com.
    Known {
        provider: "Microsoft",
        code: "5.7.515",
        needles: &["5.7.515"],
        reason: Some(Reason::AuthFailure),
        cause: Some(BounceCause::Authentication),
        meaning: "Outlook.com requires high-volume senders to pass SPF, DKIM and DMARC; this domain does not meet the required authentication level.",
        fix: "Publish SPF, sign with DKIM and publish DMARC (at least p=none) with alignment on your From domain.",
        link: Some(
            "https://techcommunity.microsoft.com/blog/microsoftdefenderforoffice365blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730",
        ),
    },
    Known {
        provider: "Microsoft",
        code: "5.7.509",
        needles: &["5.7.509"],
        reason: Some(Reason::AuthFailure),
        cause: Some(BounceCause::Authentication),
        meaning: "The sending domain fails DMARC and its policy is reject.",
        fix: "Make SPF or DKIM pass aligned with the From domain for this sending path.",
        link: Some(EXCHANGE_NDR),
    },
    Known {
        provider: "Microsoft",
        code: "S3150",
        needles: &["s3150"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "The sending IP is on Microsoft's own block list.",
        fix: "Request delisting of the IP at the Office 365 anti-spam delist portal, after stopping whatever sent unwanted mail.",
        link: Some("https://sender.office.com/"),
    },
    Known {
        provider: "Microsoft",
        code: "S3140",
        needles: &["s3140"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "The sending IP is on Microsoft's own block list.",
        fix: "Request delisting of the IP at the Office 365 anti-spam delist portal.",
        link: Some("https://sender.office.com/"),
    },
    Known {
        provider: "Microsoft",
        code: "5.7.606-649",
        needles: &["banned sending ip"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "Microsoft banned the sending IP (5.7.606 to 5.7.649).",
        fix: "Request delisting at the Office 365 anti-spam delist portal; if the IP is shared, ask your provider.",
        link: Some("https://sender.office.com/"),
    },
    // Exchange Online's tenant-wide sending ban (5.7.705 for the tenant, the 5.7.7xx range).
    Known {
        provider: "Microsoft",
        code: "5.7.705",
        needles: &["tenant has exceeded threshold"],
        reason: Some(Reason::Speeding),
        cause: Some(BounceCause::Reputation),
        meaning: "Microsoft 365 stopped the sending tenant: most of its recent mail looked suspicious (usually spam from a compromised account), and it exceeded its threshold.",
        fix: "Find and secure the compromised accounts or the source of the spam, then ask Microsoft support to lift the tenant's sending ban.",
        link: Some(
            "https://learn.microsoft.com/en-us/defender-office-365/outbound-spam-restore-restricted-users",
        ),
    },
    Known {
        provider: "Microsoft",
        code: "5.7.708",
        needles: &["5.7.708"],
        reason: Some(Reason::BadReputation),
        cause: Some(BounceCause::Reputation),
        meaning: "Microsoft does not accept traffic from this IP (low reputation, typically a new or shared range).",
        fix: "Send through a relay with an established reputation, or warm the IP up slowly.",
        link: None,
    },
    Known {
        provider: "Microsoft",
        code: "5.7.750",
        needles: &["5.7.750"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "The sending domain is not registered with the Microsoft 365 tenant that relays it.",
        fix: "Add and verify the domain in the Microsoft 365 admin center, or relay through a connector that owns it.",
        link: None,
    },
    Known {
        provider: "Microsoft",
        code: "5.7.133-136",
        needles: &["resolver.rst.sendernotauthenticatedfor"],
        reason: Some(Reason::Rejected),
        cause: Some(BounceCause::Other),
        meaning: "The recipient (a group or mailbox) accepts mail only from senders signed in to its own organisation; this is its delivery restriction, not a failure of SPF, DKIM or DMARC.",
        fix: "Ask the recipient's administrators to accept mail from outside for the address, or write to the people behind it directly.",
        link: Some(EXCHANGE_NDR),
    },
    Known {
        provider: "Microsoft",
        code: "5.7.12",
        needles: &["sender was not authenticated by organization"],
        reason: Some(Reason::Rejected),
        cause: Some(BounceCause::Other),
        meaning: "The recipient's organisation accepts this address's mail only from its own, signed-in senders; this is its delivery restriction, not a failure of SPF, DKIM or DMARC.",
        fix: "Ask the recipient's administrators to accept mail from outside for the address, or write to the people behind it directly.",
        link: Some(EXCHANGE_NDR),
    },
    Known {
        provider: "Microsoft",
        code: "5.7.501",
        needles: &["5.7.501"],
        reason: Some(Reason::SpamDetected),
        cause: Some(BounceCause::Reputation),
        meaning: "Exchange Online banned the sending account or IP range after detecting spam from it.",
        fix: "Find and stop what sent the spam (a compromised account, a bad list), then ask Microsoft to lift the ban through the delist portal.",
        link: Some("https://sender.office.com/"),
    },
    Known {
        provider: "Microsoft",
        code: "5.7.520",
        needles: &["5.7.520"],
        reason: Some(Reason::PolicyViolation),
        cause: Some(BounceCause::Other),
        meaning: "Your own Microsoft 365 organisation does not allow automatic forwarding to outside addresses.",
        fix: "Ask your administrators to allow external forwarding for this mailbox (the outbound spam policy), or forward by hand.",
        link: Some(EXCHANGE_NDR),
    },
    Known {
        provider: "Microsoft",
        code: "5.1.90",
        needles: &["5.1.90"],
        reason: Some(Reason::Speeding),
        cause: Some(BounceCause::Capacity),
        meaning: "Your Exchange Online account reached its daily limit of recipients.",
        fix: "Wait for the 24-hour window to pass; send bulk mail through a service meant for it, not a mailbox.",
        link: Some(EXCHANGE_NDR),
    },
    Known {
        provider: "Microsoft",
        code: "5.0.350",
        needles: &["5.0.350", "x-dg-ref"],
        reason: Some(Reason::ContentError),
        cause: Some(BounceCause::Content),
        meaning: "The message carries an x-dg-ref header too long for the receiver (Outlook adds it to messages in rich text format).",
        fix: "Send the message in HTML or plain text, not rich text (RTF).",
        link: Some(EXCHANGE_NDR),
    },
    Known {
        provider: "Microsoft",
        code: "5.7.506",
        needles: &["5.7.506"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Exchange Online refused the client: it introduced itself in HELO as the receiving server, which spambots do (\"Access denied, Bad HELO\").",
        fix: "Make the sending server say its own fully qualified host name in HELO/EHLO.",
        link: None,
    },
    Known {
        provider: "Microsoft",
        code: "5.7.507",
        needles: &["5.7.507"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "The recipient's organisation blocked the sending IP in its Exchange Online settings (\"Access denied, rejected by recipient\").",
        fix: "Ask the recipient to remove your IP from their organisation's block list, or send from another IP.",
        link: None,
    },
    Known {
        provider: "Microsoft",
        code: "5.7.508",
        needles: &["5.7.508"],
        reason: Some(Reason::Speeding),
        cause: Some(BounceCause::Reputation),
        meaning: "Exchange Online refused the sending IP: it exceeded the permitted sending limits within a time window.",
        fix: "Slow down: spread the sending over more time, then retry.",
        link: None,
    },
    Known {
        provider: "Microsoft",
        code: "5.7.700",
        needles: &["5.7.700"],
        reason: Some(Reason::TooManyConn),
        cause: Some(BounceCause::Reputation),
        meaning: "Exchange Online refused the mail: the sending tenant or IP exceeded its traffic threshold.",
        fix: "Lower the volume sent to Microsoft 365 and retry later; a compromised account is a common cause.",
        link: None,
    },
    Known {
        provider: "Microsoft",
        code: "5.7.124",
        needles: &["5.7.124"],
        reason: Some(Reason::Rejected),
        cause: Some(BounceCause::Other),
        meaning: "The recipient group accepts mail only from its allowed senders, and you are not one (\"Sender not in allowed-senders list\").",
        fix: "Ask the group's owner to add your address to its allowed senders.",
        link: None,
    },
    // Yahoo (https://senders.yahooinc.com/smtp-error-codes/).
    yahoo_reputation("TSS04", &["tss04"], YAHOO_VOLUME_MEANING, YAHOO_VOLUME_FIX),
    yahoo_reputation("GL01", &["gl01"], YAHOO_VOLUME_MEANING, YAHOO_VOLUME_FIX),
    yahoo_reputation(
        "TS01",
        &["ts01"],
        YAHOO_COMPLAINTS_MEANING,
        YAHOO_COMPLAINTS_FIX,
    ),
    yahoo_reputation(
        "TS02",
        &["ts02"],
        YAHOO_COMPLAINTS_MEANING,
        YAHOO_COMPLAINTS_FIX,
    ),
    Known {
        provider: "Yahoo",
        code: "TSS09",
        needles: &["tss09"],
        reason: Some(Reason::BadReputation),
        cause: Some(BounceCause::Reputation),
        meaning: "Yahoo refuses all mail from this IP for its reputation; retrying will not succeed.",
        fix: "Stop retrying from this IP. Fix what hurt its reputation (complaints, unknown addresses, a compromised account or form), then ask Yahoo's sender support to review the IP.",
        link: Some("https://senders.yahooinc.com/smtp-error-codes/"),
    },
    // "421 4.7.1 : (DYN:T1) https://postmaster.yahooinc.com/error-codes".
    Known {
        provider: "Yahoo",
        code: "DYN:T1",
        needles: &["dyn:t1"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Yahoo defers mail from this IP: it lies in a dynamic (consumer broadband) range, which Yahoo does not take mail from directly.",
        fix: "Send through your provider's or ISP's relay, or from a static IP whose PTR record names your mail host.",
        link: Some("https://senders.yahooinc.com/smtp-error-codes/"),
    },
    Known {
        provider: "Yahoo",
        code: "PH01",
        needles: &["ph01"],
        reason: Some(Reason::PolicyViolation),
        cause: Some(BounceCause::Content),
        meaning: "Yahoo did not accept the message for policy reasons (often content or authentication).",
        fix: "Check SPF, DKIM and DMARC alignment and the content of the message against Yahoo's sender guidelines.",
        link: Some("https://senders.yahooinc.com/smtp-error-codes/"),
    },
    Known {
        provider: "Yahoo",
        code: "5.7.9",
        needles: &["5.7.9", "policy reasons"],
        reason: Some(Reason::PolicyViolation),
        cause: Some(BounceCause::Content),
        meaning: "Yahoo did not accept the message for policy reasons.",
        fix: "Authenticate with SPF, DKIM and DMARC aligned on the From domain and review the content.",
        link: Some("https://senders.yahooinc.com/smtp-error-codes/"),
    },
    // Orange / France Telecom (documented LPN/OFR codes).
    Known {
        provider: "Orange",
        code: "416",
        needles: &["lpn", "_416"],
        reason: Some(Reason::UserUnknown),
        cause: None,
        meaning: "Orange says the recipient address is invalid (no such mailbox).",
        fix: "Remove the address from your list or correct it.",
        link: Some("https://postmaster.orange.fr/"),
    },
    Known {
        provider: "Orange",
        code: "426",
        needles: &["lpn", "_426"],
        reason: Some(Reason::Suspend),
        cause: None,
        meaning: "Orange says the recipient account is blocked.",
        fix: "Stop sending to the address until its owner reactivates it.",
        link: Some("https://postmaster.orange.fr/"),
    },
    Known {
        provider: "Orange",
        code: "505",
        needles: &["ofr", "_505"],
        reason: Some(Reason::SystemError),
        cause: None,
        meaning: "Orange refused the service for now (its own temporary fault).",
        fix: "Retry later; nothing to change on your side.",
        link: Some("https://postmaster.orange.fr/"),
    },
    Known {
        provider: "Orange",
        code: "506",
        needles: &["ofr", "_506"],
        reason: Some(Reason::SpamDetected),
        cause: Some(BounceCause::Content),
        meaning: "Orange refused the message as spam (\"Mail rejete. Mail rejected. OFR_506\").",
        fix: "Review the content, links and sending volume against Orange's postmaster guidelines; check the sending IP's reputation.",
        link: Some("https://postmaster.orange.fr/"),
    },
    Known {
        provider: "Orange",
        code: "630",
        needles: &["lpn", "_630"],
        reason: Some(Reason::PolicyViolation),
        cause: Some(BounceCause::Content),
        meaning: "Orange refused the client host under its sending policy.",
        fix: "Read Orange's postmaster page for the code and check the sending host's configuration and reputation.",
        link: Some("https://postmaster.orange.fr/"),
    },
    // GoDaddy (Workspace Email / secureserver.net): its inbound servers end each refusal with an
    // "IB" code (the codes and reasons Sisimai 5.3's Rhost::GoDaddy documents; its replies
    // without a code are the receiver table's, super::receivers).
    Known {
        provider: "GoDaddy",
        code: "IB103",
        needles: &["ib103"],
        reason: Some(Reason::BadReputation),
        cause: Some(BounceCause::Reputation),
        meaning: "GoDaddy refused the connection: the sending IP has a poor reputation on Cloudmark Sender Intelligence.",
        fix: "Check the IP's reputation with Cloudmark (csi.cloudmark.com) and ask for a reset once the cause (a compromised account, a bad list) is fixed.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB104",
        needles: &["ib104"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "GoDaddy refused the connection: the sending IP is on the Spamhaus Block List (SBL).",
        fix: "Look the IP up at check.spamhaus.org, fix what got it listed, then request delisting.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB105",
        needles: &["ib105"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "GoDaddy refused the connection: the sending IP is on the Spamhaus Exploits Block List (XBL), a sign of an infected host.",
        fix: "Find and clean the infected host or open proxy behind the IP, then request delisting at check.spamhaus.org.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB106",
        needles: &["ib106"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "GoDaddy refused the connection: the sending IP is on the Spamhaus Policy Block List (PBL), an address range that should not send mail directly.",
        fix: "Send through your provider's or ESP's relay, or have the IP's owner remove it from the PBL if it is a real mail server.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB007",
        needles: &["ib007"],
        reason: Some(Reason::TooManyConn),
        cause: Some(BounceCause::Transient),
        meaning: "GoDaddy refused the connection: too many sessions from the sending IP.",
        fix: "Lower the number of concurrent connections to GoDaddy's servers; the mail is retried.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB108",
        needles: &["ib108"],
        reason: Some(Reason::RequirePtr),
        cause: Some(BounceCause::Reputation),
        meaning: "GoDaddy deferred the message: the reverse DNS (PTR) lookup of the sending IP failed.",
        fix: "Give the sending IP a PTR record whose name resolves back to the IP.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB110",
        needles: &["ib110"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "GoDaddy blocked the sending IP for a while after too many messages it judged to be spam.",
        fix: "Find out which mail was reported (a compromised account, an unwanted campaign), stop it, and send again later.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB111",
        needles: &["ib111"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "GoDaddy blocked the sending IP for the day after too many messages it judged to be spam.",
        fix: "Find out which mail was reported (a compromised account, an unwanted campaign), stop it, and send again tomorrow.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB112",
        needles: &["ib112"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "GoDaddy blocked the sending IP for a while for mailing too many invalid recipients.",
        fix: "Clean the list: remove addresses that bounce, and stop sending to purchased or old lists.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB113",
        needles: &["ib113"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "GoDaddy blocked the sending IP for the day for mailing too many invalid recipients.",
        fix: "Clean the list: remove addresses that bounce, and stop sending to purchased or old lists.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB212",
        needles: &["ib212"],
        reason: Some(Reason::SpamDetected),
        cause: Some(BounceCause::Content),
        meaning: "GoDaddy rejected the message as spam by its content.",
        fix: "Review the content and links; make sure the recipients asked for the mail.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB401",
        needles: &["ib401"],
        reason: Some(Reason::SecurityError),
        cause: Some(BounceCause::Other),
        meaning: "GoDaddy does not allow SMTP authentication on its inbound servers.",
        fix: "Send to GoDaddy's MX without authenticating, or submit through your own provider's relay.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB501",
        needles: &["ib501"],
        reason: Some(Reason::NotCompliantRfc),
        cause: Some(BounceCause::Other),
        meaning: "GoDaddy rejected the message: its From: address is blank.",
        fix: "Put a valid From: address in the message.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB502",
        needles: &["ib502"],
        reason: Some(Reason::NotCompliantRfc),
        cause: Some(BounceCause::Other),
        meaning: "GoDaddy rejected the message: its From: address is an IP address.",
        fix: "Use a From: address on a real domain.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB101",
        needles: &["ib101"],
        reason: Some(Reason::Speeding),
        cause: Some(BounceCause::Transient),
        meaning: "GoDaddy deferred the message: its mail queue has more mail than usual.",
        fix: "Nothing to fix: the message is retried; send later if it bounced.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB605",
        needles: &["ib605"],
        reason: Some(Reason::TooManyConn),
        cause: Some(BounceCause::Transient),
        meaning: "GoDaddy refused the message: it has too many recipients.",
        fix: "Send to fewer recipients per message and retry.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB504",
        needles: &["ib504"],
        reason: Some(Reason::Speeding),
        cause: Some(BounceCause::Reputation),
        meaning: "GoDaddy refused the message: the sending IP sent too many messages this hour.",
        fix: "Slow down: spread the sending over more time.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB506",
        needles: &["ib506"],
        reason: Some(Reason::Rejected),
        cause: Some(BounceCause::Authentication),
        meaning: "GoDaddy rejected the message: the From: domain is invalid.",
        fix: "Send from a domain that exists in DNS and can receive mail.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB508",
        needles: &["ib508"],
        reason: Some(Reason::AuthFailure),
        cause: Some(BounceCause::Authentication),
        meaning: "GoDaddy rejected the message: the sender's SPF record is invalid.",
        fix: "Fix the domain's SPF record (check it with `fivefifty domain`) so that it parses and lists your sending IPs.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB510",
        needles: &["ib510"],
        reason: Some(Reason::Speeding),
        cause: Some(BounceCause::Transient),
        meaning: "GoDaddy refused the message: too many messages in one SMTP session.",
        fix: "Open a new session for more messages (lower the messages-per-connection setting).",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB607",
        needles: &["ib607"],
        reason: Some(Reason::Speeding),
        cause: Some(BounceCause::Reputation),
        meaning: "GoDaddy refused the message: the sending IP sent to too many recipients this hour.",
        fix: "Slow down: spread the sending over more time.",
        link: None,
    },
    Known {
        provider: "GoDaddy",
        code: "IB705",
        needles: &["ib705"],
        reason: Some(Reason::VirusDetected),
        cause: Some(BounceCause::Content),
        meaning: "GoDaddy rejected the message: it found a virus in it.",
        fix: "Scan the sending host and the attachment; send without the infected file.",
        link: None,
    },
    // Facebook (postmaster.facebook.com response codes, with the reasons Sisimai 5.3's
    // Rhost::Facebook gives them).
    Known {
        provider: "Facebook",
        code: "RCP-P2",
        needles: &["rcp-p2"],
        reason: Some(Reason::Filtered),
        cause: None,
        meaning: "Facebook refused the message because of the recipient's preferences.",
        fix: "Nothing to fix in your setup: the recipient does not accept this mail.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "RCP-P1",
        needles: &["rcp-p1"],
        reason: Some(Reason::UserUnknown),
        cause: None,
        meaning: "The recipient address does not exist.",
        fix: "Remove the address from your list.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "INT-P1",
        needles: &["int-p1"],
        reason: Some(Reason::UserUnknown),
        cause: None,
        meaning: "The recipient address does not exist.",
        fix: "Remove the address from your list.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "INT-P3",
        needles: &["int-p3"],
        reason: Some(Reason::UserUnknown),
        cause: None,
        meaning: "The recipient group address does not exist.",
        fix: "Remove the address from your list.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "INT-P4",
        needles: &["int-p4"],
        reason: Some(Reason::UserUnknown),
        cause: None,
        meaning: "The recipient address does not exist.",
        fix: "Remove the address from your list.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "RCP-P3",
        needles: &["rcp-p3"],
        reason: Some(Reason::Filtered),
        cause: None,
        meaning: "The recipient's privacy settings blocked the delivery.",
        fix: "Nothing to fix in your setup: the recipient does not accept this mail.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-P1",
        needles: &["pol-p1"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "Your mail server's IP address is on the Spamhaus PBL.",
        fix: "Send through your provider's relay, or ask the IP's owner to remove it from the PBL (fivefifty ip <addr>).",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-P2",
        needles: &["pol-p2"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Facebook no longer accepts mail from your mail server's IP address.",
        fix: "Send from another IP with a good reputation, or ask Facebook's postmaster to lift the block.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "MSG-P1",
        needles: &["msg-p1"],
        reason: Some(Reason::MesgTooBig),
        cause: None,
        meaning: "The message exceeds Facebook's maximum size.",
        fix: "Send a smaller message: link to large files instead of attaching them.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "INT-P2",
        needles: &["int-p2"],
        reason: Some(Reason::MesgTooBig),
        cause: None,
        meaning: "The message exceeds Facebook's maximum size.",
        fix: "Send a smaller message: link to large files instead of attaching them.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "MSG-P2",
        needles: &["msg-p2"],
        reason: Some(Reason::ContentError),
        cause: None,
        meaning: "The message has an attachment type Facebook does not accept.",
        fix: "Send the file another way, or in a type Facebook accepts.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "MSG-P3",
        needles: &["msg-p3"],
        reason: Some(Reason::NotCompliantRfc),
        cause: None,
        meaning: "A header field that may appear once appears several times.",
        fix: "Fix the sending software so each such header field is written once.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-P6",
        needles: &["pol-p6"],
        reason: Some(Reason::SpamDetected),
        cause: None,
        meaning: "The message carries a URL Facebook has blocked.",
        fix: "Remove the blocked link.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-P7",
        needles: &["pol-p7"],
        reason: Some(Reason::AuthFailure),
        cause: Some(BounceCause::Authentication),
        meaning: "The message does not meet Facebook's domain authentication requirements.",
        fix: "Sign with DKIM for your From domain and publish SPF and DMARC (fivefifty domain <your-domain>).",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-P3",
        needles: &["pol-p3"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Facebook does not accept mail from your server for 4 to 8 hours.",
        fix: "Wait, and look for what made your server's mail unwelcome (volume, complaints).",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-P4",
        needles: &["pol-p4"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Facebook does not accept mail from your server for 24 to 48 hours.",
        fix: "Wait, and look for what made your server's mail unwelcome (volume, complaints).",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-T1",
        needles: &["pol-t1"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Facebook does not accept mail from your server for 1 to 2 hours; retry later.",
        fix: "Retry later, and look for what made your server's mail unwelcome.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-T2",
        needles: &["pol-t2"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Facebook does not accept mail from your server for 4 to 8 hours; retry later.",
        fix: "Retry later, and look for what made your server's mail unwelcome.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-T3",
        needles: &["pol-t3"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Facebook does not accept mail from your server for 24 to 48 hours; retry later.",
        fix: "Retry later, and look for what made your server's mail unwelcome.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "DNS-P1",
        needles: &["dns-p1"],
        reason: Some(Reason::Rejected),
        cause: None,
        meaning: "Your SMTP MAIL FROM domain does not exist.",
        fix: "Send with an envelope sender whose domain exists.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "DNS-P2",
        needles: &["dns-p2"],
        reason: Some(Reason::Rejected),
        cause: None,
        meaning: "Your SMTP MAIL FROM domain has no MX record.",
        fix: "Publish MX records for the envelope sender's domain.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "DNS-T1",
        needles: &["dns-t1"],
        reason: Some(Reason::Rejected),
        cause: None,
        meaning: "Your SMTP MAIL FROM domain exists but does not resolve now.",
        fix: "Check the envelope sender domain's DNS servers.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "DNS-P3",
        needles: &["dns-p3"],
        reason: Some(Reason::RequirePtr),
        cause: Some(BounceCause::Reputation),
        meaning: "Your mail server has no reverse DNS record.",
        fix: "Ask the IP's owner to set a PTR record naming your mail server.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "DNS-T2",
        needles: &["dns-t2"],
        reason: Some(Reason::RequirePtr),
        cause: Some(BounceCause::Reputation),
        meaning: "Your mail server's reverse DNS record does not resolve now.",
        fix: "Check the PTR record of your sending IP and the DNS serving it.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "CON-T1",
        needles: &["con-t1"],
        reason: Some(Reason::TooManyConn),
        cause: None,
        meaning: "Facebook's mail server has too many connections open now.",
        fix: "Nothing to fix: retry later.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "RCP-T1",
        needles: &["rcp-t1"],
        reason: Some(Reason::SystemError),
        cause: None,
        meaning: "The recipient address is not available now because of an internal problem.",
        fix: "Nothing to fix: retry later.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "CON-T2",
        needles: &["con-t2"],
        reason: Some(Reason::TooManyConn),
        cause: None,
        meaning: "Your server has too many connections open to Facebook's mail servers.",
        fix: "Open fewer parallel connections to Facebook.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "CON-T3",
        needles: &["con-t3"],
        reason: Some(Reason::TooManyConn),
        cause: None,
        meaning: "Your server opened too many new connections to Facebook in a short time.",
        fix: "Open new connections to Facebook more slowly.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "POL-P5",
        needles: &["pol-p5"],
        reason: Some(Reason::VirusDetected),
        cause: None,
        meaning: "The message contains a virus.",
        fix: "Scan the attachment and the sending machine.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "RCP-T4",
        needles: &["rcp-t4"],
        reason: Some(Reason::Suspend),
        cause: None,
        meaning: "The recipient address is deactivated (its owner may reactivate it).",
        fix: "Reach the person another way; remove the address if it stays deactivated.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "MSG-T1",
        needles: &["msg-t1"],
        reason: Some(Reason::TooManyConn),
        cause: None,
        meaning: "The message has more recipients than Facebook allows.",
        fix: "Send to fewer recipients per message.",
        link: None,
    },
    Known {
        provider: "Facebook",
        code: "CON-T4",
        needles: &["con-t4"],
        reason: Some(Reason::TooManyConn),
        cause: None,
        meaning: "Your server exceeded the recipients allowed on one connection.",
        fix: "Send fewer recipients per connection.",
        link: None,
    },
    // Mimecast (https://community.mimecast.com/docs/DOC-1369).
    Known {
        provider: "Mimecast",
        code: "554 host network not allowed",
        needles: &["host network not allowed"],
        reason: Some(Reason::PolicyViolation),
        cause: None,
        meaning: "The receiving organisation's Mimecast policy does not accept mail from the sending network.",
        fix: "Ask the recipient's administrator to permit your sending IP range, or send through a network they accept.",
        link: Some("https://community.mimecast.com/docs/DOC-1369"),
    },
    // Yahoo's "dd" reply: the mailbox does not exist.
    Known {
        provider: "Yahoo",
        code: "554 delivery error: dd",
        needles: &["delivery error: dd", "doesn't have a"],
        reason: Some(Reason::UserUnknown),
        cause: None,
        meaning: "Yahoo has no account with this address.",
        fix: "Remove the address from your list or correct it.",
        link: Some("https://senders.yahooinc.com/smtp-error-codes/"),
    },
    // Greylisting (RFC 6647): a temporary refusal of a first attempt, which the x.7.1 status
    // most greylisting servers send would otherwise read as a security failure.
    greylisting(&["greylist"]),
    greylisting(&["graylist"]),
    // amavisd-new's verdicts on the message: "554 5.7.0 Reject, id=12345-01 - BANNED:
    // P=p003,L=1,M=application/x-msdownload" (and INFECTED, SPAM, BAD HEADER). BANNED is its
    // rule on file names and types, not a blocked sender.
    amavis(
        "BANNED",
        &["reject, id=", " - banned"],
        Reason::PolicyViolation,
        "The receiver's content filter (amavisd-new) bans a part of the message: an attachment's file name, type or MIME type (its P=, N=, T= and M= fields say which).",
        "Send the file another way (a link to it, or an allowed format: a PDF rather than an executable, a script or a macro document), or ask the receiver's postmaster which types are banned.",
    ),
    amavis(
        "INFECTED",
        &["reject, id=", " - infected"],
        Reason::VirusDetected,
        "The receiver's content filter (amavisd-new) found malware in the message (the name after INFECTED is the signature).",
        "Scan the sending machine and the attachment, send a clean copy; if the file is clean, tell the receiver's postmaster the signature name.",
    ),
    amavis(
        "SPAM",
        &["reject, id=", " - spam"],
        Reason::SpamDetected,
        "The receiver's content filter (amavisd-new, usually with SpamAssassin) scored the message as spam.",
        "Check the message's content and links (fivefifty check message.eml), and that SPF, DKIM and DMARC pass: failed authentication adds to the score.",
    ),
    // T-Online: "554 IP=... - A problem occurred. (Ask your postmaster ...) (BL)".
    Known {
        provider: "T-Online",
        code: "BL",
        needles: &["ask your postmaster for help", "(bl)"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "T-Online refuses the sending IP (its own blocklist).",
        fix: "Make sure the sending host has a proper PTR record and an imprint on its web site, then ask T-Online's postmaster to delist the IP.",
        link: None,
    },
    // Spectrum (documented AUP# codes).
    Known {
        provider: "Spectrum",
        code: "AUP#1300",
        needles: &["aup#", "-1300"],
        reason: Some(Reason::TooManyConn),
        cause: None,
        meaning: "Spectrum limits the number of concurrent connections from one sender.",
        fix: "Open fewer simultaneous connections to Spectrum's servers and retry.",
        link: Some("https://www.spectrum.net/support/internet/understanding-email-error-codes"),
    },
    Known {
        provider: "Spectrum",
        code: "AUP#1310",
        needles: &["aup#", "-1310"],
        reason: Some(Reason::TooManyConn),
        cause: None,
        meaning: "Spectrum limits the number of concurrent connections from one sender.",
        fix: "Open fewer simultaneous connections to Spectrum's servers and retry.",
        link: Some("https://www.spectrum.net/support/internet/understanding-email-error-codes"),
    },
    // Cox (documented AUP codes).
    Known {
        provider: "Cox",
        code: "CDRBL",
        needles: &["aup#cdrbl"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Cox temporarily blocks the sending IP because of its reputation.",
        fix: "Check the IP's reputation and the mail it sends, then ask Cox to unblock it.",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "CXBL",
        needles: &["aup#cxbl"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Cox blocks the sending IP for spam-like behaviour.",
        fix: "Find what the IP sent that looked like spam (a compromised account, an unwanted campaign), stop it, then ask Cox to unblock the IP.",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "CXTHRT",
        needles: &["aup#cxthrt"],
        reason: Some(Reason::SecurityError),
        cause: Some(BounceCause::Other),
        meaning: "Cox limits the sending account because of suspicious activity.",
        fix: "Secure the Cox account (change its password, look for unknown sending), then contact Cox.",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "CXMJ",
        needles: &["aup#cxmj"],
        reason: Some(Reason::SecurityError),
        cause: Some(BounceCause::Other),
        meaning: "Cox blocks sending because of suspicious activity on the primary Cox account.",
        fix: "Secure the primary Cox account, then contact Cox.",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "CXDNS",
        needles: &["aup#cxdns"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Reputation),
        meaning: "Cox found a problem with the DNS of the connecting IP (its reverse DNS).",
        fix: "Give the sending IP a PTR record whose name resolves back to the IP.",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "CXSNDR",
        needles: &["aup#cxsndr"],
        reason: Some(Reason::Rejected),
        cause: Some(BounceCause::Authentication),
        meaning: "Cox found a problem with the sender's domain.",
        fix: "Send from a domain that exists in DNS, with SPF, DKIM and DMARC records.",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "CXSMTP",
        needles: &["aup#cxsmtp"],
        reason: Some(Reason::Rejected),
        cause: Some(BounceCause::Authentication),
        meaning: "Cox could not verify that the mail came from a legitimate sender.",
        fix: "Authenticate the mail with SPF and DKIM aligned on the From domain (check with `fivefifty domain`).",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "CXCNCT",
        needles: &["aup#cxcnct"],
        reason: Some(Reason::TooManyConn),
        cause: Some(BounceCause::Transient),
        meaning: "Cox limits the number of concurrent SMTP connections per IP.",
        fix: "Open fewer simultaneous connections to Cox's servers; the mail is retried.",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "CXMXRT",
        needles: &["aup#cxmxrt"],
        reason: Some(Reason::TooManyConn),
        cause: Some(BounceCause::Reputation),
        meaning: "The sender exceeded the number of messages Cox allows.",
        fix: "Slow down: spread the sending over more time.",
        link: None,
    },
    Known {
        provider: "Cox",
        code: "IPBL",
        needles: &["aup#ipbl"],
        reason: Some(Reason::Blocked),
        cause: Some(BounceCause::Blocklist),
        meaning: "Cox refuses the sending IP because it is on a DNS blocklist it uses (Spamhaus ZEN, Return Path, Invaluement ivmSIP or Cloudmark CSI; the digits after IPBL say which).",
        fix: "Look the IP up on those lists, fix what got it listed, then request delisting.",
        link: None,
    },
];

/// One automaton over the blocklist needles: most texts name no list, and one scan says so.
static LIST_INDEX: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(LISTS.iter().map(|l| l.needle)).ok()
    });

fn names_any_list(text: &str) -> bool {
    match LIST_INDEX.as_ref() {
        Some(ac) => ac.is_match(text),
        None => true,
    }
}

/// The blocklist zones named in a normalised text.
pub fn named_blocklists(text: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    if !names_any_list(text) {
        return out;
    }
    for l in LISTS {
        if text.contains(l.needle) && !out.contains(&l.zone) {
            // "spamhaus" alone only when no more precise Spamhaus list was named.
            if l.needle == "spamhaus" && out.iter().any(|z| z.contains("spamhaus")) {
                continue;
            }
            out.push(l.zone);
        }
    }
    out
}

/// Every needle of [`KNOWN`] and [`LISTS`], searched for in one pass over a text: a
/// recognition needs up to fifty `contains` scans of the same text otherwise.
struct NeedleTable {
    /// The distinct needles.
    needles: Vec<&'static str>,
    /// For each [`KNOWN`] entry, the positions of its needles in `needles`.
    known: Vec<Vec<usize>>,
    /// For each needle, the [`KNOWN`] entries whose first needle it is. Why: a diagnostic
    /// holds few needles, and stepping through every entry of [`KNOWN`] and [`LISTS`] for each
    /// row cost about 2,600 instructions a row.
    known_by_first: Vec<Vec<usize>>,
    /// For each needle, the [`LISTS`] entries whose needle it is (see `known_by_first`).
    lists_by_needle: Vec<Vec<usize>>,
    /// The [`KNOWN`] entries without needles (none today), which every text matches.
    known_always: Vec<usize>,
    /// For each needle, whether it is a code of letters and digits (`ph01`, `s3150`), found
    /// only as a whole token: Yahoo's `PH01` is not in AT&T's `flph01`.
    code_token: Vec<bool>,
    /// One automaton over `needles` (`None` only if it could not be built: then each needle
    /// is searched on its own).
    automaton: Option<aho_corasick::AhoCorasick>,
}

impl NeedleTable {
    fn build() -> Self {
        let mut needles: Vec<&'static str> = Vec::new();
        let mut id = |n: &'static str| match needles.iter().position(|x| *x == n) {
            Some(i) => i,
            None => {
                needles.push(n);
                needles.len() - 1
            }
        };
        let known: Vec<Vec<usize>> = KNOWN
            .iter()
            .map(|k| k.needles.iter().map(|n| id(n)).collect())
            .collect();
        // The position of each LISTS entry's needle.
        let lists: Vec<usize> = LISTS.iter().map(|l| id(l.needle)).collect();
        let mut known_by_first = vec![Vec::new(); needles.len()];
        let mut known_always = Vec::new();
        for (k, ids) in known.iter().enumerate() {
            match ids.first().and_then(|&first| known_by_first.get_mut(first)) {
                Some(entries) => entries.push(k),
                None => known_always.push(k),
            }
        }
        let mut lists_by_needle = vec![Vec::new(); needles.len()];
        for (l, &id) in lists.iter().enumerate() {
            if let Some(entries) = lists_by_needle.get_mut(id) {
                entries.push(l);
            }
        }
        // A DFA, not the contiguous NFA the builder picks for this many needles: every
        // diagnostic is searched, and a DFA takes one table step per byte where the NFA
        // follows failure links. Measured on the bounce corpus: about 2% more messages per
        // second; built once, at first use.
        let automaton = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&needles)
            .ok();
        let code_token = needles
            .iter()
            .map(|n| {
                n.bytes().any(|c| c.is_ascii_digit()) && n.bytes().any(|c| c.is_ascii_alphabetic())
            })
            .collect();
        Self {
            needles,
            known,
            known_by_first,
            lists_by_needle,
            known_always,
            code_token,
            automaton,
        }
    }

    /// Which needles the text contains (`found[i]` for `needles[i]`), and their positions in
    /// `needles`, each once.
    fn found(&self, text: &str) -> (Vec<bool>, Vec<usize>) {
        let mut found = vec![false; self.needles.len()];
        let mut ids = Vec::new();
        let mut mark = |id: usize| {
            if let Some(f) = found.get_mut(id)
                && !*f
            {
                *f = true;
                ids.push(id);
            }
        };
        match &self.automaton {
            Some(ac) => {
                for m in ac.find_overlapping_iter(text) {
                    let id = m.pattern().as_usize();
                    if self.is_whole(id, text, m.start(), m.end()) {
                        mark(id);
                    }
                }
            }
            None => {
                for (id, n) in self.needles.iter().enumerate() {
                    if text
                        .match_indices(*n)
                        .any(|(at, _)| self.is_whole(id, text, at, at + n.len()))
                    {
                        mark(id);
                    }
                }
            }
        }
        (found, ids)
    }

    /// The entries of a table whose needle (a [`KNOWN`] entry's first) is among `ids`, in
    /// table order, from an index by needle.
    fn entries_for(by_needle: &[Vec<usize>], ids: &[usize], always: &[usize]) -> Vec<usize> {
        let mut entries: Vec<usize> = always.to_vec();
        for id in ids {
            entries.extend(by_needle.get(*id).into_iter().flatten());
        }
        entries.sort_unstable();
        entries
    }
}

impl NeedleTable {
    /// Is the match of needle `id` at `start..end` a whole code, not part of a longer one?
    fn is_whole(&self, id: usize, text: &str, start: usize, end: usize) -> bool {
        whole_number(text, start, end)
            && (!self.code_token.get(id).copied().unwrap_or(false) || whole_token(text, start, end))
    }
}

/// Is `start..end` bounded by non-alphanumeric bytes (or the text's ends)?
fn whole_token(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let alnum = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphanumeric);
    let glued_before = start > 0 && alnum(start - 1);
    !glued_before && !alnum(end)
}

/// Does the match `start..end` keep the numbers at its ends whole? A code needle (`5.7.32`)
/// is not found inside a longer one (`5.7.321`, `15.7.32`).
fn whole_number(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let cuts_before = start > 0 && digit(start) && digit(start - 1);
    let cuts_after = end > start && digit(end - 1) && digit(end);
    !cuts_before && !cuts_after
}

static NEEDLES: std::sync::LazyLock<NeedleTable> = std::sync::LazyLock::new(NeedleTable::build);

/// What [`recognise`] finds, with the blocklist zones it named (as [`named_blocklists`] gives
/// them for the same text).
pub(crate) struct Recognised {
    /// The provider codes and listing texts, in table order.
    pub recognitions: Vec<Recognition>,
    /// The reason the first recognised code implies.
    pub reason: Option<Reason>,
    /// The cause the first recognised code or listing implies.
    pub cause: Option<BounceCause>,
    /// The blocklist zones named.
    pub zones: Vec<&'static str>,
}

/// Provider codes and blocklist texts recognised in a normalised text, with the reason and
/// cause the most specific one implies.
pub fn recognise(text: &str) -> (Vec<Recognition>, Option<Reason>, Option<BounceCause>) {
    let r = recognise_all(text);
    (r.recognitions, r.reason, r.cause)
}

/// [`recognise`], also returning the blocklist zones named, from one scan of the text.
pub(crate) fn recognise_all(text: &str) -> Recognised {
    let table = &*NEEDLES;
    let (found, found_ids) = table.found(text);
    let has = |i: &usize| found.get(*i).copied().unwrap_or(false);
    let mut recs = Vec::new();
    let mut reason = None;
    let mut cause = None;
    // Only the entries whose first needle is in the text can match, in table order.
    let known = NeedleTable::entries_for(&table.known_by_first, &found_ids, &table.known_always);
    for (k, ids) in known
        .iter()
        .filter_map(|&i| Some((KNOWN.get(i)?, table.known.get(i)?)))
    {
        if ids.iter().all(has) && sense_holds(k, text) {
            recs.push(k.recognition());
            reason = reason.or(k.reason);
            cause = cause.or(k.cause);
        }
    }
    // Microsoft's 5.7.606 to 5.7.649 each say "Access denied, banned sending IP": the code in
    // that range with its "access denied" is the ban, however the rest is worded.
    if !recs.iter().any(|r| r.code == MICROSOFT_BAN)
        && text.contains("access denied")
        && let Some(k) = KNOWN.iter().find(|k| k.code == MICROSOFT_BAN)
        && DsnStatus::find_in(text).is_some_and(|s| {
            s.class() == StatusClass::Permanent
                && s.subject() == 7
                && (606..=649).contains(&s.detail())
        })
    {
        recs.push(k.recognition());
        reason = reason.or(k.reason);
        cause = cause.or(k.cause);
    }
    let mut seen_zone: Vec<&'static str> = Vec::new();
    let lists = NeedleTable::entries_for(&table.lists_by_needle, &found_ids, &[]);
    for l in lists.iter().filter_map(|&i| LISTS.get(i)) {
        if !seen_zone.contains(&l.zone) {
            if l.needle == "spamhaus" && seen_zone.iter().any(|z| z.contains("spamhaus")) {
                continue;
            }
            seen_zone.push(l.zone);
            recs.push(Recognition {
                provider: l.name,
                code: l.zone,
                meaning: "The receiver found the sending IP or domain on this DNS blocklist.",
                fix: "Look the IP up on the list's site, fix what got it listed (an infected host, an open relay, a bad list of addresses), then request delisting.",
                link: Some(l.link),
            });
            cause = cause.or(Some(BounceCause::Blocklist));
        }
    }
    Recognised {
        recognitions: recs,
        reason,
        cause,
        zones: seen_zone,
    }
}

/// The codes Gmail gives a sense of its own where the IANA registry has another: X.7.27 is
/// RFC 7505's null MX (Gmail: SPF did not pass), X.7.29 RFC 8617's ARC failure (Gmail: no
/// TLS), X.7.30 RFC 8689's REQUIRETLS (Gmail: DKIM did not pass).
const GMAIL_OWN_SENSE: &[&str] = &["5.7.27", "5.7.29", "5.7.30", "4.7.27", "4.7.29", "4.7.30"];

/// Whether an entry's sense holds in this (normalised) text: for a code in
/// [`GMAIL_OWN_SENSE`], Gmail's reading only in a reply that is Gmail's (its `gsmtp`
/// trailer or its name: a URL is normalised away), the registry's only in one that is not.
fn sense_holds(k: &Known, text: &str) -> bool {
    if !GMAIL_OWN_SENSE.contains(&k.code) {
        return true;
    }
    let gmails = ["gsmtp", "google", "gmail"]
        .iter()
        .any(|w| text.contains(w));
    gmails == (k.provider == "Gmail")
}

/// The code of Microsoft's banned-IP range, as [`KNOWN`] names it.
const MICROSOFT_BAN: &str = "5.7.606-649";

/// Words that say a refusal is a blocklist's, named or not.
static BLOCKLIST_WORDS: std::sync::LazyLock<Needles> = std::sync::LazyLock::new(|| {
    Needles::new(&[
        "blacklist",
        "blocklist",
        "block list",
        "dnsbl",
        "rbl",
        "listed",
    ])
});

/// Words that name a sender authentication check.
static AUTHENTICATION_WORDS: std::sync::LazyLock<Needles> =
    std::sync::LazyLock::new(|| Needles::new(&["spf", "dkim", "dmarc"]));

/// Words that say the sender's domain failed a receiver's check of its DNS (Postfix's
/// `reject_unknown_sender_domain`, a sender callout, RFC 7505's null MX): a fault of the
/// domain's records, which `fivefifty domain` audits.
static SENDER_DOMAIN_WORDS: std::sync::LazyLock<Needles> = std::sync::LazyLock::new(|| {
    Needles::new(&[
        "domain not found",
        "no mx",
        "null mx",
        "not resolvable",
        "unresolvable",
        "unrouteable",
        "unroutable",
        "does not exist",
        "verify failed",
        "verification failed",
    ])
});

/// The seed cause of a reason, given whether a blocklist or an authentication word was named.
pub fn cause_of(reason: Reason, text: &str) -> BounceCause {
    use BounceCause as C;
    use Reason::*;
    match reason {
        UserUnknown | HostUnknown | HasMoved | Suspend | NotAccept | Vacation => C::Recipient,
        MailboxFull | SystemFull | ExceedLimit | MesgTooBig | TooManyConn | Speeding => C::Capacity,
        Blocked => {
            if !named_blocklists(text).is_empty() || BLOCKLIST_WORDS.any_in(text) {
                C::Blocklist
            } else {
                C::Reputation
            }
        }
        BadReputation | RequirePtr => C::Reputation,
        AuthFailure | SecurityError => C::Authentication,
        // The sender's address refused: its domain's records (SPF, DKIM, DMARC, or the
        // domain's very existence and MX, which receivers check of every sender) or else the
        // receiver's view of the sender.
        Rejected => {
            if AUTHENTICATION_WORDS.any_in(text) || SENDER_DOMAIN_WORDS.any_in(text) {
                C::Authentication
            } else {
                C::Reputation
            }
        }
        SpamDetected | VirusDetected | ContentError | PolicyViolation | NotCompliantRfc
        | Filtered => C::Content,
        Expired | NetworkError | SystemError | MailerError | OnHold => C::Transient,
        NoRelaying | SyntaxError | FailedStartTls | Undefined | Delivered | Feedback => C::Other,
    }
}

/// The distinct words of a step (of three letters or more, ASCII case ignored), for
/// [`says_the_same`].
pub(crate) fn advice_words(s: &str) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    // The steps are English: words are runs of ASCII letters and digits.
    for w in s.as_bytes().split(|c| !c.is_ascii_alphanumeric()) {
        if w.len() >= 3 && !out.iter().any(|o| o.eq_ignore_ascii_case(w)) {
            out.push(w);
        }
    }
    out
}

/// Do two steps ([`advice_words`] of each) give the same advice? Most of the shorter one's
/// words are in the longer one: a provider code's fix and a reason's general step that name
/// the same records and actions.
pub(crate) fn says_the_same(a: &[&[u8]], b: &[&[u8]]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let shared = short
        .iter()
        .filter(|w| long.iter().any(|l| l.eq_ignore_ascii_case(w)))
        .count();
    !short.is_empty() && shared * 10 >= short.len() * 7
}

/// The cause and the steps of a feedback report (RFC 5965), by its `Feedback-Type`: a
/// complaint, an unsubscribe request and an authentication failure report (RFC 6591) ask
/// different things of the sender.
pub fn feedback_advice(feedback_type: Option<&str>) -> (BounceCause, Vec<String>) {
    let (cause, steps): (BounceCause, &[&str]) = match feedback_type.unwrap_or("abuse") {
        "opt-out" => (
            BounceCause::Recipient,
            &[
                "The recipient asked to be unsubscribed: remove the address from the list now (the large mailbox providers expect it within two days).",
            ],
        ),
        "not-spam" => (
            BounceCause::Other,
            &["The recipient marked the message as not spam: nothing to fix."],
        ),
        "auth-failure" => (
            BounceCause::Authentication,
            &[
                "A receiver reports a message in your domain's name that failed authentication (RFC 6591).",
                "If you sent it, make SPF or DKIM pass aligned with the From domain for that sending path (fivefifty domain <your-domain>); if you did not, someone spoofs your domain: move DMARC towards p=reject.",
            ],
        ),
        "virus" => (
            BounceCause::Content,
            &[
                "The receiver reported malware in the message: scan the attachment and the sending systems before sending again.",
            ],
        ),
        // abuse, fraud, other, and types this reader does not know.
        _ => (
            BounceCause::Reputation,
            &[
                "A recipient reported the message as spam: stop mailing that recipient and review how addresses were collected.",
                "Complaints lower your sending reputation: keep them under 0.1% (0.3% is the large providers' limit) and make unsubscribing easy (List-Unsubscribe).",
            ],
        ),
    };
    (cause, steps.iter().map(|s| (*s).to_string()).collect())
}

/// Plain-words steps for a recipient whose delivery is delayed, not failed (RFC 3464
/// `Action: delayed`, or a delay warning): the message is still queued, so the first step is
/// to resend nothing.
pub fn remediation_while_queued(reason: Reason) -> Vec<String> {
    let mut steps = vec![
        "Nothing to resend yet: your mail server still holds the message and keeps trying; it reports a final failure only if the problem lasts.".to_string(),
    ];
    match reason {
        // The expiry steps end in "send again", which a queued message does not need.
        Reason::Expired => steps.push(
            "If the delay goes on, check the receiver's MX and your connectivity: the receiver was unreachable or kept deferring.".to_string(),
        ),
        r => steps.extend(remediation(r)),
    }
    steps
}

/// Plain-words steps for a sender, most useful first.
pub fn remediation(reason: Reason) -> Vec<String> {
    use Reason::*;
    let steps: &[&str] = match reason {
        UserUnknown => &[
            "The address does not exist at the receiving domain: check it for typos.",
            "Remove it from your lists; repeated sends to unknown users hurt your reputation.",
        ],
        HostUnknown => &[
            "The recipient's domain does not exist or has no mail server: check the part after the @ for typos.",
            "Remove the address if the domain is gone.",
        ],
        HasMoved => {
            &["The recipient has moved: ask them for the new address and remove the old one."]
        }
        Suspend => &[
            "The mailbox is disabled or no longer used: reach the person another way.",
            "Remove the address if it stays disabled.",
        ],
        NotAccept => &[
            "The recipient's domain accepts no mail (null MX or no mail service): use another address.",
        ],
        Vacation => &["This is an automatic reply: the message was delivered; nothing to fix."],
        MailboxFull => &[
            "The recipient's mailbox is full: try again later or reach them another way.",
            "Remove the address if it stays full for weeks (an abandoned mailbox).",
        ],
        SystemFull => {
            &["The receiving system is out of storage: retry later; nothing to fix on your side."]
        }
        ExceedLimit | MesgTooBig => &[
            "The message is larger than the receiver accepts: send attachments as links, or compress them.",
        ],
        TooManyConn => &[
            "Open fewer parallel connections and send fewer recipients per message to this receiver.",
        ],
        Speeding => &[
            "You are sending faster than the receiver accepts: lower the rate, spread large sends over time.",
        ],
        Blocked => &[
            "The receiver refused your sending IP or host. Check the IP against the big blocklists (fivefifty ip <addr>) and request delisting where listed.",
            "Make sure the IP has a PTR record whose name resolves back to it, and that the HELO name is a real host name.",
            "If the IP is shared (hosting, ISP), send through your provider's relay instead.",
        ],
        BadReputation => &[
            "The receiver distrusts your IP or domain: send only to people who asked, remove inactive addresses, honour complaints and unsubscribes.",
            "Warm up new IPs slowly; watch the provider's postmaster tools.",
        ],
        RequirePtr => &[
            "Your sending IP has no valid reverse DNS: ask the IP's owner to set a PTR record naming your mail server, with a matching A/AAAA record.",
        ],
        AuthFailure => &[
            "Authentication failed: check your domain with fivefifty domain <your-domain>.",
            "Publish SPF listing every sending server, sign with DKIM using your From domain, publish DMARC; make SPF or DKIM align with From.",
        ],
        SecurityError => &[
            "The receiver required a security step that failed (authentication, encryption or authorisation).",
            "Check SPF, DKIM and DMARC for your domain, and that you send through a server allowed to send for it.",
        ],
        Rejected => &[
            "The receiver refused your envelope sender (MAIL FROM): make sure its domain exists, has MX or A records, and passes SPF.",
        ],
        SpamDetected => &[
            "The receiver's filter judged the message spam: remove spammy words, URL shorteners and links to listed domains; send a plain-text part; make sure SPF, DKIM and DMARC pass.",
        ],
        VirusDetected => &[
            "The receiver found malware: scan the attachment and the sending machine; send files as links if a filter is too strict.",
        ],
        ContentError => &[
            "The receiver refused the message's format: check MIME structure, encodings and headers.",
        ],
        // "Rejected because it violates our security policy" names no rule: the four usual
        // causes, in the order they are cheapest to check.
        PolicyViolation => &[
            "The receiver's policy refused the message without saying which rule; check the four usual causes in turn.",
            "Blocklisting: look up your sending IP and domain (fivefifty ip <your-ip>, fivefifty domain <your-domain>) and request delisting where listed.",
            "Authentication: SPF, DKIM and DMARC must pass, aligned with your From domain (fivefifty domain <your-domain>).",
            "Content and attachments: executable or macro attachments, archives, URL shorteners and links to listed domains are refused by many filters (fivefifty check message.eml).",
            "IP reputation: a new, shared or dynamic IP, or one without matching reverse DNS, is distrusted; send through a relay with a good reputation.",
            "If all four are clean, ask the receiver's postmaster which rule the message hit.",
        ],
        NotCompliantRfc => &[
            "The message breaks RFC 5322 (missing or duplicated headers such as From, Date, Message-ID): fix the sending software.",
        ],
        Filtered => &[
            "The receiver accepted the address but refused the message (a filter, a rule of the recipient): ask the recipient to allow your address.",
        ],
        Expired => &[
            "The message could not be delivered in time (the receiver was unreachable or kept deferring): check the receiver's MX and your connectivity, then send again.",
        ],
        NetworkError => &[
            "A network problem stopped delivery: check the receiver's MX and your outbound connectivity; retrying usually works.",
        ],
        SystemError => &[
            "The receiving system reported an error: retry later; if it persists, contact the receiver's postmaster.",
        ],
        MailerError => {
            &["A local delivery program failed at the receiver: contact the receiver's postmaster."]
        }
        OnHold => {
            &["The bounce does not say enough to decide: read the diagnostic text and retry later."]
        }
        NoRelaying => &[
            "The server refused to relay: you are sending to the wrong server, or must authenticate (SMTP AUTH) before relaying.",
        ],
        SyntaxError => &["The SMTP conversation had a syntax error: check the sending software."],
        FailedStartTls => &[
            "Encryption (STARTTLS) failed or was required. If the receiver requires TLS, enable STARTTLS with a valid certificate on the sending server.",
            "If the receiver's own TLS is broken (\"TLS not available due to local problem\", a handshake failure at its end), your server retries; if it lasts, tell the receiver's postmaster.",
        ],
        Delivered => &["The message was delivered: nothing to fix."],
        Feedback => &[
            "A recipient reported the message as unwanted: stop mailing that recipient and review how addresses were collected.",
        ],
        Undefined => &["The reason could not be determined: read the diagnostic text."],
    };
    steps.iter().map(|s| (*s).to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsofts_banned_ip_range_is_known_by_its_code() {
        let n = crate::bounce::reason::normalise;
        for reply in [
            "550 5.7.606 Access denied, banned sending IP [192.0.2.1]",
            "550 5.7.649 Access denied",
            "550 5.7.620 Access denied, please contact the administrator",
        ] {
            let (recs, reason, _) = recognise(&n(reply));
            assert!(recs.iter().any(|r| r.code == MICROSOFT_BAN), "{reply}");
            assert_eq!(reason, Some(Reason::Blocked), "{reply}");
        }
        for reply in ["550 5.7.650 Access denied", "550 5.7.620 Mailbox disabled"] {
            let (recs, _, _) = recognise(&n(reply));
            assert!(recs.iter().all(|r| r.code != MICROSOFT_BAN), "{reply}");
        }
    }

    /// Asserts that `reply` is recognised by `code` and read as `want`; returns the
    /// recognitions and the cause.
    fn known_as(reply: &str, code: &str, want: Reason) -> (Vec<Recognition>, Option<BounceCause>) {
        let (recs, reason, cause) = recognise(&crate::bounce::reason::normalise(reply));
        assert!(recs.iter().any(|r| r.code == code), "{reply}");
        assert_eq!(reason, Some(want), "{reply}");
        (recs, cause)
    }

    #[test]
    fn amavis_verdicts_are_content_and_banned_is_no_blocked_sender() {
        let n = crate::bounce::reason::normalise;
        for (reply, code, want) in [
            (
                "554 5.7.0 Reject, id=12345-01 - BANNED: P=p003,L=1,M=application/x-msdownload",
                "BANNED",
                Reason::PolicyViolation,
            ),
            (
                "554 5.7.0 Reject, id=12345-01 - INFECTED: Eicar-Signature",
                "INFECTED",
                Reason::VirusDetected,
            ),
            (
                "554 5.7.0 Reject, id=20025-09 - SPAM",
                "SPAM",
                Reason::SpamDetected,
            ),
        ] {
            let (recs, cause) = known_as(reply, code, want);
            assert!(
                recs.iter()
                    .any(|r| r.provider == "amavisd-new" && r.code == code),
                "{reply}"
            );
            assert_eq!(cause, Some(BounceCause::Content), "{reply}");
        }
        // The same words outside amavisd-new's form are not its verdict.
        let (recs, _, _) = recognise(&n("550 Sender banned - spam source"));
        assert!(recs.iter().all(|r| r.provider != "amavisd-new"));
    }

    #[test]
    fn provider_codes_are_known_by_their_own_words() {
        for (reply, code, want) in [
            // Exchange Online's tenant ban, whichever host quotes it.
            (
                "550 5.7.705 Access denied, tenant has exceeded threshold.",
                "5.7.705",
                Reason::Speeding,
            ),
            // Yahoo's dynamic-range deferral refuses the client, not the message.
            (
                "421 4.7.1 : (DYN:T1) https://postmaster.yahooinc.com/error-codes",
                "DYN:T1",
                Reason::Blocked,
            ),
        ] {
            known_as(reply, code, want);
        }
    }

    #[test]
    fn gmails_temporary_rate_limit_is_explained_without_deciding_the_reason() {
        let n = crate::bounce::reason::normalise;
        let (recs, reason, cause) = recognise(&n(
            "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your DKIM domain",
        ));
        assert!(recs.iter().any(|r| r.code == "4.7.28"));
        assert_eq!(reason, None);
        assert_eq!(cause, Some(BounceCause::Reputation));
    }

    #[test]
    fn gmails_bulk_sender_rate_limits_are_explained_by_their_cause() {
        let n = crate::bounce::reason::normalise;
        // Where Gmail's sense of a code is not the registry's (X.7.27, X.7.29, X.7.30), the
        // entry gives the reason; elsewhere the status table and the words do.
        for (reply, code, want, cause) in [
            (
                "421-4.7.26 Your email has been rate limited because this message is not authenticated",
                "4.7.26",
                None,
                BounceCause::Authentication,
            ),
            (
                "421-4.7.27 Your email has been rate limited because SPF authentication didn't pass. Gmail requires all bulk email senders to authenticate their email with SPF",
                "4.7.27",
                Some(Reason::AuthFailure),
                BounceCause::Authentication,
            ),
            (
                "421-4.7.29 Your email has been rate limited because this message wasn't sent over a TLS connection. gsmtp",
                "4.7.29",
                Some(Reason::FailedStartTls),
                BounceCause::Other,
            ),
            (
                "421-4.7.30 Your email has been rate limited because DKIM authentication didn't pass. https://support.google.com/mail/answer/81126 a1-20020a05 - gsmtp",
                "4.7.30",
                Some(Reason::AuthFailure),
                BounceCause::Authentication,
            ),
            (
                "421-4.7.32 Your email has been rate limited because the From: header isn't aligned",
                "4.7.32",
                None,
                BounceCause::Authentication,
            ),
        ] {
            let (recs, reason, found) = recognise(&n(reply));
            assert!(
                recs.iter().any(|r| r.code == code && r.provider == "Gmail"),
                "{reply}"
            );
            assert_eq!(reason, want, "{reply}");
            assert_eq!(found, Some(cause), "{reply}");
        }
        // The permanent DKIM refusal decides the reason; a longer number is not the code.
        let (recs, reason, _) = recognise(&n("550-5.7.30 DKIM checks did not pass - gsmtp"));
        assert!(recs.iter().any(|r| r.code == "5.7.30"));
        assert_eq!(reason, Some(Reason::AuthFailure));
        let (recs, _, _) = recognise(&n("550 5.7.301 other"));
        assert!(recs.iter().all(|r| r.code != "5.7.30"));
    }

    #[test]
    fn a_refused_sender_points_to_its_domains_records_when_the_words_say_so() {
        let n = crate::bounce::reason::normalise;
        for text in [
            "550 5.7.1 <a@nx.example>: Sender address rejected: Domain not found",
            "550 5.7.1 Sender domain example.com has no MX records",
            "550-Verification failed for <a@example.com> 550-Unrouteable address 550 Sender verify failed",
            "550 5.7.1 Sender rejected: SPF check failed",
        ] {
            assert_eq!(
                cause_of(Reason::Rejected, &n(text)),
                BounceCause::Authentication,
                "{text}"
            );
        }
        // Nothing about the domain: the receiver's view of the sender.
        assert_eq!(
            cause_of(
                Reason::Rejected,
                &n("550 5.1.8 Access denied, bad outbound sender")
            ),
            BounceCause::Reputation
        );
    }

    #[test]
    fn codes_gmail_gives_its_own_sense_keep_the_registrys_sense_in_other_replies() {
        let n = crate::bounce::reason::normalise;
        for (reply, provider, reason, cause) in [
            (
                "550 5.7.27 Sender address has null MX",
                "RFC 7505",
                Some(Reason::Rejected),
                BounceCause::Authentication,
            ),
            (
                "550-5.7.27 Gmail requires all senders to authenticate with SPF",
                "Gmail",
                Some(Reason::AuthFailure),
                BounceCause::Authentication,
            ),
            (
                "550 5.7.29 ARC validation failure",
                "RFC 8617",
                None,
                BounceCause::Authentication,
            ),
            (
                "550-5.7.29 Gmail requires all senders to use TLS/SSL for SMTP connections",
                "Gmail",
                Some(Reason::FailedStartTls),
                BounceCause::Other,
            ),
            (
                "550 5.7.30 REQUIRETLS support required",
                "RFC 8689",
                None,
                BounceCause::Other,
            ),
        ] {
            let (recs, found, found_cause) = recognise(&n(reply));
            let code = &reply[4..10];
            assert_eq!(
                recs.iter()
                    .filter(|r| r.code == code)
                    .map(|r| r.provider)
                    .collect::<Vec<_>>(),
                vec![provider],
                "{reply}"
            );
            assert_eq!(found, reason, "{reply}");
            assert_eq!(found_cause, Some(cause), "{reply}");
        }
    }

    #[test]
    fn a_recognised_codes_fix_is_not_said_again_by_the_reasons_steps() {
        let (gmail, _, _) = recognise(&crate::bounce::reason::normalise(
            "550-5.7.26 Unauthenticated email from example.com is not accepted",
        ));
        let fix = gmail.first().map(|r| r.fix).unwrap_or_default();
        let general = remediation(Reason::AuthFailure);
        let same = |a: &str, b: &str| says_the_same(&advice_words(a), &advice_words(b));
        assert!(same(fix, &general[1]), "{fix} / {}", general[1]);
        assert!(!same(fix, &general[0]));
        // The whole row: each thing to do once, the pointer to `fivefifty domain` kept.
        let row = crate::bounce::explain_reply(
            "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
        );
        let steps = &row.recipients[0].remediation;
        assert_eq!(steps.first().map(String::as_str), Some(fix));
        assert!(
            steps.iter().any(|s| s.contains("fivefifty domain")),
            "{steps:?}"
        );
        assert!(!steps.contains(&general[1]), "{steps:?}");
        // Different advice stays apart.
        assert!(!same(
            "Ask the recipient to free space in the mailbox.",
            "Open fewer parallel connections to this receiver."
        ));
    }

    #[test]
    fn a_code_needle_is_not_found_inside_a_longer_code() {
        let n = crate::bounce::reason::normalise;
        let (recs, _, _) = recognise(&n(
            "550 5.7.321 starttls-not-supported: destination mail server must support TLS",
        ));
        assert!(recs.iter().all(|r| r.code != "5.7.32"), "{recs:?}");
        let (recs, reason, _) = recognise(&n("550 5.7.32 The From domain is not aligned"));
        assert!(recs.iter().any(|r| r.code == "5.7.32"));
        assert_eq!(reason, Some(Reason::AuthFailure));
    }

    #[test]
    fn greylisting_is_a_transient_deferral_not_a_security_failure() {
        for reply in [
            "451 4.7.1 Greylisting in action, please come back later",
            "450 4.2.0 <a@b.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/b.example.html",
            "451 4.7.1 You have been graylisted, try again in 5 minutes",
        ] {
            let r = crate::bounce::explain_reply(reply);
            let row = &r.recipients[0];
            assert_eq!(row.reason, Reason::OnHold, "{reply}");
            assert_eq!(row.cause, BounceCause::Transient, "{reply}");
            assert!(!row.hard_bounce, "{reply}");
            assert!(
                row.remediation[0].starts_with("Nothing to fix"),
                "{reply}: {:?}",
                row.remediation
            );
        }
        // A queue that gave up after being greylisted for days expired.
        let dsn = "From: MAILER-DAEMON@mx.example.net\nTo: s@example.com\n\
            Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n\
            Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
            --B\nContent-Type: message/delivery-status\n\n\
            Reporting-MTA: dns; mx.example.net\n\n\
            Final-Recipient: rfc822; r@example.org\nAction: failed\nStatus: 4.4.7\n\
            Diagnostic-Code: smtp; 450 4.2.0 <r@example.org>: Recipient address rejected: Greylisted\n\n\
            --B--\n";
        let r = crate::bounce::explain_bytes(dsn.as_bytes());
        assert_eq!(r.recipients[0].reason, Reason::Expired);
        // A security failure without the word stays one.
        let r = crate::bounce::explain_reply("550 5.7.1 Delivery not authorized, message refused");
        assert_eq!(r.recipients[0].reason, Reason::SecurityError);
    }

    #[test]
    fn a_letter_and_digit_code_is_found_only_as_a_whole_token() {
        let n = crate::bounce::reason::normalise;
        let (recs, _, _) = recognise(&n(
            "553 5.3.0 flph01 DNSBL:RBL 521< 192.0.2.1 >_is_blocked.For assistance forward this error to abuse_rbl@abuse-att.net",
        ));
        assert!(recs.iter().all(|r| r.code != "PH01"), "{recs:?}");
        let (recs, _, _) = recognise(&n(
            "554 Message not allowed - [PH01] Email not accepted for policy reasons.",
        ));
        assert!(recs.iter().any(|r| r.code == "PH01"), "{recs:?}");
        let (recs, _, _) = recognise(&n("554 5.7.1 xs31500 refused"));
        assert!(recs.iter().all(|r| r.code != "S3150"), "{recs:?}");
    }

    #[test]
    fn yahoo_deferral_codes_are_reputation() {
        for (reply, code) in [
            (
                "553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
                "TSS09",
            ),
            (
                "421 4.7.0 [GL01] Message from (192.0.2.1) temporarily deferred due to unexpected volume or user complaints",
                "GL01",
            ),
            (
                "421 4.7.0 [TS01] Messages from 192.0.2.1 temporarily deferred due to user complaints",
                "TS01",
            ),
        ] {
            let r = crate::bounce::explain_reply(reply);
            let row = &r.recipients[0];
            assert_eq!(row.reason, Reason::BadReputation, "{reply}");
            assert_eq!(row.cause, BounceCause::Reputation, "{reply}");
            assert!(row.recognitions.iter().any(|k| k.code == code), "{reply}");
        }
    }

    #[test]
    fn exchange_status_tokens_name_their_reason() {
        use Reason as R;
        for (reply, reason) in [
            (
                "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
                R::UserUnknown,
            ),
            (
                "550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found",
                R::UserUnknown,
            ),
            (
                "550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients",
                R::TooManyConn,
            ),
            (
                "550 5.2.0 RESOLVER.ADR.BadPrimary; no primary address",
                R::SystemError,
            ),
            (
                "550 5.1.0 RESOLVER.ADR.InvalidInSmtp; invalid",
                R::SystemError,
            ),
            (
                "550 5.1.4 RESOLVER.ADR.Ambiguous; ambiguous address",
                R::SystemError,
            ),
            (
                "550 5.7.1 RESOLVER.RST.AuthRequired; authentication required",
                R::SecurityError,
            ),
            (
                "550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized",
                R::Filtered,
            ),
            (
                "550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient",
                R::MesgTooBig,
            ),
            (
                "554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain",
                R::HostUnknown,
            ),
            (
                "554 5.4.4 SMTPSEND.DNS.MxLoopback; DNS records for the destination domain are configured in a loop",
                R::NetworkError,
            ),
            ("550 4.4.7 QUEUE.Expired; message expired", R::Expired),
        ] {
            let r = crate::bounce::explain_reply(reply);
            let row = &r.recipients[0];
            assert_eq!(row.reason, reason, "{reply}");
            assert!(
                row.recognitions
                    .iter()
                    .any(|k| k.provider == "Microsoft Exchange"),
                "{reply}"
            );
        }
        for (text, reason) in [
            (
                "MSEXCH:IMS:X CAT:Y:EXCHANGE 0 (000C05A6) Unknown Recipient",
                R::UserUnknown,
            ),
            (
                "MSEXCH:IMS:X CAT:Y:EXCHANGE 0 (000C0595) Ambiguous Recipient",
                R::Filtered,
            ),
            (
                "MSEXCH:IMS:X CAT:Y:EXCHANGE 0 (000D06B5) No proxy for recipient",
                R::SystemError,
            ),
            (
                "MSEXCH:IMS:X CAT:Y:EXCHANGE 0 (00120270) Too Many Hops",
                R::NetworkError,
            ),
            (
                "MSEXCH:IMS:X CAT:Y:EXCHANGE 0 (00050311) Conversion to Internet format failed",
                R::ContentError,
            ),
            (
                "MSEXCH:IMS:X CAT:Y:EXCHANGE 0 (000B0981) 502 Server does not support AUTH",
                R::SecurityError,
            ),
        ] {
            let t = crate::bounce::reason::normalise(text);
            assert_eq!(recognise(&t).1, Some(reason), "{text}");
        }
        // A longer token is not a shorter one's: ExRecipNotFound is not read as RecipNotFound.
        let r = crate::bounce::explain_reply("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found");
        assert_eq!(r.recipients[0].recognitions.len(), 1);
    }

    #[test]
    fn orange_codes_name_their_reason() {
        let t =
            crate::bounce::reason::normalise("550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]");
        let (recs, reason, _) = recognise(&t);
        assert_eq!(reason, Some(Reason::SpamDetected));
        assert_eq!(recs.first().map(|r| r.code), Some("506"));
    }

    #[test]
    fn exchange_online_codes_name_their_reason() {
        for (reply, reason) in [
            ("550 5.7.506 Access denied, Bad HELO", Reason::Blocked),
            (
                "550 5.7.507 Access denied, rejected by recipient",
                Reason::Blocked,
            ),
            (
                "550 5.7.124 Sender not in allowed-senders list",
                Reason::Rejected,
            ),
            // A group that takes mail from its own organisation only: not SPF, DKIM or DMARC.
            (
                "550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required; Delivery restriction check failed because the sender was not authenticated when sending to this group",
                Reason::Rejected,
            ),
            (
                "550 5.7.12 Sender was not authenticated by organization",
                Reason::Rejected,
            ),
            (
                "550 5.7.501 Service unavailable. Spam abuse detected from IP range.",
                Reason::SpamDetected,
            ),
            (
                "550 5.7.520 Access denied, Your organization does not allow external forwarding. AS(7555)",
                Reason::PolicyViolation,
            ),
            (
                "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
                Reason::Speeding,
            ),
            (
                "550 5.0.350 Generic error (0x80070057) x-dg-ref header is too long",
                Reason::ContentError,
            ),
        ] {
            let r = crate::bounce::explain_reply(reply);
            assert_eq!(r.recipients[0].reason, reason, "{reply}");
            assert_ne!(
                r.recipients[0].cause,
                BounceCause::Authentication,
                "{reply}"
            );
        }
        // 5.1.900 is not 5.1.90.
        let r = crate::bounce::explain_reply("550 5.1.900 something else");
        assert!(
            r.recipients[0]
                .recognitions
                .iter()
                .all(|k| k.code != "5.1.90")
        );
    }

    #[test]
    fn cox_aup_codes_are_explained() {
        for (reply, reason, code) in [
            (
                "554 5.7.1 cox.net rejected: IP 192.0.2.1 blocked. AUP#CXBL",
                Reason::Blocked,
                "CXBL",
            ),
            (
                "554 5.7.1 IP 192.0.2.1 is listed, see AUP#IPBL1000",
                Reason::Blocked,
                "IPBL",
            ),
            (
                "421 4.7.0 too many connections from 192.0.2.1 AUP#CXCNCT",
                Reason::TooManyConn,
                "CXCNCT",
            ),
        ] {
            let r = crate::bounce::explain_reply(reply);
            let row = &r.recipients[0];
            assert_eq!(row.reason, reason, "{reply}");
            assert!(row.recognitions.iter().any(|k| k.code == code), "{reply}");
        }
    }

    /// The reply reads as `reason`, with a recognition from `provider`'s table.
    fn assert_provider_reads(reply: &str, reason: Reason, provider: &str) {
        let r = crate::bounce::explain_reply(reply);
        let row = &r.recipients[0];
        assert_eq!(row.reason, reason, "{reply}");
        assert!(
            row.recognitions.iter().any(|k| k.provider == provider),
            "{reply}"
        );
    }

    #[test]
    fn godaddy_ib_codes_name_their_reason() {
        for (reply, reason) in [
            // "invalid recipients" here is the sender's list, not this recipient.
            (
                "554 This IP has been temporarily blocked for attempting to mail too many invalid recipients. IB112",
                Reason::Blocked,
            ),
            (
                "552 This message has been rejected due to content judged to be spam by the Internet community. IB212",
                Reason::SpamDetected,
            ),
            // Sisimai 5.3's reading: a message without a valid From: header breaks RFC 5322.
            (
                "550 holly@coolexample.com Blank From: addresses are not allowed. Please provide a valid From. IB501",
                Reason::NotCompliantRfc,
            ),
        ] {
            assert_provider_reads(reply, reason, "GoDaddy");
        }
    }

    #[test]
    fn facebook_codes_name_their_reason() {
        for (reply, reason) in [
            (
                "550 5.1.1 RCP-P1 https://www.facebook.com/postmaster/response_codes?ip=192.0.2.1#rcp Refused due to recipient. Requested action not taken: mailbox unavailable",
                Reason::UserUnknown,
            ),
            (
                "554 5.7.1 POL-P1 https://www.facebook.com/postmaster/response_codes?ip=192.0.2.1#pol Your mail server's IP Address is listed on the Spamhaus PBL",
                Reason::Blocked,
            ),
            (
                "451 4.7.1 CON-T3 https://www.facebook.com/postmaster/response_codes#con too many new connections",
                Reason::TooManyConn,
            ),
            (
                "550 5.2.1 RCP-T4 https://www.facebook.com/postmaster/response_codes#rcp address deactivated",
                Reason::Suspend,
            ),
        ] {
            assert_provider_reads(reply, reason, "Facebook");
        }
    }
}
