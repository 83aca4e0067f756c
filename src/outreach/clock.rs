//! The outreach clock. Tests of a debug build may set `QANTAR_TEST_NOW` (an RFC 3339
//! instant) to stand at any moment; release builds always read the real clock, so the
//! production bot has no such switch.

use jiff::Timestamp;

pub fn now() -> Timestamp {
    #[cfg(debug_assertions)]
    if let Some(t) = std::env::var("QANTAR_TEST_NOW")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return t;
    }
    Timestamp::now()
}
