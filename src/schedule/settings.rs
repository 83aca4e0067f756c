//! The operator's outreach settings, parsed at the edge: the broadcast rate and whether
//! it is paid, when "on this day" goes out and in which time zone, and the channels.

use std::fmt;

use jiff::civil::Time;
use jiff::tz::TimeZone;

use crate::lang::Lang;

/// Telegram's free limit for bulk messages, per second (Bot FAQ: about 30).
pub const FREE_RATE_MAX: u32 = 30;
/// With `allow_paid_broadcast`, Telegram allows up to this many per second.
pub const PAID_RATE_MAX: u32 = 1000;

/// A channel the bot posts to, by `@name` or numeric id, in its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub name: String,
    pub lang: Lang,
}

/// `@name:lang` or `-100…:lang`, comma-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channels(pub Vec<Channel>);

/// The channels to post to. A channel listed in two languages (`@news:ru,@news:kk`)
/// gets a post in each. Telegram's @names ignore case, so names are kept in lowercase,
/// and one channel listed twice in one language (in any case) is refused: it would
/// otherwise be posted to twice, or once where the operator meant another language.
pub fn parse_channels(raw: &str) -> Result<Channels, String> {
    let channels = parse_each(raw)?;
    let mut seen = std::collections::HashSet::new();
    for c in &channels.0 {
        if !seen.insert((c.name.as_str(), c.lang)) {
            return Err(format!(
                "channel `{}` is listed twice in {}: list each channel once per language",
                c.name,
                c.lang.code()
            ));
        }
    }
    Ok(channels)
}

fn parse_each(raw: &str) -> Result<Channels, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (name, lang) = item.rsplit_once(':').ok_or_else(|| {
                format!("channel `{item}` needs its language: @name:kk or -1001234567890:ru")
            })?;
            let lang: Lang = lang
                .parse()
                .map_err(|_| format!("channel `{item}`: `{lang}` is not en, ru or kk"))?;
            let named = name.len() > 1
                && name.starts_with('@')
                && name[1..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            let numbered = name.parse::<i64>().is_ok_and(|id| id < 0);
            if !named && !numbered {
                return Err(format!(
                    "channel `{name}` is neither @username nor a negative numeric id"
                ));
            }
            Ok(Channel {
                name: name.to_ascii_lowercase(),
                lang,
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Channels)
}

/// `HH:MM`, local time.
pub fn parse_daily_at(raw: &str) -> Result<Time, String> {
    let (h, m) = raw
        .trim()
        .split_once(':')
        .ok_or_else(|| format!("`{raw}` is not a time of day: write HH:MM, e.g. 09:00"))?;
    let (h, m): (i8, i8) = match (h.parse(), m.parse()) {
        (Ok(h), Ok(m)) => (h, m),
        _ => {
            return Err(format!(
                "`{raw}` is not a time of day: write HH:MM, e.g. 09:00"
            ));
        }
    };
    Time::new(h, m, 0, 0).map_err(|_| format!("`{raw}` is not a time of day: write HH:MM"))
}

/// A time zone of the tz database (bundled in the binary), e.g. Asia/Almaty.
#[derive(Clone)]
pub struct Zone(pub TimeZone);

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.iana_name().unwrap_or("UTC"))
    }
}

/// Old names of the tz database (its `backward` file) that the bundled copy lacks, as
/// an operator in Kazakhstan may still write them.
const ZONE_ALIASES: [(&str, &str); 1] = [("Asia/Alma-Ata", "Asia/Almaty")];

pub fn parse_zone(raw: &str) -> Result<Zone, String> {
    let name = raw.trim();
    let name = ZONE_ALIASES
        .iter()
        .find(|(old, _)| old.eq_ignore_ascii_case(name))
        .map_or(name, |(_, new)| new);
    TimeZone::get(name)
        .map(Zone)
        .map_err(|_| format!("`{raw}` is not a time zone of the tz database (e.g. Asia/Almaty)"))
}

/// Checks the rate against what Telegram allows, paid or not.
pub fn check_rate(rate: u32, paid: bool) -> Result<(), String> {
    match (paid, rate) {
        (_, 0) => Err("QANTAR_BROADCAST_RATE must be at least 1 message per second".into()),
        (false, r) if r > FREE_RATE_MAX => Err(format!(
            "QANTAR_BROADCAST_RATE {r} is above Telegram's free {FREE_RATE_MAX}/s: set QANTAR_PAID_BROADCAST=true (paid in Stars) or lower it"
        )),
        (true, r) if r > PAID_RATE_MAX => Err(format!(
            "QANTAR_BROADCAST_RATE {r} is above the {PAID_RATE_MAX}/s Telegram allows even for paid broadcasts"
        )),
        _ => Ok(()),
    }
}

/// The operator's outreach settings, checked at start.
#[derive(Debug, Clone)]
pub struct Outreach {
    /// Messages per second overall.
    pub rate: u32,
    /// `allow_paid_broadcast` on every message (up to 1,000/s, paid in Stars).
    pub paid: bool,
    /// Messages sent at once; also the most that a kill can leave sent but unrecorded.
    pub in_flight: usize,
    pub daily_at: Time,
    pub zone: Zone,
    /// The calendar days "on this day" may post on.
    pub window: super::window::Window,
    pub channels: Vec<Channel>,
    /// Rehearsal mode: everything goes to the admins and the rehearsal channel only.
    pub rehearsal: Option<super::rehearsal::Rehearsal>,
}

impl Outreach {
    /// The channels jobs post to: in rehearsal mode, the rehearsal channel alone.
    pub fn channels(&self) -> Vec<(String, Lang)> {
        match &self.rehearsal {
            Some(r) => r.channel.iter().map(|c| (c.name.clone(), c.lang)).collect(),
            None => self
                .channels
                .iter()
                .map(|c| (c.name.clone(), c.lang))
                .collect(),
        }
    }

    /// When the day's message goes: the slot, its zone and the window.
    pub fn daily(&self) -> super::Daily {
        super::Daily {
            at: self.daily_at,
            zone: self.zone.0.clone(),
            window: self.window.clone(),
        }
    }

    /// The store's id of the job for `item` (`day:…`, `announce:…`): its own in
    /// rehearsal mode, so a rehearsal never stands for the real item.
    pub fn job_id(&self, item: &str) -> String {
        match self.rehearsal {
            Some(_) => format!("{}{item}", super::rehearsal::JOB_PREFIX),
            None => item.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_need_a_name_or_id_and_a_language() {
        let c = parse_channels("@qantar_kk:kk, -1001234567890:ru").unwrap();
        assert_eq!(
            c.0[0],
            Channel {
                name: "@qantar_kk".into(),
                lang: Lang::Kk
            }
        );
        assert_eq!(c.0[1].lang, Lang::Ru);
        for bad in ["@qantar", "qantar:kk", "@q-x:kk", "@q:fr", "12345:en"] {
            assert!(parse_channels(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_channels("").unwrap(), Channels::default());
    }

    #[test]
    fn a_channel_may_have_two_languages_but_not_one_twice() {
        let c = parse_channels("@Qantar_News:ru,@qantar_news:kk").unwrap();
        let got: Vec<(&str, Lang)> = c.0.iter().map(|c| (c.name.as_str(), c.lang)).collect();
        assert_eq!(
            got,
            vec![("@qantar_news", Lang::Ru), ("@qantar_news", Lang::Kk)]
        );
        let twice = parse_channels("@qantar_news:ru, @QANTAR_NEWS:ru").unwrap_err();
        assert!(twice.contains("listed twice"), "{twice}");
        assert!(parse_channels("-100123:ru,-100123:ru").is_err());
    }

    #[test]
    fn old_names_of_the_tz_database_are_understood() {
        for (name, offset) in [("Asia/Alma-Ata", 5), ("Asia/Almaty", 5), ("Europe/Kiev", 2)] {
            let zone = parse_zone(name).unwrap_or_else(|e| panic!("{e}"));
            let at: jiff::Timestamp = "2027-01-05T00:00:00Z".parse().unwrap();
            assert_eq!(zone.0.to_offset(at).seconds(), offset * 3600, "{name}");
        }
    }

    #[test]
    fn times_zones_and_rates_are_checked() {
        assert_eq!(
            parse_daily_at("09:00").unwrap(),
            Time::new(9, 0, 0, 0).unwrap()
        );
        for bad in ["9", "25:00", "09:61", "nine"] {
            assert!(parse_daily_at(bad).is_err(), "{bad}");
        }
        assert!(parse_zone("Asia/Almaty").is_ok());
        assert!(parse_zone("Mars/Olympus").is_err());
        assert!(check_rate(25, false).is_ok());
        assert!(
            check_rate(31, false)
                .unwrap_err()
                .contains("QANTAR_PAID_BROADCAST")
        );
        assert!(check_rate(1000, true).is_ok());
        assert!(check_rate(1001, true).is_err());
    }
}
