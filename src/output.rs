//! Where a command's output goes: one rule for every output path (`backfill -o`, `report -o`
//! and `--html`, `fit-reference -o`, the files of `fixtures --out` and of the results
//! directory), decided once by [`Output::resolve`] before anything is read, and never by
//! reading the path.
//!
//! The rule, by what the path is:
//!
//! | the path is | what happens |
//! |---|---|
//! | `-`, `/dev/stdout`, `/dev/fd/1` | written to the command's stdout (appending to a `>>` log stays appending) |
//! | a regular file, or a new name in an existing directory | written whole to a temporary file beside it (mode `0666` minus the umask), synced, renamed over it: a reader sees the old file or the new one |
//! | a symbolic link | followed, link by link, and the rule applied to what it names; the link itself is never replaced (a dangling link's target is created) |
//! | a character device, a FIFO, another `/dev/fd/N` | opened for writing (appending, never truncating) and written in place, as a shell's `>>` would; never read, never replaced (a FIFO waits for its reader) |
//! | a directory (also `.`, `..`, `/`, any name ending in `/`), a socket, a block device | refused: exit 2 |
//! | a regular file no one may write (no `w` bit) | refused: exit 2 |
//! | one of the run's inputs | refused: exit 2. The inputs are the config file, the reference profile, each file of the features, predictions, outcomes and reference sources (a directory source: anything under it; a glob: each file it matches, and any new name it would match), and the results directory's own files (`latest.json`, the dated results, the lock; a cron log or a report beside them is the user's). Compared by device and inode, so another name or a link to an input is caught |
//! | a Parquet file (it starts with `PAR1`) | refused: exit 2; only a regular file's first 4 bytes are read to tell. `fixtures --force`, which writes Parquet, replaces it |
//!
//! Two outputs of one command onto one file (`report -o F --html F`, also by a link or through
//! stdout or `/dev/fd/N` appended to it) are refused too ([`Output::apart_from`]); stdout
//! appended to a Parquet file is refused as naming it would be. The results directory's files
//! ([`Output::resolve_store`]) must be files: a device or a FIFO there is refused. `fixtures`
//! writes its three files together ([`write_together`]). A path that cannot be written (a missing directory, no
//! permission, a full disk, `/dev/full`) is exit 1, naming the path; no temporary file is left
//! behind. In the results directory ([`crate::store`]) a refusal or a failed write is a failed
//! save instead (exit 8: the result was computed).
//!
//! Why this shape: a rename replaces whatever the name was (a device node, a symlink, the
//! config file), so it is kept for what it is right for, a regular file, and everything else is
//! either written as a shell would write it or refused; and the path is never read, because
//! reading a FIFO or `/dev/stdout` into a pipe blocks for ever.
//!
//! [`Output::write`] takes the command's stdout writer: the [`crate::printer::Printer`] a
//! command writes all its data through passes its own.

use std::fmt;
use std::fs::{self, Metadata, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use crate::settings::Settings;

/// Why an output path is refused (exit 2), and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A directory.
    Directory,
    /// A Unix socket.
    Socket,
    /// A block device (a disk).
    BlockDevice,
    /// A regular file without any write permission bit.
    ReadOnly {
        /// Its permission bits.
        mode: u32,
    },
    /// A Parquet file: by a slip, the data itself.
    Parquet,
    /// A character device or a FIFO where the results directory keeps a file.
    NotAFile,
    /// A file where a directory is needed (`fixtures --out`).
    NotADirectory,
    /// This command's own stdout, where a file is needed (a link to `/dev/stdout`).
    OwnStdout,
    /// The file another output of the same command writes (`report -o F --html F`).
    Twice {
        /// The other output's flag.
        flag: &'static str,
    },
    /// One of the run's inputs.
    Input {
        /// Which one: "the config file", "the features source (DIR)", ….
        what: String,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Directory => f.write_str("it is a directory"),
            Self::Socket => f.write_str("it is a socket"),
            Self::BlockDevice => f.write_str("it is a block device"),
            Self::ReadOnly { mode } => write!(f, "it is read-only (mode {mode:04o})"),
            Self::Parquet => f.write_str("it is a Parquet file (data), which this text output would replace"),
            Self::NotAFile => f.write_str("it is a device or a FIFO, and the results directory keeps files"),
            Self::NotADirectory => f.write_str("it is not a directory"),
            Self::OwnStdout => f.write_str("it is this command's stdout, where a file is needed"),
            Self::Twice { flag } => write!(f, "it is also the {flag} output, which one would replace"),
            Self::Input { what } => write!(f, "it is {what}, an input of this run"),
        }
    }
}

/// Why an output could not be used.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The path is refused by the rule (exit 2); nothing was read or written.
    #[error("refusing to write {path}: {why}")]
    Refused {
        /// The path as given (and, after a symlink, what it names).
        path: String,
        /// Why.
        why: Refusal,
    },
    /// The path could not be written (exit 1).
    #[error("failed to write {path}: {detail}")]
    Write {
        /// The path as given.
        path: String,
        /// The I/O error.
        detail: String,
    },
}

impl OutputError {
    /// What the user can do about it.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Refused { why: Refusal::Directory | Refusal::Socket | Refusal::BlockDevice, .. } => {
                "name a file to write: a regular file (replaced whole), a character device or a FIFO (written \
                 through), or `-` for stdout"
            }
            Self::Refused { why: Refusal::ReadOnly { .. }, .. } => {
                "make it writable (chmod u+w) if it is meant to be replaced, or choose another path"
            }
            Self::Refused { why: Refusal::Parquet, .. } => "choose another path: this one holds data",
            Self::Refused { why: Refusal::NotADirectory, .. } => "name a directory (it is created when missing)",
            Self::Refused { why: Refusal::OwnStdout, .. } => "name a file, not a link to /dev/stdout",
            Self::Refused { why: Refusal::NotAFile, .. } => {
                "remove it: the results directory keeps its results and its lock as regular files"
            }
            Self::Refused { why: Refusal::Twice { .. }, .. } => "give each output its own path",
            Self::Refused { why: Refusal::Input { .. }, .. } => {
                "choose an output path that is none of the run's inputs (config file, sources, reference profile, \
                 results directory)"
            }
            Self::Write { .. } => "check that the directory exists, is writable and has space left",
        }
    }

    /// A failed write to the command's stdout.
    #[must_use]
    pub fn stdout(e: &io::Error) -> Self {
        Self::Write { path: "<stdout>".into(), detail: e.to_string() }
    }
}

/// How a resolved output is written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The writer the command was given.
    Stdout,
    /// A regular file or a new name (canonical directory + file name): temporary file + rename.
    Replace(PathBuf),
    /// A character device, a FIFO or an open file descriptor: opened for writing, written in place.
    Through(PathBuf),
}

/// What an output writes: a text output must not replace a Parquet file (by a slip, the data);
/// a data output (`fixtures`) replaces one; a result file of the results directory must be a
/// file (a FIFO there would block the scheduled job, a device would swallow the result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    Text,
    Data,
    Store,
}

/// An output path, resolved by the rule in the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The path as given, for messages.
    shown: PathBuf,
    target: Target,
}

/// How many links are followed before giving up, as the kernel's `ELOOP` limit.
const MAX_LINKS: usize = 40;

impl Output {
    /// The command's stdout.
    #[must_use]
    pub fn stdout() -> Self {
        Self { shown: PathBuf::from("-"), target: Target::Stdout }
    }

    /// Resolves `path` by the rule: follows symlinks, looks at the file type (never at the
    /// contents, but for a regular file's first 4 bytes) and compares it with `inputs`.
    ///
    /// # Errors
    /// [`OutputError::Refused`] by the rule; [`OutputError::Write`] when its directory does not
    /// exist or a link cannot be followed.
    pub fn resolve(path: &Path, inputs: &Inputs) -> Result<Self, OutputError> {
        Self::resolve_as(path, inputs, Written::Text)
    }

    /// Resolves `path` for Parquet data (`fixtures --force`): the rule, but an existing Parquet
    /// file is what is meant to be replaced, and there are no inputs to protect.
    ///
    /// # Errors
    /// As [`Self::resolve`].
    pub fn resolve_data(path: &Path) -> Result<Self, OutputError> {
        let output = Self::resolve_as(path, &Inputs::none(), Written::Data)?;
        // A Parquet file into this process's stdout (a link to `/dev/stdout`) would be thrown
        // away: the command's stdout is for its summary line.
        if output.is_stdout() {
            return Err(refused(path, path, Refusal::OwnStdout));
        }
        Ok(output)
    }

    /// Resolves `path` for a file of the results directory: the rule, but a character device or
    /// a FIFO is refused too, and so is stdout.
    ///
    /// # Errors
    /// As [`Self::resolve`].
    pub fn resolve_store(path: &Path, inputs: &Inputs) -> Result<Self, OutputError> {
        let output = Self::resolve_as(path, inputs, Written::Store)?;
        if output.is_stdout() {
            return Err(refused(path, path, Refusal::OwnStdout));
        }
        Ok(output)
    }

    fn resolve_as(path: &Path, inputs: &Inputs, written: Written) -> Result<Self, OutputError> {
        if path.as_os_str() == "-" {
            return Self::checked_stdout(path, inputs);
        }
        if names_a_directory(path) {
            return Err(refused(path, path, Refusal::Directory));
        }
        let shown = path.to_path_buf();
        let fail = |at: &Path, detail: String| OutputError::Write { path: shown_as(path, at), detail };
        let mut at = path.to_path_buf();
        for _ in 0..MAX_LINKS {
            let md = match fs::symlink_metadata(&at) {
                Ok(md) => md,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let dest = new_file(&at).map_err(|e| fail(&at, e.to_string()))?;
                    inputs.check_new(&dest).map_err(|why| refused(path, &at, why))?;
                    return Ok(Self { shown, target: Target::Replace(dest) });
                }
                Err(e) => return Err(fail(&at, e.to_string())),
            };
            if !md.file_type().is_symlink() {
                let dest = new_file(&at).map_err(|e| fail(&at, e.to_string()))?;
                let target = classify(&dest, &md, inputs, written, false).map_err(|why| refused(path, &at, why))?;
                return Ok(Self { shown, target });
            }
            if let Some(fd) = descriptor(&at) {
                // `/dev/stdout`, `/dev/fd/N`, `>(…)`: the link names an open file, not a path.
                if fd == Descriptor::Stdout {
                    return Self::checked_stdout(&shown, inputs);
                }
                let md = fs::metadata(&at).map_err(|e| fail(&at, e.to_string()))?;
                let target = classify(&at, &md, inputs, written, true).map_err(|why| refused(path, &at, why))?;
                return Ok(Self { shown, target });
            }
            let link = fs::read_link(&at).map_err(|e| fail(&at, e.to_string()))?;
            // A relative target is relative to the link's directory.
            let next =
                at.parent().filter(|p| !p.as_os_str().is_empty()).map_or_else(|| link.clone(), |p| p.join(&link));
            if names_a_directory(&link) {
                return Err(refused(path, &next, Refusal::Directory));
            }
            at = next;
        }
        Err(fail(path, format!("more than {MAX_LINKS} symbolic links")))
    }

    /// Stdout, unless it is redirected into one of the run's inputs (`-o - >> cfg.toml`): a
    /// regular file behind file descriptor 1 is compared with the inputs as a named output is.
    fn checked_stdout(path: &Path, inputs: &Inputs) -> Result<Self, OutputError> {
        let fd1 = Path::new("/proc/self/fd/1");
        if let Ok(md) = fs::metadata(fd1)
            && md.file_type().is_file()
        {
            let dest = fs::read_link(fd1).unwrap_or_else(|_| fd1.to_path_buf());
            inputs.check_existing(&dest, &md).map_err(|why| refused(path, &dest, why))?;
            // `-o - >> data.parquet` is the same slip as `-o data.parquet`.
            if starts_with_par1(fd1) {
                return Err(refused(path, &dest, Refusal::Parquet));
            }
        }
        Ok(Self { shown: path.to_path_buf(), target: Target::Stdout })
    }

    /// Refuses `self` when it writes the same file as `other` (the output of `flag`): one
    /// would silently replace the other, or both would be mixed into stdout. Devices and FIFOs
    /// may be shared.
    ///
    /// # Errors
    /// [`OutputError::Refused`] naming `self`'s path.
    pub fn apart_from(&self, other: &Self, flag: &'static str) -> Result<(), OutputError> {
        let twice = |path: String| Err(OutputError::Refused { path, why: Refusal::Twice { flag } });
        match (&self.target, &other.target) {
            (Target::Replace(a), Target::Replace(b)) if a == b => return twice(printable(&self.shown)),
            (Target::Stdout, Target::Stdout) => return twice("<stdout>".to_owned()),
            _ => {}
        }
        // One regular file by two routes: `-o F --html /dev/stdout >> F`, `-o /dev/fd/3 3>>F`.
        match (self.regular_file(), other.regular_file()) {
            (Some(a), Some(b)) if a == b => {
                twice(if self.is_stdout() { "<stdout>".to_owned() } else { printable(&self.shown) })
            }
            _ => Ok(()),
        }
    }

    /// The device and inode of the regular file this output writes, when it exists.
    fn regular_file(&self) -> Option<(u64, u64)> {
        let path = match &self.target {
            Target::Stdout => Path::new("/proc/self/fd/1"),
            Target::Replace(p) | Target::Through(p) => p.as_path(),
        };
        fs::metadata(path).ok().filter(Metadata::is_file).map(|m| (m.dev(), m.ino()))
    }

    /// Whether this output is the command's stdout.
    #[must_use]
    pub fn is_stdout(&self) -> bool {
        self.target == Target::Stdout
    }

    /// The path as given (`-` for stdout).
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Writes `bytes` whole: to `stdout`, through the device or FIFO, or to a temporary file
    /// renamed over the file (mode `0666` minus the umask; a failure leaves the old file and no
    /// temporary one).
    ///
    /// # Errors
    /// [`OutputError::Write`] naming the path as given.
    pub fn write(&self, stdout: &mut dyn Write, bytes: &[u8]) -> Result<(), OutputError> {
        let shown = || if self.is_stdout() { "<stdout>".to_owned() } else { printable(&self.shown) };
        let done = match &self.target {
            Target::Stdout => stdout.write_all(bytes).and_then(|()| stdout.flush()),
            Target::Replace(dest) => replace(dest, bytes),
            // Appending, never truncating: a device or a FIFO ignores both, and a `>>` log
            // reached through `/dev/fd/N` keeps what it holds.
            Target::Through(path) => {
                OpenOptions::new().append(true).open(path).and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()))
            }
        };
        done.map_err(|e| OutputError::Write { path: shown(), detail: e.to_string() })
    }
}

/// `.`, `..`, `/` and a name ending in `/` name a directory, whether or not it exists (a path
/// as given, or a symlink's target).
fn names_a_directory(path: &Path) -> bool {
    // `Path::components` drops a trailing `.` (`new/.` would read as `new`): the bytes tell.
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes.ends_with(b"/")
        || bytes.ends_with(b"/.")
        || bytes == b"."
        || matches!(path.components().next_back(), Some(Component::CurDir | Component::ParentDir | Component::RootDir))
}

fn refused(given: &Path, at: &Path, why: Refusal) -> OutputError {
    OutputError::Refused { path: shown_as(given, at), why }
}

/// The path as given, and what it names when a symlink led elsewhere: `given (→ at)`, with
/// control characters escaped so that the error stays one line.
fn shown_as(given: &Path, at: &Path) -> String {
    if given == at { printable(given) } else { format!("{} (→ {})", printable(given), printable(at)) }
}

/// `path` for a one-line message: control characters (a newline in a file name) escaped.
#[must_use]
pub fn printable(path: &Path) -> String {
    escape_controls(&path.display().to_string())
}

/// `text` with its control characters escaped (`\n` for a newline): one line whatever it holds.
#[must_use]
pub fn escape_controls(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// What the rule does with a path that is not a symlink: by its file type, then, for a regular
/// file, whether it is an input, read-only or Parquet (in that order: the most telling reason
/// first). `through`: it is an open file descriptor (`/dev/fd/N`), written in place whatever it
/// is.
fn classify(path: &Path, md: &Metadata, inputs: &Inputs, written: Written, through: bool) -> Result<Target, Refusal> {
    let kind = md.file_type();
    if kind.is_dir() {
        return Err(Refusal::Directory);
    } else if kind.is_socket() {
        return Err(Refusal::Socket);
    } else if kind.is_block_device() {
        return Err(Refusal::BlockDevice);
    } else if kind.is_char_device() || kind.is_fifo() {
        if written == Written::Store {
            return Err(Refusal::NotAFile);
        }
        // Not compared with the inputs: `--config /dev/null` and `-o /dev/null` may meet.
        return Ok(Target::Through(path.to_path_buf()));
    }
    inputs.check_existing(path, md)?;
    let mode = md.permissions().mode() & 0o7777;
    if mode & 0o222 == 0 {
        return Err(Refusal::ReadOnly { mode });
    }
    if written != Written::Data && starts_with_par1(path) {
        return Err(Refusal::Parquet);
    }
    Ok(if through { Target::Through(path.to_path_buf()) } else { Target::Replace(path.to_path_buf()) })
}

/// Whether a regular file starts with Parquet's magic bytes (the caller knows it is regular:
/// a FIFO would block here).
fn starts_with_par1(path: &Path) -> bool {
    let mut magic = [0_u8; 4];
    fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok_and(|()| &magic == b"PAR1")
}

/// `path` as its canonical directory plus its file name: where the temporary file goes and
/// what the rename replaces. The directory must exist.
fn new_file(path: &Path) -> io::Result<PathBuf> {
    let name = match path.components().next_back() {
        Some(Component::Normal(name)) => name.to_owned(),
        _ => return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a file name")),
    };
    let dir = fs::canonicalize(parent_of(path))?;
    if !dir.is_dir() {
        return Err(io::Error::new(io::ErrorKind::NotADirectory, format!("{} is not a directory", dir.display())));
    }
    Ok(dir.join(name))
}

fn parent_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."))
}

#[derive(Debug, PartialEq, Eq)]
enum Descriptor {
    Stdout,
    Other,
}

/// Whether `link` is one of `/proc/PID/fd/N` (what `/dev/stdout` and `/dev/fd/N` lead to): a
/// link to an open file that may be a pipe, not a path to follow.
fn descriptor(link: &Path) -> Option<Descriptor> {
    let dir = fs::canonicalize(parent_of(link)).ok()?;
    if !(dir.starts_with("/proc") && dir.file_name().is_some_and(|n| n == "fd")) {
        return None;
    }
    let own = fs::canonicalize("/proc/self/fd").ok();
    let stdout = own.as_deref() == Some(dir.as_path()) && link.file_name().is_some_and(|n| n == "1");
    Some(if stdout { Descriptor::Stdout } else { Descriptor::Other })
}

/// Writes `bytes` to a new temporary file beside `dest` and renames it over `dest`. The
/// temporary file has a random name and is created with `O_CREAT|O_EXCL` and mode `0666` (the
/// kernel takes the umask off), so a file or symlink planted beside `dest` is never followed; it
/// is removed when anything fails.
fn replace(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    stage(dest, bytes)?.persist(dest).map_err(|e| e.error)?;
    Ok(())
}

/// The temporary file of [`replace`], written and synced, not yet renamed.
fn stage(dest: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    // The temporary name adds about 16 bytes: a name near the 255-byte limit is cut in it.
    let name: String =
        dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().chars().take(64).collect();
    // Without the random temporary name tempfile adds to its errors: the caller names `dest`.
    let plain = |e: io::Error| {
        let text = e.to_string();
        match text.split_once(" at path ") {
            Some((cause, _)) => io::Error::new(e.kind(), cause.to_owned()),
            None => e,
        }
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(parent_of(dest))
        .map_err(plain)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Writes several outputs as one (`fixtures`' three files): every file's temporary file is
/// written first, then the devices and FIFOs, and only then are the temporary files renamed,
/// so a failure before the renames (a full disk, `/dev/full`) leaves every file as it was.
///
/// # Errors
/// [`OutputError::Write`] naming the output that failed.
pub fn write_together(items: &[(&Output, &[u8])], stdout: &mut dyn Write) -> Result<(), OutputError> {
    let mut staged = Vec::new();
    for (output, bytes) in items {
        if let Target::Replace(dest) = &output.target {
            let tmp = stage(dest, bytes)
                .map_err(|e| OutputError::Write { path: printable(&output.shown), detail: e.to_string() })?;
            staged.push((*output, dest, tmp));
        }
    }
    for (output, bytes) in items.iter().filter(|(o, _)| !matches!(o.target, Target::Replace(_))) {
        output.write(stdout, bytes)?;
    }
    for (output, dest, tmp) in staged {
        tmp.persist(dest)
            .map_err(|e| OutputError::Write { path: printable(&output.shown), detail: e.error.to_string() })?;
    }
    Ok(())
}

/// The run's inputs, which no output may replace.
#[derive(Debug, Default)]
pub struct Inputs {
    inputs: Vec<(String, Input)>,
}

#[derive(Debug)]
enum Input {
    /// A file, or a directory (anything under it), or a glob (each file it matches).
    Source(String),
    /// The results directory: the files the store keeps there (`latest.json`, the dated
    /// results `<model>_<YYYY-MM-DD>.json`, the lock), by name or as another name of one of
    /// them; anything else in it (a cron log, a report) is the user's.
    Results(PathBuf),
}

impl Inputs {
    /// No inputs: the results directory's own files.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// The inputs of a run with `settings` read from the config file `config`: the config file,
    /// the sources, the reference profile and the results directory.
    #[must_use]
    pub fn of(settings: &Settings, config: Option<&Path>) -> Self {
        let s = &settings.sources;
        let mut inputs = Vec::new();
        let mut source = |what: &str, path: Option<String>| {
            if let Some(path) = path {
                inputs.push((what.to_owned(), Input::Source(path)));
            }
        };
        source("the config file", config.map(|p| p.display().to_string()));
        source("the features source", Some(s.features.clone()));
        source("the predictions source", s.predictions.clone());
        source("the outcomes source", s.outcomes.clone());
        source("the reference source", s.reference.clone());
        source("the reference profile", s.reference_profile.as_ref().map(|p| p.display().to_string()));
        if let Some(dir) = &settings.results_dir {
            inputs.push(("in the results directory".to_owned(), Input::Results(dir.clone())));
        }
        Self { inputs }
    }

    /// The inputs `fit-reference`'s profile must not replace: those of [`Self::of`] but the
    /// reference profile, which it reads no row of: refitting the daily job's profile in place is
    /// the monthly chore, and the write (temporary file, then rename) leaves a running job the
    /// old profile or the new one.
    #[must_use]
    pub fn for_fitting(settings: &Settings, config: Option<&Path>) -> Self {
        let mut inputs = Self::of(settings, config);
        inputs.inputs.retain(|(what, _)| what != "the reference profile");
        inputs
    }

    /// The inputs a file of the results directory must not replace: those of [`Self::of`] but
    /// the results directory itself (a symlinked `latest.json` may not lead to the config file).
    #[must_use]
    pub fn for_results(settings: &Settings, config: Option<&Path>) -> Self {
        let mut inputs = Self::of(settings, config);
        inputs.inputs.retain(|(_, input)| !matches!(input, Input::Results(_)));
        inputs
    }

    /// Refuses a results directory `dir` that a source would read: one that is or lies in a
    /// directory source, or whose result files a glob source would match. Nothing needs to
    /// exist yet.
    ///
    /// # Errors
    /// [`OutputError::Refused`] naming `dir` and the source.
    pub fn check_results_dir(&self, dir: &Path) -> Result<(), OutputError> {
        let results = canonical_as_far_as_exists(dir);
        for (what, input) in &self.inputs {
            let Input::Source(source) = input else { continue };
            let hit = if is_glob(source) {
                // As a pattern over whole paths too (`data/**/*`, `data/*/*`), where the
                // results directory does not exist yet for the directory part to match.
                let pattern = glob::Pattern::new(&canonical_as_far_as_exists(Path::new(source)).to_string_lossy());
                let options = glob::MatchOptions { require_literal_separator: true, ..glob::MatchOptions::new() };
                ["latest.json", "model_2000-01-01.json"].iter().any(|name| {
                    let file = results.join(name);
                    glob_matches(source, &file) || pattern.as_ref().is_ok_and(|p| p.matches_path_with(&file, options))
                })
            } else {
                // A file source beside the results is never read as one of them.
                let source = canonical_as_far_as_exists(Path::new(source));
                source.is_dir() && results.starts_with(&source)
            };
            if hit {
                return Err(refused(dir, dir, Refusal::Input { what: describe(what, input) }));
            }
        }
        Ok(())
    }

    /// Refuses an existing file (`dest`, of metadata `md`) that is one of the inputs.
    fn check_existing(&self, dest: &Path, md: &Metadata) -> Result<(), Refusal> {
        let same = |p: &Path| fs::metadata(p).is_ok_and(|m| m.dev() == md.dev() && m.ino() == md.ino());
        for (what, input) in &self.inputs {
            let hit = match input {
                Input::Source(source) if is_glob(source) => {
                    glob::glob(source).is_ok_and(|paths| paths.flatten().any(|p| same(&p)))
                }
                Input::Source(source) => {
                    same(Path::new(source)) || under(dest, Path::new(source)) || holds(Path::new(source), md)
                }
                Input::Results(dir) => results_file(dest, dir) || kept_in(dir, md),
            };
            if hit {
                return Err(Refusal::Input { what: describe(what, input) });
            }
        }
        Ok(())
    }

    /// Refuses a new file (`dest`: canonical directory + name) that a source would read.
    fn check_new(&self, dest: &Path) -> Result<(), Refusal> {
        for (what, input) in &self.inputs {
            let hit = match input {
                Input::Source(source) if is_glob(source) => glob_matches(source, dest),
                Input::Source(source) => under(dest, Path::new(source)),
                Input::Results(dir) => results_file(dest, dir),
            };
            if hit {
                return Err(Refusal::Input { what: describe(what, input) });
            }
        }
        Ok(())
    }
}

/// `path` made absolute and canonical as far as it exists, the rest appended as given.
fn canonical_as_far_as_exists(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = Vec::new();
    let mut at = absolute.as_path();
    loop {
        if let Ok(real) = fs::canonicalize(at) {
            return missing.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_owned());
                at = parent;
            }
            _ => return absolute,
        }
    }
}

/// Whether `dest` (canonical directory + name) is one of the files the results directory `dir`
/// keeps: `latest.json`, a dated result `*_YYYY-MM-DD.json`, or the lock.
fn results_file(dest: &Path, dir: &Path) -> bool {
    let in_dir = fs::canonicalize(dir).is_ok_and(|dir| dest.parent() == Some(dir.as_path()));
    in_dir && dest.file_name().and_then(|n| n.to_str()).is_some_and(is_results_name)
}

/// `latest.json`, `.nepse-drift.lock`, or `<stem>_YYYY-MM-DD.json`.
fn is_results_name(name: &str) -> bool {
    let dated = name.strip_suffix(".json").and_then(|s| s.rsplit_once('_')).is_some_and(|(stem, date)| {
        !stem.is_empty() && date.len() == 10 && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
    });
    name == "latest.json" || name == ".nepse-drift.lock" || dated
}

/// Whether the file of metadata `md` is, under another name (a hard link from outside), one of
/// the files the results directory `dir` keeps (compared by device and inode).
fn kept_in(dir: &Path, md: &Metadata) -> bool {
    if md.nlink() < 2 {
        return false;
    }
    let Ok(entries) = fs::read_dir(dir) else { return false };
    entries.flatten().any(|entry| {
        entry.file_name().to_str().is_some_and(is_results_name)
            && entry.metadata().is_ok_and(|m| m.dev() == md.dev() && m.ino() == md.ino())
    })
}

/// How deep [`holds`] looks into a directory input (a Hive-partitioned source is two or three
/// levels deep).
const MAX_DEPTH: usize = 8;

/// Whether the directory `dir` holds, at any depth up to [`MAX_DEPTH`], the file of metadata
/// `md` under another name (a hard link from outside): compared by device and inode.
fn holds(dir: &Path, md: &Metadata) -> bool {
    // A file with one link has no other name to find: no walk (the daily save's path).
    md.nlink() > 1 && holds_at(dir, md, 0)
}

fn holds_at(dir: &Path, md: &Metadata, depth: usize) -> bool {
    let Ok(entries) = fs::read_dir(dir) else { return false };
    entries.flatten().any(|entry| {
        let Ok(kind) = entry.file_type() else { return false };
        if kind.is_dir() {
            depth < MAX_DEPTH && holds_at(&entry.path(), md, depth + 1)
        } else {
            entry.metadata().is_ok_and(|m| m.dev() == md.dev() && m.ino() == md.ino())
        }
    })
}

fn describe(what: &str, input: &Input) -> String {
    match input {
        Input::Source(source) if what != "the config file" && what != "the reference profile" => {
            format!("{what} ({source})")
        }
        Input::Results(dir) => format!("{what} ({})", dir.display()),
        Input::Source(_) => what.to_owned(),
    }
}

fn is_glob(source: &str) -> bool {
    source.contains(['*', '?', '['])
}

/// Whether `dest` (canonical directory + name) lies under the directory `dir`.
fn under(dest: &Path, dir: &Path) -> bool {
    fs::canonicalize(dir).is_ok_and(|dir| dir.is_dir() && dest.starts_with(dir))
}

/// Whether the glob `source` would match the new file `dest`: by its matched directory's
/// canonical form, so that `data/*.om` and `./data/x.om` meet.
fn glob_matches(source: &str, dest: &Path) -> bool {
    let pattern = Path::new(source);
    let (Some(dir), Some(name)) = (pattern.parent(), pattern.file_name()) else { return false };
    let dirs: Vec<PathBuf> = if is_glob(&dir.to_string_lossy()) {
        glob::glob(&dir.to_string_lossy()).map(|paths| paths.flatten().collect()).unwrap_or_default()
    } else {
        vec![parent_of(pattern).to_path_buf()]
    };
    let in_dir = dirs.iter().any(|d| fs::canonicalize(d).is_ok_and(|d| dest.parent() == Some(d.as_path())));
    in_dir
        && glob::Pattern::new(&name.to_string_lossy())
            .is_ok_and(|p| dest.file_name().is_some_and(|n| p.matches(&n.to_string_lossy())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_glob_matches_a_new_name_in_its_directory_only() {
        let tmp = tempfile::tempdir().unwrap();
        let data = fs::canonicalize(tmp.path()).unwrap().join("data");
        fs::create_dir(&data).unwrap();
        let source = format!("{}/*.om", data.display());
        assert!(glob_matches(&source, &data.join("x.om")));
        assert!(!glob_matches(&source, &data.join("x.txt")));
        assert!(!glob_matches(&source, &data.parent().unwrap().join("x.om")));
        let nested = format!("{}/*/part.om", tmp.path().display());
        assert!(glob_matches(&nested, &data.join("part.om")));
    }

    #[test]
    fn a_new_name_in_a_missing_directory_is_a_write_error() {
        let e = Output::resolve(Path::new("/nonexistent/dir/x.om"), &Inputs::none()).unwrap_err();
        assert!(matches!(e, OutputError::Write { .. }), "{e}");
        assert!(e.to_string().starts_with("failed to write /nonexistent/dir/x.om: "), "{e}");
    }

    #[test]
    fn dash_and_dev_stdout_are_stdout() {
        assert!(Output::resolve(Path::new("-"), &Inputs::none()).unwrap().is_stdout());
        assert!(Output::resolve(Path::new("/dev/stdout"), &Inputs::none()).unwrap().is_stdout());
        assert!(Output::resolve(Path::new("/dev/fd/1"), &Inputs::none()).unwrap().is_stdout());
    }

    #[test]
    fn a_link_chain_is_followed_to_its_end() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = fs::canonicalize(tmp.path()).unwrap();
        std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
        std::os::unix::fs::symlink("sub/c", dir.join("b")).unwrap();
        fs::create_dir(dir.join("sub")).unwrap();
        let out = Output::resolve(&dir.join("a"), &Inputs::none()).unwrap();
        assert_eq!(out.target, Target::Replace(dir.join("sub/c")));
        std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
        let e = Output::resolve(&dir.join("loop"), &Inputs::none()).unwrap_err();
        assert!(e.to_string().contains("symbolic links"), "{e}");
    }
}
