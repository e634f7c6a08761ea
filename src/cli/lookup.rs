//! `fivefifty lookup NAME [TYPE]`: one query through the resolver layer, answer shown typed.

use super::dns::DnsSetup;
use super::{CliError, GlobalOpts, Rendered};
use fivefifty::dns::Answer;
use fivefifty::present::Outcome;
use hickory_proto::rr::RecordType;
use std::str::FromStr;

/// Arguments of `lookup`.
#[derive(Debug, clap::Args)]
pub struct LookupArgs {
    /// The name to look up (an IP address is turned into its reverse PTR name).
    pub name: String,
    /// Record type: A, AAAA, MX, TXT, PTR, NS, SOA, CNAME, ...
    #[arg(default_value = "A")]
    pub rtype: String,
}

pub async fn run(
    args: &LookupArgs,
    dns: &DnsSetup,
    opts: &GlobalOpts,
) -> Result<Rendered, CliError> {
    let rtype = RecordType::from_str(&args.rtype.to_ascii_uppercase())
        .map_err(|_| CliError::Usage(format!("unknown DNS record type {:?}", args.rtype)))?;
    let name = match args.name.parse::<std::net::IpAddr>() {
        Ok(ip) => fivefifty::dns::reverse_name(ip),
        Err(_) => args.name.clone(),
    };
    let answer = dns.resolver.lookup(&name, rtype).await;
    let outcome = match &answer {
        Answer::Failed(_) => Outcome::Undecided,
        _ => Outcome::Clean,
    };
    let text = if opts.json {
        let value = serde_json::json!({
            "schema": fivefifty::present::json::SCHEMA,
            "command": "lookup",
            "subject": name,
            "type": rtype.to_string(),
            "answer": answer.clone().map(|r| r.to_string()),
            "exit_code": outcome.exit_code(),
        });
        serde_json::to_string_pretty(&value).unwrap_or_default()
    } else {
        let style = opts.style();
        match answer {
            Answer::Records(records) => records
                .iter()
                .map(|r| format!("{name} {rtype} {r}"))
                .collect::<Vec<_>>()
                .join("\n"),
            Answer::NxDomain => format!(
                "{name}: {} (the name does not exist)",
                style.bold("NXDOMAIN")
            ),
            Answer::NoData => format!(
                "{name}: {} (the name exists)",
                style.bold(&format!("no {rtype} record"))
            ),
            Answer::Failed(f) => format!("{name}: {}: {f}", style.bold("could not be answered")),
        }
    };
    Ok(Rendered { text, outcome })
}
