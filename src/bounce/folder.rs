//! A folder of messages (a Maildir's `new/` or `cur/`, or any folder of files): opened once,
//! listed when its turn comes, its files opened by name.
//!
//! A folder is listed lazily, on the first message wanted from it, so that the threads of
//! `BounceStream::for_each_parallel` start while the list is read; the files of a listing's
//! first read can be handed out before the rest is read (see [`Lister`]). On Linux the list
//! is read straight from the open folder with `getdents` ([`rustix::fs::RawDir`]), names into
//! one buffer: std's `read_dir` opens the folder a second time and allocates a name and a path
//! for every entry, and on the bounce corpus (380 files) listing was a twentieth of a
//! two-thread pass, with nothing else to do while it ran.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// An open folder whose files are opened by name: the kernel then walks one name instead of
/// the whole path, for every file.
#[cfg(unix)]
pub(super) type Handle = std::sync::Arc<rustix::fd::OwnedFd>;
/// Without a handle to open files by name, files are opened by their whole path.
#[cfg(not(unix))]
pub(super) type Handle = ();

/// A folder to read: its path and its open handle, if it has one.
pub(super) struct Folder {
    dir: PathBuf,
    handle: Option<Handle>,
    /// Its file system returns less than a read asks for only at the end of a file.
    short_read_ends: bool,
}

impl Folder {
    /// Open a folder to list it and open its files by name. On Unix a folder that cannot be
    /// opened is an error here, as listing it would be; elsewhere it is listed by path later.
    pub(super) fn open(dir: &Path) -> io::Result<Self> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let fd = rustix::fs::open(dir, flags, Mode::empty())?;
            Ok(Self {
                dir: dir.to_path_buf(),
                short_read_ends: short_read_ends(&fd),
                handle: Some(std::sync::Arc::new(fd)),
            })
        }
        #[cfg(not(unix))]
        Ok(Self {
            dir: dir.to_path_buf(),
            handle: None,
            short_read_ends: false,
        })
    }

    /// List the folder's files: at most `max` entries are read; names that start with a dot
    /// and entries that are not files (or links to files) are left out; the rest are sorted
    /// by name, bytewise.
    pub(super) fn list(self, max: usize) -> io::Result<Listing> {
        self.lister(max).finish()
    }

    /// Start listing the folder, a read at a time (see [`Lister`]); at most `max` entries are
    /// read, as by [`Self::list`].
    pub(super) fn lister(self, max: usize) -> Lister {
        Lister {
            folder: self,
            names: Vec::new(),
            spans: Vec::new(),
            read: 0,
            max,
            done: false,
        }
    }

    /// The folder's path, for errors.
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// A file of this folder, by its name.
    fn file(&self, name: &[u8], linked: bool) -> FileName {
        FileName {
            path: self.dir.join(name_as_path(name)),
            name_len: name.len(),
            handle: self.handle.clone(),
            short_read_ends: self.short_read_ends && !linked,
        }
    }
}

/// A folder being listed: the files read so far, in the order the folder gives them.
///
/// A folder is listed in full before its first file is handed out in name order. On Linux a
/// listing can be read a `getdents` call at a time, so that other threads can start on the
/// files of the first call while the rest is read (see `BounceStream::for_each_parallel`): on
/// ext4, a folder of 380 files takes about 100 µs to list, and its first 2 KB of entries
/// 17 µs. Files handed out so are passed over by the sorted listing
/// ([`Listing::taken_ahead`]).
pub(super) struct Lister {
    folder: Folder,
    names: Vec<u8>,
    /// Each file's name in `names`, in the folder's order.
    spans: Vec<Span>,
    /// Entries read so far, counted against `max`.
    read: usize,
    max: usize,
    /// The folder has no more entries, or `max` of them have been read.
    done: bool,
}

impl Lister {
    /// Read more of the folder: on Linux the entries one `getdents` call gives in `room`
    /// bytes, elsewhere all of them. Returns whether the listing is complete.
    pub(super) fn read_some(&mut self, room: usize) -> io::Result<bool> {
        if !self.done {
            let (names, spans) = (&mut self.names, &mut self.spans);
            let more = read_names(
                &self.folder.dir,
                self.folder.handle.as_ref(),
                room,
                self.max,
                &mut self.read,
                &mut |name, linked| {
                    spans.push(Span {
                        key: sort_key(name),
                        name: names.len()..names.len() + name.len(),
                        linked,
                        order: spans.len(),
                    });
                    names.extend_from_slice(name);
                },
            )?;
            self.done = !more;
        }
        Ok(self.done)
    }

    /// How many files have been listed so far.
    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }

    /// The `i`-th file listed, in the folder's order; `None` past the files listed so far.
    pub(super) fn file(&self, i: usize) -> Option<FileName> {
        self.spans.get(i).map(|span| {
            self.folder
                .file(&self.names[span.name.clone()], span.linked)
        })
    }

    /// The folder's path, for errors.
    pub(super) fn dir(&self) -> &Path {
        &self.folder.dir
    }

    /// Read the rest of the folder, and sort its files by name, bytewise.
    pub(super) fn finish(mut self) -> io::Result<Listing> {
        while !self.read_some(LIST_BUFFER)? {}
        let names = self.names;
        // The key decides most comparisons: names of a folder tend to differ in their first
        // eight bytes, or to share them (Maildir's time stamps); then the whole names do.
        self.spans.sort_unstable_by(|a, b| {
            a.key
                .cmp(&b.key)
                .then_with(|| names[a.name.clone()].cmp(&names[b.name.clone()]))
        });
        Ok(Listing {
            folder: self.folder,
            names,
            spans: self.spans.into_iter(),
            taken_ahead: 0,
        })
    }
}

/// A name's first eight bytes as a big-endian number, zero-padded: keys compare as the names'
/// first eight bytes do (a file name holds no zero byte, so a shorter name sorts first).
fn sort_key(name: &[u8]) -> u64 {
    let mut key = [0u8; 8];
    let n = name.len().min(8);
    key[..n].copy_from_slice(&name[..n]);
    u64::from_be_bytes(key)
}

/// A folder's files, sorted: their names in one buffer, handed out in order.
pub(super) struct Listing {
    folder: Folder,
    names: Vec<u8>,
    /// Each file's name in `names`, the next first.
    spans: std::vec::IntoIter<Span>,
    /// The first files in the folder's order that were handed out before the listing was
    /// complete ([`Self::taken_ahead`]): they are passed over here.
    taken_ahead: usize,
}

/// A file of a listing.
struct Span {
    /// The name's first bytes, to sort by ([`sort_key`]).
    key: u64,
    /// Where its name is in the listing's `names`.
    name: Range<usize>,
    /// It is a link, or of a type the listing did not give: it may live on another file
    /// system than its folder.
    linked: bool,
    /// Its place in the folder's order.
    order: usize,
}

impl Listing {
    /// How many files are left to hand out, or to pass over.
    pub(super) fn left(&self) -> usize {
        self.spans.len()
    }

    /// The next file: its path (the folder's joined with its name), how long its name is,
    /// and the folder's handle to open it by name. Files taken ahead are passed over, and
    /// `passed` counts them; `None` when no file is left to hand out.
    pub(super) fn next_file(&mut self, passed: &mut usize) -> Option<FileName> {
        for span in self.spans.by_ref() {
            if span.order < self.taken_ahead {
                *passed += 1;
                continue;
            }
            return Some(self.folder.file(&self.names[span.name], span.linked));
        }
        None
    }

    /// Mark the first `count` files of the folder's order (see [`Lister::file`]) as handed out
    /// already, before any other was: they are passed over by [`Self::next_file`]. Returns
    /// their places in the sorted listing, by their place in the folder's order.
    pub(super) fn taken_ahead(&mut self, count: usize) -> Vec<usize> {
        let mut places = vec![0; count];
        for (place, span) in self.spans.as_slice().iter().enumerate() {
            if let Some(p) = places.get_mut(span.order) {
                *p = place;
            }
        }
        self.taken_ahead = count;
        places
    }
}

/// A file to read: its path, and the folder handle to open it by its name (the path's last
/// `name_len` bytes) when there is one.
pub(super) struct FileName {
    pub(super) path: PathBuf,
    pub(super) name_len: usize,
    pub(super) handle: Option<Handle>,
    /// A read that returns less than it asked for is at the end of the file (see
    /// [`short_read_ends`]).
    pub(super) short_read_ends: bool,
}

impl FileName {
    /// A file given by its path alone, opened by that path.
    pub(super) fn by_path(path: PathBuf) -> Self {
        Self {
            path,
            name_len: 0,
            handle: None,
            short_read_ends: false,
        }
    }

    /// Open the file for reading: by its name in its folder, or by its path.
    pub(super) fn open(&self) -> io::Result<std::fs::File> {
        #[cfg(unix)]
        if let Some(dir) = &self.handle {
            use rustix::fs::{Mode, OFlags};
            let path = self.path.as_os_str().as_encoded_bytes();
            let name = &path[path.len().saturating_sub(self.name_len)..];
            let fd = rustix::fs::openat(
                &**dir,
                name,
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            return Ok(std::fs::File::from(fd));
        }
        std::fs::File::open(&self.path)
    }
}

/// The file systems whose reads of a regular file return less than asked for only at the end
/// of the file (or on a fatal signal): those that read through the page cache. A reader of
/// such a file can take a short read for the end and save the read that would return nothing,
/// a seventh of the system time per message on the bounce corpus. Network and user-space file
/// systems (NFS, SMB, FUSE, 9p) may return short reads mid-file and are not listed; nor are
/// those not known here. Only a folder's own files count: a link may lead to another file
/// system.
#[cfg(target_os = "linux")]
const SHORT_READ_ENDS: [u32; 7] = [
    0xEF53,      // ext2, ext3, ext4
    0x5846_5342, // XFS
    0x9123_683E, // Btrfs
    0x0102_1994, // tmpfs
    0x794C_7630, // overlayfs
    0xF2F5_2010, // F2FS
    0x2FC1_2FC1, // ZFS
];

/// Whether the file system of an open folder is one of [`SHORT_READ_ENDS`].
#[cfg(target_os = "linux")]
fn short_read_ends(fd: &rustix::fd::OwnedFd) -> bool {
    // The magic number is 32 bits wide; the field holding it is wider on some platforms.
    rustix::fs::fstatfs(fd).is_ok_and(|s| SHORT_READ_ENDS.contains(&(s.f_type as u32)))
}

/// Elsewhere every file is read until a read returns nothing.
#[cfg(all(unix, not(target_os = "linux")))]
fn short_read_ends(_fd: &rustix::fd::OwnedFd) -> bool {
    false
}

/// A name read from a folder, as a path component.
#[cfg(unix)]
fn name_as_path(name: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(name))
}

/// A name read from a folder, as a path component. Names were kept as UTF-8 (see
/// [`read_names_by_path`]).
#[cfg(not(unix))]
fn name_as_path(name: &[u8]) -> std::borrow::Cow<'_, Path> {
    match String::from_utf8_lossy(name) {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(Path::new(s)),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(PathBuf::from(s)),
    }
}

/// Room for the entries one `getdents` call returns: about 400 names of a Maildir's length.
const LIST_BUFFER: usize = 32 * 1024;

/// Room for the first entries of a listing read ahead (see [`Lister`]): about 40 names of a
/// Maildir's length.
pub(super) const FIRST_LIST_BUFFER: usize = 2 * 1024;

/// Hand each file name of an open folder to `keep`, with whether it is a link (or of a type
/// the folder did not say) rather than a file of the folder itself: the names one `getdents`
/// call returns into `room` bytes. Entries are counted in `read`, up to `max` (see
/// [`Folder::list`]). Returns whether there may be more.
#[cfg(target_os = "linux")]
fn read_names(
    dir: &Path,
    handle: Option<&Handle>,
    room: usize,
    max: usize,
    read: &mut usize,
    keep: &mut impl FnMut(&[u8], bool),
) -> io::Result<bool> {
    use rustix::fs::RawDir;
    let Some(fd) = handle else {
        read_names_by_path(dir, max, read, keep)?;
        return Ok(false);
    };
    let mut buf = Vec::with_capacity(room);
    let mut entries = RawDir::new(&**fd, buf.spare_capacity_mut());
    while *read < max {
        {
            let Some(entry) = entries.next() else {
                return Ok(false);
            };
            keep_entry(fd, &entry?, read, keep);
        }
        if entries.is_buffer_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// [`read_names`] for one entry.
#[cfg(target_os = "linux")]
fn keep_entry(
    fd: &rustix::fd::OwnedFd,
    entry: &rustix::fs::RawDirEntry<'_>,
    read: &mut usize,
    keep: &mut impl FnMut(&[u8], bool),
) {
    use rustix::fs::{AtFlags, FileType};
    let name = entry.file_name().to_bytes();
    if name == b"." || name == b".." {
        return;
    }
    *read += 1;
    // Only a first byte `.` makes a name start with a dot, whatever the bytes after it.
    if name.starts_with(b".") {
        return;
    }
    // The entry's own type needs no system call; a link (or a file system that gives no
    // type) is followed to see what it is.
    let (is_file, linked) = match entry.file_type() {
        FileType::RegularFile => (true, false),
        FileType::Symlink | FileType::Unknown => {
            let st = rustix::fs::statat(fd, entry.file_name(), AtFlags::empty());
            let is_file =
                st.is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::RegularFile);
            (is_file, true)
        }
        _ => (false, false),
    };
    if is_file {
        keep(name, linked);
    }
}

#[cfg(not(target_os = "linux"))]
fn read_names(
    dir: &Path,
    _handle: Option<&Handle>,
    _room: usize,
    max: usize,
    read: &mut usize,
    keep: &mut impl FnMut(&[u8], bool),
) -> io::Result<bool> {
    read_names_by_path(dir, max, read, keep)?;
    Ok(false)
}

/// [`read_names`] through std's `read_dir`, for a folder without a handle. On Unix a name is
/// kept as its bytes; elsewhere as UTF-8 (an unpaired surrogate in a Windows name is replaced).
fn read_names_by_path(
    dir: &Path,
    max: usize,
    read: &mut usize,
    keep: &mut impl FnMut(&[u8], bool),
) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)?.take(max.saturating_sub(*read)) {
        let entry = entry?;
        *read += 1;
        let name = entry.file_name();
        #[cfg(unix)]
        let name = name.as_encoded_bytes();
        #[cfg(not(unix))]
        let name = name.to_string_lossy();
        #[cfg(not(unix))]
        let name = name.as_bytes();
        if name.starts_with(b".") {
            continue;
        }
        let (is_file, linked) = match entry.file_type() {
            Ok(t) if t.is_file() => (true, false),
            Ok(t) if !t.is_symlink() => (false, false),
            _ => (entry.path().is_file(), true),
        };
        if is_file {
            keep(name, linked);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn names(listing: &mut Listing) -> Vec<String> {
        std::iter::from_fn(|| listing.next_file(&mut 0))
            .map(|f| {
                let path = f.path.to_string_lossy().into_owned();
                path[path.len() - f.name_len..].to_owned()
            })
            .collect()
    }

    #[test]
    fn a_listing_is_sorted_and_keeps_only_files_and_links_to_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["b.eml", "a.eml", "C.eml", ".hidden"] {
            std::fs::write(dir.path().join(name), name).expect("write");
        }
        std::fs::create_dir(dir.path().join("folder")).expect("mkdir");
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(dir.path().join("a.eml"), dir.path().join("link.eml")).expect("link");
            symlink(dir.path().join("gone"), dir.path().join("dangling")).expect("link");
            symlink(dir.path().join("folder"), dir.path().join("to-folder")).expect("link");
        }
        let mut listing = Folder::open(dir.path())
            .expect("open")
            .list(usize::MAX)
            .expect("list");
        let want: &[&str] = if cfg!(unix) {
            &["C.eml", "a.eml", "b.eml", "link.eml"]
        } else {
            &["C.eml", "a.eml", "b.eml"]
        };
        assert_eq!(listing.left(), want.len());
        assert_eq!(names(&mut listing), want);
        assert_eq!(listing.left(), 0);
    }

    #[test]
    fn names_that_share_their_first_eight_bytes_or_are_shorter_sort_bytewise() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut want = vec![
            "1700000000.M1P2.host:2,S",
            "1700000000.M1P10.host:2,S",
            "17000000",
            "1700000",
            "170000001",
            "1700000\u{e9}",
            "2",
            "17000001.x",
        ];
        for name in &want {
            std::fs::write(dir.path().join(name), name).expect("write");
        }
        let mut listing = Folder::open(dir.path())
            .expect("open")
            .list(usize::MAX)
            .expect("list");
        want.sort_unstable();
        assert_eq!(names(&mut listing), want);
    }

    #[test]
    fn files_taken_ahead_of_the_sorted_listing_are_passed_over_and_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["e", "c", "a", "d", "b"] {
            std::fs::write(dir.path().join(name), name).expect("write");
        }
        let mut lister = Folder::open(dir.path()).expect("open").lister(usize::MAX);
        while !lister.read_some(FIRST_LIST_BUFFER).expect("read") {}
        // The first two in the folder's order, whatever that order is.
        let name_of = |f: FileName| f.path.to_string_lossy().into_owned();
        let taken: Vec<String> = (0..2)
            .map(|i| name_of(lister.file(i).expect("listed")))
            .collect();
        assert!(lister.file(5).is_none());
        let mut listing = lister.finish().expect("sorted");
        let places = listing.taken_ahead(2);
        let sorted: Vec<String> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|n| dir.path().join(n).to_string_lossy().into_owned())
            .collect();
        for (i, name) in taken.iter().enumerate() {
            assert_eq!(&sorted[places[i]], name, "taken {i}");
        }
        // The rest, in order; what was passed over is counted before each.
        let (mut passed, mut seen) = (0, Vec::new());
        while let Some(f) = listing.next_file(&mut passed) {
            seen.push((passed, name_of(f)));
        }
        assert_eq!(passed, 2);
        assert_eq!(seen.len(), 3);
        for (before, name) in seen {
            let place = sorted.iter().position(|s| *s == name).expect("listed");
            let taken_before = places.iter().filter(|&&p| p < place).count();
            assert_eq!(before, taken_before, "{name}");
        }
    }

    #[test]
    fn a_listed_file_opens_by_its_name_and_reads_its_own_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["1:2,S", "2:2,S"] {
            std::fs::write(dir.path().join(name), format!("message {name}")).expect("write");
        }
        let mut listing = Folder::open(dir.path())
            .expect("open")
            .list(usize::MAX)
            .expect("list");
        for name in ["1:2,S", "2:2,S"] {
            let file = listing.next_file(&mut 0).expect("a file");
            assert_eq!(file.path, dir.path().join(name));
            let mut text = String::new();
            file.open()
                .expect("open")
                .read_to_string(&mut text)
                .expect("read");
            assert_eq!(text, format!("message {name}"));
        }
        assert!(listing.next_file(&mut 0).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_read_to_its_end_whatever_its_folders_file_system() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a"), "x").expect("write");
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("b")).expect("link");
        let folder = Folder::open(dir.path()).expect("open");
        let own = folder.short_read_ends;
        let mut listing = folder.list(usize::MAX).expect("list");
        let a = listing.next_file(&mut 0).expect("a");
        let b = listing.next_file(&mut 0).expect("b");
        assert_eq!(a.short_read_ends, own, "a file of the folder");
        assert!(!b.short_read_ends, "a link may lead to another file system");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_short_read_ends_a_file_on_tmpfs_and_not_on_proc() {
        // /proc's files are made as they are read: a short read there says nothing.
        if let Ok(folder) = Folder::open(Path::new("/proc/self")) {
            assert!(!folder.short_read_ends);
        }
        let dev_shm = Path::new("/dev/shm");
        let on_tmpfs = rustix::fs::statfs(dev_shm).is_ok_and(|s| s.f_type as u32 == 0x0102_1994);
        if on_tmpfs {
            assert!(
                Folder::open(dev_shm).expect("open").short_read_ends,
                "tmpfs"
            );
        }
    }

    #[test]
    fn a_listing_reads_at_most_max_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        for i in 0..10 {
            std::fs::write(dir.path().join(format!("{i}.eml")), "x").expect("write");
        }
        let listing = Folder::open(dir.path())
            .expect("open")
            .list(4)
            .expect("list");
        assert_eq!(listing.left(), 4);
    }

    #[test]
    fn a_missing_folder_does_not_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        #[cfg(unix)]
        assert!(Folder::open(&dir.path().join("missing")).is_err());
        #[cfg(not(unix))]
        assert!(
            Folder::open(&dir.path().join("missing"))
                .expect("opened later")
                .list(usize::MAX)
                .is_err()
        );
    }
}
