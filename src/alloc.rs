//! The process's memory allocator: mimalloc, with freed memory kept longer.
//!
//! mimalloc instead of the system allocator: ingestion allocates and frees
//! many short-lived strings and multi-megabyte request bodies, and glibc's
//! malloc spent close to a fifth of the ingest CPU on them.
//!
//! mimalloc hands memory that stayed free for `purge_delay` (1 s by default)
//! back to the kernel. Under batched ingestion that is a request body, its
//! compressed log record and the quads of a group, every few hundred
//! milliseconds: the kernel takes the pages back, then faults and zeroes
//! them again on the next batch (2 MiB at a time where transparent huge
//! pages are on). [`keep_freed_memory`] raises the delay to 10 s, the
//! default of jemalloc's `dirty_decay_ms`: an idle server still returns its
//! memory, a busy one reuses it.
//!
//! This is the one module allowed `unsafe`: mimalloc's options are set
//! through its C API.
#![allow(unsafe_code)]

use std::sync::Once;

/// mimalloc for every allocation of the process (the binary, tests, benches).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`mimalloc.h`); the
/// crate exports no constant for it.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// mimalloc 3's default for that option, milliseconds: how
/// [`keep_freed_memory`] knows the index still names the purge delay.
const DEFAULT_PURGE_DELAY_MS: std::ffi::c_long = 1_000;
/// How long freed memory stays with the process, milliseconds.
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

/// Keeps freed memory in the process for 10 s before mimalloc returns it to
/// the kernel (see the module documentation). Called once when a server
/// starts; later calls do nothing. If the option at [`PURGE_DELAY`] does not
/// hold mimalloc's documented default (another mimalloc version, or
/// `MIMALLOC_PURGE_DELAY` set by the operator), nothing is changed.
pub fn keep_freed_memory() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
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
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_raised_once() {
        keep_freed_memory();
        // SAFETY: reading an option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        // Unless the operator set MIMALLOC_PURGE_DELAY for this test run.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(delay, PURGE_DELAY_MS);
        }
    }
}
