//! Inline-mode results: compact, self-contained messages a reader shares into any chat,
//! each with its sources and the petition button.

use super::html::escape;
use super::keyboard::{Button, Keyboard};
use super::views::Renderer;
use crate::content::Event;
use crate::i18n::Msg;
use crate::input::deep_link::{Payload, link as deep_link};
use crate::lang::Lang;
use crate::render::Material;

/// Telegram accepts at most 50 results per answer.
pub const MAX_RESULTS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineArticle {
    /// Unique within one answer, at most 64 bytes.
    pub id: String,
    pub title: String,
    pub description: String,
    pub html: String,
    pub keyboard: Keyboard,
}

/// Results for `query`: with words, the matching events first and then the petition and
/// the summary; with none, the petition and the summary first, then the timeline.
pub fn inline_results(
    catalog: &Material,
    lang: Lang,
    query: &str,
    bot: &str,
) -> Vec<InlineArticle> {
    let r = Renderer { catalog, lang };
    let events: Vec<InlineArticle> = catalog
        .search
        .matching(&catalog.content, query)
        .into_iter()
        .map(|e| r.event_article(e, bot))
        .collect();
    let fixed = [r.petition_article(bot), r.summary_article(bot)];
    let ordered: Vec<InlineArticle> = if query.trim().is_empty() {
        fixed.into_iter().chain(events).collect()
    } else {
        events.into_iter().chain(fixed).collect()
    };
    ordered.into_iter().take(MAX_RESULTS).collect()
}

fn first_chars(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        out.push('…');
    }
    out
}

impl Renderer<'_> {
    fn share_keys(&self, bot: &str, payload: Payload) -> Keyboard {
        let mut row = self.petition_row(false);
        if !bot.is_empty() {
            row.push(Button::url(
                self.plain(Msg::ButtonOpenBot),
                deep_link(bot, &payload),
            ));
        }
        vec![row]
    }

    fn petition_article(&self, bot: &str) -> InlineArticle {
        let p = &self.catalog.content.petition;
        InlineArticle {
            id: "petition".into(),
            title: p.title.get(self.lang).to_string(),
            description: p.ask.get(self.lang).to_string(),
            html: format!(
                "<b>{}</b>\n{}\n<i>{}</i>",
                escape(p.title.get(self.lang)),
                escape(p.ask.get(self.lang)),
                self.petition_count()
            ),
            keyboard: self.share_keys(bot, Payload::Petition),
        }
    }

    fn summary_article(&self, bot: &str) -> InlineArticle {
        let o = &self.catalog.content.summary.overview;
        let mut blocks = vec![format!("<b>{}</b>", escape(o.title.get(self.lang)))];
        blocks.extend(Self::paragraphs(o.body.get(self.lang)));
        blocks.push(self.source_line(&o.sources));
        InlineArticle {
            id: "summary".into(),
            title: o.title.get(self.lang).to_string(),
            description: first_chars(o.body.get(self.lang), 120),
            html: blocks.join("\n\n"),
            keyboard: self.share_keys(bot, Payload::Summary),
        }
    }

    fn event_article(&self, e: &Event, bot: &str) -> InlineArticle {
        let date = self.date(e.date);
        InlineArticle {
            id: format!("e:{}", e.id),
            title: format!("{date} — {}", e.title.get(self.lang)),
            description: e.place.get(self.lang).to_string(),
            html: format!(
                "🗓 <b>{}</b> — <i>{}</i>\n<b>{}</b>\n{}\n{}",
                escape(&date),
                escape(e.place.get(self.lang)),
                escape(e.title.get(self.lang)),
                escape(e.body.get(self.lang).trim()),
                self.source_line(&e.sources),
            ),
            keyboard: self.share_keys(bot, Payload::Event(e.id.clone())),
        }
    }
}
