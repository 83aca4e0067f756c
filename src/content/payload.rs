//! The grammar of `start=` payloads (`event_<id>`, `summary_<id>`, `map_2022-01-05`…):
//! what the record's buttons name, content checks at load, and the bot reads when
//! `/start <payload>` arrives (`input::deep_link`).

use super::Date;
use crate::lang::Lang;

/// What a deep link asks to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Petition,
    Timeline,
    Sources,
    Summary,
    Topic(String),
    Lang(Lang),
    Event(String),
    /// The map: its first day, or the map day of a date.
    Map(Option<Date>),
}

impl Payload {
    /// Reads a payload; `None` for anything unknown or malformed, which greets instead.
    pub fn parse(payload: &str) -> Option<Payload> {
        // Telegram only passes 1-64 characters of [A-Za-z0-9_-]; anything else was typed.
        let well_formed = !payload.is_empty()
            && payload.len() <= 64
            && payload
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !well_formed {
            return None;
        }
        let p = payload.to_ascii_lowercase();
        Some(match p.as_str() {
            "petition" => Payload::Petition,
            "timeline" => Payload::Timeline,
            "sources" => Payload::Sources,
            "summary" => Payload::Summary,
            "map" => Payload::Map(None),
            _ => {
                if let Some(code) = p.strip_prefix("lang_") {
                    Payload::Lang(code.parse().ok()?)
                } else if let Some(id) = p.strip_prefix("event_") {
                    Payload::Event(id.to_string())
                } else if let Some(day) = p.strip_prefix("map_") {
                    match day.parse::<Date>() {
                        Ok(date) if date.day.is_some() => Payload::Map(Some(date)),
                        _ => return None,
                    }
                } else if let Some(id) = p.strip_prefix("summary_") {
                    Payload::Topic(id.to_string())
                } else {
                    return None;
                }
            }
        })
    }

    pub fn as_payload(&self) -> String {
        match self {
            Payload::Petition => "petition".into(),
            Payload::Timeline => "timeline".into(),
            Payload::Sources => "sources".into(),
            Payload::Summary => "summary".into(),
            Payload::Topic(id) => format!("summary_{id}"),
            Payload::Lang(lang) => format!("lang_{}", lang.code()),
            Payload::Event(id) => format!("event_{id}"),
            Payload::Map(None) => "map".into(),
            Payload::Map(Some(day)) => format!("map_{day}"),
        }
    }
}
