//! Callback data of inline buttons: typed, versioned, and always within Telegram's
//! 64 bytes. Anything that does not parse (stale, forged) is rejected, never guessed at.

use std::fmt;

use crate::content::Date;
use crate::lang::Lang;

/// Bumped when the meaning of a button changes, so old buttons are refused politely
/// instead of doing something new.
const VERSION: &str = "1";

/// Telegram's limit for callback data.
pub const MAX_BYTES: usize = 64;

/// Marks a button whose answer comes as a new message, leaving the message it is under
/// as it was: `1:n:e:<id>` opens the event like `1:e:<id>` does. Buttons under what the
/// bot sent unprompted (the day's message, an announcement) carry it, so opening one
/// event keeps the day's list there for the next.
const NEW_MESSAGE: &str = "n";

/// Where a language button leads once the choice is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterLang {
    /// The greeting (the picker was offered by /start).
    Start,
    /// The confirmation (the picker was offered by /lang).
    Confirm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    SetLang {
        lang: Lang,
        then: AfterLang,
    },
    TimelinePage(usize),
    Event(String),
    Summary,
    Topic(String),
    /// Admin: confirm (`true`) or cancel the purge of every per-chat row.
    Purge(bool),
    /// Subscribe this chat (the button after /start and at the end of the timeline).
    Subscribe,
    /// The sources list, and the petition: deep links `sources` and `petition` under an
    /// announcement, as buttons in a chat.
    Sources,
    Petition,
    /// Admin: confirm sending the announcement with this id, as previewed: `version` is
    /// the fingerprint of what the preview showed (empty under a preview of an older
    /// release, which is refused with a fresh preview like any changed one).
    Announce {
        id: String,
        version: String,
    },
    /// Admin: do not send the announcement previewed.
    AnnounceCancel,
    /// Admin: act on a broadcast job (`day:2027-01-05`, `announce:<id>`): ask before
    /// cancelling it, cancel it, or resume it once cancelled.
    Job {
        job: String,
        act: JobAct,
    },
    /// The map of a day (always a full date).
    Map(Date),
    /// Admin: queue this day's post as the /sendday preview showed it (`version`).
    SendDay {
        day: Date,
        version: String,
    },
}

/// What an admin's button does to a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAct {
    /// Cancel under /broadcasts: asks first, saying how far it got.
    AskCancel,
    /// "Yes, cancel" under that question.
    Cancel,
    /// "Keep sending" under that question: nothing changes.
    Keep,
    /// Resume a cancelled job: those who have not received it get it.
    Resume,
}

impl JobAct {
    fn code(self) -> &'static str {
        match self {
            JobAct::AskCancel => "cj",
            JobAct::Cancel => "cjy",
            JobAct::Keep => "kj",
            JobAct::Resume => "rj",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unrecognised callback data")]
pub struct BadCallback;

/// A content fingerprint in a Confirm: a few lowercase hex digits.
fn valid_version(v: &str) -> bool {
    (1..=16).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Ids in callback data are content ids: short, lowercase, safe.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 24
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Job ids are the queue's: lowercase words, digits, `_`, `-` and `:`, short enough
/// that `1:cj:<job>` fits in 64 bytes.
pub fn valid_job(job: &str) -> bool {
    !job.is_empty()
        && job.len() <= MAX_BYTES - "1:cjy:".len()
        && job
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-:".contains(&b))
}

/// Up to three digits, without leading zeros, so each page has exactly one spelling.
fn canonical_page(page: &str) -> bool {
    !page.is_empty()
        && page.len() <= 3
        && page.bytes().all(|b| b.is_ascii_digit())
        && (page == "0" || !page.starts_with('0'))
}

impl Callback {
    /// A press's data: the callback, and whether its answer comes as a new message
    /// instead of in place of the message the button is under.
    pub fn parse_press(data: &str) -> Result<(Callback, bool), BadCallback> {
        if data.len() > MAX_BYTES {
            return Err(BadCallback);
        }
        match data
            .strip_prefix(VERSION)
            .and_then(|rest| rest.strip_prefix(':'))
            .and_then(|rest| rest.strip_prefix(NEW_MESSAGE))
            .and_then(|rest| rest.strip_prefix(':'))
        {
            Some(rest) => Callback::parse(&format!("{VERSION}:{rest}")).map(|c| (c, true)),
            None => Callback::parse(data).map(|c| (c, false)),
        }
    }

    /// The data of a button answered in a new message (see `NEW_MESSAGE`): two bytes
    /// more than its plain data, which the outreach buttons (content ids of up to 24)
    /// leave room for.
    pub fn new_message_data(&self) -> String {
        let data = self.to_string();
        let rest = data.strip_prefix(VERSION).unwrap_or(&data);
        let marked = format!("{VERSION}:{NEW_MESSAGE}{rest}");
        debug_assert!(marked.len() <= MAX_BYTES, "{marked}");
        marked
    }

    pub fn parse(data: &str) -> Result<Callback, BadCallback> {
        if data.len() > MAX_BYTES {
            return Err(BadCallback);
        }
        let mut parts = data.split(':');
        if parts.next() != Some(VERSION) {
            return Err(BadCallback);
        }
        let kind = parts.next().ok_or(BadCallback)?;
        let act = [
            JobAct::AskCancel,
            JobAct::Cancel,
            JobAct::Keep,
            JobAct::Resume,
        ]
        .into_iter()
        .find(|a| a.code() == kind);
        if let Some(act) = act {
            // A job id has colons of its own: the rest of the data is the id.
            let job = data
                .split_once(&format!(":{kind}:"))
                .map_or("", |(_, job)| job);
            return if valid_job(job) {
                Ok(Callback::Job {
                    job: job.to_string(),
                    act,
                })
            } else {
                Err(BadCallback)
            };
        }
        let args: Vec<&str> = parts.collect();
        let parsed = match (kind, args.as_slice()) {
            ("l", [code, then]) => Callback::SetLang {
                lang: code.parse().map_err(|_| BadCallback)?,
                then: match *then {
                    "s" => AfterLang::Start,
                    "c" => AfterLang::Confirm,
                    _ => return Err(BadCallback),
                },
            },
            ("t", [page]) if canonical_page(page) => {
                Callback::TimelinePage(page.parse().map_err(|_| BadCallback)?)
            }
            ("e", [id]) if valid_id(id) => Callback::Event(id.to_string()),
            ("s", []) => Callback::Summary,
            ("p", [id]) if valid_id(id) => Callback::Topic(id.to_string()),
            ("sub", []) => Callback::Subscribe,
            ("x", ["y"]) => Callback::Purge(true),
            ("x", ["n"]) => Callback::Purge(false),
            ("src", []) => Callback::Sources,
            ("pt", []) => Callback::Petition,
            ("a", [id]) if valid_id(id) => Callback::Announce {
                id: id.to_string(),
                version: String::new(),
            },
            ("a", [id, version]) if valid_id(id) && valid_version(version) => Callback::Announce {
                id: id.to_string(),
                version: version.to_string(),
            },
            ("ac", []) => Callback::AnnounceCancel,
            ("sd", [day, version]) if valid_version(version) => match day.parse::<Date>() {
                Ok(date) if date.day.is_some() && date.to_string() == *day => Callback::SendDay {
                    day: date,
                    version: version.to_string(),
                },
                _ => return Err(BadCallback),
            },
            ("m", [day]) => match day.parse::<Date>() {
                // Only the one spelling `Display` writes, so data round-trips exactly.
                Ok(date) if date.day.is_some() && date.to_string() == *day => Callback::Map(date),
                _ => return Err(BadCallback),
            },
            _ => return Err(BadCallback),
        };
        Ok(parsed)
    }
}

impl fmt::Display for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Callback::SetLang { lang, then } => {
                let then = match then {
                    AfterLang::Start => "s",
                    AfterLang::Confirm => "c",
                };
                write!(f, "{VERSION}:l:{}:{then}", lang.code())
            }
            Callback::TimelinePage(page) => write!(f, "{VERSION}:t:{page}"),
            Callback::Event(id) => write!(f, "{VERSION}:e:{id}"),
            Callback::Summary => write!(f, "{VERSION}:s"),
            Callback::Topic(id) => write!(f, "{VERSION}:p:{id}"),
            Callback::Purge(yes) => write!(f, "{VERSION}:x:{}", if *yes { "y" } else { "n" }),
            Callback::Subscribe => write!(f, "{VERSION}:sub"),
            Callback::Sources => write!(f, "{VERSION}:src"),
            Callback::Petition => write!(f, "{VERSION}:pt"),
            Callback::Announce { id, version } if version.is_empty() => {
                write!(f, "{VERSION}:a:{id}")
            }
            Callback::Announce { id, version } => write!(f, "{VERSION}:a:{id}:{version}"),
            Callback::AnnounceCancel => write!(f, "{VERSION}:ac"),
            Callback::Job { job, act } => write!(f, "{VERSION}:{}:{job}", act.code()),
            Callback::Map(day) => write!(f, "{VERSION}:m:{day}"),
            Callback::SendDay { day, version } => write!(f, "{VERSION}:sd:{day}:{version}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_within_64_bytes() {
        let all = [
            Callback::SetLang {
                lang: Lang::Kk,
                then: AfterLang::Start,
            },
            Callback::SetLang {
                lang: Lang::En,
                then: AfterLang::Confirm,
            },
            Callback::TimelinePage(0),
            Callback::TimelinePage(999),
            Callback::Event("x".repeat(24)),
            Callback::Summary,
            Callback::Topic("causes".into()),
            Callback::Purge(true),
            Callback::Purge(false),
            Callback::Sources,
            Callback::Petition,
            Callback::Announce {
                id: "x".repeat(24),
                version: "0123456789".into(),
            },
            Callback::Announce {
                id: "x".repeat(24),
                version: String::new(),
            },
            Callback::AnnounceCancel,
            Callback::Job {
                job: "day:2027-01-05".into(),
                act: JobAct::AskCancel,
            },
            Callback::Job {
                job: format!("announce:{}", "x".repeat(24)),
                act: JobAct::Cancel,
            },
            Callback::Job {
                job: "j".repeat(58),
                act: JobAct::Resume,
            },
            Callback::Map("2022-01-05".parse().unwrap()),
            Callback::Map("2023-12-31".parse().unwrap()),
            Callback::SendDay {
                day: "2027-01-08".parse().unwrap(),
                version: "0123456789".into(),
            },
        ];
        for cb in all {
            let data = cb.to_string();
            assert!(data.len() <= MAX_BYTES, "{data}");
            assert_eq!(Callback::parse(&data), Ok(cb.clone()));
            assert_eq!(Callback::parse_press(&data), Ok((cb, false)));
        }
    }

    #[test]
    fn buttons_answered_apart_round_trip_and_nothing_else_is_apart() {
        let apart = [
            Callback::Event("x".repeat(24)),
            Callback::Topic("causes".into()),
            Callback::Petition,
            Callback::Sources,
            Callback::Summary,
            Callback::TimelinePage(0),
            Callback::Map("2022-01-05".parse().unwrap()),
        ];
        for cb in apart {
            let data = cb.new_message_data();
            assert!(data.len() <= MAX_BYTES, "{data}");
            assert_eq!(Callback::parse_press(&data), Ok((cb, true)), "{data}");
        }
        assert_eq!(
            Callback::Event("day".into()).new_message_data(),
            "1:n:e:day"
        );
        for bad in ["1:n", "1:n:", "1:n:n:e:x", "2:n:e:x", "1:nn:e:x", "1:n:e:X"] {
            assert_eq!(Callback::parse_press(bad), Err(BadCallback), "{bad}");
        }
    }

    #[test]
    fn forged_and_stale_data_is_rejected() {
        for data in [
            "",
            "0:s",
            "2:s",
            "1",
            "1:",
            "1:l:de:s",
            "1:l:kk:x",
            "1:l:kk",
            "1:t:-1",
            "1:t:1000",
            "1:t:00",
            "1:t:01",
            "1:t:",
            "1:t:1:2",
            "1:e:",
            "1:e:Zhanaozen",
            "1:e:../../etc",
            "1:s:extra",
            "1:p:a b",
            "1:src:x",
            "1:pt:1",
            "1:a:",
            "1:a:Anniversary",
            "1:a:a:xyz",
            "1:ac:x",
            "1:cj:",
            "1:cj:Day:2027-01-05",
            "1:cj:day 1",
            &format!("1:cj:{}", "j".repeat(60)),
            &format!("1:a:{}", "a".repeat(25)),
            "1:m:2022-01",
            "1:m:2022-1-05",
            "1:m:2022-02-30",
            "1:m:",
            "1:m:2022-01-05:x",
            &format!("1:e:{}", "a".repeat(25)),
            &"1:s".repeat(30),
        ] {
            assert_eq!(Callback::parse(data), Err(BadCallback), "{data:?}");
        }
    }
}
