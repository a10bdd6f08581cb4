use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::process::ExitCode;
use std::sync::atomic::{AtomicIsize, Ordering};

use clap::Parser;

/// The most heap gen may hold at once. A 5,000-service render holds about 150 MiB; only a
/// blueprint template that doubles a string again and again comes near this, and it must not
/// take the machine down (minijinja bounds a repeat, not a concatenation).
const HEAP_LIMIT: usize = 2 << 30;

/// mimalloc, with live bytes counted against [`HEAP_LIMIT`].
struct Bounded;

static LIVE: AtomicIsize = AtomicIsize::new(0);

/// How far a thread's count may drift before it is added to [`LIVE`]: one shared counter
/// touched by the render and lint threads on every allocation made them wait on each other
/// (a third of gen's time); the limit is still held to within a MiB per thread.
const BATCH: isize = 1 << 20;

thread_local! {
    static PENDING: Cell<isize> = const { Cell::new(0) };
}

impl Bounded {
    /// Counts `delta` live bytes (negative when freed), and stops gen past the limit.
    fn account(delta: isize) {
        let flush = PENDING
            .try_with(|pending| {
                let total = pending.get() + delta;
                if total.abs() < BATCH {
                    pending.set(total);
                    None
                } else {
                    pending.set(0);
                    Some(total)
                }
            })
            .unwrap_or(Some(delta));
        if let Some(change) = flush
            && LIVE.fetch_add(change, Ordering::Relaxed).saturating_add(change) > HEAP_LIMIT as isize
        {
            out_of_budget();
        }
    }

    fn claim(size: usize) {
        Bounded::account(isize::try_from(size).unwrap_or(isize::MAX));
    }

    fn release(size: usize) {
        Bounded::account(-isize::try_from(size).unwrap_or(isize::MAX));
    }
}

/// Stops gen with exit code 2 without allocating: the message goes straight to stderr.
#[cold]
fn out_of_budget() -> ! {
    let message = b"gen: error: more than 2 GiB of memory asked for; gen stopped and wrote nothing. A blueprint \
template that repeats or concatenates a string without end does this: see `gen explain TPL001`.\n";
    #[cfg(unix)]
    {
        use std::io::Write;
        let _ = std::io::stderr().lock().write_all(message);
    }
    #[cfg(not(unix))]
    let _ = message;
    std::process::exit(2)
}

// SAFETY: every call forwards to mimalloc with the same layout; the counter only observes.
unsafe impl GlobalAlloc for Bounded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Bounded::claim(layout.size());
        // SAFETY: the caller's contract is forwarded unchanged.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Bounded::claim(layout.size());
        // SAFETY: as above.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Bounded::release(layout.size());
        // SAFETY: as above.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            Bounded::claim(new_size - layout.size());
        } else {
            Bounded::release(layout.size() - new_size);
        }
        // SAFETY: as above.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Bounded = Bounded;

fn main() -> ExitCode {
    let cli = gen_core::cli::Cli::parse();
    let code = gen_core::cli::run(cli);
    // Everything gen does is done: its files are written and closed, its threads joined. Ending
    // the process here skips the allocator's clean-up at exit, which gives every arena page
    // back to the kernel one `madvise` at a time (a twentieth of a one-service render) just
    // before the kernel takes the whole address space back anyway.
    #[cfg(unix)]
    {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // SAFETY: `_exit` ends the process; nothing of Rust's runs after it. A thread still
        // running (a compile ahead the command did not use, a reader of a finished child's
        // pipe) writes nothing.
        unsafe { libc::_exit(i32::from(code)) }
    }
    #[cfg(not(unix))]
    ExitCode::from(code)
}
