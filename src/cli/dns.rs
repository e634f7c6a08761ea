//! DNS set-up shared by every subcommand: the lab server for `--dns-zone`, a chosen server for
//! `--dns-server`, or the system's resolvers.

use super::{CliError, GlobalOpts};
use fivefifty::dns::lab::LabServer;
use fivefifty::dns::{DnsConfig, Resolver};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The resolver of this run, and the lab server behind it when offline.
pub struct DnsSetup {
    /// The one resolver every check uses.
    pub resolver: Resolver,
    /// Kept alive for the run when `--dns-zone` was given.
    _lab: Option<LabServer>,
}

impl DnsSetup {
    /// Starts what the options ask for.
    pub async fn start(opts: &GlobalOpts) -> Result<DnsSetup, CliError> {
        let mut config = DnsConfig {
            query_timeout: seconds(opts.dns_timeout, "--dns-timeout")?,
            budget: Some(seconds(opts.dns_budget, "--dns-budget")?),
            ..DnsConfig::default()
        };
        let lab = if opts.dns_zone.is_empty() {
            None
        } else {
            let server = LabServer::from_files(&opts.dns_zone)
                .await
                .map_err(|e| CliError::Usage(e.to_string()))?;
            config.server = Some(server.addr());
            Some(server)
        };
        if let Some(text) = &opts.dns_server {
            config.server = Some(parse_server(text)?);
        }
        let resolver = Resolver::new(&config)
            .map_err(|e| CliError::Runtime(format!("cannot set up DNS: {e}")))?;
        Ok(DnsSetup {
            resolver,
            _lab: lab,
        })
    }
}

impl DnsSetup {
    /// True when answering from the lab server only (no Internet).
    pub fn offline(&self) -> bool {
        self._lab.is_some()
    }
}

fn seconds(value: f64, flag: &str) -> Result<Duration, CliError> {
    if !(value.is_finite() && value > 0.0 && value <= 3600.0) {
        return Err(CliError::Usage(format!(
            "{flag} takes seconds between 0 and 3600, not {value}"
        )));
    }
    Ok(Duration::from_secs_f64(value))
}

/// `IP`, `IP:PORT`, `[IPv6]:PORT`.
fn parse_server(text: &str) -> Result<SocketAddr, CliError> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = text
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
    {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(CliError::Usage(format!(
        "--dns-server expects an IP address with an optional port (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53), not {text:?}"
    )))
}
