//! Reading an input file (a scenario, a repro, a sweep's results) with a bound on what it may
//! hold, so that a path naming `/dev/zero`, or a file far larger than any ftsim writes, is an
//! error naming it rather than gigabytes of memory. A regular file over its bound is refused
//! by its size before a byte is read; anything else (a pipe, as `<(command)` gives, or a
//! device) is read up to a smaller bound, since its size is not known until it ends.

use std::io::Read;
use std::path::Path;

/// The most a scenario file may hold: its text, grid and all (the bundled ones are under
/// 4 KiB).
pub const SCENARIO_BYTES_MAX: u64 = 64 << 20;

/// The most a file ftsim wrote may hold when it is read back: a repro (one of a run stopped
/// by its 20-million-event budget is a few hundred megabytes), a sweep's results or JSON.
pub const RECORD_BYTES_MAX: u64 = 4 << 30;

/// The most ftsim reads from what is not a regular file (a pipe or a device), whatever it is.
pub const STREAM_BYTES_MAX: u64 = 64 << 20;

/// The text of `file`, if it holds at most `bytes_max` bytes (and at most
/// [`STREAM_BYTES_MAX`] if it is not a regular file) of UTF-8.
pub fn read_text(file: &Path, bytes_max: u64) -> std::io::Result<String> {
    let opened = std::fs::File::open(file)?;
    let found = opened.metadata()?;
    let (bytes_max, size) = if found.is_file() {
        (bytes_max, found.len())
    } else {
        (bytes_max.min(STREAM_BYTES_MAX), 0)
    };
    if size > bytes_max {
        return Err(too_large(bytes_max));
    }
    let mut text = String::with_capacity(size as usize);
    // One byte past the bound tells a stream that ends there from one that goes on.
    opened.take(bytes_max + 1).read_to_string(&mut text)?;
    if text.len() as u64 > bytes_max {
        return Err(too_large(bytes_max));
    }
    Ok(text)
}

fn too_large(bytes_max: u64) -> std::io::Error {
    std::io::Error::other(format!(
        "it holds more than {} MiB, the most ftsim reads from such a file",
        bytes_max >> 20
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_its_bound_is_refused_by_its_size_and_one_within_is_read() {
        let file = std::env::temp_dir().join(format!("ftsim-input-{}", std::process::id()));
        std::fs::write(&file, "x".repeat(3 << 20)).unwrap();
        let refused = read_text(&file, 2 << 20).unwrap_err().to_string();
        assert!(refused.contains("more than 2 MiB"), "{refused}");
        assert_eq!(read_text(&file, 3 << 20).unwrap().len(), 3 << 20);
        std::fs::remove_file(&file).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_read_only_up_to_the_stream_bound() {
        let refused = read_text(Path::new("/dev/zero"), RECORD_BYTES_MAX).unwrap_err();
        assert!(
            refused.to_string().contains("more than 64 MiB"),
            "{refused}"
        );
        assert_eq!(read_text(Path::new("/dev/null"), 10).unwrap(), "");
    }
}
