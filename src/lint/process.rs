//! Running an external tool (`helm template`) within bounds: a wall-clock limit and a cap on
//! the bytes read from its stdout and from its stderr. Past either, the tool is stopped with
//! every process it started, and reaped; a chart whose templates loop cannot hang gen, and one
//! that prints without end cannot fill its memory.
//!
//! Both pipes are read at once, each on a thread of its own, so a tool that fills one while gen
//! waits on the other never blocks. On Unix the tool runs in a process group of its own, so
//! that stopping it stops what it started (a wrapper script's `helm`, a shell's pipeline); as
//! that takes it out of the terminal's foreground group, Ctrl-C no longer reaches it from the
//! terminal, and gen passes Ctrl-C (and SIGTERM, SIGHUP) on to it before dying of it.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a tool may run, by default: `helm template` renders a large chart in a second or
/// two; a minute leaves room for a slow machine and none for a template that loops.
pub const DEFAULT_TIME: Duration = Duration::from_secs(60);
/// How many bytes gen reads from each of a tool's streams, by default: the manifests of the
/// largest charts are a few MiB.
pub const DEFAULT_OUTPUT: usize = 64 * 1024 * 1024;
/// The variable that overrides [`DEFAULT_TIME`], in seconds.
pub const TIME_VAR: &str = "GEN_TOOL_TIMEOUT";
/// The variable that overrides [`DEFAULT_OUTPUT`], in MiB.
pub const OUTPUT_VAR: &str = "GEN_TOOL_MAX_OUTPUT";
/// The most [`OUTPUT_VAR`] may ask for: what gen reads it also parses, within its 2 GiB heap.
const MAX_OUTPUT_MIB: usize = 512;

/// The bounds a tool runs within.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Wall-clock time from its start.
    pub time: Duration,
    /// Bytes read from its stdout, and bytes read from its stderr.
    pub output: usize,
}

impl Bounds {
    /// The defaults, or what [`TIME_VAR`] and [`OUTPUT_VAR`] say; a value that is not a whole
    /// number in range is an error that names the variable.
    pub fn from_env() -> Result<Bounds, String> {
        let read = |var: &str, unit: &str, max: usize| -> Result<Option<usize>, String> {
            let Some(value) = std::env::var_os(var) else { return Ok(None) };
            let text = value.to_string_lossy();
            match text.trim().parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
                _ => Err(format!("{var} is `{text}`, not a whole number of {unit} from 1 to {max}")),
            }
        };
        let time = read(TIME_VAR, "seconds", 86_400)?.map_or(DEFAULT_TIME, |s| Duration::from_secs(s as u64));
        let output = read(OUTPUT_VAR, "MiB", MAX_OUTPUT_MIB)?.map_or(DEFAULT_OUTPUT, |m| m * 1024 * 1024);
        Ok(Bounds { time, output })
    }
}

/// What a tool that ran to its end within its bounds did.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// One of a tool's output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stream::Stdout => "output",
            Stream::Stderr => "error output",
        })
    }
}

/// Why a tool did not run to its end within its bounds.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("it did not start: {0}")]
    Spawn(std::io::Error),
    #[error("it ran for more than {} s", .0.as_secs())]
    TimedOut(Duration),
    #[error("it wrote more than {} MiB of {stream}", limit / (1024 * 1024))]
    TooMuchOutput { stream: Stream, limit: usize },
    #[error("gen lost track of it: {0}")]
    Wait(std::io::Error),
}

/// Runs `cmd` (its stdin empty) to its end within `bounds`, or stops it.
pub fn run(mut cmd: Command, bounds: Bounds) -> Result<Finished, RunError> {
    let start = Instant::now();
    // `None` when the limit is too far off to be a moment: no deadline then.
    let deadline = start.checked_add(bounds.time);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    group::detach(&mut cmd);
    let mut child = cmd.spawn().map_err(RunError::Spawn)?;
    let running = group::Running::register(&child);
    let (send, done) = mpsc::channel();
    let pipes: [(Stream, Option<Box<dyn Read + Send>>); 2] = [
        (Stream::Stdout, child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>)),
        (Stream::Stderr, child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>)),
    ];
    for (stream, pipe) in pipes {
        let send = send.clone();
        let Some(pipe) = pipe else { continue };
        // A reader left blocked (a process that escaped the group holds the pipe) ends with gen.
        std::thread::spawn(move || {
            let _ = send.send((stream, read_capped(pipe, bounds.output)));
        });
    }
    drop(send);
    let (mut stdout, mut stderr) = (None, None);
    while stdout.is_none() || stderr.is_none() {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let next = match left {
            Some(left) => done.recv_timeout(left),
            None => done.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match next {
            Ok((stream, Some(bytes))) => match stream {
                Stream::Stdout => stdout = Some(bytes),
                Stream::Stderr => stderr = Some(bytes),
            },
            Ok((stream, None)) => {
                stop(&mut child, &running);
                return Err(RunError::TooMuchOutput { stream, limit: bounds.output });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                stop(&mut child, &running);
                return Err(RunError::TimedOut(bounds.time));
            }
            // A reader thread ended without a word: only a panic does that; nothing more to read.
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // Both pipes are closed; the tool is ending, or closed them and runs on.
    let status = loop {
        match child.try_wait().map_err(RunError::Wait)? {
            Some(status) => break status,
            None if deadline.is_some_and(|d| Instant::now() >= d) => {
                stop(&mut child, &running);
                return Err(RunError::TimedOut(bounds.time));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    Ok(Finished { status, stdout: stdout.unwrap_or_default(), stderr: stderr.unwrap_or_default() })
}

/// Reads `pipe` to its end: its bytes, or `None` once it holds more than `limit`.
fn read_capped(mut pipe: impl Read, limit: usize) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut chunk) {
            Ok(0) => return Some(bytes),
            Ok(n) if bytes.len() + n > limit => return None,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Some(bytes),
        }
    }
}

/// Kills the tool and what it started, and reaps it.
fn stop(child: &mut Child, running: &group::Running) {
    running.kill();
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
mod group {
    //! The tool's process group: made at spawn, killed as a whole, and killed too when gen is
    //! interrupted, terminated or hung up on while it runs.

    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command};
    use std::sync::Once;
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The process groups of the tools running now (0: a free slot). A signal handler reads
    /// them, so they are atomics, not a locked list.
    static RUNNING: [AtomicI32; 16] = [const { AtomicI32::new(0) }; 16];
    static HANDLERS: Once = Once::new();
    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    /// Makes the tool the leader of a new process group, whose id is its pid.
    pub fn detach(cmd: &mut Command) {
        cmd.process_group(0);
    }

    /// A tool's process group, known to the signal handler while this value lives.
    pub struct Running {
        pgid: libc::pid_t,
        slot: Option<usize>,
    }

    impl Running {
        pub fn register(child: &Child) -> Running {
            HANDLERS.call_once(install_handlers);
            let pgid = libc::pid_t::try_from(child.id()).unwrap_or(0);
            let slot = (0..RUNNING.len())
                .find(|&i| RUNNING[i].compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst).is_ok());
            Running { pgid, slot }
        }

        /// Kills every process of the group.
        pub fn kill(&self) {
            if self.pgid > 0 {
                // SAFETY: kill(2) has no memory effects; a negative pid names the group.
                unsafe { libc::kill(-self.pgid, libc::SIGKILL) };
            }
        }
    }

    impl Drop for Running {
        fn drop(&mut self) {
            if let Some(slot) = self.slot {
                RUNNING[slot].store(0, Ordering::SeqCst);
            }
        }
    }

    /// Installs [`on_signal`] for each of [`SIGNALS`] that still has its default action (one
    /// that is ignored, as under `nohup`, stays ignored).
    fn install_handlers() {
        for signal in SIGNALS {
            // SAFETY: a zeroed sigaction is a valid "no handler" value to read into and to
            // fill; the handler only calls async-signal-safe functions.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut old) != 0 || old.sa_sigaction != libc::SIG_DFL {
                    continue;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut new.sa_mask);
                libc::sigaction(signal, &new, std::ptr::null_mut());
            }
        }
    }

    /// Kills the running tools' groups, then dies of the signal as gen would have.
    extern "C" fn on_signal(signal: libc::c_int) {
        for slot in &RUNNING {
            let pgid = slot.load(Ordering::SeqCst);
            if pgid > 0 {
                // SAFETY: kill(2) is async-signal-safe.
                unsafe { libc::kill(-pgid, libc::SIGKILL) };
            }
        }
        // SAFETY: signal(2) and raise(3) are async-signal-safe; with the default action back,
        // the raised signal ends gen with the status its parent expects.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}

#[cfg(not(unix))]
mod group {
    //! Elsewhere the tool alone is killed: what it started runs on.

    use std::process::{Child, Command};

    pub fn detach(_cmd: &mut Command) {}

    pub struct Running;

    impl Running {
        pub fn register(_child: &Child) -> Running {
            Running
        }

        pub fn kill(&self) {}
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        cmd
    }

    /// Room enough for a loaded machine; the tests of the time bound set their own.
    const BOUNDS: Bounds = Bounds { time: Duration::from_secs(60), output: 1024 * 1024 };

    /// Whether the process `pid` is gone (or a zombie no one has reaped yet).
    fn gone(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        }
    }

    #[test]
    fn a_tool_that_ends_gives_both_streams_and_its_status() {
        let done = run(sh("echo out; echo err >&2; exit 3"), BOUNDS).expect("runs");
        assert_eq!((done.stdout.as_slice(), done.stderr.as_slice()), (&b"out\n"[..], &b"err\n"[..]));
        assert_eq!(done.status.code(), Some(3));
    }

    #[test]
    fn a_tool_that_fills_both_pipes_at_once_does_not_block() {
        // 512 KiB to stderr before a byte to stdout: far more than a pipe holds, so a reader of
        // stdout alone would wait for ever.
        let done = run(sh("head -c 524288 /dev/zero >&2; head -c 524288 /dev/zero"), BOUNDS).expect("runs");
        assert_eq!((done.stdout.len(), done.stderr.len()), (512 * 1024, 512 * 1024));
    }

    #[test]
    fn a_tool_past_its_time_is_killed_with_what_it_started() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pidfile = dir.path().join("pid");
        let script = format!("sleep 300 & echo $! > '{}'; wait", pidfile.display());
        let bounds = Bounds { time: Duration::from_millis(500), ..BOUNDS };
        let start = Instant::now();
        let err = run(sh(&script), bounds).expect_err("stopped");
        assert!(matches!(err, RunError::TimedOut(_)), "{err}");
        assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
        let pid = std::fs::read_to_string(&pidfile).expect("the script wrote its child's pid");
        let pid = pid.trim();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !gone(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(gone(pid), "the tool's child {pid} still runs");
    }

    #[test]
    fn a_tool_that_closes_its_pipes_and_runs_on_is_still_timed() {
        let bounds = Bounds { time: Duration::from_millis(500), ..BOUNDS };
        let err = run(sh("exec >&- 2>&-; sleep 300"), bounds).expect_err("stopped");
        assert!(matches!(err, RunError::TimedOut(_)), "{err}");
    }

    #[test]
    fn a_tool_that_prints_without_end_is_stopped_at_the_output_bound() {
        for (script, stream) in [("yes", Stream::Stdout), ("yes >&2", Stream::Stderr)] {
            let start = Instant::now();
            let err = run(sh(script), BOUNDS).expect_err("stopped");
            assert!(matches!(err, RunError::TooMuchOutput { stream: s, .. } if s == stream), "{err}");
            assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
        }
    }

    #[test]
    fn a_tool_that_does_not_exist_says_so() {
        let err = run(Command::new("/nonexistent/tool"), BOUNDS).expect_err("no such tool");
        assert!(matches!(err, RunError::Spawn(_)), "{err}");
    }
}
