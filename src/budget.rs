//! The per-page time budget (`limits.max_page_ms`). A page's extraction runs on one
//! thread from start to end, so the deadline is thread-local: the long loops (HTML
//! parsing, the DOM walk) ask [`expired`] and stop early, and [`crate::extract_page`]
//! turns an expired budget into a `timeout` reject. A page never kills the batch.
//!
//! The budget is CPU time of the page's thread (where the platform has a thread CPU
//! clock), so a busy machine or more workers than cores do not turn ordinary pages
//! into timeouts: the output does not depend on the load. The wall clock is only the
//! cheap first test; the CPU clock (a system call) is read when it has run out.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// A running budget: the wall-clock instant at which the CPU clock is next read, and
/// the thread CPU time at which the page is out of time (`None`: no CPU clock, the
/// wall clock decides).
#[derive(Clone, Copy)]
struct Deadline {
    check_at: Instant,
    cpu_end: Option<Duration>,
}

thread_local! {
    static DEADLINE: Cell<Option<Deadline>> = const { Cell::new(None) };
}

/// Restores the enclosing deadline when dropped (a rayon worker may run another page
/// inside this one while it waits).
pub struct Guard(Option<Deadline>);

impl Drop for Guard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.0));
    }
}

/// Start a budget of `ms` milliseconds on this thread for as long as the guard lives.
pub fn start(ms: u64) -> Guard {
    let budget = Duration::from_millis(ms);
    let deadline = Instant::now().checked_add(budget).map(|check_at| Deadline {
        check_at,
        cpu_end: thread_cpu_time().and_then(|t| t.checked_add(budget)),
    });
    Guard(DEADLINE.with(|d| d.replace(deadline)))
}

/// Whether this thread's page has run out of time (never, outside a budget).
pub fn expired() -> bool {
    let Some(d) = DEADLINE.with(|d| d.get()) else {
        return false;
    };
    let now = Instant::now();
    if now < d.check_at {
        return false;
    }
    // CPU time never runs ahead of wall time on one thread, so the page cannot be out
    // of CPU time before `check_at`; past it, what is left of the CPU budget is the
    // earliest the page can run out.
    match (d.cpu_end, thread_cpu_time()) {
        (Some(end), Some(used)) if used < end => {
            let next = Deadline {
                check_at: now + (end - used),
                ..d
            };
            DEADLINE.with(|c| c.set(Some(next)));
            false
        }
        _ => true,
    }
}

/// CPU time this thread has used, where the platform has a thread CPU clock.
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes to it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
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

    #[test]
    fn waiting_does_not_spend_the_budget_working_does() {
        let _b = start(30);
        // Asleep for twice the budget: the wall clock has run out, the CPU clock not.
        std::thread::sleep(Duration::from_millis(60));
        if thread_cpu_time().is_some() {
            assert!(!expired(), "a thread that only waited is not out of time");
        }
        // Busy: out of time once it has worked for the budget (the wall-clock cap only
        // ends the test if it never expires).
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed() < Duration::from_secs(10) && !expired() {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(expired(), "{x}");
    }
}
