//! Reading messages from disk: one file, an mbox (streamed), a Maildir, or a folder of files.
//!
//! Only one message is in memory at a time, and never more than
//! [`Limits::max_message_bytes`] of it: the rest of a huge message is read and dropped. An mbox
//! is split at `From ` lines (the mboxrd/mboxo convention); lines are read with a cap
//! ([`Limits::max_line_bytes`]) so a file without newlines cannot grow a buffer without bound.

use super::BounceReport;
use super::limits::Limits;
use super::parse;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Why messages could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BounceError {
    /// The path could not be opened or listed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The path is neither a file nor a folder.
    #[error("{0} is neither a file nor a folder")]
    NotAFileOrFolder(PathBuf),
}

enum Inner {
    Files {
        files: std::vec::IntoIter<PathBuf>,
    },
    Mbox {
        reader: BufReader<File>,
        path: PathBuf,
        index: usize,
        pending: Option<Vec<u8>>,
        done: bool,
    },
    Single {
        path: Option<PathBuf>,
    },
}

/// An iterator of reports over the messages at a path (see [`super::explain_path`]).
pub struct BounceStream {
    inner: Inner,
    limits: Limits,
}

impl std::fmt::Debug for BounceStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BounceStream").finish_non_exhaustive()
    }
}

fn io_err(path: &Path, source: io::Error) -> BounceError {
    BounceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Read at most `max` bytes of a file; the rest is not read. Returns (bytes, file was longer).
fn read_capped(path: &Path, max: usize) -> io::Result<Vec<u8>> {
    let f = File::open(path)?;
    // Sized from the file's length, the read takes one system call instead of a growing series.
    let len = f.metadata().map_or(0, |m| m.len());
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(max).min(max) + 1);
    // One byte more than the cap tells the parser that the message was cut.
    f.take(max as u64 + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Read one line (through `\n`) into `out`, keeping at most `max` bytes of it; returns the bytes
/// consumed (0 at end of file).
fn read_line_capped<R: BufRead>(r: &mut R, out: &mut Vec<u8>, max: usize) -> io::Result<usize> {
    let mut consumed = 0;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(consumed);
        }
        let (chunk, done) = match buf.iter().position(|&c| c == b'\n') {
            Some(p) => (&buf[..=p], true),
            None => (buf, false),
        };
        let room = max.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let n = chunk.len();
        r.consume(n);
        consumed += n;
        if done {
            return Ok(consumed);
        }
    }
}

fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() || dir.join("new").is_dir()
}

fn list_files(dir: &Path, max: usize) -> Result<Vec<PathBuf>, BounceError> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
    for entry in rd.take(max) {
        let entry = entry.map_err(|e| io_err(dir, e))?;
        let p = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // The entry's own type needs no system call; a link is followed to see what it is.
        let is_file = match entry.file_type() {
            Ok(t) if t.is_file() => true,
            Ok(t) if !t.is_symlink() => false,
            _ => p.is_file(),
        };
        if is_file {
            out.push(p);
        }
    }
    // All entries share the folder, so byte order of the whole path is the order of
    // `Path::cmp` (names hold no separator), and much cheaper to compare.
    out.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(out)
}

impl BounceStream {
    pub(crate) fn open(path: &Path, limits: Limits) -> Result<Self, BounceError> {
        let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            if is_maildir(path) {
                for sub in ["new", "cur"] {
                    let d = path.join(sub);
                    if d.is_dir() {
                        files.extend(list_files(&d, limits.max_maildir_entries)?);
                    }
                }
            } else {
                files = list_files(path, limits.max_maildir_entries)?;
            }
            return Ok(Self {
                inner: Inner::Files {
                    files: files.into_iter(),
                },
                limits,
            });
        }
        if !meta.is_file() {
            return Err(BounceError::NotAFileOrFolder(path.to_path_buf()));
        }
        let mut f = File::open(path).map_err(|e| io_err(path, e))?;
        let mut head = [0u8; 5];
        let n = read_prefix(&mut f, &mut head).map_err(|e| io_err(path, e))?;
        let is_mbox = &head[..n] == b"From ";
        if is_mbox {
            let f = File::open(path).map_err(|e| io_err(path, e))?;
            Ok(Self {
                inner: Inner::Mbox {
                    reader: BufReader::with_capacity(64 * 1024, f),
                    path: path.to_path_buf(),
                    index: 0,
                    pending: None,
                    done: false,
                },
                limits,
            })
        } else {
            Ok(Self {
                inner: Inner::Single {
                    path: Some(path.to_path_buf()),
                },
                limits,
            })
        }
    }
}

fn read_prefix(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

fn explain_file(path: &Path, limits: &Limits) -> Result<BounceReport, BounceError> {
    let bytes = read_capped(path, limits.max_message_bytes).map_err(|e| io_err(path, e))?;
    let mut r = parse::explain_message(&bytes, limits);
    r.source = Some(path.display().to_string());
    Ok(r)
}

/// Read the next mbox message (from its `From ` line up to the next one) into a capped buffer.
fn next_mbox_message(
    reader: &mut BufReader<File>,
    pending: &mut Option<Vec<u8>>,
    limits: &Limits,
) -> io::Result<Option<(Vec<u8>, bool)>> {
    let mut msg: Vec<u8> = pending.take().unwrap_or_default();
    let mut cut = false;
    let mut line = Vec::with_capacity(256);
    let mut saw_any = !msg.is_empty();
    loop {
        line.clear();
        let n = read_line_capped(reader, &mut line, limits.max_line_bytes)?;
        if n == 0 {
            break;
        }
        if n > line.len() {
            cut = true;
        }
        if line.starts_with(b"From ") && saw_any {
            *pending = Some(line.clone());
            return Ok(Some((msg, cut)));
        }
        saw_any = true;
        if msg.len() + line.len() <= limits.max_message_bytes {
            // mboxrd: ">From " lines were escaped on write.
            if line.starts_with(b">From ") {
                msg.extend_from_slice(&line[1..]);
            } else {
                msg.extend_from_slice(&line);
            }
        } else {
            cut = true;
        }
    }
    if saw_any {
        Ok(Some((msg, cut)))
    } else {
        Ok(None)
    }
}

/// One unit of work: a message file to read, or an mbox message already read.
enum Job {
    File(PathBuf),
    Mbox {
        msg: Vec<u8>,
        cut: bool,
        source: String,
    },
    Failed(BounceError),
}

impl Job {
    /// Bytes held in memory before the job runs.
    fn held(&self) -> usize {
        match self {
            Job::Mbox { msg, .. } => msg.len(),
            _ => 0,
        }
    }

    fn run(self, limits: &Limits) -> Result<BounceReport, BounceError> {
        match self {
            Job::File(p) => explain_file(&p, limits),
            Job::Mbox { msg, cut, source } => {
                let mut r = parse::explain_message(&msg, limits);
                r.source = Some(source);
                if cut && !r.notes.iter().any(|n| n.contains("MAX_MESSAGE_BYTES")) {
                    r.notes.push(format!(
                        "Only part of this message was read (limits MAX_MESSAGE_BYTES = {} and MAX_LINE_BYTES = {}).",
                        limits.max_message_bytes, limits.max_line_bytes
                    ));
                }
                Ok(r)
            }
            Job::Failed(e) => Err(e),
        }
    }
}

/// Messages per thread in one parallel batch.
const BATCH_PER_THREAD: usize = 64;

/// The most mbox bytes one parallel batch holds in memory.
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

impl BounceStream {
    fn next_job(&mut self) -> Option<Job> {
        let limits = self.limits;
        match &mut self.inner {
            Inner::Single { path } => path.take().map(Job::File),
            Inner::Files { files } => files.next().map(Job::File),
            Inner::Mbox {
                reader,
                path,
                index,
                pending,
                done,
            } => {
                if *done {
                    return None;
                }
                match next_mbox_message(reader, pending, &limits) {
                    Ok(Some((msg, cut))) => {
                        *index += 1;
                        Some(Job::Mbox {
                            msg,
                            cut,
                            source: format!("{}#{}", path.display(), index),
                        })
                    }
                    Ok(None) => {
                        *done = true;
                        None
                    }
                    Err(e) => {
                        *done = true;
                        Some(Job::Failed(io_err(path, e)))
                    }
                }
            }
        }
    }

    /// Explain the remaining messages on `threads` threads (the calling one included) and hand
    /// each result to `each`, in the order the plain iterator gives them. Messages are taken in
    /// batches, so memory stays bounded: at most a few hundred reports, and (for an mbox) about
    /// 16 MB of message bytes, are held at once. `threads <= 1` is the plain iterator.
    pub fn for_each_parallel(
        mut self,
        threads: usize,
        mut each: impl FnMut(Result<BounceReport, BounceError>),
    ) {
        if threads <= 1 {
            self.for_each(each);
            return;
        }
        let limits = self.limits;
        loop {
            let mut jobs = Vec::with_capacity(threads * BATCH_PER_THREAD);
            let mut held = 0;
            while jobs.len() < threads * BATCH_PER_THREAD && held < MAX_BATCH_BYTES {
                let Some(job) = self.next_job() else { break };
                held += job.held();
                jobs.push(std::sync::Mutex::new(Some(job)));
            }
            if jobs.is_empty() {
                return;
            }
            let results: Vec<std::sync::Mutex<Option<Result<BounceReport, BounceError>>>> =
                jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
            let next = std::sync::atomic::AtomicUsize::new(0);
            let work = || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let (Some(job), Some(slot)) = (jobs.get(i), results.get(i)) else {
                        return;
                    };
                    let job = lock(job).take();
                    if let Some(job) = job {
                        *lock(slot) = Some(job.run(&limits));
                    }
                }
            };
            std::thread::scope(|s| {
                for _ in 1..threads {
                    s.spawn(work);
                }
                work();
            });
            for slot in results {
                let r = slot.into_inner().unwrap_or_else(|p| p.into_inner());
                if let Some(r) = r {
                    each(r);
                }
            }
        }
    }
}

/// Lock a mutex; a poisoned one (a worker panicked) is still read.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Iterator for BounceStream {
    type Item = Result<BounceReport, BounceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let limits = self.limits;
        self.next_job().map(|j| j.run(&limits))
    }
}
