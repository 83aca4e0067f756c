//! The outreach clock. Tests of a debug build may set `QANTAR_TEST_NOW` (an RFC 3339
//! instant) to stand at any moment; release builds read the real clock, moved to the
//! rehearsal's moment in rehearsal mode (`QANTAR_REHEARSAL_AT`), where it runs on from
//! there at the real pace.

use std::sync::OnceLock;

use jiff::{SignedDuration, Timestamp};

/// How far a rehearsal moves the clock from the real one.
static REHEARSAL: OnceLock<SignedDuration> = OnceLock::new();

/// Moves the outreach clock so that now is `at`, once, for the process's life.
pub fn rehearse_from(at: Timestamp) {
    let _ = REHEARSAL.set(at.duration_since(Timestamp::now()));
}

pub fn now() -> Timestamp {
    #[cfg(debug_assertions)]
    if let Some(t) = std::env::var("QANTAR_TEST_NOW")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return t;
    }
    let real = Timestamp::now();
    match REHEARSAL.get() {
        Some(offset) => real.checked_add(*offset).unwrap_or(real),
        None => real,
    }
}
