//! Every Finding code the content checks emit, with what it means. Codes are public API: users
//! grep for them in bounces and configuration, so they are never renamed.

/// `(code, meaning)` for every code the content checks can emit.
pub const CODES: &[(&str, &str)] = &[
    (
        "MIME_MALFORMED",
        "The MIME structure is broken: no closing boundary, a multipart without a boundary, invalid base64, an undecodable part, or no header at all.",
    ),
    (
        "MIME_LIMIT_EXCEEDED",
        "The message is beyond a scanning limit (size, number of parts, nesting depth, decoded bytes, URLs); what lies beyond was not checked.",
    ),
    (
        "ATTACHMENT_EXECUTABLE",
        "An attachment is a program, script, installer or shortcut, by its extension or by its content.",
    ),
    (
        "ATTACHMENT_DISK_IMAGE",
        "An attachment is a disk image (.iso, .img, .vhd), which hides its contents from scanners.",
    ),
    (
        "ATTACHMENT_DOUBLE_EXTENSION",
        "An attachment's name shows a document extension before its real, dangerous one (invoice.pdf.exe).",
    ),
    (
        "ATTACHMENT_NAME_OBFUSCATED",
        "An attachment's name uses right-to-left override or other bidi controls, invisible characters, or long runs of spaces to hide its extension.",
    ),
    (
        "ATTACHMENT_TYPE_MISMATCH",
        "An attachment's content (magic bytes) is not what its name or declared Content-Type says.",
    ),
    (
        "ARCHIVE_EXECUTABLE",
        "An archive (at any nesting depth) contains a program, script, shortcut or disk image.",
    ),
    (
        "ARCHIVE_ENCRYPTED",
        "An archive is password-protected, so its contents cannot be checked.",
    ),
    (
        "ARCHIVE_BOMB",
        "An archive expands beyond the limits: a huge declared size, an extreme compression ratio, a member larger than declared, too many members, or archives nested too deep.",
    ),
    (
        "ARCHIVE_UNSCANNABLE",
        "An archive cannot be looked into: RAR or CAB format, or a truncated or corrupt file (zip, 7z, gzip).",
    ),
    (
        "ARCHIVE_LONE_DOCUMENT",
        "An archive holds nothing but one document (PDF, Office, RTF, HTML, image): a common malware lure, since documents barely compress.",
    ),
    (
        "OFFICE_MACRO",
        "An Office document contains VBA macros (vbaProject.bin, an OLE2 VBA storage) or Excel 4.0 macro sheets.",
    ),
    (
        "OFFICE_EXTERNAL_TEMPLATE",
        "An Office document loads a template, object or frame from the web when opened (remote template injection).",
    ),
    (
        "OFFICE_EMBEDDED_OBJECT",
        "An RTF document embeds an OLE object set to update (run) when the document opens.",
    ),
    ("PDF_JAVASCRIPT", "A PDF contains JavaScript."),
    (
        "PDF_LAUNCH",
        "A PDF has a Launch action that starts a program or opens a file.",
    ),
    ("PDF_EMBEDDED_FILE", "A PDF carries embedded files."),
    (
        "PDF_OPEN_ACTION",
        "A PDF runs an action when opened (without script; informational).",
    ),
    (
        "HTML_SMUGGLING",
        "HTML builds a file in the browser from an encoded blob with script, or carries a program or archive in a data: URI.",
    ),
    (
        "LINK_TEXT_MISMATCH",
        "A link's visible text shows one domain while it goes to another.",
    ),
    (
        "URL_IP_LITERAL",
        "A link goes to a bare IP address instead of a domain name.",
    ),
    (
        "URL_SHORTENER",
        "A link goes through a URL shortener that hides its destination.",
    ),
    (
        "URL_OBFUSCATED",
        "A link disguises its destination: a user@ part before the host, a percent-encoded host, or an IP written in hex, octal or as one number.",
    ),
    (
        "URL_JAVASCRIPT",
        "A link runs script (javascript: or vbscript:) instead of going to a page.",
    ),
    (
        "PHISHING_FORM",
        "The message contains a form that asks for a password, or that posts to another site.",
    ),
    (
        "LOOKALIKE_DOMAIN",
        "The From, Reply-To or a link domain imitates a well-known brand or the sender's or recipient's own domain (homograph, character swap, typo, brand name in a longer name or in the subdomains, mixed scripts).",
    ),
    (
        "HEADER_DISPLAY_NAME_SPOOF",
        "The From display name carries another address, or a brand the From domain does not belong to.",
    ),
    (
        "REPLY_TO_MISMATCH",
        "Reply-To sends answers to a free mailbox or a lookalike domain while From is an organisation.",
    ),
    (
        "HEADER_FROM_MISSING",
        "The message has no usable From address.",
    ),
    (
        "HEADER_MULTIPLE_FROM",
        "The message has several From fields, or several From addresses without a Sender field.",
    ),
    ("HEADER_DATE_MISSING", "The message has no Date field."),
    (
        "HEADER_DATE_MALFORMED",
        "The Date field is not a valid RFC 5322 date.",
    ),
    (
        "HEADER_MESSAGE_ID_MISSING",
        "The message has no Message-ID field.",
    ),
    (
        "HEADER_MESSAGE_ID_MALFORMED",
        "The Message-ID is not of the form <id@domain>.",
    ),
    (
        "SPAM_SHOUTING_SUBJECT",
        "The subject is mostly capitals or has many exclamation marks (scored).",
    ),
    (
        "SPAM_MONEY_PHRASES",
        "The text stacks money, prize or pill phrases (scored).",
    ),
    (
        "SPAM_URGENCY_PHRASES",
        "The text stacks phrases pressing for immediate action (scored).",
    ),
    (
        "SPAM_IMAGE_ONLY",
        "The message is images with almost no text (scored).",
    ),
    (
        "SPAM_HIDDEN_TEXT",
        "Much of the HTML text is styled to be invisible (scored).",
    ),
    (
        "SPAM_BULK_NO_UNSUBSCRIBE",
        "Bulk mail without a List-Unsubscribe field (scored).",
    ),
    (
        "SPAM_NO_ONE_CLICK_UNSUBSCRIBE",
        "List-Unsubscribe without RFC 8058 one-click (an https URI and List-Unsubscribe-Post) (scored).",
    ),
];

/// The meaning of a code, if the content checks define it.
pub fn describe(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}
