//! The catalog of DNS blocklists: what each list holds, how to ask it, and what its answers mean.
//!
//! The built-in catalog is data (`catalog.toml`, compiled in and parsed on first use), not code:
//! lists come and go and change their codes, and an admin must be able to follow without a new
//! release. [`Catalog::with_overrides_toml`] merges the admin's configuration into it: an entry
//! with a zone already in the catalog replaces the fields it names (so `enabled = false` or
//! `key = "..."` alone is enough), an entry with a new zone adds a list.
//!
//! Every entry is validated once, when it is parsed ([`ListEntry`] values are always usable):
//! the zone is a normalised DNS name, codes are in 127.0.0.0/8, bitmask entries are single bits,
//! keys are DNS labels. Answers are decoded here too ([`ListEntry::decode`]), so the query engine
//! and the probe read a list's codes the same way.

use crate::names::normalize_domain;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::{Arc, OnceLock};

/// The built-in catalog text.
const BUILTIN: &str = include_str!("catalog.toml");

/// Weight at and above which a listing is an error (a likely rejection); below, a warning.
pub const ERROR_WEIGHT: u8 = 50;
/// Largest weight.
pub const MAX_WEIGHT: u8 = 100;
/// Most entries a catalog (built-in plus configuration) may hold.
pub const MAX_LISTS: usize = 500;
/// Most codes or bits one list may declare.
pub const MAX_CODES: usize = 256;
/// Longest meaning, fix or note text, in bytes.
pub const MAX_TEXT_LEN: usize = 2048;

/// What a list holds, and so what it can be asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// IPv4 addresses, queried as reversed octets (RFC 5782 2.1).
    Ipv4,
    /// IPv6 addresses, queried as reversed nibbles (RFC 5782 2.4).
    Ipv6,
    /// Domains (RHSBL): the sender's or HELO domain.
    Domain,
    /// Domains found in URLs in a message (URIBL).
    Url,
}

impl ListKind {
    /// The lowercase name used in configuration and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Ipv4 => "ipv4",
            ListKind::Ipv6 => "ipv6",
            ListKind::Domain => "domain",
            ListKind::Url => "url",
        }
    }
}

/// How a list may be queried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Anyone may query it.
    #[default]
    Open,
    /// A subscription key goes into the query name: `<query>.<key>.<zone>`.
    Key,
    /// Free, but only through a resolver registered with the list (or only at low volume, not
    /// through public resolvers): other queries get an error answer or nothing.
    Registered,
}

/// Which form of a domain a domain or URL list expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DomainForm {
    /// The registered domain (public suffix list): `www.shop.example.co.uk` → `example.co.uk`.
    #[default]
    Registered,
    /// The host name as given.
    Host,
}

/// One exact answer of a list and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// The A record the list answers, e.g. 127.0.0.10.
    pub value: Ipv4Addr,
    /// What the list says with it.
    pub meaning: String,
    /// What the sender should do, when it differs from the list's general fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// False for answers that are not listings (good-reputation levels, allowlist answers).
    #[serde(default = "yes")]
    pub listed: bool,
    /// The weight of this code, when it differs from the list's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u8>,
}

/// One bit of a bitmask list's answer (SURBL, URIBL): 127.0.0.x where x ORs the sublists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bit {
    /// The bit in the last octet (1, 2, 4, ..., 128).
    pub mask: u8,
    /// What the sublist with this bit holds.
    pub meaning: String,
    /// What the sender should do, when it differs from the list's general fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// An answer that means "error" (query refused, over the limit, bad key): never a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The A record the list answers.
    pub value: Ipv4Addr,
    /// What it means.
    pub meaning: String,
}

fn yes() -> bool {
    true
}

/// One list of the catalog, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListEntry {
    /// The DNS zone, normalised: `zen.spamhaus.org`.
    pub zone: String,
    /// A human name.
    pub name: String,
    /// What the list holds (one or several kinds).
    pub kinds: Vec<ListKind>,
    /// 0..=100: how much a listing matters to receivers; at or above [`ERROR_WEIGHT`] it is an
    /// error.
    pub weight: u8,
    /// How the list may be queried.
    pub access: Access,
    /// The subscription key, for [`Access::Key`] lists. Never serialised.
    #[serde(skip)]
    pub key: Option<String>,
    /// Whether the list is queried.
    pub enabled: bool,
    /// For domain and URL lists: which form of the domain it expects.
    pub domain_form: DomainForm,
    /// Exact answers.
    pub codes: Vec<Code>,
    /// Bits of a bitmask list (empty for lists of exact codes).
    pub bits: Vec<Bit>,
    /// Answers that mean an error, never a listing.
    pub errors: Vec<ErrorCode>,
    /// RFC 5782 test point that must be listed, when not the standard one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_listed: Option<String>,
    /// RFC 5782 test point that must not be listed, when not the standard one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_clean: Option<String>,
    /// Where to look a listing up and request removal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delist: Option<String>,
    /// What the sender should do about a listing, when no code says better.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// A note for the admin (access conditions, status).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What one A record of a list's answer means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meaning {
    /// The answer.
    pub code: Ipv4Addr,
    /// What the list says with it.
    pub meaning: String,
    /// The fix for this code, if it has one of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Whether the answer is a listing.
    pub listed: bool,
    /// The weight of this answer.
    pub weight: u8,
}

/// The reading of a whole answer (all A records at the query name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// At least one answer is a listing; `meanings` holds every answer's reading.
    Listed(Vec<Meaning>),
    /// Answers that are not listings (good-reputation levels).
    NotListed(Vec<Meaning>),
    /// An error answer (or one outside 127.0.0.0/8): the list could not be asked properly.
    Error {
        /// The offending answer.
        code: Ipv4Addr,
        /// What it means.
        meaning: String,
    },
}

impl ListEntry {
    /// True when the list can be asked about this kind of target.
    pub fn holds(&self, kind: ListKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// True for lists of IP addresses (either family).
    pub fn is_ip_list(&self) -> bool {
        self.holds(ListKind::Ipv4) || self.holds(ListKind::Ipv6)
    }

    /// True for lists of domains (RHSBL or URI lists).
    pub fn is_domain_list(&self) -> bool {
        self.holds(ListKind::Domain) || self.holds(ListKind::Url)
    }

    /// True when the list needs a key it does not have.
    pub fn missing_key(&self) -> bool {
        self.access == Access::Key && self.key.is_none()
    }

    /// The query name for a prepared label string (reversed IP or domain): the key, when the
    /// list has one, goes between the query and the zone.
    pub fn query_name(&self, labels: &str) -> String {
        match &self.key {
            Some(key) => format!("{labels}.{key}.{}", self.zone),
            None => format!("{labels}.{}", self.zone),
        }
    }

    /// The query name as shown in reports: the key replaced by `<key>`.
    pub fn shown_query_name(&self, labels: &str) -> String {
        match &self.key {
            Some(_) => format!("{labels}.<key>.{}", self.zone),
            None => format!("{labels}.{}", self.zone),
        }
    }

    /// Reads a list's answer. Error answers win over everything (a refused query must never
    /// count as a listing), then answers outside 127.0.0.0/8 (RFC 5782 2.3: a resolver rewriting
    /// NXDOMAIN, or a dead list's zone parked somewhere), then exact codes, then bits.
    pub fn decode(&self, answers: &[Ipv4Addr]) -> Decoded {
        for a in answers {
            if let Some(e) = self.errors.iter().find(|e| e.value == *a) {
                return Decoded::Error {
                    code: *a,
                    meaning: e.meaning.clone(),
                };
            }
        }
        for a in answers {
            if a.octets()[0] != 127 {
                return Decoded::Error {
                    code: *a,
                    meaning: "not a blocklist answer (outside 127.0.0.0/8): a resolver that \
                              rewrites NXDOMAIN, or the list's zone is no longer a blocklist"
                        .to_string(),
                };
            }
        }
        let mut meanings = Vec::new();
        for a in answers {
            meanings.extend(self.meanings_of(*a));
        }
        if meanings.iter().any(|m| m.listed) {
            Decoded::Listed(meanings)
        } else {
            Decoded::NotListed(meanings)
        }
    }

    fn meanings_of(&self, a: Ipv4Addr) -> Vec<Meaning> {
        if let Some(c) = self.codes.iter().find(|c| c.value == a) {
            return vec![Meaning {
                code: a,
                meaning: c.meaning.clone(),
                fix: c.fix.clone(),
                listed: c.listed,
                weight: c.weight.unwrap_or(self.weight),
            }];
        }
        if !self.bits.is_empty() {
            let last = a.octets()[3];
            let mut out = Vec::new();
            let mut unknown = last;
            for b in &self.bits {
                if last & b.mask != 0 {
                    unknown &= !b.mask;
                    out.push(Meaning {
                        code: a,
                        meaning: b.meaning.clone(),
                        fix: b.fix.clone(),
                        listed: true,
                        weight: self.weight,
                    });
                }
            }
            if unknown != 0 || out.is_empty() {
                out.push(Meaning {
                    code: a,
                    meaning: format!("unknown bits {unknown:#04x} in the answer"),
                    fix: None,
                    listed: true,
                    weight: self.weight,
                });
            }
            return out;
        }
        vec![Meaning {
            code: a,
            meaning: format!("listed (code {a} is not in the catalog)"),
            fix: None,
            listed: true,
            weight: self.weight,
        }]
    }
}

/// Why a catalog could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Not valid TOML, or fields of the wrong type.
    #[error("blocklist catalog: {0}")]
    Toml(String),
    /// An entry breaks a rule.
    #[error("blocklist catalog, list {zone:?}: {why}")]
    Invalid {
        /// The zone as written.
        zone: String,
        /// What is wrong.
        why: String,
    },
    /// Too many lists.
    #[error("blocklist catalog: more than {MAX_LISTS} lists")]
    TooMany,
}

/// An entry as written in TOML: every field optional, so a configuration entry can patch a
/// built-in one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    zone: String,
    name: Option<String>,
    kind: Option<OneOrMany>,
    weight: Option<u8>,
    access: Option<Access>,
    key: Option<String>,
    enabled: Option<bool>,
    domain_form: Option<DomainForm>,
    codes: Option<Vec<Code>>,
    bits: Option<Vec<Bit>>,
    errors: Option<Vec<ErrorCode>>,
    test_listed: Option<String>,
    test_clean: Option<String>,
    delist: Option<String>,
    fix: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(ListKind),
    Many(Vec<ListKind>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    list: Vec<RawEntry>,
}

/// The lists fivefifty knows: the built-in ones, possibly overridden and extended.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    lists: Vec<Arc<ListEntry>>,
}

impl Serialize for Catalog {
    /// A catalog serialises as the array of its lists (keys never included).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.lists.iter().map(|l| l.as_ref()))
    }
}

impl Catalog {
    /// The built-in catalog (parsed once, then shared).
    pub fn builtin() -> Catalog {
        static BUILT: OnceLock<Catalog> = OnceLock::new();
        BUILT
            .get_or_init(|| {
                // The data is compiled in and checked by the unit tests: failing here is a bug
                // in this release, not bad input.
                Catalog::from_toml_str(BUILTIN).expect("the built-in blocklist catalog is valid")
            })
            .clone()
    }

    /// A catalog from TOML text alone (`[[list]]` entries; every entry complete).
    pub fn from_toml_str(text: &str) -> Result<Catalog, CatalogError> {
        let raw = parse_raw(text)?;
        let mut catalog = Catalog::default();
        for entry in raw.list {
            catalog.upsert(entry)?;
        }
        Ok(catalog)
    }

    /// This catalog with configuration merged in: an entry whose zone is already present
    /// replaces the fields it names, a new zone adds a list. `enabled = false` disables a list.
    pub fn with_overrides_toml(mut self, text: &str) -> Result<Catalog, CatalogError> {
        let raw = parse_raw(text)?;
        for entry in raw.list {
            self.upsert(entry)?;
        }
        Ok(self)
    }

    /// Every list, enabled or not, in catalog order.
    pub fn lists(&self) -> impl Iterator<Item = &ListEntry> {
        self.lists.iter().map(|l| l.as_ref())
    }

    /// The enabled lists.
    pub fn enabled(&self) -> impl Iterator<Item = &Arc<ListEntry>> {
        self.lists.iter().filter(|l| l.enabled)
    }

    /// The list with this zone.
    pub fn get(&self, zone: &str) -> Option<&ListEntry> {
        let zone = zone.trim_end_matches('.').to_ascii_lowercase();
        self.lists
            .iter()
            .find(|l| l.zone == zone)
            .map(|l| l.as_ref())
    }

    /// How many lists (enabled or not).
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// True when the catalog holds no list.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    fn upsert(&mut self, raw: RawEntry) -> Result<(), CatalogError> {
        let zone = normalize_domain(&raw.zone).map_err(|e| CatalogError::Invalid {
            zone: raw.zone.clone(),
            why: e.to_string(),
        })?;
        if let Some(pos) = self.lists.iter().position(|l| l.zone == zone) {
            let patched = patch(&self.lists[pos], raw, zone)?;
            self.lists[pos] = Arc::new(patched);
        } else {
            if self.lists.len() >= MAX_LISTS {
                return Err(CatalogError::TooMany);
            }
            self.lists.push(Arc::new(build(raw, zone)?));
        }
        Ok(())
    }
}

fn parse_raw(text: &str) -> Result<RawCatalog, CatalogError> {
    toml::from_str(text).map_err(|e| CatalogError::Toml(e.to_string()))
}

fn build(raw: RawEntry, zone: String) -> Result<ListEntry, CatalogError> {
    let invalid = |why: &str| CatalogError::Invalid {
        zone: zone.clone(),
        why: why.to_string(),
    };
    let kinds = match raw.kind {
        Some(OneOrMany::One(k)) => vec![k],
        Some(OneOrMany::Many(k)) => k,
        None => return Err(invalid("a new list needs `kind`")),
    };
    let entry = ListEntry {
        name: raw.name.unwrap_or_else(|| zone.clone()),
        kinds,
        weight: raw.weight.unwrap_or(ERROR_WEIGHT),
        access: raw.access.unwrap_or_default(),
        key: raw.key,
        enabled: raw.enabled.unwrap_or(true),
        domain_form: raw.domain_form.unwrap_or_default(),
        codes: raw.codes.unwrap_or_default(),
        bits: raw.bits.unwrap_or_default(),
        errors: raw.errors.unwrap_or_default(),
        test_listed: raw.test_listed,
        test_clean: raw.test_clean,
        delist: raw.delist,
        fix: raw.fix,
        note: raw.note,
        zone: zone.clone(),
    };
    validate(entry)
}

fn patch(base: &ListEntry, raw: RawEntry, zone: String) -> Result<ListEntry, CatalogError> {
    let mut e = base.clone();
    e.zone = zone;
    if let Some(v) = raw.name {
        e.name = v;
    }
    match raw.kind {
        Some(OneOrMany::One(k)) => e.kinds = vec![k],
        Some(OneOrMany::Many(k)) => e.kinds = k,
        None => {}
    }
    if let Some(v) = raw.weight {
        e.weight = v;
    }
    if let Some(v) = raw.access {
        e.access = v;
    }
    if raw.key.is_some() {
        e.key = raw.key;
        // Giving a key for a keyed list is how one turns it on.
        if raw.enabled.is_none() {
            e.enabled = true;
        }
    }
    if let Some(v) = raw.enabled {
        e.enabled = v;
    }
    if let Some(v) = raw.domain_form {
        e.domain_form = v;
    }
    if let Some(v) = raw.codes {
        e.codes = v;
    }
    if let Some(v) = raw.bits {
        e.bits = v;
    }
    if let Some(v) = raw.errors {
        e.errors = v;
    }
    e.test_listed = raw.test_listed.or(e.test_listed);
    e.test_clean = raw.test_clean.or(e.test_clean);
    e.delist = raw.delist.or(e.delist);
    e.fix = raw.fix.or(e.fix);
    e.note = raw.note.or(e.note);
    validate(e)
}

fn validate(mut e: ListEntry) -> Result<ListEntry, CatalogError> {
    let invalid = |why: String| CatalogError::Invalid {
        zone: e.zone.clone(),
        why,
    };
    if e.kinds.is_empty() {
        return Err(invalid("`kind` is empty".into()));
    }
    let unique: BTreeSet<ListKind> = e.kinds.iter().copied().collect();
    let kinds: Vec<ListKind> = unique.into_iter().collect();
    if e.weight > MAX_WEIGHT {
        return Err(invalid(format!("weight {} is over {MAX_WEIGHT}", e.weight)));
    }
    if e.codes.len() > MAX_CODES || e.bits.len() > 8 || e.errors.len() > MAX_CODES {
        return Err(invalid("too many codes".into()));
    }
    for c in &e.codes {
        if c.value.octets()[0] != 127 {
            return Err(invalid(format!("code {} is outside 127.0.0.0/8", c.value)));
        }
        if c.weight.is_some_and(|w| w > MAX_WEIGHT) {
            return Err(invalid(format!(
                "code {}: weight over {MAX_WEIGHT}",
                c.value
            )));
        }
        check_text(&c.meaning).map_err(&invalid)?;
    }
    for c in &e.errors {
        if e.codes.iter().any(|k| k.value == c.value) {
            return Err(invalid(format!(
                "{} is both a code and an error answer",
                c.value
            )));
        }
    }
    for b in &e.bits {
        if !b.mask.is_power_of_two() {
            return Err(invalid(format!("bit mask {} is not a single bit", b.mask)));
        }
        check_text(&b.meaning).map_err(&invalid)?;
    }
    if let Some(key) = &e.key {
        let ok = !key.is_empty()
            && key.len() <= crate::names::MAX_LABEL_LEN
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok {
            return Err(invalid(
                "the key must be one DNS label (letters, digits, hyphens)".into(),
            ));
        }
    }
    if let Some(url) = &e.delist
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(invalid(format!("delist {url:?} is not an http(s) URL")));
    }
    for t in [&e.fix, &e.note, &e.test_listed, &e.test_clean]
        .into_iter()
        .flatten()
    {
        check_text(t).map_err(&invalid)?;
    }
    check_text(&e.name).map_err(&invalid)?;
    e.kinds = kinds;
    Ok(e)
}

fn check_text(t: &str) -> Result<(), String> {
    if t.len() > MAX_TEXT_LEN {
        Err(format!("a text is longer than {MAX_TEXT_LEN} bytes"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_and_has_forty_usable_lists() {
        let c = Catalog::from_toml_str(BUILTIN).expect("built-in catalog is valid");
        let usable = c.enabled().filter(|l| !l.missing_key()).count();
        assert!(usable >= 40, "only {usable} usable lists");
        assert!(c.enabled().count() >= 45);
    }

    #[test]
    fn zen_codes_and_errors_are_the_published_ones() {
        let c = Catalog::builtin();
        let zen = c.get("zen.spamhaus.org").expect("zen");
        let pbl = Ipv4Addr::new(127, 0, 0, 10);
        match zen.decode(&[pbl]) {
            Decoded::Listed(m) => {
                assert!(m[0].meaning.contains("PBL"));
                assert!(m[0].fix.as_deref().unwrap_or("").contains("relay"));
            }
            other => panic!("{other:?}"),
        }
        for last in [252, 254, 255] {
            assert!(matches!(
                zen.decode(&[
                    Ipv4Addr::new(127, 0, 0, 2),
                    Ipv4Addr::new(127, 255, 255, last)
                ]),
                Decoded::Error { .. }
            ));
        }
    }

    #[test]
    fn bitmask_answers_decode_every_bit() {
        let c = Catalog::builtin();
        let uribl = c.get("multi.uribl.com").expect("uribl");
        match uribl.decode(&[Ipv4Addr::new(127, 0, 0, 14)]) {
            Decoded::Listed(m) => {
                let all: Vec<&str> = m.iter().map(|m| m.meaning.as_str()).collect();
                assert_eq!(all.len(), 3, "{all:?}");
                assert!(all[0].contains("black") && all[1].contains("grey"));
                assert!(all[2].contains("red"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            uribl.decode(&[Ipv4Addr::new(127, 0, 0, 1)]),
            Decoded::Error { .. }
        ));
    }

    #[test]
    fn good_reputation_codes_are_not_listings() {
        let c = Catalog::builtin();
        let rep = c.get("rep.mailspike.net").expect("mailspike rep");
        assert!(matches!(
            rep.decode(&[Ipv4Addr::new(127, 0, 0, 18)]),
            Decoded::NotListed(_)
        ));
        assert!(matches!(
            rep.decode(&[Ipv4Addr::new(127, 0, 0, 10)]),
            Decoded::Listed(_)
        ));
    }

    #[test]
    fn answers_outside_loopback_are_errors() {
        let c = Catalog::builtin();
        let sc = c.get("bl.spamcop.net").expect("spamcop");
        assert!(matches!(
            sc.decode(&[Ipv4Addr::new(192, 0, 2, 80)]),
            Decoded::Error { .. }
        ));
    }

    #[test]
    fn invalid_entries_are_refused_with_the_zone_named() {
        let bad = [
            "[[list]]\nzone = \"x.example\"\n",
            "[[list]]\nzone = \"x.example\"\nkind = \"ipv4\"\nweight = 101\n",
            "[[list]]\nzone = \"x.example\"\nkind = \"ipv4\"\ncodes = [{ value = \"10.0.0.2\", meaning = \"m\" }]\n",
            "[[list]]\nzone = \"x.example\"\nkind = \"url\"\nbits = [{ mask = 3, meaning = \"m\" }]\n",
            "[[list]]\nzone = \"x.example\"\nkind = \"ipv4\"\nkey = \"a.b\"\n",
            "[[list]]\nzone = \"x .example\"\nkind = \"ipv4\"\n",
            "[[list]]\nzone = \"x.example\"\nkind = \"ipv5\"\n",
            "[[list]]\nzone = \"x.example\"\nkind = \"ipv4\"\ncolour = \"red\"\n",
        ];
        for text in bad {
            assert!(Catalog::from_toml_str(text).is_err(), "accepted: {text}");
        }
    }
}
