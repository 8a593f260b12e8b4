//! Large tables of a search backed by huge pages where the system has them (2 MiB on x86-64
//! Linux, asked for with `madvise`, as the kernel's `transparent_hugepage` setting `madvise`
//! wants): a look-up in the seen set is a read at random in a table of tens of megabytes, and
//! with 4 KiB pages most look-ups missed the processor's address cache as well.
//!
//! The advice changes how the kernel backs the pages, never what they hold: a search finds
//! the same states with or without it.

/// Bytes in a huge page.
const HUGE_PAGE_BYTES: usize = 2 << 20;

/// `len` zeros, in pages the kernel is asked to make huge (every whole huge page inside the
/// buffer, if it spans one).
pub(crate) fn zeroed(len: usize) -> Vec<u64> {
    let table = vec![0; len];
    advise_huge(&table);
    table
}

#[cfg(target_os = "linux")]
fn advise_huge(table: &[u64]) {
    let start = table.as_ptr() as usize;
    let end = start + std::mem::size_of_val(table);
    let from = start.next_multiple_of(HUGE_PAGE_BYTES);
    let whole = end.saturating_sub(from) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
    if whole == 0 {
        return;
    }
    // SAFETY: the range lies inside `table`'s buffer, which outlives the call; the advice
    // only changes how the kernel backs those pages. Its result is ignored: without huge
    // pages the table is the same, and slower.
    unsafe {
        libc::madvise(from as *mut libc::c_void, whole, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_: &[u64]) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flags the kernel shows for the mapping holding `address` (`/proc/self/smaps`).
    #[cfg(target_os = "linux")]
    fn mapping_flags(address: usize) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("Linux shows its maps");
        let mut inside = false;
        for line in smaps.lines() {
            let range = line
                .split_whitespace()
                .next()
                .and_then(|r| r.split_once('-'));
            let bounds = range.and_then(|(a, b)| {
                let hex = |s| usize::from_str_radix(s, 16).ok();
                Some((hex(a)?, hex(b)?))
            });
            if let Some((start, end)) = bounds.filter(|_| !line.starts_with("VmFlags")) {
                inside = (start..end).contains(&address);
            } else if inside && line.starts_with("VmFlags:") {
                return line.to_string();
            }
        }
        panic!("no mapping holds {address:#x}")
    }

    #[test]
    fn a_table_is_zeros_and_its_whole_huge_pages_are_advised() {
        let small = zeroed(1000);
        assert!(small.len() == 1000 && small.iter().all(|&x| x == 0));
        let table = zeroed(3 * HUGE_PAGE_BYTES / 8);
        assert!(table.iter().all(|&x| x == 0));
        // A kernel built without huge pages has no such setting, and refuses the advice.
        #[cfg(target_os = "linux")]
        if std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
            let first_whole = (table.as_ptr() as usize).next_multiple_of(HUGE_PAGE_BYTES);
            let flags = mapping_flags(first_whole);
            assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
        }
    }
}
