//! The process's memory allocator: jemalloc, built with options that give
//! freed memory back to the system (`.cargo/config.toml`), for Rust and for
//! the C code in the process (SQLite) alike.
//!
//! Why not the system allocator: glibc's malloc kept every page a burst took
//! (BENCHMARKS.md, "The allocator"), so one abusive minute raised the
//! server's memory for good. jemalloc with a background purging thread and a
//! 250 ms decay returns it within a second. It replaces `malloc` itself
//! (unprefixed), not only Rust's allocations: SQLite's page caches and row
//! copies come from `malloc`, and were most of what glibc kept.
//!
//! One arena serves every thread (`narenas:1`; jemalloc's default is four
//! per core, each keeping its own freed pages): threads still allocate from
//! their own caches, and under (f)'s load the peak was 4 MiB lower for it.
//!
//! The options are built in rather than set from `main` because the
//! allocator starts at the first allocation, before `main` runs; options set
//! later would not apply to the arenas already made.
//!
//! Built with `--no-default-features` (without the `jemalloc` feature) the
//! server uses the system's allocator and [`state`] has nothing to report.

/// What the allocator holds and how it was configured, for `/metrics`.
#[derive(Debug, Clone)]
pub struct AllocatorState {
    /// The allocator's name (a metrics label).
    pub name: &'static str,
    /// Bytes the program has allocated and not freed.
    pub allocated: u64,
    /// Bytes of physically resident pages the allocator holds (its share of RSS).
    pub resident: u64,
    /// Whether a background thread purges freed pages (`background_thread`).
    pub background_thread: bool,
    /// The options built into the allocator (`JEMALLOC_SYS_WITH_MALLOC_CONF`).
    pub built_in_options: &'static str,
}

#[cfg(feature = "jemalloc")]
mod jemalloc {
    use tikv_jemalloc_ctl::{config, epoch, opt, stats};

    use super::AllocatorState;

    #[global_allocator]
    static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

    pub(super) fn state() -> Result<AllocatorState, String> {
        let read = || -> Result<AllocatorState, tikv_jemalloc_ctl::Error> {
            // Statistics are cached until the epoch advances.
            epoch::advance()?;
            Ok(AllocatorState {
                name: "jemalloc",
                allocated: stats::allocated::read()? as u64,
                resident: stats::resident::read()? as u64,
                background_thread: opt::background_thread::read()?,
                // The C string's terminating NUL comes with it.
                built_in_options: config::malloc_conf::read()?.trim_end_matches('\0'),
            })
        };
        read().map_err(|e| e.to_string())
    }
}

/// The allocator's current figures; `None` with the system's allocator.
pub fn state() -> Option<Result<AllocatorState, String>> {
    #[cfg(feature = "jemalloc")]
    return Some(jemalloc::state());
    #[cfg(not(feature = "jemalloc"))]
    None
}
