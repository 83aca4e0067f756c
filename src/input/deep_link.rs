//! `t.me/<bot>?start=<payload>` links for the channel's posts: parsing the payload that
//! arrives as `/start <payload>`, and listing the links for admins.

use crate::content::{Content, Date};
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

/// The link that opens `payload` in the bot called `username`.
pub fn link(username: &str, payload: &Payload) -> String {
    format!(
        "https://t.me/{}?start={}",
        username.trim_start_matches('@'),
        payload.as_payload()
    )
}

/// Every deep link the channel can post, with a short label, in a stable order.
pub fn all_links(username: &str, content: &Content) -> Vec<(String, String)> {
    let mut payloads = vec![
        (Payload::Petition, "the petition".to_string()),
        (Payload::Summary, "the summary".to_string()),
        (Payload::Timeline, "the timeline".to_string()),
        (
            Payload::Map(None),
            "the map, from its first day".to_string(),
        ),
        (Payload::Sources, "the sources".to_string()),
    ];
    for t in &content.summary.topics {
        payloads.push((
            Payload::Topic(t.id.clone()),
            format!("summary topic: {}", t.title.en),
        ));
    }
    for lang in Lang::ALL {
        payloads.push((
            Payload::Lang(lang),
            format!("switch to {}", lang.native_name()),
        ));
    }
    for day in crate::render::map::days(content) {
        payloads.push((Payload::Map(Some(day)), format!("the map on {day}")));
    }
    for e in &content.events {
        payloads.push((
            Payload::Event(e.id.clone()),
            format!("{}: {}", e.date, e.title.en),
        ));
    }
    payloads
        .into_iter()
        .map(|(p, label)| (link(username, &p), label))
        .collect()
}

/// The links that open the bot's Mini App (its main app, set in @BotFather): the start
/// page, then each event's page. The page's script reads the event id from `startapp`.
pub fn mini_app_links(username: &str, content: &Content) -> Vec<(String, String)> {
    let bot = username.trim_start_matches('@');
    let mut out = vec![(
        format!("https://t.me/{bot}?startapp"),
        "the Mini App: the record's pages, in the reader's language".to_string(),
    )];
    out.extend(content.events.iter().map(|e| {
        (
            format!("https://t.me/{bot}?startapp={}", e.id),
            format!("Mini App, {}: {}", e.date, e.title.en),
        )
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_payloads() {
        assert_eq!(Payload::parse("petition"), Some(Payload::Petition));
        assert_eq!(Payload::parse("TIMELINE"), Some(Payload::Timeline));
        assert_eq!(Payload::parse("lang_kk"), Some(Payload::Lang(Lang::Kk)));
        assert_eq!(
            Payload::parse("event_zhanaozen"),
            Some(Payload::Event("zhanaozen".into()))
        );
        assert_eq!(Payload::parse("map"), Some(Payload::Map(None)));
        assert_eq!(
            Payload::parse("map_2022-01-05"),
            Some(Payload::Map(Some("2022-01-05".parse().unwrap())))
        );
        assert_eq!(
            Payload::parse("summary_csto"),
            Some(Payload::Topic("csto".into()))
        );
    }

    #[test]
    fn unknown_and_malformed_payloads_greet() {
        for p in [
            "",
            "lang_de",
            "lang_",
            "map_2022-01",
            "map_2022-13-01",
            "map_tomorrow",
            "hello",
            "petition now",
            "<b>",
            "событие",
            &"a".repeat(65),
        ] {
            assert_eq!(Payload::parse(p), None, "{p:?}");
        }
    }

    #[test]
    fn links_round_trip() {
        for p in [
            Payload::Petition,
            Payload::Lang(Lang::Ru),
            Payload::Event("x_1".into()),
        ] {
            let url = link("@QantarBot", &p);
            let payload = url.split("?start=").nth(1).unwrap();
            assert!(url.starts_with("https://t.me/QantarBot?start="));
            assert_eq!(Payload::parse(payload), Some(p));
        }
    }
}
