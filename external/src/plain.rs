//! Nodes that speak plain Maelstrom (no extension, so no `done` line): whether such a program
//! has finished its step. It has when it has taken the whole input from its stdin pipe and
//! every one of its threads is asleep, one of them in `read(2)` on its stdin. Read from
//! Linux's `/proc`, never from a quiet period: a single-threaded node that reads a line,
//! handles it and reads again is then as deterministic as one that says `done`. A node with
//! threads of its own, or one that prints between steps (a timer of its own), may be busy in
//! a way `/proc` cannot tell from waiting: ftsim runs it and warns, once per command.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::os::fd::RawFd;
use std::sync::Mutex;

/// The warnings given so far, so that each is given once per ftsim.
static WARNED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Prints `warning` on stderr unless it was printed before.
pub fn warn_once(warning: String) {
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if warned.insert(warning.clone()) {
        eprintln!("warning: {warning}");
    }
}

/// The `read` system call's number, as `/proc/PID/task/TID/syscall` shows it.
#[cfg(target_arch = "x86_64")]
const SYS_READ: u64 = 0;
#[cfg(target_arch = "aarch64")]
const SYS_READ: u64 = 63;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const SYS_READ: u64 = u64::MAX;

/// What `/proc` says of a program between two looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Looks {
    /// Every thread asleep, one of them reading its stdin: the step is over.
    Waiting,
    /// Some thread runs (or reads elsewhere): the step goes on.
    Busy,
}

/// How many bytes wait in the pipe `fd` (either end) for its reader.
pub fn pipe_bytes(fd: RawFd) -> io::Result<usize> {
    let mut bytes: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int through the pointer, which is valid for the call.
    let done = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut bytes) };
    if done < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(bytes.max(0) as usize)
}

/// Whether process `pid`'s threads all sleep, one of them in `read` on file descriptor 0. A
/// thread that ends while it is looked at makes the program busy (the caller looks again).
pub fn look(pid: u32) -> io::Result<Looks> {
    let mut reading = false;
    for task in fs::read_dir(format!("/proc/{pid}/task"))? {
        let task = task?.path();
        let (Some(stat), Some(syscall)) = (
            read_task(&task.join("stat"))?,
            read_task(&task.join("syscall"))?,
        ) else {
            return Ok(Looks::Busy);
        };
        if !asleep(&stat) {
            return Ok(Looks::Busy);
        }
        reading |= reads_stdin(&syscall);
    }
    Ok(if reading { Looks::Waiting } else { Looks::Busy })
}

/// A file of a task's, or `None` if the task has just ended (gone, or no longer a process
/// to read).
fn read_task(path: &std::path::Path) -> io::Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH) => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// How many threads process `pid` runs.
pub fn threads(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/task")).map_or(1, |tasks| tasks.count())
}

/// Whether a task's `stat` line says it sleeps (state `S`, interruptible: waiting on
/// something; `R` runs, `D` is in the kernel's uninterruptible business).
fn asleep(stat: &str) -> bool {
    // "PID (COMMAND) STATE …", and COMMAND may hold spaces and parentheses.
    let after_name = stat.rfind(')').map_or("", |at| &stat[at + 1..]);
    after_name.split_whitespace().next() == Some("S")
}

/// Whether a task's `syscall` line is `read` on file descriptor 0.
fn reads_stdin(syscall: &str) -> bool {
    let mut fields = syscall.split_whitespace();
    let number = fields.next().and_then(|n| n.parse::<u64>().ok());
    let fd = fields
        .next()
        .and_then(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok());
    number == Some(SYS_READ) && fd == Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_lines_are_read_as_linux_writes_them() {
        assert!(asleep("27001 (python3) S 26990 27001"));
        assert!(asleep("7 (a) b) S 1 7"));
        assert!(!asleep("27001 (python3) R 26990 27001"));
        assert!(reads_stdin(
            "0 0x0 0x55da23f55e70 0x2000 0x7f88784d5a58 0x0 0x0 0x7ffe"
        ));
        assert!(!reads_stdin(
            "0 0x3 0x55da23f55e70 0x2000 0x7f88784d5a58 0x0 0x0 0x7ffe"
        ));
        assert!(!reads_stdin("running"));
        assert!(!reads_stdin("202 0x0 0x80 0x0 0x0 0x0 0x0 0x7ffe"));
    }

    #[test]
    fn a_program_blocked_reading_its_stdin_is_seen_waiting_and_one_thread() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "read line; echo $line"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        assert_eq!(threads(pid), 1);
        let mut waited = false;
        for _ in 0..500 {
            if look(pid).unwrap() == Looks::Waiting {
                waited = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(waited, "sh never seen waiting on its stdin");
    }
}
