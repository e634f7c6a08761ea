//! The SPF audit, lint by lint, on records served by the lab DNS server.

use fivefifty::checks::auth::spf::{
    self, CODES, MAX_TREE_DEPTH, MAX_TREE_NODES, SpfAudit, SpfResult, audit, evaluate,
};
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::finding::{Finding, Severity};
use hickory_proto::rr::rdata::{NULL, TXT};
use hickory_proto::rr::{RData, RecordType};

async fn lab(zone: &str) -> LabServer {
    lab_with(zone, |_| {}).await
}

async fn lab_with(zone: &str, extra: impl FnOnce(&mut LabZones)) -> LabServer {
    let mut zones = LabZones::new();
    zones.load_str(zone, None).expect("zone parses");
    extra(&mut zones);
    LabServer::start(zones).await.expect("lab server starts")
}

async fn run(server: &LabServer, domain: &str) -> SpfAudit {
    let dns = server.resolver().expect("resolver");
    audit(&dns, domain).await
}

fn find<'a>(a: &'a SpfAudit, code: &str) -> Option<&'a Finding> {
    a.findings.iter().find(|f| f.code == code)
}

fn codes(a: &SpfAudit) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

fn has<'a>(a: &'a SpfAudit, code: &str) -> &'a Finding {
    find(a, code).unwrap_or_else(|| panic!("expected {code}, got {:?}", codes(a)))
}

#[tokio::test]
async fn spf_ok_for_a_clean_record() {
    let s = lab(r#"
good.test. IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.provider.test -all"
good.test. IN TXT "google-site-verification=abc"
_spf.provider.test. IN TXT "v=spf1 ip4:198.51.100.0/24 ~all"
"#)
    .await;
    let a = run(&s, "Good.Test.").await;
    assert_eq!(codes(&a), vec!["SPF_OK"]);
    assert_eq!(a.records.len(), 1);
    assert_eq!(a.total_lookups, 1);
    let tree = a.tree.as_ref().expect("tree");
    assert_eq!(tree.children.len(), 1);
    assert_eq!(tree.children[0].domain, "_spf.provider.test");
}

#[tokio::test]
async fn spf_missing_suggests_a_record() {
    let s = lab(r#"
sends.test. IN MX 10 mx.sends.test.
mx.sends.test. IN A 192.0.2.25
quiet.test. IN A 192.0.2.80
"#)
    .await;
    let a = run(&s, "sends.test").await;
    let f = has(&a, "SPF_MISSING");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.fix.contains("v=spf1 mx ~all"), "{}", f.fix);
    let a = run(&s, "quiet.test").await;
    assert!(has(&a, "SPF_MISSING").fix.contains("v=spf1 -all"));
}

#[tokio::test]
async fn spf_multiple_records_is_an_error_with_merged_fix() {
    let s = lab(r#"
two.test. IN TXT "v=spf1 ip4:192.0.2.1 -all"
two.test. IN TXT "v=spf1 include:_spf.provider.test ~all"
_spf.provider.test. IN TXT "v=spf1 ip4:198.51.100.0/24 ~all"
"#)
    .await;
    let a = run(&s, "two.test").await;
    let f = has(&a, "SPF_MULTIPLE_RECORDS");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(a.records.len(), 2);
    assert!(
        f.fix
            .contains("v=spf1 ip4:192.0.2.1 include:_spf.provider.test -all")
            || f.fix
                .contains("v=spf1 include:_spf.provider.test ip4:192.0.2.1"),
        "{}",
        f.fix
    );
    assert!(find(&a, "SPF_OK").is_none());
}

#[tokio::test]
async fn spf_syntax_error_marks_the_position() {
    let s = lab(r#"
broken.test. IN TXT "v=spf1 ip4:192.0.2.0/24 inclde:_spf.provider.test -all"
joined.test. IN TXT "v=spf1 ip4:192.0.2.1" "include:_spf.provider.test -all"
"#)
    .await;
    let a = run(&s, "broken.test").await;
    let f = has(&a, "SPF_SYNTAX");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.evidence["position"], 24);
    assert_eq!(f.evidence["caret"], format!("{}^", " ".repeat(24)));
    assert!(f.fix.contains("inclde"), "{}", f.fix);
    let tree = a.tree.as_ref().expect("tree");
    assert!(!tree.errors.is_empty());

    // Two strings joined with no space: the error falls on the boundary, and the audit says so.
    let a = run(&s, "joined.test").await;
    let f = has(&a, "SPF_SYNTAX");
    assert!(f.evidence.contains_key("string_boundary"), "{f:?}");
}

#[tokio::test]
async fn spf_lookup_cost_shown_even_over_limit() {
    let mut zone = String::from(
        "big.test. IN TXT \"v=spf1 include:a.big.test include:b.big.test mx a -all\"\n\
         big.test. IN MX 10 mx.big.test.\nbig.test. IN A 192.0.2.1\nmx.big.test. IN A 192.0.2.2\n",
    );
    // a.big.test: 5 includes of leaves; b.big.test: 4 includes of leaves.
    let a_inc: Vec<String> = (0..5).map(|i| format!("include:l{i}.big.test")).collect();
    let b_inc: Vec<String> = (5..9).map(|i| format!("include:l{i}.big.test")).collect();
    zone.push_str(&format!(
        "a.big.test. IN TXT \"v=spf1 {} ~all\"\n",
        a_inc.join(" ")
    ));
    zone.push_str(&format!(
        "b.big.test. IN TXT \"v=spf1 {} ~all\"\n",
        b_inc.join(" ")
    ));
    for i in 0..9 {
        zone.push_str(&format!(
            "l{i}.big.test. IN TXT \"v=spf1 ip4:10.0.0.{i} ~all\"\n"
        ));
    }
    let s = lab(&zone).await;
    let a = run(&s, "big.test").await;
    // root: 2 includes + mx + a = 4; a: 5; b: 4; leaves: 0 → 13.
    assert_eq!(a.total_lookups, 13);
    let tree = a.tree.as_ref().expect("tree");
    assert_eq!(tree.own_lookups, 4);
    assert_eq!(tree.subtree_lookups, 13);
    assert_eq!(tree.children[0].own_lookups, 5);
    assert_eq!(tree.children[1].subtree_lookups, 4);
    assert_eq!(tree.children[0].children.len(), 5);
    let f = has(&a, "SPF_TOO_MANY_LOOKUPS");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.evidence["lookups"], 13);
    assert_eq!(f.evidence["cost_by_branch"][0][0], "include a.big.test");

    // And the receiver agrees: permerror.
    let dns = s.resolver().expect("resolver");
    let e = evaluate(
        &dns,
        "203.0.113.9".parse().expect("ip"),
        "h.test",
        "x@big.test",
    )
    .await;
    assert_eq!(e.result, SpfResult::PermError);
}

#[tokio::test]
async fn spf_void_lookup_limit_is_two() {
    let s = lab(r#"
two.test. IN TXT "v=spf1 a:gone1.two.test a:gone2.two.test ip4:192.0.2.1 -all"
three.test. IN TXT "v=spf1 a:gone1.three.test mx:gone2.three.test exists:gone3.three.test -all"
"#)
    .await;
    let a = run(&s, "two.test").await;
    assert_eq!(a.total_void_lookups, 2);
    assert!(find(&a, "SPF_TOO_MANY_VOID_LOOKUPS").is_none());
    assert!(find(&a, "SPF_TARGET_NO_ADDRESS").is_some());

    let a = run(&s, "three.test").await;
    assert_eq!(a.total_void_lookups, 3);
    assert_eq!(a.tree.as_ref().expect("tree").void_lookups, 3);
    let f = has(&a, "SPF_TOO_MANY_VOID_LOOKUPS");
    assert_eq!(f.severity, Severity::Error);

    let dns = s.resolver().expect("resolver");
    let ip = "192.0.2.99".parse().expect("ip");
    assert_eq!(
        evaluate(&dns, ip, "h.test", "x@two.test").await.result,
        SpfResult::Fail
    );
    assert_eq!(
        evaluate(&dns, ip, "h.test", "x@three.test").await.result,
        SpfResult::PermError
    );
}

#[tokio::test]
async fn spf_include_loop_is_found() {
    let s = lab(r#"
loop.test. IN TXT "v=spf1 include:_a.loop.test -all"
_a.loop.test. IN TXT "v=spf1 include:_b.loop.test ~all"
_b.loop.test. IN TXT "v=spf1 include:loop.test ~all"
self.test. IN TXT "v=spf1 redirect=self.test"
"#)
    .await;
    let a = run(&s, "loop.test").await;
    let f = has(&a, "SPF_LOOP");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.evidence["chain"],
        "loop.test → _a.loop.test → _b.loop.test → loop.test"
    );
    let a = run(&s, "self.test").await;
    has(&a, "SPF_LOOP");
}

#[tokio::test]
async fn spf_ptr_is_deprecated() {
    let s = lab("ptr.test. IN TXT \"v=spf1 ptr ip4:192.0.2.1 -all\"\n").await;
    let a = run(&s, "ptr.test").await;
    let f = has(&a, "SPF_PTR_MECHANISM");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.fix.contains("v=spf1 ip4:192.0.2.1 -all"), "{}", f.fix);
}

#[tokio::test]
async fn spf_pass_all_and_neutral_all() {
    let s = lab(r#"
open.test. IN TXT "v=spf1 ip4:192.0.2.1 +all"
bare.test. IN TXT "v=spf1 ip4:192.0.2.1 all"
neutral.test. IN TXT "v=spf1 ip4:192.0.2.1 ?all"
"#)
    .await;
    for d in ["open.test", "bare.test"] {
        let a = run(&s, d).await;
        let f = has(&a, "SPF_PASS_ALL");
        assert_eq!(f.severity, Severity::Error);
        assert!(f.fix.contains("v=spf1 ip4:192.0.2.1 ~all"), "{}", f.fix);
    }
    let a = run(&s, "neutral.test").await;
    assert_eq!(has(&a, "SPF_NEUTRAL_ALL").severity, Severity::Warning);
}

#[tokio::test]
async fn spf_no_all_warns_unless_redirected() {
    let s = lab(r#"
noall.test. IN TXT "v=spf1 ip4:192.0.2.1"
redir.test. IN TXT "v=spf1 redirect=_spf.redir.test"
_spf.redir.test. IN TXT "v=spf1 ip4:192.0.2.1 -all"
"#)
    .await;
    let a = run(&s, "noall.test").await;
    assert!(
        has(&a, "SPF_NO_ALL")
            .fix
            .contains("v=spf1 ip4:192.0.2.1 ~all")
    );
    let a = run(&s, "redir.test").await;
    assert_eq!(codes(&a), vec!["SPF_OK"]);
    assert_eq!(a.total_lookups, 1);
    assert_eq!(
        a.tree.as_ref().expect("tree").children[0].via,
        spf::Via::Redirect
    );
}

#[tokio::test]
async fn spf_terms_after_all_are_flagged() {
    let s = lab(
        "late.test. IN TXT \"v=spf1 ip4:192.0.2.1 -all include:_spf.provider.test redirect=_spf.provider.test\"\n\
         _spf.provider.test. IN TXT \"v=spf1 ip4:198.51.100.0/24 ~all\"\n",
    )
    .await;
    let a = run(&s, "late.test").await;
    let f = has(&a, "SPF_TERMS_AFTER_ALL");
    assert_eq!(f.evidence["ignored_terms"][0], "include:_spf.provider.test");
    assert!(f.fix.ends_with("v=spf1 ip4:192.0.2.1 -all"), "{}", f.fix);
    // The redirect is ignored with "all": only the include is walked.
    assert_eq!(a.tree.as_ref().expect("tree").children.len(), 1);
}

#[tokio::test]
async fn spf_a_and_mx_targets_without_addresses() {
    let mut zone = String::from(
        "addr.test. IN TXT \"v=spf1 a:noaddr.addr.test mx:nomxhost.addr.test -all\"\n\
         noaddr.addr.test. IN TXT \"just text\"\n\
         nomxhost.addr.test. IN MX 10 ghost.addr.test.\n\
         many.test. IN TXT \"v=spf1 mx -all\"\n",
    );
    for i in 0..11 {
        zone.push_str(&format!(
            "many.test. IN MX {i} mx{i}.many.test.\nmx{i}.many.test. IN A 192.0.2.{i}\n"
        ));
    }
    let s = lab(&zone).await;
    let a = run(&s, "addr.test").await;
    let subjects: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.code == "SPF_TARGET_NO_ADDRESS")
        .map(|f| f.summary.as_str())
        .collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("noaddr.addr.test has no A/AAAA"))
    );
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("MX host ghost.addr.test"))
    );
    let a = run(&s, "many.test").await;
    assert_eq!(has(&a, "SPF_MX_TOO_MANY_HOSTS").evidence["mx_hosts"], 11);
}

#[tokio::test]
async fn spf_record_over_450_and_512_bytes() {
    let ranges = |n: usize| -> Vec<String> {
        (0..n)
            .map(|i| format!("ip4:198.51.{}.{}", i / 200, i % 200))
            .collect()
    };
    let record = |n: usize| format!("v=spf1 {} -all", ranges(n).join(" "));
    let sized = |min: usize| {
        (1..100)
            .map(record)
            .find(|r| r.len() > min)
            .expect("long enough")
    };
    let r460 = sized(450);
    let r600 = sized(512);
    assert!(r460.len() > 450 && r460.len() <= 512, "{}", r460.len());
    assert!(r600.len() > 512, "{}", r600.len());
    let chunks = |r: &str| -> TXT {
        TXT::new(
            r.as_bytes()
                .chunks(200)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect(),
        )
    };
    let s = lab_with("", |z| {
        z.add("warn.test", RData::TXT(chunks(&r460))).expect("add");
        z.add("long.test", RData::TXT(chunks(&r600))).expect("add");
    })
    .await;
    let a = run(&s, "warn.test").await;
    assert_eq!(has(&a, "SPF_RECORD_TOO_LONG").severity, Severity::Warning);
    let a = run(&s, "long.test").await;
    assert_eq!(has(&a, "SPF_RECORD_TOO_LONG").severity, Severity::Error);
}

/// A TXT character-string cannot exceed 255 octets on the wire (its length is one octet), so
/// no DNS server, the lab's included, can serve one: the lint is checked on the strings as
/// `Resolver::txt_raw` would return them, and a record split at 255 is shown to pass.
#[tokio::test]
async fn spf_string_over_255_octets() {
    let mut findings = Vec::new();
    let long = vec![b"v=spf1 ".to_vec(), vec![b'a'; 300]];
    spf::lint_string_lengths("x.test", &long, &mut findings);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "SPF_STRING_TOO_LONG");
    assert_eq!(findings[0].evidence["octets"], 300);

    let record = format!(
        "v=spf1 {} -all",
        (0..20)
            .map(|i| format!("ip4:192.0.2.{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let parts: Vec<String> = record
        .as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let s = lab_with("", |z| {
        z.add("split.test", RData::TXT(TXT::new(parts)))
            .expect("add");
    })
    .await;
    let a = run(&s, "split.test").await;
    assert!(find(&a, "SPF_STRING_TOO_LONG").is_none());
    assert!(find(&a, "SPF_SYNTAX").is_none(), "{:?}", codes(&a));
}

#[tokio::test]
async fn spf_type99_record_is_obsolete() {
    let s = lab_with("t99.test. IN TXT \"v=spf1 -all\"\n", |z| {
        let text = b"v=spf1 -all";
        let mut wire = vec![text.len() as u8];
        wire.extend_from_slice(text);
        z.add(
            "t99.test",
            RData::Unknown {
                code: RecordType::Unknown(99),
                rdata: NULL::with(wire),
            },
        )
        .expect("add");
    })
    .await;
    let a = run(&s, "t99.test").await;
    let f = has(&a, "SPF_TYPE99_RECORD");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.evidence["type99_records"][0], "v=spf1 -all");
}

#[tokio::test]
async fn spf_include_of_domain_without_record() {
    let s = lab(r#"
inc.test. IN TXT "v=spf1 include:nospf.provider.test include:gone.provider.test -all"
nospf.provider.test. IN TXT "not spf"
"#)
    .await;
    let a = run(&s, "inc.test").await;
    let n = a
        .findings
        .iter()
        .filter(|f| f.code == "SPF_INCLUDE_NO_RECORD")
        .count();
    assert_eq!(n, 2);
    assert!(
        has(&a, "SPF_INCLUDE_NO_RECORD")
            .fix
            .contains("include:nospf.provider.test")
    );
}

#[tokio::test]
async fn spf_dns_timeout_is_temporary_not_error() {
    let s = lab_with(
        "slow.test. IN TXT \"v=spf1 include:_spf.slow.test -all\"\n",
        |z| {
            z.silence("_spf.slow.test", None).expect("silence");
            z.silence("dead.test", None).expect("silence");
        },
    )
    .await;
    let a = run(&s, "slow.test").await;
    let f = has(&a, "SPF_DNS_TEMPFAIL");
    assert_eq!(f.severity, Severity::Temporary);
    assert!(
        a.findings.iter().all(|f| f.severity != Severity::Error),
        "{:?}",
        codes(&a)
    );
    let a = run(&s, "dead.test").await;
    assert_eq!(codes(&a), vec!["SPF_DNS_TEMPFAIL"]);
    let dns = s.resolver().expect("resolver");
    let e = evaluate(
        &dns,
        "192.0.2.1".parse().expect("ip"),
        "h.test",
        "a@slow.test",
    )
    .await;
    assert_eq!(e.result, SpfResult::TempError);
}

#[tokio::test]
async fn spf_tree_depth_is_capped() {
    let mut zone = String::new();
    for i in 0..(MAX_TREE_DEPTH + 5) {
        zone.push_str(&format!(
            "d{i}.deep.test. IN TXT \"v=spf1 include:d{}.deep.test ~all\"\n",
            i + 1
        ));
    }
    let s = lab(&zone).await;
    let a = run(&s, "d0.deep.test").await;
    has(&a, "SPF_TREE_TOO_LARGE");
    has(&a, "SPF_TOO_MANY_LOOKUPS");
    let mut depth = 0;
    let mut node = a.tree.as_ref().expect("tree");
    while let Some(c) = node.children.first() {
        depth += 1;
        node = c;
    }
    assert!(depth < MAX_TREE_DEPTH, "{depth}");
}

#[tokio::test]
async fn spf_tree_size_is_capped() {
    // Every record includes 8 others at the next level: 8^3 = 512 records would be walked.
    let mut zone = String::new();
    let mut names = vec!["w.test".to_string()];
    for _level in 0..3 {
        let mut next = Vec::new();
        for n in &names {
            let kids: Vec<String> = (0..8).map(|k| format!("k{k}.{n}")).collect();
            let inc: Vec<String> = kids.iter().map(|k| format!("include:{k}")).collect();
            zone.push_str(&format!("{n}. IN TXT \"v=spf1 {} ~all\"\n", inc.join(" ")));
            next.extend(kids);
        }
        names = next;
    }
    let s = lab(&zone).await;
    let a = run(&s, "w.test").await;
    has(&a, "SPF_TREE_TOO_LARGE");
    fn count(n: &spf::SpfNode) -> usize {
        1 + n.children.iter().map(count).sum::<usize>()
    }
    assert!(count(a.tree.as_ref().expect("tree")) <= MAX_TREE_NODES);
}

#[tokio::test]
async fn spf_hostile_records_do_not_panic() {
    let s = lab(r#"
h1.test. IN TXT "v=spf1 %{ %{zz} a:%{d999999999999999999999}.x.test ip4:999.1.1.1 ip6:::::/200 a/-1 mx//"
h2.test. IN TXT "v=spf1 include:%{l}.%{d}.example.test redirect=%{o}.test -all"
h3.test. IN TXT "v=spf1 \255\254\000 -all"
"#)
    .await;
    for d in [
        "h1.test",
        "h2.test",
        "h3.test",
        "not-a-domain..test",
        "192.0.2.1",
    ] {
        let a = run(&s, d).await;
        assert!(!a.findings.is_empty(), "{d}");
    }
    let a = run(&s, "h2.test").await;
    has(&a, "SPF_MACRO_NOT_FOLLOWED");
}

#[tokio::test]
async fn spf_evaluate_null_sender_checks_helo() {
    let s = lab(r#"
mail.sender.test. IN TXT "v=spf1 ip4:192.0.2.10 -all"
sender.test. IN TXT "v=spf1 -all"
"#)
    .await;
    let dns = s.resolver().expect("resolver");
    let ip = "192.0.2.10".parse().expect("ip");
    let e = evaluate(&dns, ip, "mail.sender.test", "").await;
    assert_eq!(e.result, SpfResult::Pass);
    assert_eq!(e.identity, spf::Identity::Helo);
    assert_eq!(e.domain, "mail.sender.test");
    let e = evaluate(&dns, ip, "mail.sender.test", "<>").await;
    assert_eq!(e.identity, spf::Identity::Helo);
    let e = evaluate(&dns, ip, "mail.sender.test", "bob@sender.test").await;
    assert_eq!(e.result, SpfResult::Fail);
    assert_eq!(
        e.mechanism.as_deref(),
        Some("-all in the SPF record of sender.test")
    );
    let json = serde_json::to_value(&e).expect("json");
    assert_eq!(json["result"], "fail");
    assert_eq!(json["identity"], "mail_from");
}

#[tokio::test]
async fn spf_audit_json_shape_and_codes_are_documented() {
    let s = lab("j.test. IN TXT \"v=spf1 include:_spf.j.test ptr +all\"\n_spf.j.test. IN TXT \"v=spf1 a:none.j.test ~all\"\n").await;
    let a = run(&s, "j.test").await;
    let json = serde_json::to_value(&a).expect("json");
    for key in [
        "domain",
        "records",
        "tree",
        "total_lookups",
        "total_void_lookups",
        "lookup_limit",
        "findings",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let child = &json["tree"]["children"][0];
    assert_eq!(child["via"], "include");
    assert_eq!(child["own_lookups"], 1);
    assert_eq!(child["void_lookups"], 1);
    assert_eq!(json["tree"]["subtree_lookups"], 3);
    for f in &a.findings {
        assert!(
            CODES.iter().any(|(c, _)| *c == f.code),
            "{} undocumented",
            f.code
        );
        assert!(
            f.severity == Severity::Info || !f.fix.is_empty(),
            "{} has no fix",
            f.code
        );
    }
}
