//! The memory allocator's settings: memory a burst took goes back to the system.
//!
//! The server binary allocates with mimalloc (`#[global_allocator]` in
//! `main.rs`): it took 19% fewer instructions per uncached request than glibc's
//! `malloc` (BENCHMARKS.md, "The allocator"), and, configured as below, it gives
//! freed memory back at once, which glibc's `malloc` does not do for the arenas
//! of a multi-threaded process (after a burst, its RSS stayed at the peak).
//!
//! mimalloc reads its options from `MIMALLOC_*` environment variables when it
//! starts, before `main`; [`configure`] sets the two that matter here in code, so a
//! default build and a default run behave as measured. A variable set in the
//! environment still wins for the options that are not set here.

use std::os::raw::c_long;

/// `mi_option_arena_eager_commit` in mimalloc 3's `mi_option_e`.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e`.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The values [`configure`] sets, as `(option, value)`.
const SETTINGS: [(libmimalloc_sys::mi_option_t, c_long); 2] = [
    // Return freed pages to the system as soon as they are free, not a second
    // later (mimalloc's default delay): a burst of answers held at once
    // otherwise keeps its memory through the next burst.
    (PURGE_DELAY, 0),
    // Commit arena memory as it is used, not the whole arena when reserved.
    (ARENA_EAGER_COMMIT, 0),
];

/// Applies the settings above and returns each option's value before, in the
/// order of `SETTINGS`. Call first thing in `main`; calling again is harmless.
pub fn configure() -> [c_long; 2] {
    SETTINGS.map(|(option, value)| {
        // SAFETY: `mi_option_get` and `mi_option_set` read and store one entry of
        // mimalloc's option table (atomically), callable in any state from any
        // thread; both indexes are in range, and any value is valid for these two
        // options (a test checks the indexes name the options meant). This is the
        // crate's one `unsafe` block; the workspace denies `unsafe_code` elsewhere.
        #[allow(unsafe_code)]
        unsafe {
            let before = libmimalloc_sys::mi_option_get(option);
            libmimalloc_sys::mi_option_set(option, value);
            before
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run without `MIMALLOC_PURGE_DELAY` / `MIMALLOC_ARENA_EAGER_COMMIT` in the environment.
    #[test]
    fn the_options_are_the_ones_meant_and_take_effect() {
        let before = configure();
        // mimalloc 3's compiled defaults for these two options are 1000 ms and 2
        // (options.c): a different index would read some other option's default.
        // Another test of this process may have configured it already.
        assert!(
            before == [1000, 2] || before == [0, 0],
            "indexes name other options: {before:?}"
        );
        assert_eq!(configure(), [0, 0], "the settings were stored");
    }
}
