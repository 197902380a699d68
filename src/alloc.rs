//! The process's memory allocator: mimalloc, with freed memory kept longer
//! and no transparent huge pages.
//!
//! mimalloc instead of the system allocator: ingestion allocates and frees
//! many short-lived strings and multi-megabyte request bodies, and glibc's
//! malloc spent close to a fifth of the ingest CPU on them.
//!
//! mimalloc hands memory that stayed free for `purge_delay` (1 s by default)
//! back to the kernel. Under batched ingestion that is a request body, its
//! compressed log record and the quads of a group, every few hundred
//! milliseconds: the kernel takes the pages back, then faults and zeroes
//! them again on the next batch. [`configure`] raises the delay to 10 s,
//! the default of jemalloc's `dirty_decay_ms`: an idle server still returns
//! its memory, a busy one reuses it.
//!
//! [`configure`] also turns transparent huge pages off for the process
//! (`prctl(PR_SET_THP_DISABLE)`, which is what mimalloc's own `allow_thp`
//! option does when it is read at start-up). mimalloc asks for huge pages
//! on its arenas, so each first touch of a 2 MiB range faults in and zeroes
//! all of it. In the ingest benchmark on a 2-core virtual machine that made
//! the kernel's share of the CPU twice as large (about 70-170 us of system
//! time per event with huge pages, 30-50 without) and ingestion slower; the
//! GraphQL benchmark wrote its mesh (4.4 million quads) in 15-18 s without
//! them, 19-24 s with. Huge pages do help queries that scan most of a large
//! store (its home-page overview took 640-650 ms with them, 740-810 ms
//! without); an operator who reads more than they write sets
//! `MIMALLOC_ALLOW_THP=1`.
//!
//! This is the one module allowed `unsafe`: mimalloc's options are set
//! through its C API, and `prctl` is a system call.
#![allow(unsafe_code)]

use std::sync::Once;

/// mimalloc for every allocation of the process (the binary, tests, benches).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`mimalloc.h`); the
/// crate exports no constant for it.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// mimalloc 3's default for that option, milliseconds: how
/// [`configure`] knows the index still names the purge delay.
const DEFAULT_PURGE_DELAY_MS: std::ffi::c_long = 1_000;
/// How long freed memory stays with the process, milliseconds.
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

/// Sets the process's memory up for a server, once; later calls do nothing.
/// Called when a server starts (see the module documentation):
///
/// - freed memory stays in the process for 10 s before mimalloc returns it
///   to the kernel, unless the option at [`PURGE_DELAY`] does not hold
///   mimalloc's documented default (another mimalloc version, or
///   `MIMALLOC_PURGE_DELAY` set by the operator);
/// - transparent huge pages are off, unless `MIMALLOC_ALLOW_THP` is set, in
///   which case mimalloc has done what it says.
pub fn configure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        keep_freed_memory();
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
            no_transparent_huge_pages();
        }
    });
}

fn keep_freed_memory() {
    // SAFETY: reads an entry of mimalloc's option table, an index below
    // `_mi_option_last`; mimalloc checks the index too.
    let current = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
    if current == DEFAULT_PURGE_DELAY_MS {
        // SAFETY: the same entry, which held the purge delay's default;
        // `Once` keeps the write to one thread, and mimalloc reads the
        // option anew at each purge.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) };
    } else {
        tracing::debug!(current, "mimalloc purge delay left as it is");
    }
}

/// Turns transparent huge pages off for the whole process: the kernel
/// checks the flag at each page fault, so it holds for memory mapped before
/// too, mimalloc's arenas included. Linux only: elsewhere nothing is done.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes an integer flag and no pointers.
    let done = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    if done != 0 {
        tracing::debug!(error = %std::io::Error::last_os_error(), "transparent huge pages left as they are");
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_raised_and_huge_pages_are_off() {
        configure();
        // SAFETY: reading an option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        // Unless the operator set MIMALLOC_PURGE_DELAY for this test run.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(delay, PURGE_DELAY_MS);
        }
        #[cfg(target_os = "linux")]
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
            // SAFETY: PR_GET_THP_DISABLE takes no pointers.
            assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1);
        }
    }
}
