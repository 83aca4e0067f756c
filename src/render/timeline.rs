//! The timeline a page at a time, and one event in full with its sources.

use fluent::FluentValue;

use super::html::{escape, link};
use super::keyboard::{Button, Keyboard};
use super::views::Renderer;
use crate::content::Content;
use crate::i18n::{Msg, args};
use crate::input::callback_data::Callback;

/// Events per page. With bodies capped at load, four always fit in one message.
pub const PAGE_SIZE: usize = 4;

pub fn page_count(content: &Content) -> usize {
    content.events.len().div_ceil(PAGE_SIZE).max(1)
}

/// The page an event is on, so "back" returns the reader where they were.
pub fn page_of(content: &Content, event_id: &str) -> usize {
    content
        .events
        .iter()
        .position(|e| e.id == event_id)
        .map_or(0, |i| i / PAGE_SIZE)
}

impl Renderer<'_> {
    fn timeline_header(&self) -> String {
        let content = &self.catalog.content;
        let (Some(first), Some(last)) = (content.events.first(), content.events.last()) else {
            return String::new();
        };
        let a = args([
            ("count", FluentValue::from(content.events.len())),
            ("from", self.date(first.date).into()),
            ("to", self.date(last.date).into()),
        ]);
        self.t_args(Msg::TimelineTitle, &a)
    }

    pub(super) fn timeline_page(&self, page: usize) -> (Vec<String>, Keyboard) {
        let content = &self.catalog.content;
        let pages = page_count(content);
        let page = page.min(pages - 1);
        let a = args([
            ("page", FluentValue::from(page + 1)),
            ("pages", FluentValue::from(pages)),
        ]);
        let mut blocks = vec![format!(
            "<b>{}</b>\n<i>{}</i>",
            self.timeline_header(),
            self.t_args(Msg::TimelinePage, &a)
        )];
        let start = page * PAGE_SIZE;
        let on_page = content
            .events
            .iter()
            .enumerate()
            .skip(start)
            .take(PAGE_SIZE);
        let mut open_row = Vec::new();
        for (i, e) in on_page {
            blocks.push(format!(
                "<b>{}. {}</b> — <i>{}</i>\n<b>{}</b>\n{}",
                i + 1,
                escape(&self.date(e.date)),
                escape(e.place.get(self.lang)),
                escape(e.title.get(self.lang)),
                escape(e.body.get(self.lang).trim()),
            ));
            open_row.push(Button::callback(
                format!("{}", i + 1),
                Callback::Event(e.id.clone()),
            ));
        }
        blocks.push(format!("<i>{}</i>", self.t(Msg::TimelineOpenHint)));

        let mut keys: Keyboard = vec![open_row];
        let mut nav = Vec::new();
        if page > 0 {
            nav.push(Button::callback(
                self.plain(Msg::ButtonPrev),
                Callback::TimelinePage(page - 1),
            ));
        }
        if page + 1 < pages {
            nav.push(Button::callback(
                self.plain(Msg::ButtonNext),
                Callback::TimelinePage(page + 1),
            ));
        }
        if !nav.is_empty() {
            keys.push(nav);
        }
        if let Some(first) = content.events.get(start) {
            keys.push(vec![self.map_button(first.date)]);
        }
        if page + 1 == pages {
            keys.push(self.petition_row(true));
            keys.push(vec![self.subscribe_button()]);
        }
        (blocks, keys)
    }

    pub(super) fn event(&self, id: &str) -> (Vec<String>, Keyboard) {
        let content = &self.catalog.content;
        let Some(e) = content.event(id) else {
            return self.timeline_page(0);
        };
        let mut blocks = vec![format!(
            "🗓 <b>{}</b> — <i>{}</i>\n<b>{}</b>",
            escape(&self.date(e.date)),
            escape(e.place.get(self.lang)),
            escape(e.title.get(self.lang)),
        )];
        blocks.extend(Self::paragraphs(e.body.get(self.lang)));
        let mut sources = vec![format!("<i>{}</i>", self.t(Msg::SourcesLabel))];
        for s in e.sources.iter().filter_map(|id| content.source(id)) {
            let title = match &s.url {
                Some(url) => link(url, &s.title),
                None => escape(&s.title),
            };
            sources.push(format!(
                "• {title} — {}, {}",
                escape(&s.publisher),
                escape(&self.date(s.date))
            ));
        }
        blocks.push(sources.join("\n"));
        let keys = vec![vec![
            Button::callback(
                self.plain(Msg::ButtonBackTimeline),
                Callback::TimelinePage(page_of(content, &e.id)),
            ),
            Button::url(self.plain(Msg::ButtonSign), content.petition.url.clone()),
        ]];
        (blocks, keys)
    }
}
