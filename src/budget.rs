//! The per-page time budget (`limits.max_page_ms`). A page's extraction runs on one
//! thread from start to end, so the deadline is thread-local: the long loops (HTML
//! parsing, the DOM walk) ask [`expired`] and stop early, and [`crate::extract_page`]
//! turns an expired budget into a `timeout` reject. A page never kills the batch.

use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Restores the enclosing deadline when dropped (a rayon worker may run another page
/// inside this one while it waits).
pub struct Guard(Option<Instant>);

impl Drop for Guard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.0));
    }
}

/// Start a budget of `ms` milliseconds on this thread for as long as the guard lives.
pub fn start(ms: u64) -> Guard {
    let deadline = Instant::now().checked_add(Duration::from_millis(ms));
    Guard(DEADLINE.with(|d| d.replace(deadline)))
}

/// Whether this thread's page has run out of time (never, outside a budget).
pub fn expired() -> bool {
    DEADLINE
        .with(|d| d.get())
        .is_some_and(|t| Instant::now() >= t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_expires_and_nesting_restores() {
        assert!(!expired(), "no budget, no expiry");
        {
            let _outer = start(60_000);
            {
                let _inner = start(0);
                assert!(expired());
            }
            assert!(!expired(), "outer budget restored");
        }
        assert!(!expired());
    }
}
