//! This process's memory as Linux reports it: resident now (what `--max-memory` watches) and
//! at its peak (what `explore` prints with its figures); `None` elsewhere.

/// This process's peak resident memory, in MB (Linux; `None` elsewhere).
pub fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.div_ceil(1024))
}

/// This process's resident memory now, in MiB (Linux; `None` elsewhere).
pub fn resident_memory_mib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // The page size is 4 KiB on every Linux target this runs on in CI; larger pages only
    // make the figure low, so the search stops later, never wrongly.
    Some((pages * 4096) >> 20)
}
