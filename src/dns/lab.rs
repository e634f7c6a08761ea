//! The lab DNS server: an in-process authoritative server on loopback.
//!
//! It is the fixture of every DNS test and the CLI's offline mode (`--dns-zone FILE`). Zones come
//! from RFC 1035 master files (several zones per file, or several files) or are built in code.
//! The server always answers for the root zone too, so a name outside every loaded zone gets
//! NXDOMAIN (as on the real Internet), never REFUSED.
//!
//! hickory-server provides the UDP/TCP transport and the master-file parser; the lookup itself
//! is written here (about a hundred lines) because tests need behaviour no zone store offers:
//! names that stay silent (to provoke timeouts), names that answer SERVFAIL, and zones from
//! several files merged into one tree.

use hickory_proto::op::{Metadata, ResponseCode};
use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordType};
use hickory_proto::serialize::txt::Parser;
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo, Server};
use hickory_server::zone_handler::MessageResponseBuilder;
use std::collections::{BTreeMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};

/// Default TTL given to records of a master file that sets none.
const DEFAULT_TTL: u32 = 300;
/// How many CNAME links are followed inside the lab data.
const MAX_CNAME_CHAIN: usize = 8;
/// How long an idle TCP connection is kept.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// Why zone data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The zone file could not be read.
    #[error("cannot read zone file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The zone file is not a valid RFC 1035 master file.
    #[error("zone file {path}: {message}")]
    Parse {
        /// The file (or `<inline>` for text given in code).
        path: String,
        /// The parser's message.
        message: String,
    },
    /// The server could not bind its loopback sockets.
    #[error("cannot start the lab DNS server: {0}")]
    Bind(std::io::Error),
}

/// Zone data for the lab server: records, plus names that misbehave on purpose.
#[derive(Debug, Clone, Default)]
pub struct LabZones {
    records: BTreeMap<(LowerName, RecordType), Vec<Record>>,
    /// Every name that exists: owners and their ancestors (empty non-terminals exist too).
    names: HashSet<LowerName>,
    /// Zone apexes with their SOA, for negative answers.
    soas: BTreeMap<LowerName, Record>,
    /// (name, type) pairs that never get an answer; `None` type silences every type.
    silent: HashSet<(LowerName, Option<RecordType>)>,
    /// Names answered with SERVFAIL.
    servfail: HashSet<LowerName>,
}

impl LabZones {
    /// Empty data; only the root zone will be served.
    pub fn new() -> Self {
        LabZones::default()
    }

    /// Loads every zone of one RFC 1035 master file (`$ORIGIN` may switch zones inside it).
    pub fn load_file(&mut self, path: &Path) -> Result<(), LabError> {
        let text = std::fs::read_to_string(path).map_err(|source| LabError::Read {
            path: path.display().to_string(),
            source,
        })?;
        self.load_str(&text, Some(path))
    }

    /// Loads master-file text. `path` is used for `$INCLUDE` and for error messages.
    pub fn load_str(&mut self, text: &str, path: Option<&Path>) -> Result<(), LabError> {
        let shown = path.map_or_else(|| "<inline>".to_string(), |p| p.display().to_string());
        let with_ttl = format!("$TTL {DEFAULT_TTL}\n{text}");
        let parser = Parser::new(with_ttl, path.map(Path::to_path_buf), Some(Name::root()));
        let (_origin, sets) = parser.parse().map_err(|e| LabError::Parse {
            path: shown,
            message: e.to_string(),
        })?;
        for set in sets.into_values() {
            for record in set.records_without_rrsigs() {
                self.add_record(record.clone());
            }
        }
        Ok(())
    }

    /// Adds one record. An SOA makes its owner a zone apex.
    pub fn add_record(&mut self, record: Record) {
        let owner = LowerName::new(&record.name);
        let rtype = record.record_type();
        if rtype == RecordType::SOA {
            self.soas.insert(owner.clone(), record.clone());
        }
        let mut name = owner.clone();
        loop {
            if !self.names.insert(name.clone()) || name.is_root() {
                break;
            }
            name = name.base_name();
        }
        let set = self.records.entry((owner, rtype)).or_default();
        if !set.iter().any(|r| r.data == record.data) {
            set.push(record);
        }
    }

    /// Adds a record from its parts, with the default TTL.
    pub fn add(&mut self, name: &str, data: RData) -> Result<(), LabError> {
        let name = parse_name(name)?;
        self.add_record(Record::from_rdata(name, DEFAULT_TTL, data));
        Ok(())
    }

    /// Makes queries for `name` (of `rtype`, or of every type) go unanswered: the client times out.
    pub fn silence(&mut self, name: &str, rtype: Option<RecordType>) -> Result<(), LabError> {
        self.silent
            .insert((LowerName::new(&parse_name(name)?), rtype));
        Ok(())
    }

    /// Makes queries for `name` answer SERVFAIL.
    pub fn servfail(&mut self, name: &str) -> Result<(), LabError> {
        self.servfail.insert(LowerName::new(&parse_name(name)?));
        Ok(())
    }

    /// How many records are loaded.
    pub fn record_count(&self) -> usize {
        self.records.values().map(Vec::len).sum()
    }

    fn lookup(&self, qname: &LowerName, qtype: RecordType) -> Lookup {
        if self.silent.contains(&(qname.clone(), Some(qtype)))
            || self.silent.contains(&(qname.clone(), None))
        {
            return Lookup::Silent;
        }
        if self.servfail.contains(qname) {
            return Lookup::Code(ResponseCode::ServFail, Vec::new());
        }
        let mut answers = Vec::new();
        let mut name = qname.clone();
        for _ in 0..MAX_CNAME_CHAIN {
            let (owner_exists, found) = self.records_at(&name, qtype);
            if let Some(records) = found {
                answers.extend(records.iter().map(|r| with_owner(r, &name)));
                return Lookup::Answer(answers);
            }
            if qtype != RecordType::CNAME
                && let (_, Some(cname)) = self.records_at(&name, RecordType::CNAME)
                && let Some(RData::CNAME(target)) = cname.first().map(|r| &r.data)
            {
                answers.extend(cname.iter().map(|r| with_owner(r, &name)));
                name = LowerName::new(&target.0);
                continue;
            }
            let soa = self.soa_for(&name);
            return if owner_exists || !answers.is_empty() {
                Lookup::Code(ResponseCode::NoError, answers_then(answers, soa))
            } else {
                Lookup::Code(ResponseCode::NXDomain, soa)
            };
        }
        Lookup::Code(ResponseCode::ServFail, Vec::new())
    }

    /// The records of `qtype` at `name`, trying a wildcard when the name does not exist.
    fn records_at(&self, name: &LowerName, qtype: RecordType) -> (bool, Option<&Vec<Record>>) {
        if self.names.contains(name) {
            return (true, self.records.get(&(name.clone(), qtype)));
        }
        // RFC 4592: the closest encloser's wildcard answers for names that do not exist.
        let mut encloser = name.base_name();
        loop {
            if self.names.contains(&encloser) {
                let Ok(wild) =
                    Name::from_ascii("*").and_then(|w| w.append_domain(&encloser.clone().into()))
                else {
                    return (false, None);
                };
                let wild = LowerName::new(&wild);
                if self.names.contains(&wild) {
                    return (true, self.records.get(&(wild, qtype)));
                }
                return (false, None);
            }
            if encloser.is_root() {
                return (false, None);
            }
            encloser = encloser.base_name();
        }
    }

    fn soa_for(&self, name: &LowerName) -> Vec<Record> {
        let mut n = name.clone();
        loop {
            if let Some(soa) = self.soas.get(&n) {
                return vec![soa.clone()];
            }
            if n.is_root() {
                return vec![root_soa()];
            }
            n = n.base_name();
        }
    }
}

enum Lookup {
    Answer(Vec<Record>),
    /// A response code, with the SOA (negative answers) in the authority section.
    Code(ResponseCode, Vec<Record>),
    Silent,
}

fn answers_then(answers: Vec<Record>, soa: Vec<Record>) -> Vec<Record> {
    // A no-data answer after a CNAME chain keeps the chain in the answer section; the caller
    // splits answers from the SOA by type.
    answers.into_iter().chain(soa).collect()
}

fn with_owner(record: &Record, owner: &LowerName) -> Record {
    let mut r = record.clone();
    r.name = owner.clone().into();
    r
}

fn parse_name(name: &str) -> Result<Name, LabError> {
    let mut n = Name::from_str_relaxed(name).map_err(|e| LabError::Parse {
        path: "<inline>".into(),
        message: format!("bad name {name:?}: {e}"),
    })?;
    n.set_fqdn(true);
    Ok(n)
}

fn root_soa() -> Record {
    let soa = SOA::new(Name::root(), Name::root(), 1, 3600, 600, 86400, 60);
    Record::from_rdata(Name::root(), 60, RData::SOA(soa))
}

struct LabHandler {
    zones: Arc<LabZones>,
}

#[async_trait::async_trait]
impl RequestHandler for LabHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let builder = MessageResponseBuilder::from_message_request(request);
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = true;
        let Ok(info) = request.request_info() else {
            metadata.response_code = ResponseCode::FormErr;
            return send(
                &mut response_handle,
                builder.build_no_records(metadata),
                &request.metadata,
            )
            .await;
        };
        match self
            .zones
            .lookup(info.query.name(), info.query.query_type())
        {
            Lookup::Silent => {
                // Say nothing: the client's timeout is the behaviour under test.
                let mut silent = Metadata::response_from_request(&request.metadata);
                silent.response_code = ResponseCode::ServFail;
                ResponseInfo::from(hickory_proto::op::Header {
                    metadata: silent,
                    counts: Default::default(),
                })
            }
            Lookup::Answer(records) => {
                metadata.response_code = ResponseCode::NoError;
                let response = builder.build(metadata, records.iter(), [], [], []);
                send(&mut response_handle, response, &request.metadata).await
            }
            Lookup::Code(code, records) => {
                metadata.response_code = code;
                let (soa, chain): (Vec<Record>, Vec<Record>) = records
                    .into_iter()
                    .partition(|r| r.record_type() == RecordType::SOA);
                let response = builder.build(metadata, chain.iter(), [], soa.iter(), []);
                send(&mut response_handle, response, &request.metadata).await
            }
        }
    }
}

async fn send<'a, R: ResponseHandler>(
    handle: &mut R,
    response: hickory_server::zone_handler::MessageResponse<
        '_,
        'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
    >,
    request: &Metadata,
) -> ResponseInfo {
    match handle.send_response(response).await {
        Ok(info) => info,
        Err(e) => {
            tracing::debug!("lab DNS server could not send a response: {e}");
            let mut metadata = Metadata::response_from_request(request);
            metadata.response_code = ResponseCode::ServFail;
            ResponseInfo::from(hickory_proto::op::Header {
                metadata,
                counts: Default::default(),
            })
        }
    }
}

/// A running lab server. It stops when dropped.
pub struct LabServer {
    addr: SocketAddr,
    server: Server<LabHandler>,
}

impl std::fmt::Debug for LabServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl LabServer {
    /// Starts serving `zones` on 127.0.0.1, UDP and TCP on one free port. Must be called inside
    /// a tokio runtime; the server runs on it until dropped.
    pub async fn start(zones: LabZones) -> Result<LabServer, LabError> {
        let (udp, tcp) = bind_pair().await.map_err(LabError::Bind)?;
        let addr = udp.local_addr().map_err(LabError::Bind)?;
        let mut server = Server::new(LabHandler {
            zones: Arc::new(zones),
        });
        server.register_socket(udp);
        server.register_listener(tcp, TCP_IDLE, 65_535);
        Ok(LabServer { addr, server })
    }

    /// Loads the given master files and starts a server for them.
    pub async fn from_files(paths: &[impl AsRef<Path>]) -> Result<LabServer, LabError> {
        let mut zones = LabZones::new();
        for p in paths {
            zones.load_file(p.as_ref())?;
        }
        LabServer::start(zones).await
    }

    /// The address the server listens on (UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A resolver pointed at this server, with caching off (tests may change data between
    /// servers) and a short timeout (silent names should fail fast).
    pub fn resolver(&self) -> Result<super::Resolver, mail_auth::hickory_resolver::net::NetError> {
        super::Resolver::new(&super::DnsConfig {
            server: Some(self.addr),
            query_timeout: Duration::from_millis(800),
            budget: None,
            max_in_flight: 256,
            cache_size: 0,
        })
    }
}

impl Drop for LabServer {
    fn drop(&mut self) {
        self.server.shutdown_token().cancel();
    }
}

/// Binds UDP and TCP on the same loopback port, retrying when the TCP side is taken.
async fn bind_pair() -> std::io::Result<(UdpSocket, TcpListener)> {
    let mut last = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let port = udp.local_addr()?.port();
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free port pair")))
}
