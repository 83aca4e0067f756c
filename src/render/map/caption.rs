//! The map's caption and buttons: the date, what happened that day (the day's headlines)
//! and which places joined, with ◀ ▶ through the map's days and the day's timeline page.

use fluent::FluentValue;

use super::{Photo, Scene, days, svg};
use crate::content::Date;
use crate::i18n::{Msg, args};
use crate::input::callback_data::Callback;
use crate::render::PAGE_SIZE;
use crate::render::html::escape;
use crate::render::keyboard::{Button, Keyboard};
use crate::render::views::Renderer;

/// Telegram's limit for a caption; headlines are dropped from the end to stay within.
pub const CAPTION_LIMIT: usize = 1024;

impl Renderer<'_> {
    /// The map of `day` (a map day; another day shows the last map day before it).
    /// Long by nature: the caption, its ◀ ▶ and timeline buttons and the picture's key
    /// all follow from the same day and scene, built in the order a reader sees them.
    pub(in crate::render) fn map(&self, day: Date) -> (Vec<String>, Keyboard, Photo) {
        let content = &self.catalog.content;
        let day = super::map_day(content, day);
        let scene = Scene::of(content, day);
        let mut blocks = vec![self.map_title(day)];
        let titles: Vec<String> = content
            .events
            .iter()
            .filter(|e| e.date == day)
            .map(|e| format!("• {}", escape(e.title.get(self.lang))))
            .collect();
        let new: Vec<&str> = scene
            .new_places()
            .map(|m| m.place.name_on(day, self.lang))
            .collect();
        let tail = if new.is_empty() {
            None
        } else {
            let a = args([("places", FluentValue::from(new.join(", ")))]);
            Some(format!("<i>{}</i>", self.t_args(Msg::MapNewPlaces, &a)))
        };
        if titles.is_empty() {
            blocks.push(format!("<i>{}</i>", self.t(Msg::MapNoEvents)));
        } else {
            // Whole headlines only, as many as the caption holds with the rest.
            // Saturating: a heading and a tail that fill the caption leave no headline,
            // not an overflow (a panic in a debug build, a huge budget in release).
            let budget = CAPTION_LIMIT
                .saturating_sub(16)
                .saturating_sub(visible_len(&blocks[0]))
                .saturating_sub(tail.as_deref().map_or(0, visible_len));
            let mut used = 0;
            let mut kept = Vec::new();
            for title in titles {
                used += visible_len(&title) + 1;
                if used > budget {
                    break;
                }
                kept.push(title);
            }
            blocks.push(kept.join("\n"));
        }
        blocks.extend(tail);

        let all = days(content);
        let at = all.iter().position(|d| *d == day).unwrap_or(0);
        let mut nav = Vec::new();
        if at > 0 {
            nav.push(Button::callback(
                self.plain(Msg::ButtonPrev),
                Callback::Map(all[at - 1]),
            ));
        }
        if let Some(next) = all.get(at + 1) {
            nav.push(Button::callback(
                self.plain(Msg::ButtonNext),
                Callback::Map(*next),
            ));
        }
        // The day's first event, or the last one before it.
        let event = content
            .events
            .iter()
            .position(|e| e.date >= day)
            .filter(|i| content.events[*i].date == day)
            .or_else(|| content.events.iter().rposition(|e| e.date < day))
            .unwrap_or(0);
        let mut keys = vec![];
        if !nav.is_empty() {
            keys.push(nav);
        }
        keys.push(vec![Button::callback(
            self.plain(Msg::ButtonMapTimeline),
            Callback::TimelinePage(event / PAGE_SIZE),
        )]);
        let photo = Photo::new(day, svg(self.catalog, self.lang, day));
        (blocks, keys, photo)
    }

    /// "🗺 5 January 2022": the first line of a map's caption, and the whole caption of
    /// a map sent before a text too long to be its caption.
    pub(in crate::render) fn map_title(&self, day: Date) -> String {
        format!("🗺 <b>{}</b>", escape(&self.date(day)))
    }

    /// The map under "on this day" on `day`: the map of the earliest earlier year's
    /// same calendar day that has events and is one of the map's days (2 to 19 January
    /// 2022, or a later event's day with places). `None` when there is none.
    pub(in crate::render) fn on_this_day_map(&self, day: Date) -> Option<Photo> {
        let content = &self.catalog.content;
        let shown = days(content).into_iter().find(|d| {
            d.month == day.month
                && d.day == day.day
                && d.year < day.year
                && content.events.iter().any(|e| e.date == *d)
        })?;
        Some(Photo::new(shown, svg(self.catalog, self.lang, shown)))
    }

    /// The 🗺 button of the timeline and the summary, opening the map on `day`.
    pub(in crate::render) fn map_button(&self, day: Date) -> Button {
        Button::callback(
            self.plain(Msg::ButtonMap),
            Callback::Map(super::map_day(&self.catalog.content, day)),
        )
    }
}

/// Characters a reader sees: tags do not count against the caption limit, and the
/// escapes count as one.
pub fn visible_len(html: &str) -> usize {
    let mut n = 0;
    let mut in_tag = false;
    let mut in_entity = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '&' if !in_tag => {
                in_entity = true;
                n += 1;
            }
            ';' if in_entity => in_entity = false,
            _ if in_tag || in_entity => {}
            _ => n += 1,
        }
    }
    n
}
