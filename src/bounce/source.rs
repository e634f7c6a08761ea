//! Reading messages from disk: one file, an mbox (streamed), a Maildir, or a folder of files.
//!
//! Only one message is in memory at a time, and never more than
//! [`Limits::max_message_bytes`] of it: the rest of a huge message is read and dropped. An mbox
//! is split at `From ` lines (the mboxrd/mboxo convention); lines are read with a cap
//! ([`Limits::max_line_bytes`]) so a file without newlines cannot grow a buffer without bound.

use super::BounceReport;
use super::folder::{FIRST_LIST_BUFFER, FileName, Folder, Lister, Listing};
use super::limits::Limits;
use super::parse;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
    /// Folders of files, each listed when its first file is wanted (see [`super::folder`]).
    Folders {
        /// The folders not yet listed.
        unlisted: std::vec::IntoIter<Folder>,
        /// The files of the folder being read.
        listed: Option<Listing>,
        /// A folder that could not be listed, to be reported in its turn.
        failed: Option<BounceError>,
    },
    Mbox {
        reader: BufReader<Box<dyn Read + Send>>,
        /// The file's path, or the stream's name: each message is `name#N`.
        name: String,
        index: usize,
        pending: Option<Vec<u8>>,
        done: bool,
    },
    Single {
        path: Option<PathBuf>,
    },
    /// One message on a stream (standard input) that is not an mbox; read when its turn comes.
    Stream {
        reader: Option<Box<dyn Read + Send>>,
        name: String,
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

/// The room a read buffer starts with: more than most messages, so one read takes a whole file.
const FIRST_READ_BUFFER: usize = 128 * 1024;

/// Read at most `max` bytes of a file into `buf` (the rest is not read); returns how many.
/// Only `buf[..n]` is the file: `buf` is a buffer reused from message to message, whose bytes
/// past those read are left as they were (they are not cleared, so a reused buffer costs no
/// writes before the read).
///
/// With `short_read_ends` (the file is on a file system where a read returns less than asked
/// for only at the end of the file, see [`super::folder`]), a read that leaves room in the
/// buffer is the last: one system call for most files. Otherwise the file is read until a
/// read returns nothing.
fn read_capped(
    mut f: &File,
    max: usize,
    short_read_ends: bool,
    buf: &mut Vec<u8>,
) -> io::Result<usize> {
    // One byte more than the cap tells the parser that the message was cut.
    let cap = max.saturating_add(1);
    // No system call asks the file's size first: a buffer with room for most files is read
    // into, and grown when a read fills it.
    let mut n = 0;
    while n < cap {
        if n == buf.len() {
            let room = buf.len().saturating_mul(2).max(FIRST_READ_BUFFER).min(cap);
            buf.resize(room, 0);
        }
        let end = buf.len().min(cap);
        match f.read(&mut buf[n..end]) {
            Ok(0) => break,
            Ok(k) => {
                n += k;
                if short_read_ends && n < end {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A read buffer larger than this is not kept for the next message (a rare huge message
/// should not hold its memory for the rest of a run).
const KEEP_READ_BUFFER: usize = 256 * 1024;

thread_local! {
    /// Each thread's read buffer ([`read_capped`]), reused from file to file: no allocation
    /// per message, and the memory the kernel copies a file into is already in the cache.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
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

/// When the folder being read has no files left, list the next folder that has some (a
/// folder that cannot be listed stops there, its error in `failed`); returns how many files
/// the folder being read has left.
fn list_next(
    unlisted: &mut std::vec::IntoIter<Folder>,
    listed: &mut Option<Listing>,
    failed: &mut Option<BounceError>,
    max: usize,
) -> usize {
    loop {
        let left = listed.as_ref().map_or(0, Listing::left);
        if left > 0 || failed.is_some() {
            return left;
        }
        let Some(folder) = unlisted.next() else {
            return 0;
        };
        let dir = folder.dir().to_path_buf();
        keep_listing(folder.list(max), &dir, listed, failed);
    }
}

/// Keep a folder's listing as the one being read, or its error to report in its turn.
fn keep_listing(
    listing: io::Result<Listing>,
    dir: &Path,
    listed: &mut Option<Listing>,
    failed: &mut Option<BounceError>,
) {
    match listing {
        Ok(l) => *listed = Some(l),
        Err(e) => *failed = Some(io_err(dir, e)),
    }
}

fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() || dir.join("new").is_dir()
}

impl BounceStream {
    pub(crate) fn open(path: &Path, limits: Limits) -> Result<Self, BounceError> {
        let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
        if meta.is_dir() {
            let mut folders = Vec::new();
            let mut add = |d: &Path| -> Result<(), BounceError> {
                folders.push(Folder::open(d).map_err(|e| io_err(d, e))?);
                Ok(())
            };
            if is_maildir(path) {
                for sub in ["new", "cur"] {
                    let d = path.join(sub);
                    if d.is_dir() {
                        add(&d)?;
                    }
                }
            } else {
                add(path)?;
            }
            return Ok(Self {
                inner: Inner::Folders {
                    unlisted: folders.into_iter(),
                    listed: None,
                    failed: None,
                },
                limits,
            });
        }
        if !meta.is_file() {
            return Err(BounceError::NotAFileOrFolder(path.to_path_buf()));
        }
        let mut f = File::open(path).map_err(|e| io_err(path, e))?;
        let (head, rest) = peek_mbox(&mut f).map_err(|e| io_err(path, e))?;
        let inner = if let Some(line_ends) = head {
            mbox(line_ends.reader(rest.chain(f)), path.display().to_string())
        } else {
            // A single file is read again from its start.
            Inner::Single {
                path: Some(path.to_path_buf()),
            }
        };
        Ok(Self { inner, limits })
    }

    /// The messages on a stream (standard input): an mbox, streamed one message at a time, or
    /// else one message, of which at most `max_message_bytes` are kept. `name` labels the
    /// messages of an mbox (`name#N`) and the errors.
    pub(crate) fn from_reader(
        mut reader: Box<dyn Read + Send>,
        name: &str,
        limits: Limits,
    ) -> Result<Self, BounceError> {
        let (head, rest) = peek_mbox(&mut reader).map_err(|e| io_err(Path::new(name), e))?;
        let inner = match head {
            Some(line_ends) => mbox(line_ends.reader(rest.chain(reader)), name.to_string()),
            None => Inner::Stream {
                reader: Some(Box::new(rest.chain(reader))),
                name: name.to_string(),
            },
        };
        Ok(Self { inner, limits })
    }
}

/// How the lines of an mbox end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnds {
    /// LF or CRLF: lines are split at LF.
    Lf,
    /// A bare CR (classic Mac OS mail programs): each CR is read as an LF.
    Cr,
}

impl LineEnds {
    fn reader(self, r: impl Read + Send + 'static) -> Box<dyn Read + Send> {
        match self {
            Self::Lf => Box::new(r),
            Self::Cr => Box::new(CrAsLf(r)),
        }
    }
}

/// Reads CRs as LFs, so an mbox written with bare-CR line ends splits into lines and
/// messages as any other does.
struct CrAsLf<R>(R);

impl<R: Read> Read for CrAsLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

/// How many bytes are read to find how the first line of an mbox ends (a `From ` line is
/// far shorter).
const MBOX_PEEK_BYTES: usize = 1024;

/// Does the input start with an mbox `From ` line, and how does that line end? Returns the
/// answer and the bytes read to tell, which the reader must be given back in front of the
/// rest.
fn peek_mbox(r: &mut impl Read) -> io::Result<(Option<LineEnds>, io::Cursor<Vec<u8>>)> {
    let mut peeked = vec![0u8; 5];
    let n = read_prefix(r, &mut peeked)?;
    peeked.truncate(n);
    if peeked != b"From " {
        return Ok((None, io::Cursor::new(peeked)));
    }
    let mut more = [0u8; MBOX_PEEK_BYTES];
    let m = read_prefix(r, &mut more)?;
    peeked.extend_from_slice(&more[..m]);
    // The first line end: a CR that no LF follows makes the file a bare-CR one.
    let ends = match memchr::memchr2(b'\r', b'\n', &peeked) {
        Some(i) if peeked[i] == b'\r' && peeked.get(i + 1).is_some_and(|&c| c != b'\n') => {
            LineEnds::Cr
        }
        _ => LineEnds::Lf,
    };
    Ok((Some(ends), io::Cursor::new(peeked)))
}

fn mbox(reader: Box<dyn Read + Send>, name: String) -> Inner {
    Inner::Mbox {
        reader: BufReader::with_capacity(64 * 1024, reader),
        name,
        index: 0,
        pending: None,
        done: false,
    }
}

fn read_prefix(f: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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

/// Read and explain a file: `opened` when it was opened ahead (see [`run_all`]), else it is
/// opened here.
fn explain_file(
    file: FileName,
    opened: Option<io::Result<&File>>,
    limits: &Limits,
) -> Result<BounceReport, BounceError> {
    let opened_here;
    let f = match opened {
        Some(Ok(f)) => f,
        Some(Err(e)) => return Err(io_err(&file.path, e)),
        None => {
            opened_here = file.open().map_err(|e| io_err(&file.path, e))?;
            &opened_here
        }
    };
    READ_BUFFER.with_borrow_mut(|buf| {
        let read = read_capped(f, limits.max_message_bytes, file.short_read_ends, buf);
        let r = read.map(|n| parse::explain_message(&buf[..n], limits));
        if buf.capacity() > KEEP_READ_BUFFER {
            *buf = Vec::new();
        }
        let mut r = r.map_err(|e| io_err(&file.path, e))?;
        // The path as `display` writes it (invalid UTF-8 replaced), without the formatter.
        r.source = Some(
            file.path
                .into_os_string()
                .into_string()
                .unwrap_or_else(|p| p.to_string_lossy().into_owned()),
        );
        Ok(r)
    })
}

/// Read the next mbox message (from its `From ` line up to the next one) into a capped buffer.
fn next_mbox_message(
    reader: &mut impl BufRead,
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
            // mboxrd: a line of `>`s then "From " got one more `>` on write.
            let quoted = line.iter().take_while(|&&c| c == b'>').count();
            if quoted > 0 && line[quoted..].starts_with(b"From ") {
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
    File(FileName),
    Mbox {
        msg: Vec<u8>,
        cut: bool,
        source: Option<String>,
    },
    Failed(BounceError),
}

impl Job {
    /// Open a file job's file ahead of running it (see [`run_all`]).
    fn open(&self) -> Option<io::Result<File>> {
        match self {
            Job::File(file) => Some(file.open()),
            _ => None,
        }
    }

    /// Open a file job's file at its turn, when it was not opened ahead. A file that finds no
    /// descriptor free while other threads hold some for files opened ahead (`held_ahead`,
    /// see [`Descriptors`]) waits until they give them back, at the end of their runs or as
    /// soon as they run out themselves, and is tried again: those were taken before every
    /// thread knew that descriptors were short.
    fn open_at_turn(&self, held_ahead: &AtomicUsize) -> Option<io::Result<File>> {
        let first = self.open()?;
        match first {
            Err(e) if is_out_of_descriptors(&e) && held_ahead.load(Ordering::SeqCst) > 0 => {
                while held_ahead.load(Ordering::SeqCst) > 0 {
                    std::thread::sleep(std::time::Duration::from_micros(50));
                }
                self.open()
            }
            r => Some(r),
        }
    }

    /// Explain the job's message; a file job's file is `opened`, or opened here.
    fn run(self, opened: Option<io::Result<&File>>, limits: &Limits) -> Outcome {
        match self {
            Job::File(file) => explain_file(file, opened, limits),
            Job::Mbox { msg, cut, source } => {
                let mut r = parse::explain_message(&msg, limits);
                r.source = source;
                // An mbox message is cut to at most `max_message_bytes`, so the parser itself
                // never finds it too long: the note is said here.
                if cut {
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

/// Run a thread's run of jobs (see [`take_jobs`]), emptying it: its files are opened all
/// together first, and closed all together after the last is explained.
///
/// Opening and closing a file writes to the process's table of open files, and an open by
/// name in a folder counts a use of the folder's handle: memory that threads of one process
/// share, and that moved between the cores at every open and close while two threads took
/// turns at it. Measured on the bounce corpus, two threads spent 4 to 5% more CPU per message
/// than two processes did, most of it in the kernel's open and close; in bursts the memory
/// moves once a run.
///
/// A process short of file descriptors (one that embeds this near its limit) needs one per
/// thread instead of one per file of a run: once a thread runs out while opening ahead, it
/// clears [`Descriptors::open_ahead`], shared by the threads, and from then on every file is
/// opened when its turn comes (see [`open_one_at_a_time_if_out_of_descriptors`] and
/// [`Job::open_at_turn`]).
fn run_all(
    run: &mut Vec<(usize, Job)>,
    descriptors: &Descriptors,
    limits: &Limits,
) -> Vec<(usize, Outcome)> {
    // The files opened ahead, and the descriptors they hold, counted until the run's end (or
    // until its thread unwinds).
    let (mut opened, held): (Vec<Option<io::Result<File>>>, _) =
        if descriptors.open_ahead.load(Ordering::Relaxed) {
            // One more while the files are being opened: a thread that finds no descriptor
            // free meanwhile waits for those this run takes and gives back.
            let opening = Held::count(&descriptors.held_ahead, 1);
            let mut opened: Vec<_> = run.iter().map(|(_, job)| job.open()).collect();
            if open_one_at_a_time_if_out_of_descriptors(&mut opened) {
                descriptors.open_ahead.store(false, Ordering::Relaxed);
            }
            let count = opened.iter().filter(|o| matches!(o, Some(Ok(_)))).count();
            let held = Held::count(&descriptors.held_ahead, count);
            drop(opening);
            (opened, held)
        } else {
            let none = run.iter().map(|_| None).collect();
            (none, Held::count(&descriptors.held_ahead, 0))
        };
    let reports = run
        .drain(..)
        .zip(opened.iter_mut())
        .map(|((i, job), file)| {
            // An open file is lent to its job and closed with the others; an error is given.
            // A file not opened ahead is opened now, and closed after its job.
            let outcome = match file {
                Some(Ok(f)) => job.run(Some(Ok(&*f)), limits),
                Some(Err(_)) => job.run(file.take().and_then(Result::err).map(Err), limits),
                None => match job.open_at_turn(&descriptors.held_ahead) {
                    Some(Ok(f)) => job.run(Some(Ok(&f)), limits),
                    Some(Err(e)) => job.run(Some(Err(e)), limits),
                    None => job.run(None, limits),
                },
            };
            (i, outcome)
        })
        .collect();
    drop(opened);
    drop(held);
    reports
}

/// Descriptors counted in [`Descriptors::held_ahead`] while this lives.
struct Held<'a>(&'a AtomicUsize, usize);

impl<'a> Held<'a> {
    fn count(held_ahead: &'a AtomicUsize, n: usize) -> Self {
        held_ahead.fetch_add(n, Ordering::SeqCst);
        Self(held_ahead, n)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(self.1, Ordering::SeqCst);
    }
}

/// How the threads of [`BounceStream::for_each_parallel`] share the process's file
/// descriptors (see [`run_all`]).
struct Descriptors {
    /// Runs' files are opened ahead; cleared for good when a thread runs out of descriptors.
    open_ahead: AtomicBool,
    /// The descriptors threads hold for files opened ahead, and one more for each thread
    /// opening a run's files right now.
    held_ahead: AtomicUsize,
}

impl Descriptors {
    fn new() -> Self {
        Self {
            open_ahead: AtomicBool::new(true),
            held_ahead: AtomicUsize::new(0),
        }
    }
}

/// Is this the error of a process (or system) out of file descriptors?
fn is_out_of_descriptors(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(
            rustix::io::Errno::from_io_error(e),
            Some(rustix::io::Errno::MFILE | rustix::io::Errno::NFILE)
        )
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// When opening a run's files ahead ran out of file descriptors (for the process or the
/// system), close those opened and leave every file to be opened when its turn comes, one at a
/// time: a run then needs one descriptor, as the plain iterator does, not one per file.
/// Returns whether it ran out.
fn open_one_at_a_time_if_out_of_descriptors(opened: &mut [Option<io::Result<File>>]) -> bool {
    let out_of_descriptors = opened
        .iter()
        .any(|o| matches!(o, Some(Err(e)) if is_out_of_descriptors(e)));
    if out_of_descriptors {
        opened.iter_mut().for_each(|o| *o = None);
    }
    out_of_descriptors
}

/// The most messages a thread takes at once (see [`take_jobs`]).
const MAX_RUN: usize = 16;

/// How far ahead of the oldest undelivered report the workers may run. It bounds the reports
/// held for reordering when one message is slow; message bytes are held only by the job each
/// thread is running (the jobs of a run waiting behind it hold a file's path and, opened ahead,
/// its descriptor, or an mbox's one message).
const REORDER_WINDOW: usize = 256;

/// The work queue the threads of [`BounceStream::for_each_parallel`] share.
struct Queue {
    stream: BounceStream,
    /// Index of the next job handed out.
    next: usize,
    /// Reports delivered so far, in order.
    delivered: usize,
    /// The stream is exhausted.
    done: bool,
    /// How far `next` may run ahead of `delivered`.
    window: usize,
    /// Workers asleep on the full window: delivery wakes them only when there are some (a
    /// wake-up is a system call, and most deliveries have no one to wake).
    sleeping: usize,
    /// Per thread, the reports delivered since it last took a job, for it to free: each goes
    /// back to the thread that built it (see [`BounceStream::for_each_parallel`]).
    returned: Vec<Vec<Outcome>>,
    /// Files handed out while their folder is being listed.
    ahead: ListedAhead,
}

/// The files of a folder's first read, handed out while thread 0 lists the rest of the folder
/// (see [`BounceStream::list_ahead`]). Their places in the stream are not known until the
/// listing is sorted: a job taken from here has the index [`TAKEN_AHEAD`] plus its place in the
/// folder's order, and thread 0 turns that into its place in the stream. Their reports may wait
/// for delivery beside the `REORDER_WINDOW` others: a first read holds at most 85 files (2 KB
/// of entries of at least 24 bytes).
struct ListedAhead {
    /// The files not taken yet, in the folder's order.
    files: std::vec::IntoIter<FileName>,
    /// How many were taken: the first ones of the folder's order.
    taken: usize,
    /// The folder is being listed: until it is, the stream is not to be read.
    listing: bool,
}

/// The mark of a job's index that is its place in its folder's order, not in the stream (see
/// [`ListedAhead`]).
const TAKEN_AHEAD: usize = 1 << (usize::BITS - 1);

/// What one message gives: its report, or why it could not be read.
type Outcome = Result<BounceReport, BounceError>;

/// Ends the queue when its thread unwinds (a panic in a job or in the caller's callback), so
/// the other threads stop instead of waiting for a result that will never come, and the panic
/// reaches the caller.
struct EndOnPanic<'a>(&'a std::sync::Mutex<Queue>, &'a std::sync::Condvar);

impl Drop for EndOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(self.0).done = true;
            self.1.notify_all();
        }
    }
}

/// Take the next jobs, with their indexes, into `out` (left empty when there are none).
///
/// A thread takes a run of consecutive messages, not one: messages next to each other in a
/// folder tend to come from the same MTA, and a thread that reads them one after another finds
/// its caches and branch predictors ready for the next. Handed out one at a time, the two
/// threads of the bounce corpus took turns, and each ran about 4% slower per message. Runs are
/// at most [`MAX_RUN`] long, and shorter as the folder's end nears (a share of what is left),
/// so no thread is left with a long run while the others have finished. A stream whose size is
/// not known (an mbox) is taken a message at a time: it is read under the lock.
///
/// While thread 0 lists the first folder, the files of its first read are taken (see
/// [`ListedAhead`]), and a worker with none left sleeps until the listing is done. A worker
/// (`wait`) sleeps while it is `REORDER_WINDOW` ahead of delivery; the delivering thread never
/// sleeps here, since only it moves delivery on. The reports handed back to
/// thread `me` since its last jobs are freed here, after the lock.
fn take_jobs(
    queue: &std::sync::Mutex<Queue>,
    moved: &std::sync::Condvar,
    wait: bool,
    me: usize,
    out: &mut Vec<(usize, Job)>,
) {
    let mut q = lock(queue);
    let returned = std::mem::take(&mut q.returned[me]);
    // One list of returned reports per thread.
    let threads = q.returned.len().max(1);
    let mut max = run_length(&mut q, threads);
    while !q.done && out.len() < max {
        let state = &mut *q;
        if state.ahead.listing {
            if let Some(file) = state.ahead.files.next() {
                out.push((TAKEN_AHEAD | state.ahead.taken, Job::File(file)));
                state.ahead.taken += 1;
                continue;
            }
        } else if state.next < state.delivered + state.window {
            match state.stream.next_job(&mut state.next) {
                Some(job) => {
                    state.next += 1;
                    out.push((state.next - 1, job));
                }
                None => {
                    state.done = true;
                    moved.notify_all();
                }
            }
            continue;
        }
        if !wait || !out.is_empty() {
            break;
        }
        q.sleeping += 1;
        q = moved.wait(q).unwrap_or_else(|p| p.into_inner());
        q.sleeping -= 1;
        max = run_length(&mut q, threads);
    }
    drop(q);
    drop(returned);
}

/// How many jobs a thread takes at once (see [`take_jobs`]).
fn run_length(q: &mut Queue, threads: usize) -> usize {
    if q.ahead.listing {
        (q.ahead.files.len() / threads).clamp(1, MAX_RUN)
    } else {
        q.stream
            .files_left()
            .map_or(1, |left| (left / (2 * threads)).clamp(1, MAX_RUN))
    }
}

impl BounceStream {
    /// How many files are left to read in the folder being read, when the stream is folders
    /// of files (listing the next folder if this one is done).
    fn files_left(&mut self) -> Option<usize> {
        let max = self.limits.max_maildir_entries;
        match &mut self.inner {
            Inner::Folders {
                unlisted,
                listed,
                failed,
            } => Some(list_next(unlisted, listed, failed, max)),
            _ => None,
        }
    }

    /// When the next files come from a folder not listed yet: read folders until one gives
    /// files, and return it with its first read (2 KB of entries) done, for the caller to
    /// finish (see [`finish_listing_ahead`]). A folder that ends on that read (an empty one, or
    /// one whose end the read saw) is taken as [`list_next`] takes it, and so is an error.
    /// None when no folder is listed ahead: the stream goes on as it would have.
    fn list_ahead(&mut self) -> Option<Lister> {
        let Inner::Folders {
            unlisted,
            listed,
            failed,
        } = &mut self.inner
        else {
            return None;
        };
        // A folder with files left, or an error to report, comes first.
        let settled = |listed: &Option<Listing>, failed: &Option<BounceError>| {
            listed.as_ref().is_some_and(|l| l.left() > 0) || failed.is_some()
        };
        if settled(listed, failed) {
            return None;
        }
        let max = self.limits.max_maildir_entries;
        for folder in unlisted.by_ref() {
            let mut lister = folder.lister(max);
            // A read may end before the folder does and give no file (only `.` and `..`).
            let mut first = lister.read_some(FIRST_LIST_BUFFER);
            while matches!(first, Ok(false)) && lister.len() == 0 {
                first = lister.read_some(FIRST_LIST_BUFFER);
            }
            if let Ok(false) = first {
                return Some(lister);
            }
            let dir = lister.dir().to_path_buf();
            keep_listing(first.and_then(|_| lister.finish()), &dir, listed, failed);
            if settled(listed, failed) {
                return None;
            }
        }
        None
    }

    /// Take back a folder listed ahead (see [`Self::list_ahead`]): its first `taken` files in
    /// the folder's order were handed out already, and the next index in the stream is `next`.
    /// Returns those files' indexes, by their place in the folder's order.
    fn take_back_listing(
        &mut self,
        listing: Result<Listing, BounceError>,
        taken: usize,
        next: usize,
    ) -> Vec<usize> {
        let Inner::Folders { listed, failed, .. } = &mut self.inner else {
            return Vec::new();
        };
        match listing {
            Ok(mut l) => {
                let places = l.taken_ahead(taken).into_iter().map(|p| next + p).collect();
                *listed = Some(l);
                places
            }
            Err(e) => {
                *failed = Some(e);
                Vec::new()
            }
        }
    }

    /// The next job. Files of a folder taken ahead of its listing (see [`Self::list_ahead`])
    /// are passed over, and counted in `passed`.
    fn next_job(&mut self, passed: &mut usize) -> Option<Job> {
        let limits = self.limits;
        match &mut self.inner {
            Inner::Single { path } => path.take().map(|p| Job::File(FileName::by_path(p))),
            Inner::Folders {
                unlisted,
                listed,
                failed,
            } => loop {
                let left = list_next(unlisted, listed, failed, limits.max_maildir_entries);
                if let Some(e) = failed.take() {
                    return Some(Job::Failed(e));
                }
                if left == 0 {
                    return None;
                }
                // None when the folder's last files were taken ahead: the next folder's turn.
                if let Some(file) = listed.as_mut()?.next_file(passed) {
                    return Some(Job::File(file));
                }
            },
            Inner::Stream { reader, name } => {
                let mut msg = Vec::new();
                // One byte over the limit tells the parser that the message was cut.
                let read = reader
                    .take()?
                    .take(limits.max_message_bytes as u64 + 1)
                    .read_to_end(&mut msg);
                Some(match read {
                    Ok(_) => Job::Mbox {
                        msg,
                        cut: false,
                        source: None,
                    },
                    Err(e) => Job::Failed(io_err(Path::new(name.as_str()), e)),
                })
            }
            Inner::Mbox {
                reader,
                name,
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
                            source: Some(format!("{name}#{index}")),
                        })
                    }
                    Ok(None) => {
                        *done = true;
                        None
                    }
                    Err(e) => {
                        *done = true;
                        Some(Job::Failed(io_err(Path::new(name.as_str()), e)))
                    }
                }
            }
        }
    }

    /// Explain the remaining messages on `threads` threads (the calling one included) and hand
    /// each result to `each`, in the order the plain iterator gives them. The threads live for
    /// the whole stream and take a short run of messages at a time (see `take_jobs`), so a
    /// slow message holds up only the few after it in its run.
    /// Memory stays bounded: one message per thread, and at most `REORDER_WINDOW` reports
    /// waiting for an earlier one (and those of the files started on while the first folder is
    /// listed, at most 85). `threads <= 1` is the plain iterator.
    ///
    /// A report is lent to `each`, not given: afterwards it goes back to the thread that built
    /// it, which frees it. Memory freed by a thread other than the one that allocated it takes
    /// the allocator's slow path (a shared list, cache lines moving between cores); measured on
    /// the bounce corpus on two threads, that was a tenth of the run.
    pub fn for_each_parallel(
        self,
        threads: usize,
        mut each: impl FnMut(Result<&BounceReport, &BounceError>),
    ) {
        self.try_for_each_parallel(threads, |r| {
            each(r);
            ControlFlow::Continue(())
        });
    }

    /// [`Self::for_each_parallel`], stopped early when `each` says [`ControlFlow::Break`] (its
    /// reader has gone, e.g. a closed pipe): no further message is taken, and the messages the
    /// threads have taken (at most a run each) are finished and dropped.
    pub fn try_for_each_parallel(
        self,
        threads: usize,
        each: impl FnMut(Result<&BounceReport, &BounceError>) -> ControlFlow<()>,
    ) {
        self.for_each_windowed(threads, REORDER_WINDOW, each);
    }

    /// [`Self::try_for_each_parallel`] with the reorder window as a parameter, so tests can run
    /// it with a window that fills.
    fn for_each_windowed(
        mut self,
        threads: usize,
        window: usize,
        mut each: impl FnMut(Result<&BounceReport, &BounceError>) -> ControlFlow<()>,
    ) {
        if threads <= 1 {
            let _ = self.try_for_each(|r| each(r.as_ref()));
            return;
        }
        let limits = self.limits;
        let queue = std::sync::Mutex::new(Queue {
            stream: self,
            next: 0,
            delivered: 0,
            done: false,
            window: window.max(1),
            sleeping: 0,
            returned: (0..threads).map(|_| Vec::new()).collect(),
            // Until thread 0 has looked for a folder to list ahead, the stream is not read.
            ahead: ListedAhead {
                files: Vec::new().into_iter(),
                taken: 0,
                listing: true,
            },
        });
        let moved = std::sync::Condvar::new();
        let (tx, rx) = std::sync::mpsc::channel();
        let descriptors = Descriptors::new();
        std::thread::scope(|s| {
            for worker in 1..threads {
                let tx = tx.clone();
                let (queue, moved, descriptors) = (&queue, &moved, &descriptors);
                s.spawn(move || {
                    let _end = EndOnPanic(queue, moved);
                    let mut run = Vec::new();
                    loop {
                        take_jobs(queue, moved, true, worker, &mut run);
                        if run.is_empty() {
                            break;
                        }
                        let reports = run_all(&mut run, descriptors, &limits);
                        if tx.send((worker, reports)).is_err() {
                            break;
                        }
                    }
                    // The reports handed back after this thread's last job, freed after
                    // the lock.
                    let rest = std::mem::take(&mut lock(queue).returned[worker]);
                    drop(rest);
                });
            }
            drop(tx);
            let _end = EndOnPanic(&queue, &moved);
            // The places in the stream of the files taken ahead of the listing, by their place
            // in the folder's order; a report of one whose folder could not be listed in the
            // end has none, and is dropped (the folder's error is reported in its place).
            let places = start_listing_ahead(&queue, &moved)
                .map_or_else(Vec::new, |l| finish_listing_ahead(l, &queue, &moved));
            // A worker's reports wait in `early` at their places in the stream.
            let file_in = |early: &mut std::collections::BTreeMap<usize, (usize, Outcome)>,
                           worker: usize,
                           reports: Vec<(usize, Outcome)>| {
                for (i, r) in reports {
                    let place = if i & TAKEN_AHEAD == 0 {
                        Some(i)
                    } else {
                        places.get(i & !TAKEN_AHEAD).copied()
                    };
                    if let Some(i) = place {
                        early.insert(i, (worker, r));
                    }
                }
            };
            // This thread (worker 0) works too, and delivers: results wait in `early` until
            // every earlier one is in; delivered ones wait in `lent` to go back to their
            // builders with the next update of the queue.
            let mut early = std::collections::BTreeMap::new();
            let mut lent: Vec<(usize, Outcome)> = Vec::new();
            let mut delivered = 0;
            let mut run = Vec::new();
            loop {
                while let Ok((worker, reports)) = rx.try_recv() {
                    file_in(&mut early, worker, reports);
                }
                let before = delivered;
                while let Some((worker, r)) = early.remove(&delivered) {
                    delivered += 1;
                    let flow = each(r.as_ref());
                    if worker != 0 {
                        lent.push((worker, r));
                    }
                    if flow.is_break() {
                        // Workers finish the messages in hand and find the queue ended.
                        lock(&queue).done = true;
                        moved.notify_all();
                        return;
                    }
                }
                if delivered > before {
                    let mut q = lock(&queue);
                    q.delivered = delivered;
                    for (worker, r) in lent.drain(..) {
                        q.returned[worker].push(r);
                    }
                    if q.sleeping > 0 {
                        moved.notify_all();
                    }
                }
                take_jobs(&queue, &moved, false, 0, &mut run);
                if !run.is_empty() {
                    for (i, r) in run_all(&mut run, &descriptors, &limits) {
                        early.insert(i, (0, r));
                    }
                    continue;
                }
                // Nothing to take (the stream is done, or the window is full): wait for the
                // workers; the channel closes when the last one has finished.
                match rx.recv() {
                    Ok((worker, reports)) => file_in(&mut early, worker, reports),
                    Err(_) => break,
                }
            }
            for (_, r) in early.into_values() {
                if each(r.as_ref()).is_break() {
                    return;
                }
            }
        });
    }
}

/// Start listing the stream's first folder ahead, once the other threads have been started
/// (a thread takes tens of microseconds to start, on this read's time): its first read is
/// handed to them (see [`ListedAhead`]), and the folder is returned for thread 0 to finish
/// listing. None when no folder is listed ahead: then the stream is read as it would be.
fn start_listing_ahead(
    queue: &std::sync::Mutex<Queue>,
    moved: &std::sync::Condvar,
) -> Option<Lister> {
    let mut q = lock(queue);
    let lister = q.stream.list_ahead();
    if let Some(l) = &lister {
        let files: Vec<FileName> = (0..l.len()).filter_map(|i| l.file(i)).collect();
        q.ahead.files = files.into_iter();
    }
    q.ahead.listing = lister.is_some();
    moved.notify_all();
    lister
}

/// Read the rest of a folder listed ahead (outside the lock, while the other threads explain
/// its first files), and give it to the stream with the files taken meanwhile marked; wakes
/// the threads waiting for it. Returns the places in the stream of the files taken, by their
/// place in the folder's order (none when the folder could not be listed).
fn finish_listing_ahead(
    lister: Lister,
    queue: &std::sync::Mutex<Queue>,
    moved: &std::sync::Condvar,
) -> Vec<usize> {
    let dir = lister.dir().to_path_buf();
    let listing = lister.finish().map_err(|e| io_err(&dir, e));
    let mut q = lock(queue);
    let q = &mut *q;
    q.ahead.listing = false;
    // Files not taken are handed out from the listing, in their turn.
    q.ahead.files = Vec::new().into_iter();
    let places = q.stream.take_back_listing(listing, q.ahead.taken, q.next);
    moved.notify_all();
    places
}

/// Lock a mutex; a poisoned one (a worker panicked) is still read.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Iterator for BounceStream {
    type Item = Result<BounceReport, BounceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let limits = self.limits;
        self.next_job(&mut 0).map(|j| j.run(None, &limits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_whole_whether_or_not_a_short_read_ends_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m");
        let mut buf = Vec::new();
        for len in [
            0,
            1,
            FIRST_READ_BUFFER - 1,
            FIRST_READ_BUFFER,
            FIRST_READ_BUFFER + 1,
            3 * FIRST_READ_BUFFER + 7,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &data).expect("write");
            for short_read_ends in [false, true] {
                let f = File::open(&path).expect("open");
                let n = read_capped(&f, usize::MAX - 1, short_read_ends, &mut buf).expect("read");
                assert_eq!(&buf[..n], &data[..], "{len} bytes, {short_read_ends}");
                // The cap keeps one byte more than the limit, and no more.
                let f = File::open(&path).expect("open");
                let n = read_capped(&f, 100, short_read_ends, &mut buf).expect("read");
                assert_eq!(&buf[..n], &data[..len.min(101)], "{len} bytes, cut");
            }
        }
    }

    #[test]
    fn a_run_opened_ahead_explains_each_job_in_order_and_reports_a_file_that_would_not_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("good");
        std::fs::write(&good, "Subject: x\n\nhello\n").expect("write");
        let mut run = vec![
            (7, Job::File(FileName::by_path(good.clone()))),
            (8, Job::File(FileName::by_path(dir.path().join("gone")))),
            (
                9,
                Job::Mbox {
                    msg: b"Subject: y\n\nhi\n".to_vec(),
                    cut: false,
                    source: Some("box#1".into()),
                },
            ),
            (10, Job::File(FileName::by_path(good.clone()))),
        ];
        let outcomes = run_all(&mut run, &Descriptors::new(), &Limits::default());
        assert!(run.is_empty(), "the run is emptied");
        let seen: Vec<(usize, Result<String, String>)> = outcomes
            .into_iter()
            .map(|(i, r)| {
                (
                    i,
                    r.map(|r| r.source.unwrap_or_default())
                        .map_err(|e| e.to_string()),
                )
            })
            .collect();
        let good = good.to_string_lossy().into_owned();
        assert_eq!(seen[0], (7, Ok(good.clone())));
        assert_eq!(seen[1].0, 8);
        assert!(
            seen[1].1.as_ref().is_err_and(|e| e.contains("gone")),
            "{:?}",
            seen[1]
        );
        assert_eq!(seen[2], (9, Ok("box#1".to_owned())));
        assert_eq!(seen[3], (10, Ok(good)));
    }

    #[cfg(unix)]
    #[test]
    fn a_run_short_of_file_descriptors_is_opened_one_file_at_a_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m");
        std::fs::write(&path, "x").expect("write");
        let out = |errno: rustix::io::Errno| {
            Some(Err(io::Error::from_raw_os_error(errno.raw_os_error())))
        };
        for errno in [rustix::io::Errno::MFILE, rustix::io::Errno::NFILE] {
            let mut opened = vec![Some(File::open(&path)), out(errno), None];
            assert!(open_one_at_a_time_if_out_of_descriptors(&mut opened));
            assert!(
                opened.iter().all(Option::is_none),
                "{errno:?}: all left to open later"
            );
        }
        // Another error is the file's own: it is reported, and the others stay open.
        let mut opened = vec![Some(File::open(&path)), out(rustix::io::Errno::NOENT), None];
        assert!(!open_one_at_a_time_if_out_of_descriptors(&mut opened));
        assert!(matches!(opened[0], Some(Ok(_))));
        assert!(matches!(opened[1], Some(Err(_))));
    }

    #[test]
    fn a_maildir_with_an_empty_new_reads_cur_in_name_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
        }
        for name in ["3:2,S", "1:2,S", "2:2,S"] {
            std::fs::write(dir.path().join("cur").join(name), "Subject: x\n\nhello\n")
                .expect("write");
        }
        let sources: Vec<String> = BounceStream::open(dir.path(), Limits::default())
            .expect("open")
            .map(|r| r.expect("readable").source.expect("a source"))
            .collect();
        let cur = dir.path().join("cur");
        let want: Vec<String> = ["1:2,S", "2:2,S", "3:2,S"]
            .iter()
            .map(|n| cur.join(n).to_string_lossy().into_owned())
            .collect();
        assert_eq!(sources, want);
    }

    #[test]
    fn an_mboxrd_quoted_from_line_loses_one_quote() {
        let data =
            b"From a  Thu Jan  1 00:00:00 2026\nSubject: x\n\n>From here\n>>From there\n>Fromage\n";
        let mut reader = std::io::Cursor::new(&data[..]);
        let mut pending = None;
        let (msg, cut) = next_mbox_message(&mut reader, &mut pending, &Limits::default())
            .expect("read")
            .expect("a message");
        assert!(!cut);
        let text = String::from_utf8(msg).expect("utf-8");
        assert!(
            text.ends_with("\n\nFrom here\n>From there\n>Fromage\n"),
            "{text:?}"
        );
    }

    /// A bounce for `user{i}`; every seventh is padded so its thread falls behind the others.
    fn message(i: usize) -> String {
        let pad = if i.is_multiple_of(7) {
            "x ".repeat(200_000)
        } else {
            String::new()
        };
        format!(
            "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\n\n\
             <user{i}@example.org>: host mx.example.org said: 550 5.1.1 unknown user {pad}\n"
        )
    }

    fn recipients(stream: BounceStream, threads: usize, window: usize) -> Vec<String> {
        let mut out = Vec::new();
        stream.for_each_windowed(threads, window, |r| {
            let r = r.expect("readable");
            out.push(format!("{:?}", r.recipients.first().map(|x| &x.recipient)));
            ControlFlow::Continue(())
        });
        out
    }

    #[test]
    fn a_panic_while_the_window_is_full_reaches_the_caller_instead_of_hanging() {
        let dir = tempfile::tempdir().expect("tempdir");
        for i in 0..20 {
            std::fs::write(dir.path().join(format!("{i:03}.eml")), message(i)).expect("write");
        }
        for threads in [2, 3] {
            let stream = BounceStream::open(dir.path(), Limits::default()).expect("open");
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                stream.for_each_windowed(threads, 1, |_| panic!("the caller's callback fails"));
            }));
            assert!(outcome.is_err(), "threads={threads}");
        }
    }

    /// The first recipients a caller sees that breaks after the fifth report.
    fn first_five(stream: BounceStream, threads: usize, window: usize) -> Vec<String> {
        let mut seen = Vec::new();
        stream.for_each_windowed(threads, window, |r| {
            seen.push(format!(
                "{:?}",
                r.expect("readable").recipients[0].recipient
            ));
            if seen.len() == 5 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        seen
    }

    #[test]
    fn a_break_from_the_caller_stops_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        for i in 0..60 {
            std::fs::write(dir.path().join(format!("{i:03}.eml")), message(i)).expect("write");
        }
        for (threads, window) in [(1, 1), (2, 1), (2, 64), (3, 4)] {
            let stream = BounceStream::open(dir.path(), Limits::default()).expect("open");
            let seen = first_five(stream, threads, window);
            assert_eq!(seen.len(), 5, "threads={threads} window={window}");
            assert!(seen[4].contains("user4@"), "in order: {seen:?}");
        }
    }

    #[test]
    fn a_thread_takes_consecutive_messages_in_runs_that_shrink_near_the_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        for i in 0..100 {
            std::fs::write(dir.path().join(format!("{i:03}.eml")), message(i)).expect("write");
        }
        let stream = BounceStream::open(dir.path(), Limits::default()).expect("open");
        let queue = std::sync::Mutex::new(Queue {
            stream,
            next: 0,
            delivered: 0,
            done: false,
            window: usize::MAX / 2,
            sleeping: 0,
            returned: vec![Vec::new(), Vec::new()],
            ahead: ListedAhead {
                files: Vec::new().into_iter(),
                taken: 0,
                listing: false,
            },
        });
        let moved = std::sync::Condvar::new();
        let (mut runs, mut next) = (Vec::new(), 0);
        let mut run = Vec::new();
        loop {
            take_jobs(&queue, &moved, false, 0, &mut run);
            if run.is_empty() {
                break;
            }
            for (i, _) in run.drain(..) {
                assert_eq!(i, next, "consecutive");
                next += 1;
            }
            runs.push(next);
        }
        assert_eq!(next, 100);
        let lengths: Vec<usize> = runs
            .iter()
            .scan(0, |last, &end| Some(end - std::mem::replace(last, end)))
            .collect();
        // A quarter of what is left (two threads), at most MAX_RUN, at least one.
        assert_eq!(lengths[..3], [MAX_RUN, MAX_RUN, MAX_RUN], "{lengths:?}");
        assert!(lengths.windows(2).all(|w| w[1] <= w[0]), "{lengths:?}");
        assert_eq!(lengths.last(), Some(&1), "{lengths:?}");
    }

    /// A Maildir whose `new/` and `cur/` hold `n` messages each, under names long enough that
    /// a folder's first read (2 KB) holds only part of it.
    fn maildir_of_long_names(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
        }
        let long = "x".repeat(60);
        for i in 0..2 * n {
            let (sub, flags) = if i < n { ("new", "") } else { ("cur", ":2,S") };
            let name = format!("{i:04}.{long}{flags}");
            std::fs::write(dir.path().join(sub).join(name), message(i)).expect("write");
        }
        dir
    }

    #[test]
    fn a_folder_is_listed_ahead_from_its_first_read_and_an_empty_one_is_passed() {
        let dir = maildir_of_long_names(150);
        let mut stream = BounceStream::open(dir.path(), Limits::default()).expect("open");
        let lister = stream.list_ahead().expect("new/ takes more than one read");
        assert!(lister.dir().ends_with("new"), "{}", lister.dir().display());
        assert!(
            (1..150).contains(&lister.len()),
            "part of the folder: {}",
            lister.len()
        );
        // An empty new/ is passed over for cur/.
        for name in std::fs::read_dir(dir.path().join("new")).expect("list") {
            std::fs::remove_file(name.expect("entry").path()).expect("remove");
        }
        let mut stream = BounceStream::open(dir.path(), Limits::default()).expect("open");
        let lister = stream.list_ahead().expect("cur/ takes more than one read");
        assert!(lister.dir().ends_with("cur"), "{}", lister.dir().display());
        // A stream that is not folders is not listed ahead.
        let mbox = dir.path().join("box");
        std::fs::write(
            &mbox,
            format!("From a@b Sat Jan  1 00:00:00 2000\n{}", message(1)),
        )
        .expect("write");
        let mut stream = BounceStream::open(&mbox, Limits::default()).expect("open");
        assert!(stream.list_ahead().is_none());
        assert_eq!(stream.count(), 1);
    }

    #[test]
    fn order_holds_when_threads_start_on_a_folder_before_it_is_listed() {
        let dir = maildir_of_long_names(150);
        let open = |max| {
            let limits = Limits {
                max_maildir_entries: max,
                ..Limits::default()
            };
            BounceStream::open(dir.path(), limits).expect("open")
        };
        let plain = recipients(open(usize::MAX), 1, 1);
        assert_eq!(plain.len(), 300);
        assert!(plain[151].contains("user151@"), "{}", plain[151]);
        for threads in [2, 3, 5] {
            for window in [1, 2, 64, REORDER_WINDOW] {
                assert_eq!(
                    recipients(open(usize::MAX), threads, window),
                    plain,
                    "threads={threads} window={window}"
                );
            }
        }
        // At most `max_maildir_entries` of a folder listed ahead, the same ones as the
        // iterator reads.
        let plain = recipients(open(100), 1, 1);
        assert_eq!(plain.len(), 200);
        assert_eq!(recipients(open(100), 2, 64), plain);
        // A break stops the reading in order.
        let seen = first_five(open(usize::MAX), 2, 64);
        assert_eq!(seen.len(), 5);
        assert!(seen[4].contains("user4@"), "in order: {seen:?}");
    }

    #[test]
    fn order_holds_when_the_reorder_window_fills() {
        let dir = tempfile::tempdir().expect("tempdir");
        for i in 0..40 {
            std::fs::write(dir.path().join(format!("{i:03}.eml")), message(i)).expect("write");
        }
        let open = || BounceStream::open(dir.path(), Limits::default()).expect("open");
        let plain = recipients(open(), 1, 1);
        assert_eq!(plain.len(), 40);
        assert!(plain[3].contains("user3@example.org"), "{}", plain[3]);
        for threads in [2, 3, 5] {
            for window in [1, 2, 3, 64] {
                assert_eq!(
                    recipients(open(), threads, window),
                    plain,
                    "threads={threads} window={window}"
                );
            }
        }
    }
}
