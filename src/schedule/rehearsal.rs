//! Rehearsal mode's settings (`QANTAR_REHEARSAL_AT`, `QANTAR_REHEARSAL_CHANNEL`): where
//! its clock starts and the channel it may post to, and the prefix of its jobs' ids.
//! What a rehearsal sends is `outreach::rehearsal`.

use jiff::civil::DateTime;

use super::settings::{Channel, Zone, parse_channels};

/// The prefix of a rehearsal job's id.
pub const JOB_PREFIX: &str = "rehearsal:";

/// What a rehearsal needs: where its clock starts, and the channel it may post to.
#[derive(Debug, Clone)]
pub struct Rehearsal {
    pub at: DateTime,
    pub channel: Option<Channel>,
}

/// `2027-01-05T08:59` (seconds optional), local time in `QANTAR_TIMEZONE`.
pub fn parse_at(raw: &str) -> Result<DateTime, String> {
    raw.trim().parse().map_err(|_| {
        format!(
            "QANTAR_REHEARSAL_AT `{raw}` is not a local date and time: write it as 2027-01-05T08:59"
        )
    })
}

/// One channel, as in `QANTAR_CHANNELS`: `@name:kk` or `-1001234567890:ru`.
pub fn parse_channel(raw: &str) -> Result<Channel, String> {
    let mut channels = parse_channels(raw)?.0;
    match (channels.pop(), channels.is_empty()) {
        (Some(c), true) => Ok(c),
        _ => Err(format!(
            "QANTAR_REHEARSAL_CHANNEL `{raw}` must name one channel with its language, e.g. @my_test_channel:kk"
        )),
    }
}

impl Rehearsal {
    /// Sets the outreach clock to the rehearsal's moment; from now on it moves on.
    pub fn start_clock(&self, zone: &Zone) -> Result<(), String> {
        let at = self
            .at
            .to_zoned(zone.0.clone())
            .map_err(|e| format!("QANTAR_REHEARSAL_AT: {e}"))?;
        super::clock::rehearse_from(at.timestamp());
        Ok(())
    }
}
