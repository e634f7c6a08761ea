//! Phishing: links that show one place and go to another, lookalike domains, URL tricks, forms
//! that collect passwords.
//!
//! Lookalikes are found the way brand-protection filters find them: every label of a host is
//! reduced to a *canonical* form (Unicode confusable skeleton, digits read as the letters they
//! imitate, `rn` read as `m`, `vv` as `w`, hyphens dropped) and compared with the canonical
//! labels of a built-in list of much-phished brands and of the sender's and recipients' own
//! domains. Equal canonical forms with different spelling are a homograph or a swap; the brand's
//! name as one word of a longer label (`paypal-secure`) is combosquatting; a brand's whole domain
//! in the subdomains (`paypal.com.evil.example`) is the oldest trick of all.

use super::headers::HeaderFacts;
use super::html::HtmlDoc;
use super::{ContentContext, Sink, UrlInfo, UrlSource, content_finding};
use crate::finding::Severity;
use crate::names::{is_within, registered_domain};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A much-phished brand: its name as it appears in domain labels and display names, and the
/// registered domains it really sends from and links to.
#[derive(Debug, Clone, Copy)]
pub struct Brand {
    /// The brand's label (`paypal`).
    pub label: &'static str,
    /// Its own registered domains.
    pub domains: &'static [&'static str],
}

/// The built-in brand list (the most impersonated brands in phishing reports).
pub const BRANDS: &[Brand] = &[
    Brand {
        label: "paypal",
        domains: &[
            "paypal.com",
            "paypal.me",
            "paypalobjects.com",
            "paypal-community.com",
        ],
    },
    Brand {
        label: "microsoft",
        domains: &[
            "microsoft.com",
            "office.com",
            "office365.com",
            "outlook.com",
            "live.com",
            "hotmail.com",
            "microsoftonline.com",
            "sharepoint.com",
            "onmicrosoft.com",
            "azure.com",
            "windows.net",
            "msn.com",
            "bing.com",
            "skype.com",
            "microsoft365.com",
            "onedrive.com",
            "msauth.net",
            "msftauth.net",
        ],
    },
    Brand {
        label: "office365",
        domains: &[
            "office365.com",
            "office.com",
            "microsoft.com",
            "microsoftonline.com",
        ],
    },
    Brand {
        label: "outlook",
        domains: &[
            "outlook.com",
            "office.com",
            "live.com",
            "microsoft.com",
            "office365.com",
        ],
    },
    Brand {
        label: "onedrive",
        domains: &[
            "onedrive.com",
            "live.com",
            "microsoft.com",
            "sharepoint.com",
        ],
    },
    Brand {
        label: "sharepoint",
        domains: &["sharepoint.com", "microsoft.com"],
    },
    Brand {
        label: "apple",
        domains: &[
            "apple.com",
            "icloud.com",
            "me.com",
            "mac.com",
            "itunes.com",
            "apple.news",
        ],
    },
    Brand {
        label: "icloud",
        domains: &["icloud.com", "apple.com"],
    },
    Brand {
        label: "amazon",
        domains: &[
            "amazon.com",
            "amazon.co.uk",
            "amazon.de",
            "amazon.fr",
            "amazon.it",
            "amazon.es",
            "amazon.co.jp",
            "amazon.ca",
            "amazon.com.au",
            "amazon.in",
            "amazon.nl",
            "amazon.com.br",
            "amazon.com.mx",
            "amazonses.com",
            "amazonaws.com",
            "amazon.jobs",
            "a2z.com",
        ],
    },
    Brand {
        label: "google",
        domains: &[
            "google.com",
            "gmail.com",
            "googlemail.com",
            "youtube.com",
            "googleusercontent.com",
            "googleapis.com",
            "google.co.uk",
            "google.de",
            "google.fr",
            "goo.gl",
            "g.co",
        ],
    },
    Brand {
        label: "gmail",
        domains: &["gmail.com", "google.com", "googlemail.com"],
    },
    Brand {
        label: "netflix",
        domains: &["netflix.com", "netflix.net", "nflxext.com"],
    },
    Brand {
        label: "facebook",
        domains: &[
            "facebook.com",
            "fb.com",
            "facebookmail.com",
            "meta.com",
            "fbcdn.net",
        ],
    },
    Brand {
        label: "instagram",
        domains: &["instagram.com", "facebookmail.com", "meta.com"],
    },
    Brand {
        label: "whatsapp",
        domains: &["whatsapp.com", "whatsapp.net", "meta.com"],
    },
    Brand {
        label: "linkedin",
        domains: &["linkedin.com", "licdn.com", "lnkd.in"],
    },
    Brand {
        label: "dhl",
        domains: &[
            "dhl.com",
            "dhl.de",
            "dhl.co.uk",
            "dhl.fr",
            "dhl.nl",
            "dhlparcel.nl",
            "dpdhl.com",
        ],
    },
    Brand {
        label: "fedex",
        domains: &["fedex.com"],
    },
    Brand {
        label: "usps",
        domains: &["usps.com", "usps.gov"],
    },
    Brand {
        label: "docusign",
        domains: &["docusign.com", "docusign.net"],
    },
    Brand {
        label: "dropbox",
        domains: &["dropbox.com", "dropboxmail.com", "db.tt"],
    },
    Brand {
        label: "adobe",
        domains: &[
            "adobe.com",
            "adobesign.com",
            "echosign.com",
            "adobelogin.com",
        ],
    },
    Brand {
        label: "wetransfer",
        domains: &["wetransfer.com", "we.tl"],
    },
    Brand {
        label: "wellsfargo",
        domains: &["wellsfargo.com", "wf.com"],
    },
    Brand {
        label: "chase",
        domains: &["chase.com", "jpmorgan.com", "jpmorganchase.com"],
    },
    Brand {
        label: "bankofamerica",
        domains: &["bankofamerica.com", "bofa.com", "ml.com"],
    },
    Brand {
        label: "citibank",
        domains: &["citibank.com", "citi.com"],
    },
    Brand {
        label: "hsbc",
        domains: &["hsbc.com", "hsbc.co.uk", "hsbc.com.hk"],
    },
    Brand {
        label: "barclays",
        domains: &["barclays.com", "barclays.co.uk", "barclaycard.co.uk"],
    },
    Brand {
        label: "americanexpress",
        domains: &["americanexpress.com", "aexp.com"],
    },
    Brand {
        label: "mastercard",
        domains: &["mastercard.com"],
    },
    Brand {
        label: "ebay",
        domains: &[
            "ebay.com",
            "ebay.co.uk",
            "ebay.de",
            "ebay.fr",
            "ebay.it",
            "ebay.es",
            "ebay.com.au",
        ],
    },
    Brand {
        label: "coinbase",
        domains: &["coinbase.com"],
    },
    Brand {
        label: "binance",
        domains: &["binance.com"],
    },
    Brand {
        label: "steampowered",
        domains: &["steampowered.com", "steamcommunity.com"],
    },
    Brand {
        label: "zoom",
        domains: &["zoom.us", "zoom.com"],
    },
    Brand {
        label: "spotify",
        domains: &["spotify.com"],
    },
    Brand {
        label: "yahoo",
        domains: &[
            "yahoo.com",
            "yahoo.co.uk",
            "yahoo.co.jp",
            "ymail.com",
            "yahoodns.net",
        ],
    },
    Brand {
        label: "intuit",
        domains: &["intuit.com", "quickbooks.com", "turbotax.com"],
    },
    Brand {
        label: "booking",
        domains: &["booking.com"],
    },
    Brand {
        label: "twitter",
        domains: &["twitter.com", "x.com", "t.co"],
    },
    Brand {
        label: "norton",
        domains: &["norton.com", "nortonlifelock.com", "gen.digital"],
    },
    Brand {
        label: "mcafee",
        domains: &["mcafee.com"],
    },
];

/// Well-known URL shorteners: the real destination is hidden until clicked.
pub const SHORTENERS: &[&str] = &[
    "bit.ly",
    "bitly.com",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "rb.gy",
    "t.ly",
    "tiny.cc",
    "bl.ink",
    "s.id",
    "v.gd",
    "qrco.de",
    "shorte.st",
    "adf.ly",
    "bit.do",
    "tr.im",
    "soo.gd",
    "clck.ru",
    "u.to",
    "x.co",
    "lnkd.in",
    "trib.al",
    "shorturl.com",
    "tiny.one",
];

/// Click-tracking, redirect and link-protection services whose links legitimately show another
/// domain as their text (newsletter platforms, security gateways' URL rewriting).
pub const REDIRECTORS: &[&str] = &[
    "list-manage.com",
    "mailchimp.com",
    "mcusercontent.com",
    "sendgrid.net",
    "mandrillapp.com",
    "hubspotlinks.com",
    "hubspotemail.net",
    "hs-sites.com",
    "exacttarget.com",
    "sailthru.com",
    "mailgun.org",
    "awstrack.me",
    "rs6.net",
    "createsend.com",
    "cmail19.com",
    "cmail20.com",
    "klclick.com",
    "klclick1.com",
    "klclick2.com",
    "klaviyomail.com",
    "spgo.io",
    "sparkpostmail.com",
    "mktoweb.com",
    "mkt.com",
    "pardot.com",
    "salesforce.com",
    "constantcontact.com",
    "mlsend.com",
    "safelinks.protection.outlook.com",
    "outlook.com",
    "urldefense.com",
    "urldefense.proofpoint.com",
    "mimecast.com",
    "mimecastprotect.com",
    "barracudanetworks.com",
    "linkprotect.cudasvc.com",
    "google.com",
    "doubleclick.net",
    "ct.sendgrid.net",
    "sendibt3.com",
    "sendinblue.com",
    "brevo.com",
    "mailjet.com",
    "mjt.lu",
    "substack.com",
    "beehiiv.com",
    "convertkit-mail.com",
    "ck.page",
    "campaign-archive.com",
    "intercom-clicks.com",
    "customeriomail.com",
];

/// Free mailbox providers: anyone can have an address there.
pub const FREEMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "ymail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "proton.me",
    "protonmail.com",
    "zoho.com",
    "yandex.ru",
    "yandex.com",
    "mail.ru",
    "qq.com",
    "163.com",
    "126.com",
    "tutanota.com",
    "fastmail.com",
    "free.fr",
    "orange.fr",
    "libero.it",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "rediffmail.com",
    "naver.com",
    "daum.net",
    "inbox.com",
];

/// True when `domain` (registered) is a free mailbox provider.
pub fn is_freemail(domain: &str) -> bool {
    FREEMAIL.contains(&domain)
}

/// True when `host` belongs to one of the brand's own domains.
pub fn is_brand_host(brand: &Brand, host: &str) -> bool {
    brand.domains.iter().any(|d| is_within(host, d))
}

/// True when `host` is within any listed service in `list`.
fn within_any(host: &str, list: &[&str]) -> bool {
    list.iter().any(|d| is_within(host, d))
}

/// A brand named in free text (a display name), as a whole word.
pub fn brand_in_text(text: &str) -> Option<&'static Brand> {
    let lower = text.to_lowercase();
    let words: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(canonical)
        .collect();
    let joined: String = words.concat();
    BRANDS
        .iter()
        .zip(brand_canon())
        .find(|(_, c)| words.contains(c) || (c.len() >= 8 && joined.contains(c.as_str())))
        .map(|(b, _)| b)
}

/// The canonical form of a label for lookalike comparison.
pub fn canonical(label: &str) -> String {
    let unicode = if label.starts_with("xn--") {
        idna::domain_to_unicode(label).0
    } else {
        label.to_string()
    };
    // ASCII needs no confusable skeleton: the digit and letter mapping below covers what
    // the skeleton would do to it (0→o, 1/I→l, rn→m), and skipping it is much faster.
    let skel: String = if unicode.is_ascii() {
        unicode
    } else {
        unicode_security::skeleton(&unicode.to_lowercase()).collect()
    };
    let mapped: String = skel
        .to_lowercase()
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| match c {
            '0' => 'o',
            '1' | 'i' | '!' | '|' => 'l',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            '8' => 'b',
            '9' => 'g',
            c => c,
        })
        .collect();
    mapped
        .replace("rn", "m")
        .replace("vv", "w")
        .replace("cl", "d")
}

/// Canonical forms of the brand labels, in [`BRANDS`] order (computed once).
fn brand_canon() -> &'static [String] {
    static C: OnceLock<Vec<String>> = OnceLock::new();
    C.get_or_init(|| BRANDS.iter().map(|b| canonical(b.label)).collect())
}

/// `(".domain.", domain)` for every brand domain: a host containing one has a brand's whole
/// domain among its subdomains.
fn brand_needles() -> &'static [(String, &'static str)] {
    static N: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    N.get_or_init(|| {
        BRANDS
            .iter()
            .flat_map(|b| b.domains.iter().map(|d| (format!(".{d}."), *d)))
            .collect()
    })
}

/// Damerau-Levenshtein distance, capped: returns `cap + 1` when over `cap`.
fn distance(a: &str, b: &str, cap: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > cap || a.len() > 64 || b.len() > 64 {
        return cap + 1;
    }
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m].min(cap + 1)
}

/// Why a host looks like something it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookalike {
    /// What it imitates (a brand's domain or a party's domain).
    pub imitates: String,
    /// `homograph`, `character_swap`, `typo`, `combosquatting`, `brand_in_subdomain`,
    /// `mixed_script`.
    pub technique: &'static str,
    /// Error or warning.
    pub severity: Severity,
}

/// Judges one host against the brands and the parties' own domains.
pub fn lookalike(host: &str, parties: &[String]) -> Option<Lookalike> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    // Unknown TLDs: take the last two labels as the registered domain.
    let rd = registered_domain(&host).or_else(|| {
        let mut it = host.rsplitn(3, '.');
        let (tld, name) = (it.next()?, it.next()?);
        Some(format!("{name}.{tld}"))
    })?;
    if BRANDS.iter().any(|b| is_brand_host(b, &host)) || parties.iter().any(|p| is_within(&host, p))
    {
        return None;
    }
    let suffix_len = rd.find('.').map_or(0, |i| rd.len() - i);
    let labels_part = &host[..host.len() - suffix_len];
    let labels: Vec<&str> = labels_part.split('.').filter(|l| !l.is_empty()).collect();
    let main = *labels.last()?;
    let subs = &labels[..labels.len() - 1];

    // A brand's whole domain placed in the subdomains: paypal.com.evil.example.
    let dotted = format!(".{host}");
    for (needle, d) in brand_needles() {
        if dotted.contains(needle.as_str()) {
            return Some(Lookalike {
                imitates: d.to_string(),
                technique: "brand_in_subdomain",
                severity: Severity::Error,
            });
        }
    }

    let unicode_main = if main.starts_with("xn--") {
        idna::domain_to_unicode(main).0
    } else {
        main.to_string()
    };
    let main_canon = canonical(main);
    // Canonical forms of each label's hyphen-separated words (trailing digits dropped).
    let label_tokens: Vec<Vec<String>> = labels
        .iter()
        .map(|label| {
            label
                .split('-')
                .filter(|t| !t.is_empty())
                .map(|t| t.trim_end_matches(|c: char| c.is_ascii_digit()))
                .filter(|t| !t.is_empty())
                .map(canonical)
                .collect()
        })
        .collect();
    let sub_canon: Vec<String> = subs.iter().map(|s| canonical(s)).collect();
    for (b, bc) in BRANDS.iter().zip(brand_canon()) {
        let bc = bc.as_str();
        // Homograph or swap in the registered label.
        if main_canon == bc && main != b.label {
            let technique = if unicode_main.is_ascii() {
                "character_swap"
            } else {
                "homograph"
            };
            return Some(Lookalike {
                imitates: b.domains[0].to_string(),
                technique,
                severity: Severity::Error,
            });
        }
        // The brand as one word of a longer label, in the registered label or a subdomain.
        for (i, label) in labels.iter().enumerate() {
            let is_main = i + 1 == labels.len();
            let words = label.split('-').filter(|t| !t.is_empty()).count();
            if words < 2 && !(is_main && *label == b.label) {
                continue;
            }
            let hit = label_tokens[i].iter().any(|t| t == bc);
            if hit && words >= 2 {
                return Some(Lookalike {
                    imitates: b.domains[0].to_string(),
                    technique: "combosquatting",
                    severity: Severity::Error,
                });
            }
            if is_main && *label == b.label {
                // The brand's name on a domain it does not use (paypal.example-tld).
                return Some(Lookalike {
                    imitates: b.domains[0].to_string(),
                    technique: "brand_on_foreign_domain",
                    severity: Severity::Warning,
                });
            }
        }
        // Canonical brand in a subdomain label that is not the brand's exact name (paypa1.x).
        for (s, sc) in subs.iter().zip(&sub_canon) {
            if sc == bc && *s != b.label {
                return Some(Lookalike {
                    imitates: b.domains[0].to_string(),
                    technique: "character_swap",
                    severity: Severity::Error,
                });
            }
        }
        // The brand's exact name as a subdomain of someone else's domain: a tenant of a
        // hosted service (paypal.zendesk.com) or an impersonation; worth a warning.
        if subs.contains(&b.label) {
            return Some(Lookalike {
                imitates: b.domains[0].to_string(),
                technique: "brand_in_subdomain",
                severity: Severity::Warning,
            });
        }
        if bc.len() >= 6 && main_canon != bc && distance(&main_canon, bc, 1) == 1 {
            return Some(Lookalike {
                imitates: b.domains[0].to_string(),
                technique: "typo",
                severity: Severity::Warning,
            });
        }
    }

    for p in parties {
        let Some(prd) = registered_domain(p) else {
            continue;
        };
        if prd == rd {
            continue;
        }
        let plabel = prd.split('.').next().unwrap_or("");
        let pc = canonical(plabel);
        if pc.len() < 4 {
            continue;
        }
        if main_canon == pc && main != plabel {
            return Some(Lookalike {
                imitates: prd.clone(),
                technique: if unicode_main.is_ascii() {
                    "character_swap"
                } else {
                    "homograph"
                },
                severity: Severity::Error,
            });
        }
        if pc.len() >= 6 && main_canon != pc && distance(&main_canon, &pc, 1) == 1 {
            return Some(Lookalike {
                imitates: prd.clone(),
                technique: "typo",
                severity: Severity::Error,
            });
        }
    }

    if !unicode_main.is_ascii() && !is_single_script(&unicode_main) {
        return Some(Lookalike {
            imitates: String::new(),
            technique: "mixed_script",
            severity: Severity::Warning,
        });
    }
    None
}

fn is_single_script(s: &str) -> bool {
    use unicode_security::MixedScript;
    s.is_single_script()
}

const LOOKALIKE_FIX: &str = "Use your own, real domain in From, Reply-To and links. If this \
domain is yours, note that it imitates another organisation's name closely enough that \
gateways treat it as impersonation: send from your main domain instead.";
const MISMATCH_FIX: &str = "Make each link's visible text match where it goes: show the real \
domain (or plain words like \"View your invoice\") rather than a different web address.";

/// Runs the phishing checks.
pub fn check(
    urls: &[UrlInfo],
    tricks: &HashMap<String, Vec<&'static str>>,
    docs: &[HtmlDoc],
    hdr: &HeaderFacts,
    ctx: &ContentContext,
    sink: &mut Sink,
) {
    let mut parties: Vec<String> = ctx
        .recipient_domains
        .iter()
        .filter_map(|d| registered_domain(d))
        .collect();
    if let Some(s) = ctx.sender_domain.as_deref().and_then(registered_domain) {
        parties.push(s);
    }
    let from_rd = hdr.from_domain.as_deref().and_then(registered_domain);

    // Lookalike From / Reply-To / link hosts.
    let mut hosts: Vec<(String, &'static str)> = Vec::new();
    if let Some(d) = &hdr.from_domain {
        hosts.push((d.clone(), "from"));
    }
    for d in &hdr.reply_to_domains {
        hosts.push((d.clone(), "reply_to"));
    }
    for u in urls.iter().filter(|u| !u.ip_literal) {
        hosts.push((u.host.clone(), "link"));
    }
    // The sender's own domain is not a lookalike of itself; compare it only with recipients.
    let mut seen = std::collections::HashSet::new();
    for (host, role) in hosts {
        if !seen.insert(host.clone()) {
            continue;
        }
        let own: Vec<String> = parties
            .iter()
            .filter(|p| role == "link" || Some(*p) != from_rd.as_ref())
            .cloned()
            .collect();
        if let Some(l) = lookalike(&host, &own) {
            let what = if l.imitates.is_empty() {
                "mixes writing systems in its name".to_string()
            } else {
                format!("imitates {}", l.imitates)
            };
            sink.push(
                content_finding(
                    "LOOKALIKE_DOMAIN",
                    l.severity,
                    host.as_str(),
                    format!(
                        "the {} domain {host} {what} ({})",
                        role.replace('_', "-"),
                        l.technique
                    ),
                    LOOKALIKE_FIX,
                )
                .evidence("imitates", &l.imitates)
                .evidence("technique", l.technique)
                .evidence("where", role),
            );
        }
    }

    for u in urls {
        if u.ip_literal {
            sink.push(
                content_finding(
                    "URL_IP_LITERAL",
                    Severity::Warning,
                    u.host.as_str(),
                    format!("a link goes to the bare IP address {}", u.host),
                    "Link to a domain name, not to an IP address: legitimate senders link to \
                     their named websites and gateways distrust bare-IP links.",
                )
                .evidence("url", &u.url),
            );
        }
        if within_any(&u.host, SHORTENERS) {
            sink.push(
                content_finding(
                    "URL_SHORTENER",
                    Severity::Warning,
                    u.host.as_str(),
                    format!("a link uses the URL shortener {}", u.host),
                    "Use the full link to your own site instead of a URL shortener: shorteners \
                     hide the destination and are widely abused, so they count against a message.",
                )
                .evidence("url", &u.url),
            );
        }
        if let Some(t) = tricks.get(&u.url) {
            let serious: Vec<&&str> = t
                .iter()
                .filter(|t| matches!(**t, "userinfo" | "encoded_host" | "numeric_ip"))
                .collect();
            if !serious.is_empty() {
                sink.push(
                    content_finding(
                        "URL_OBFUSCATED",
                        Severity::Error,
                        u.host.as_str(),
                        format!(
                            "a link to {} disguises its destination ({})",
                            u.host,
                            t.join(", ")
                        ),
                        "Write links plainly (https://your-domain/path): no user@ part, no \
                         percent-encoded or numeric hosts. Disguised links are a phishing trait.",
                    )
                    .evidence("url", &u.url)
                    .evidence("tricks", t),
                );
            }
        }
    }

    for doc in docs {
        for link in &doc.links {
            let href_l = link.href.trim_start().to_ascii_lowercase();
            if href_l.starts_with("javascript:") || href_l.starts_with("vbscript:") {
                sink.push(
                    content_finding(
                        "URL_JAVASCRIPT",
                        Severity::Warning,
                        format!("part {}", doc.part),
                        "a link runs script (javascript:) instead of going to a page",
                        "Use ordinary https:// links; mail clients do not run scripts and \
                         gateways treat script links as an attack.",
                    )
                    .evidence("href", super::html::truncate(&link.href, 200)),
                );
                continue;
            }
            if link.source != UrlSource::Href {
                continue;
            }
            check_text_mismatch(link, from_rd.as_deref(), doc.part, sink);
        }
        for form in &doc.forms {
            let action = super::links::parse(&form.action);
            let off_site = action.as_ref().is_some_and(|a| {
                let rd = registered_domain(&a.host).unwrap_or_else(|| a.host.clone());
                Some(&rd) != from_rd.as_ref()
            });
            if off_site || form.has_password {
                let target = action
                    .as_ref()
                    .map_or("(no action)".to_string(), |a| a.host.clone());
                sink.push(
                    content_finding(
                        "PHISHING_FORM",
                        if form.has_password {
                            Severity::Error
                        } else {
                            Severity::Warning
                        },
                        format!("part {}", doc.part),
                        if form.has_password {
                            format!("a form asks for a password and sends it to {target}")
                        } else {
                            format!("a form posts to another site ({target})")
                        },
                        "Do not put forms in mail (and never password fields): link to a page \
                         on your own site where people sign in.",
                    )
                    .evidence("action", &form.action)
                    .evidence("password_field", form.has_password),
                );
            }
        }
    }
}

/// The domain a link's visible text shows, if it shows one.
pub fn shown_domain(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '/' && c != ':');
    let first = t.split_whitespace().next()?;
    if first.len() < 4 || !first.contains('.') {
        return None;
    }
    // Only text that is itself a URL or a host name (not a sentence with a dot in it).
    if t.split_whitespace().count() > 1 && !first.contains("://") && !first.starts_with("www.") {
        return None;
    }
    let candidate = if first.contains("://") {
        first.to_string()
    } else {
        format!("http://{first}")
    };
    let p = super::links::parse(&candidate)?;
    if p.ip_literal {
        return Some(p.host);
    }
    registered_domain(&p.host)
}

fn check_text_mismatch(
    link: &super::html::Link,
    from_rd: Option<&str>,
    part: usize,
    sink: &mut Sink,
) {
    let Some(shown) = shown_domain(&link.text) else {
        return;
    };
    let Some(target) = super::links::parse(&link.href) else {
        return;
    };
    let target_rd = if target.ip_literal {
        target.host.clone()
    } else {
        match registered_domain(&target.host) {
            Some(rd) => rd,
            None => target.host.clone(),
        }
    };
    if shown == target_rd || within_any(&target.host, REDIRECTORS) {
        return;
    }
    let own_tracking = from_rd == Some(target_rd.as_str());
    let shown_is_brand = BRANDS.iter().any(|b| is_brand_host(b, &shown));
    let severity = if own_tracking && !shown_is_brand {
        Severity::Warning
    } else {
        Severity::Error
    };
    sink.push(
        content_finding(
            "LINK_TEXT_MISMATCH",
            severity,
            target.host.as_str(),
            format!("a link shows {shown} but goes to {}", target.host),
            MISMATCH_FIX,
        )
        .evidence("shown", &shown)
        .evidence("href", super::html::truncate(&link.href, 300))
        .evidence("part", part),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_swaps_and_rn_are_lookalikes() {
        let l = lookalike("paypa1.com", &[]).expect("lookalike");
        assert_eq!(l.technique, "character_swap");
        assert_eq!(l.imitates, "paypal.com");
        let l = lookalike("rnicrosoft.com", &[]).expect("lookalike");
        assert_eq!(l.imitates, "microsoft.com");
        assert!(lookalike("paypal.com", &[]).is_none());
        assert!(lookalike("www.paypal.com", &[]).is_none());
    }

    #[test]
    fn idn_homograph_of_a_brand() {
        let host = crate::names::normalize_domain("pаypal.com").expect("idn"); // Cyrillic а
        let l = lookalike(&host, &[]).expect("lookalike");
        assert_eq!(l.technique, "homograph");
    }

    #[test]
    fn combosquatting_and_brand_in_subdomain() {
        assert_eq!(
            lookalike("paypal-secure-login.com", &[]).map(|l| l.technique),
            Some("combosquatting")
        );
        assert_eq!(
            lookalike("paypal.com.verify.example", &[]).map(|l| l.technique),
            Some("brand_in_subdomain")
        );
        // A SaaS tenant named after a brand is only a warning.
        assert_eq!(
            lookalike("paypal.zendesk.com", &[]).map(|l| l.severity),
            Some(Severity::Warning)
        );
    }

    #[test]
    fn lookalike_of_a_recipient_domain() {
        let parties = vec!["acme-corp.com".to_string()];
        assert!(lookalike("acme-c0rp.com", &parties).is_some());
        assert!(lookalike("acme-corp.com", &parties).is_none());
        // Same name under another TLD is not a lookalike of a party.
        assert!(lookalike("example.com", &["example.edu".to_string()]).is_none());
    }
}
