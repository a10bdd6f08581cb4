use std::alloc::{GlobalAlloc, Layout};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;

/// The most heap gen may hold at once. A 5,000-service render holds about 150 MiB; only a
/// blueprint template that doubles a string again and again comes near this, and it must not
/// take the machine down (minijinja bounds a repeat, not a concatenation).
const HEAP_LIMIT: usize = 2 << 30;

/// mimalloc, with live bytes counted against [`HEAP_LIMIT`].
struct Bounded;

static LIVE: AtomicUsize = AtomicUsize::new(0);

impl Bounded {
    fn claim(size: usize) {
        if LIVE.fetch_add(size, Ordering::Relaxed).saturating_add(size) > HEAP_LIMIT {
            out_of_budget();
        }
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
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            Bounded::claim(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: as above.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Bounded = Bounded;

fn main() -> ExitCode {
    let cli = gen_core::cli::Cli::parse();
    ExitCode::from(gen_core::cli::run(cli))
}
