//! One running node program: its pipes, a step (an input line, then every line it prints up to
//! `{"ftsim": "done"}`), and the limits that turn a misbehaving program into a failed seed
//! instead of a hung or exhausted sweep. A program is killed when dropped, and dies with the
//! thread that started it (the parent-death signal), so none outlives ftsim.
#![allow(clippy::disallowed_methods)] // the wall clock bounds how long a program may think, never what a run does

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use ftsim_api::command::Command;

use crate::plain::{self, Looks};
use crate::wire::{parse_output, Output};

/// What a program may do in one step before its seed fails.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Wall-clock time from the input to `done`.
    pub step_time: Duration,
    /// Lines printed in one step.
    pub lines_per_step_max: usize,
    /// Bytes in one line.
    pub line_bytes_max: usize,
    /// Resident memory of the program, checked every [`MEMORY_CHECK_EVERY`] steps and while
    /// a step goes on.
    pub resident_bytes_max: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            step_time: Duration::from_secs(10),
            lines_per_step_max: 100_000,
            line_bytes_max: 1 << 20,
            resident_bytes_max: 1 << 30,
        }
    }
}

/// How often (in steps) a program's resident memory is read; it is read too every
/// [`WATCH_SLICE`] a step goes on.
pub const MEMORY_CHECK_EVERY: u64 = 64;

/// How long a step may go on between two checks of the program's memory.
pub const WATCH_SLICE: Duration = Duration::from_millis(100);

/// The first and the longest pause between two looks at a plain Maelstrom program that has
/// not finished its step.
const PAUSE_MIN: Duration = Duration::from_micros(10);
const PAUSE_MAX: Duration = Duration::from_millis(1);

/// The most of a program's stderr kept for a report.
const STDERR_TAIL_BYTES: usize = 2048;

/// A running node program.
pub struct Program {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr: Option<ChildStderr>,
    /// Bytes read from stdout and not yet handed out, from `start` on.
    pending: Vec<u8>,
    start: usize,
    stderr_tail: Vec<u8>,
    steps: u64,
    /// The input line being written, kept for its buffer.
    line: Vec<u8>,
}

impl Program {
    /// Starts `command`, its pipes ours, in a process group of its own (a Ctrl-C at the
    /// terminal reaches ftsim, which ends its seeds, not the nodes in the middle of one).
    pub fn spawn(command: &Command) -> Result<Program, String> {
        let words = command.words();
        let Some(program) = words.first() else {
            return Err("no command to start".into());
        };
        let mut builder = std::process::Command::new(program);
        builder
            .args(&words[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Python orders sets and dicts of strings by hashes salted per process: fixed,
            // a node's iteration order is the same in every run (Go's map order is random
            // per iteration; its nodes must sort, which `--check-determinism` checks).
            .env("PYTHONHASHSEED", "0")
            .process_group(0);
        // SAFETY: prctl and getppid are async-signal-safe; nothing else runs between fork and
        // exec.
        unsafe {
            builder.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = builder
            .spawn()
            .map_err(|e| format!("cannot start `{command}`: {e}"))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err(format!("cannot open the pipes of `{command}`"));
        };
        set_nonblocking(stderr.as_raw_fd());
        Ok(Program {
            child,
            stdin,
            stdout,
            stderr: Some(stderr),
            pending: Vec::with_capacity(64 << 10),
            start: 0,
            stderr_tail: Vec::new(),
            steps: 0,
            line: Vec::new(),
        })
    }

    /// Gives the program one input line and reads what it prints up to `done` (not included)
    /// into `out`, in order.
    pub fn step(
        &mut self,
        input: &str,
        out: &mut Vec<Output>,
        limits: &Limits,
    ) -> Result<(), String> {
        out.clear();
        self.steps += 1;
        self.send(input)?;
        let deadline = Instant::now() + limits.step_time;
        loop {
            let line = self.read_line(deadline, limits)?;
            let text = String::from_utf8_lossy(line);
            let output = parse_output(text.trim_end())
                .map_err(|e| format!("printed {e}: {}", clip(&text, 200)))?;
            if output == Output::Done {
                break;
            }
            if out.len() == limits.lines_per_step_max {
                return Err(format!(
                    "printed more than {} lines in one step (a flood?)",
                    limits.lines_per_step_max
                ));
            }
            out.push(output);
        }
        if self.steps.is_multiple_of(MEMORY_CHECK_EVERY) {
            self.check_memory(limits)?;
        }
        Ok(())
    }

    /// Gives a program that speaks plain Maelstrom one input line, and reads what it prints
    /// until it waits on its stdin again (`plain::look`). Whether it printed between steps
    /// (before this input), which its runs' replay cannot count on.
    pub fn step_plain(
        &mut self,
        input: &str,
        out: &mut Vec<Output>,
        limits: &Limits,
    ) -> Result<bool, String> {
        out.clear();
        self.steps += 1;
        let spoke_unasked = self.poll_output(Duration::ZERO)?;
        self.send(input)?;
        let deadline = Instant::now() + limits.step_time;
        let mut pause = PAUSE_MIN;
        let mut looks = 0u64;
        loop {
            if Instant::now() >= deadline {
                return Err(format!(
                    "did not wait on its input again within {} s (a node without ftsim's \
                     extension must be the process ftsim starts, exec'd by any wrapper, and \
                     read its stdin with a blocking read once it has handled a line)",
                    limits.step_time.as_secs_f64()
                ));
            }
            self.take_lines(out, limits)?;
            if self.poll_output(pause)? {
                self.read_stdout()?;
                pause = PAUSE_MIN;
                continue;
            }
            if self.waits_on_stdin()? {
                // It wrote everything before it blocked: what is left is in the pipe now.
                if !self.poll_output(Duration::ZERO)? {
                    break;
                }
                self.read_stdout()?;
                continue;
            }
            looks += 1;
            if looks.is_multiple_of(MEMORY_CHECK_EVERY) {
                self.check_memory(limits)?;
            }
            pause = (pause * 2).min(PAUSE_MAX);
        }
        self.take_lines(out, limits)?;
        Ok(spoke_unasked)
    }

    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the program took all its input and sleeps reading more.
    fn waits_on_stdin(&self) -> Result<bool, String> {
        let unread = plain::pipe_bytes(self.stdin.as_raw_fd());
        let unread = unread.map_err(|e| format!("cannot read its stdin's pipe: {e}"))?;
        if unread > 0 {
            return Ok(false);
        }
        match plain::look(self.child.id()) {
            Ok(looks) => Ok(looks == Looks::Waiting),
            Err(e) => Err(format!(
                "cannot read its state in /proc ({e}): a node without ftsim's extension needs \
                 /proc/PID/task/*/syscall, which ptrace restrictions may forbid"
            )),
        }
    }

    /// Moves every whole line read so far into `out`.
    fn take_lines(&mut self, out: &mut Vec<Output>, limits: &Limits) -> Result<(), String> {
        while let Some(at) = self.pending[self.start..].iter().position(|&b| b == b'\n') {
            let (begin, end) = (self.start, self.start + at);
            self.start = end + 1;
            let text = String::from_utf8_lossy(&self.pending[begin..end]);
            let output = parse_output(text.trim_end())
                .map_err(|e| format!("printed {e}: {}", clip(&text, 200)))?;
            if out.len() == limits.lines_per_step_max {
                return Err(format!(
                    "printed more than {} lines in one step (a flood?)",
                    limits.lines_per_step_max
                ));
            }
            out.push(output);
        }
        if self.pending.len() - self.start > limits.line_bytes_max {
            return Err(format!(
                "printed a line longer than {} bytes",
                limits.line_bytes_max
            ));
        }
        if self.start == self.pending.len() {
            self.pending.clear();
            self.start = 0;
        }
        Ok(())
    }

    /// Whether stdout has bytes to read within `wait`; drains stderr on the way.
    fn poll_output(&mut self, wait: Duration) -> Result<bool, String> {
        let mut fds = [
            poll_fd(self.stdout.as_raw_fd()),
            poll_fd(self.stderr.as_ref().map_or(-1, |e| e.as_raw_fd())),
        ];
        let timeout = libc::timespec {
            tv_sec: 0,
            tv_nsec: wait.as_nanos().min(999_999_999) as libc::c_long,
        };
        // SAFETY: `fds` is a valid array of two pollfd and `timeout` a valid timespec for the
        // call's duration; no signal mask is given.
        let ready = unsafe { libc::ppoll(fds.as_mut_ptr(), 2, &timeout, std::ptr::null()) };
        if ready < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(format!("cannot wait for its output: {e}"));
        }
        if fds[1].revents != 0 {
            self.drain_stderr();
        }
        Ok(fds[0].revents != 0)
    }

    /// Writes `input` and its newline in one write (one system call for a short line).
    fn send(&mut self, input: &str) -> Result<(), String> {
        self.line.clear();
        self.line.extend_from_slice(input.as_bytes());
        self.line.push(b'\n');
        let written = self.stdin.write_all(&self.line);
        written.map_err(|e| format!("{} (writing its input: {e})", self.exit_status()))
    }

    /// The next line on stdout, without its newline.
    fn read_line(&mut self, deadline: Instant, limits: &Limits) -> Result<&[u8], String> {
        let mut scanned = self.start;
        loop {
            if let Some(at) = self.pending[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + at;
                let begin = self.start;
                self.start = end + 1;
                return Ok(&self.pending[begin..end]);
            }
            scanned = self.pending.len();
            if scanned - self.start > limits.line_bytes_max {
                return Err(format!(
                    "printed a line longer than {} bytes",
                    limits.line_bytes_max
                ));
            }
            if self.start == self.pending.len() {
                self.pending.clear();
                self.start = 0;
                scanned = 0;
            }
            self.wait_for_output(deadline, limits)?;
        }
    }

    /// Waits until stdout has bytes (reading them) or the deadline passes; drains stderr on
    /// the way.
    fn wait_for_output(&mut self, deadline: Instant, limits: &Limits) -> Result<(), String> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "did not end its step within {} s (it must print {{\"ftsim\": \"done\"}})",
                    limits.step_time.as_secs_f64()
                ));
            }
            let mut fds = [
                poll_fd(self.stdout.as_raw_fd()),
                poll_fd(self.stderr.as_ref().map_or(-1, |e| e.as_raw_fd())),
            ];
            // A slice at most: a program that thinks long is checked for its memory meanwhile.
            let millis = left.min(WATCH_SLICE).as_millis().max(1) as i32;
            // SAFETY: `fds` is a valid array of two pollfd for the call's duration.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, millis) };
            if ready < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(format!("cannot wait for its output: {e}"));
            }
            if fds[1].revents != 0 {
                self.drain_stderr();
            }
            if fds[0].revents != 0 {
                return self.read_stdout();
            }
            if ready == 0 {
                self.check_memory(limits)?;
            }
        }
    }

    fn read_stdout(&mut self) -> Result<(), String> {
        let len = self.pending.len();
        self.pending.resize(len + (64 << 10), 0);
        let read = io::Read::read(&mut self.stdout, &mut self.pending[len..]);
        match read {
            Ok(0) => {
                self.pending.truncate(len);
                self.drain_stderr();
                Err(self.exit_status())
            }
            Ok(n) => {
                self.pending.truncate(len + n);
                Ok(())
            }
            Err(e) => {
                self.pending.truncate(len);
                Err(format!("cannot read its output: {e}"))
            }
        }
    }

    fn drain_stderr(&mut self) {
        let Some(stderr) = self.stderr.as_mut() else {
            return;
        };
        let mut buffer = [0u8; 4096];
        loop {
            match io::Read::read(stderr, &mut buffer) {
                Ok(0) => {
                    self.stderr = None;
                    return;
                }
                Ok(n) => {
                    self.stderr_tail.extend_from_slice(&buffer[..n]);
                    let excess = self.stderr_tail.len().saturating_sub(STDERR_TAIL_BYTES);
                    self.stderr_tail.drain(..excess);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    }

    /// Why the program stopped answering: its exit, or that it closed its output.
    fn exit_status(&mut self) -> String {
        // An exit takes a moment to be seen after the pipes close.
        for _ in 0..50 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return format!("exited ({status})");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        "closed its output".to_string()
    }

    fn check_memory(&mut self, limits: &Limits) -> Result<(), String> {
        let statm = std::fs::read_to_string(format!("/proc/{}/statm", self.child.id()));
        let Some(pages) = statm
            .ok()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        else {
            return Ok(());
        };
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as u64;
        let resident = pages.saturating_mul(page);
        if resident > limits.resident_bytes_max {
            return Err(format!(
                "holds {} MiB of memory, above its limit of {} MiB",
                resident >> 20,
                limits.resident_bytes_max >> 20
            ));
        }
        Ok(())
    }

    /// The end of what the program wrote on stderr, control characters shown as escapes.
    pub fn stderr_tail(&mut self) -> String {
        self.drain_stderr();
        let text = String::from_utf8_lossy(&self.stderr_tail);
        text.chars()
            .flat_map(|c| match c {
                '\n' | '\t' => vec![c],
                c if c.is_control() => c.escape_default().collect(),
                c => vec![c],
            })
            .collect()
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn poll_fd(fd: i32) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

fn set_nonblocking(fd: i32) {
    // SAFETY: fcntl on a descriptor this process owns.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut, control characters escaped.
pub fn clip(text: &str, max: usize) -> String {
    let mut out: String = text
        .trim_end()
        .chars()
        .take(max)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if text.trim_end().chars().count() > max {
        out.push('…');
    }
    out
}
