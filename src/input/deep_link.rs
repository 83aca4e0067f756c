//! `t.me/<bot>?start=<payload>` links for the channel's posts: parsing the payload that
//! arrives as `/start <payload>`, and listing the links for admins.

use crate::content::Content;
use crate::lang::Lang;

/// The payload's grammar is the record's too (its buttons name payloads), so it lives
/// in `content::payload`; read here at the edge.
pub use crate::content::payload::Payload;

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
    for day in crate::content::map_days::days(content) {
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
