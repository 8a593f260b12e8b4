//! Writing output files safely. Every destination is checked before any seed runs, so a typo
//! in `--report` or `--html` costs nothing computed. A file is written to a temporary file in
//! its own directory and renamed over the destination: a reader never sees half a file, and a
//! symlink at the destination is replaced, never written through. A file named on the command
//! line that is a stream (a character device such as `/dev/null`, or a pipe, directly or
//! through a link such as `/dev/stdout`) is written to as it is: renaming over it would put a
//! regular file in its place. Any other special file there is refused. A report directory
//! keeps a manifest of the files ftsim wrote there, so the next report removes its own stale
//! files and nothing else.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::CliError;

/// The manifest of a report directory: the files the last report wrote, one name a line.
pub const MANIFEST: &str = ".ftsim-report-files";

fn io(path: &Path, error: std::io::Error) -> CliError {
    CliError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// The directory a file is written in ("." for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A temporary file next to `path`, created new (never through an existing file or link).
fn create_temp(path: &Path) -> Result<(PathBuf, File), CliError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| CliError::Usage(format!("{}: not a file name", path.display())))?;
    let dir = parent_of(path);
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let temp = dir.join(format!(".{name}.ftsim-{pid}-{attempt}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(path, e)),
        }
    }
    Err(io(
        path,
        std::io::Error::other("no free temporary file name next to it"),
    ))
}

/// What is at a destination named on the command line, links followed.
enum Destination {
    /// Nothing yet, a regular file, or a link to one: written atomically.
    File,
    /// A character device (`/dev/null`, a terminal): written to as it is.
    Device,
    /// A pipe: written to as it is, and not opened to check it (that waits for a reader).
    Pipe,
}

#[cfg(unix)]
fn destination(path: &Path) -> Result<Destination, CliError> {
    use std::os::unix::fs::FileTypeExt;
    let Ok(target) = fs::metadata(path) else {
        return Ok(Destination::File);
    };
    let kind = target.file_type();
    if kind.is_char_device() {
        Ok(Destination::Device)
    } else if kind.is_fifo() {
        Ok(Destination::Pipe)
    } else if kind.is_block_device() || kind.is_socket() {
        let why = "it is a block device or a socket; expected a file, a pipe or /dev/null";
        Err(io(path, std::io::Error::other(why)))
    } else {
        Ok(Destination::File)
    }
}

#[cfg(not(unix))]
fn destination(_path: &Path) -> Result<Destination, CliError> {
    Ok(Destination::File)
}

/// Opens a device or a pipe for writing, as it is (not created, not truncated).
fn open_stream(path: &Path) -> Result<File, CliError> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| io(path, e))
}

/// Whether a file named on the command line can be written: a device takes writes, a pipe is
/// taken as it is, anything else as [`check_file`].
pub fn check_output(path: &Path) -> Result<(), CliError> {
    match destination(path)? {
        Destination::Device => open_stream(path).map(drop),
        Destination::Pipe => Ok(()),
        Destination::File => check_file(path),
    }
}

/// Whether a file named on the command line is a stream (a device or a pipe, see the module
/// doc), written to as it is; otherwise it is a file, written anew and never through a link.
pub fn is_stream(path: &Path) -> Result<bool, CliError> {
    Ok(!matches!(destination(path)?, Destination::File))
}

/// Writes `bytes` to a file named on the command line: through to a device or a pipe (see
/// the module doc), else atomically.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    match destination(path)? {
        Destination::Device | Destination::Pipe => {
            let mut stream = open_stream(path)?;
            let written = stream.write_all(bytes).and_then(|()| stream.flush());
            written.map_err(|e| io(path, e))
        }
        Destination::File => write_atomic(path, bytes),
    }
}

/// Whether `path` can be written as a file: its directory exists and takes a new file, and
/// `path` is not a directory. Leaves nothing behind.
pub fn check_file(path: &Path) -> Result<(), CliError> {
    if path.is_dir() {
        return Err(io(
            path,
            std::io::Error::other("it is a directory; expected a file name"),
        ));
    }
    let dir = parent_of(path);
    if !dir.is_dir() {
        let why = format!("its directory {} does not exist", dir.display());
        return Err(io(path, std::io::Error::other(why)));
    }
    let (temp, file) = create_temp(path)?;
    drop(file);
    fs::remove_file(&temp).map_err(|e| io(&temp, e))
}

/// Whether files can be written in `dir`, creating it if needed. Leaves nothing behind but
/// the directory.
pub fn check_dir(dir: &Path) -> Result<(), CliError> {
    if dir.exists() && !dir.is_dir() {
        return Err(io(
            dir,
            std::io::Error::other("it is a file; expected a directory"),
        ));
    }
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    check_file(&dir.join("index.html"))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, renamed over
/// `path` (which replaces a symlink there rather than following it).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let (temp, mut file) = create_temp(path)?;
    let written = file.write_all(bytes).and_then(|()| file.flush());
    drop(file);
    if let Err(e) = written.and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(io(path, e));
    }
    Ok(())
}

/// The files an earlier report listed in `dir`'s manifest (plain names only: a manifest
/// never makes ftsim remove anything outside the directory).
fn listed(dir: &Path) -> Vec<String> {
    let Ok(text) = fs::read_to_string(dir.join(MANIFEST)) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|name| is_plain_name(name))
        .map(str::to_string)
        .collect()
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && Path::new(name).components().count() == 1
}

/// A report being written into a directory: files go in one by one, each atomically; the
/// index page is written first as a placeholder and last for real, so an interrupted write
/// never leaves diagrams without an index.html that says what happened.
pub struct ReportDir {
    dir: PathBuf,
    written: Vec<String>,
}

impl ReportDir {
    /// Starts a report in `dir` (created if needed), with a placeholder index page.
    pub fn start(dir: &Path, placeholder: &str) -> Result<Self, CliError> {
        check_dir(dir)?;
        let mut report = ReportDir {
            dir: dir.to_path_buf(),
            written: Vec::new(),
        };
        report.write("index.html", placeholder)?;
        Ok(report)
    }

    /// Writes one file of the report.
    pub fn write(&mut self, name: &str, text: &str) -> Result<(), CliError> {
        write_atomic(&self.dir.join(name), text.as_bytes())?;
        if !self.written.iter().any(|w| w == name) {
            self.written.push(name.to_string());
        }
        Ok(())
    }

    /// Ends the report: the real index page (the last page written), then the files an earlier
    /// report wrote and this one did not are removed, and the manifest names this one's.
    pub fn finish(mut self, index: &str) -> Result<(), CliError> {
        self.write("index.html", index)?;
        for stale in listed(&self.dir) {
            if !self.written.contains(&stale) {
                let path = self.dir.join(&stale);
                if path.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
                    fs::remove_file(&path).map_err(|e| io(&path, e))?;
                }
            }
        }
        let manifest = self.written.join("\n") + "\n";
        write_atomic(&self.dir.join(MANIFEST), manifest.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory for one test, removed when the test is done with it (a failing
    /// test's stays to look at): the process id keeps checkouts testing at once apart.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(test: &str) -> Self {
            let name = format!("ftsim-files-{}-{test}", std::process::id());
            let dir = std::env::temp_dir().join(name);
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                let _ = fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn an_interrupted_report_has_an_index_from_its_first_file_on() {
        let scratch = Scratch::new("interrupted");
        let dir = scratch.0.join("report");
        let mut report = ReportDir::start(&dir, "placeholder").unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("index.html")).unwrap(),
            "placeholder"
        );
        report.write("a-seed-1.html", "diagram").unwrap();
        // Dropped here as if interrupted: the index is the placeholder, never missing.
        drop(report);
        assert_eq!(
            fs::read_to_string(dir.join("index.html")).unwrap(),
            "placeholder"
        );
        let mut again = ReportDir::start(&dir, "placeholder").unwrap();
        again.write("b-seed-2.html", "diagram").unwrap();
        again.finish("the index").unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("index.html")).unwrap(),
            "the index"
        );
        let manifest = fs::read_to_string(dir.join(MANIFEST)).unwrap();
        assert_eq!(manifest, "index.html\nb-seed-2.html\n");
    }

    #[test]
    fn a_manifest_never_reaches_outside_its_directory() {
        for bad in ["../x", "/etc/passwd", "a/b", "..", ".", ""] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
        assert!(is_plain_name("flooding-seed-3.html"));
    }

    /// Through a link, so that a broken write would replace the link, not the device.
    #[cfg(unix)]
    #[test]
    fn a_device_named_as_the_output_is_written_to_not_replaced() {
        let scratch = Scratch::new("device");
        let dir = &scratch.0;
        let link = dir.join("junit.xml");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        check_output(&link).unwrap();
        write_output(&link, b"<testsuites/>").unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(fs::read_dir(dir).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_named_as_the_output_gets_the_bytes_and_stays_a_pipe() {
        use std::os::unix::fs::FileTypeExt;
        let scratch = Scratch::new("pipe");
        let dir = &scratch.0;
        let pipe = dir.join("out.json");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: nothing to test with
        }
        check_output(&pipe).unwrap();
        let reader = {
            let pipe = pipe.clone();
            std::thread::spawn(move || fs::read_to_string(pipe).unwrap())
        };
        write_output(&pipe, b"{}").unwrap();
        // First, so that a broken write fails here rather than leaving the reader waiting.
        assert!(fs::metadata(&pipe).unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), "{}");
    }

    #[test]
    fn an_atomic_write_leaves_no_temporary_file() {
        let scratch = Scratch::new("atomic");
        let dir = &scratch.0;
        let path = dir.join("out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(fs::read_dir(dir).unwrap().count(), 1);
    }
}
