//! One function per view. Each builds blocks of valid HTML; `split::pack` sizes them.

use fluent_bundle::FluentValue;

use super::dates::format_date;
use super::html::{clip, escape, link};
use super::split::{MESSAGE_LIMIT, pack};
use super::{Reply, View};
use crate::catalog::Catalog;
use crate::command::MENU;
use crate::content::{SourceKind, Topic};
use crate::i18n::{Msg, args};
use crate::lang::Lang;

/// How much of a person's input is echoed back in a refusal.
const ECHO_MAX: usize = 32;

/// Renders a view. Total: every view yields at least one valid message.
pub fn render(catalog: &Catalog, lang: Lang, view: &View) -> Reply {
    let r = Renderer { catalog, lang };
    let (blocks, link_preview) = match view {
        View::Start => (r.start(), false),
        View::Help => (r.help(), false),
        View::Summary => (r.summary(), false),
        View::Topic(id) => (r.topic(id), false),
        View::Timeline => (r.timeline(), false),
        View::Sources => (r.sources(), false),
        View::Petition => (r.petition(), true),
        View::LangMenu => (r.lang_menu(), false),
        View::LangChanged => (r.lang_changed(), false),
        View::LangUnknown(arg) => (r.lang_unknown(arg), false),
        View::LangSaveFailed(wanted) => (r.lang_save_failed(*wanted), false),
        View::NotACommand => (vec![r.t(Msg::NotACommand)], false),
        View::UnknownCommand(name) => (r.unknown_command(name), false),
    };
    Reply {
        messages: pack(blocks, MESSAGE_LIMIT),
        link_preview,
    }
}

struct Renderer<'a> {
    catalog: &'a Catalog,
    lang: Lang,
}

impl Renderer<'_> {
    /// A locale message, escaped for HTML.
    fn t(&self, msg: Msg) -> String {
        escape(&self.catalog.locales.text(self.lang, msg, None))
    }

    fn t_args(&self, msg: Msg, a: &crate::i18n::Args) -> String {
        escape(&self.catalog.locales.text(self.lang, msg, Some(a)))
    }

    fn command_lines(&self) -> String {
        MENU.iter()
            .map(|(name, msg)| format!("/{name} — {}", self.t(*msg)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn start(&self) -> Vec<String> {
        vec![
            format!("<b>{}</b>", self.t(Msg::StartTitle)),
            self.t(Msg::StartBody),
            format!("{}\n{}", self.t(Msg::StartCommands), self.command_lines()),
        ]
    }

    fn help(&self) -> Vec<String> {
        vec![
            format!("<b>{}</b>", self.t(Msg::HelpTitle)),
            self.command_lines(),
            format!("<i>{}</i>", self.t(Msg::HelpPrivacy)),
        ]
    }

    /// "Sources: <a>Publisher</a>, …" for a list of source ids.
    fn source_line(&self, ids: &[String]) -> String {
        let names: Vec<String> = ids
            .iter()
            .filter_map(|id| self.catalog.content.source(id))
            .map(|s| match &s.url {
                Some(url) => link(url, &s.publisher),
                None => escape(&s.publisher),
            })
            .collect();
        format!("<i>{}</i> {}", self.t(Msg::SourcesLabel), names.join(", "))
    }

    fn paragraphs(text: &str) -> Vec<String> {
        text.split("\n\n")
            .map(|p| escape(p.trim()))
            .filter(|p| !p.is_empty())
            .collect()
    }

    fn topic_lines(&self) -> String {
        let lines: Vec<String> = self
            .catalog
            .content
            .summary
            .topics
            .iter()
            .map(|t| format!("/summary_{} — {}", t.id, escape(t.title.get(self.lang))))
            .collect();
        format!("{}\n{}", self.t(Msg::SummaryMore), lines.join("\n"))
    }

    fn summary(&self) -> Vec<String> {
        let o = &self.catalog.content.summary.overview;
        let mut blocks = vec![format!("<b>{}</b>", escape(o.title.get(self.lang)))];
        blocks.extend(Self::paragraphs(o.body.get(self.lang)));
        blocks.push(self.source_line(&o.sources));
        if !self.catalog.content.summary.topics.is_empty() {
            blocks.push(self.topic_lines());
        }
        blocks
    }

    fn topic(&self, id: &str) -> Vec<String> {
        let wanted = id.trim().to_lowercase();
        let Some(topic): Option<&Topic> = self.catalog.content.topic(&wanted) else {
            let a = args([("topic", FluentValue::from(clip(id, ECHO_MAX)))]);
            return vec![
                self.t_args(Msg::SummaryUnknownTopic, &a),
                self.topic_lines(),
            ];
        };
        let mut blocks = vec![format!("<b>{}</b>", escape(topic.title.get(self.lang)))];
        blocks.extend(Self::paragraphs(topic.body.get(self.lang)));
        blocks.push(self.source_line(&topic.sources));
        blocks
    }

    fn timeline(&self) -> Vec<String> {
        let content = &self.catalog.content;
        let locales = &self.catalog.locales;
        let (Some(first), Some(last)) = (content.events.first(), content.events.last()) else {
            return vec![format!("<b>{}</b>", self.t(Msg::TimelineTitle))];
        };
        let a = args([
            ("count", FluentValue::from(content.events.len())),
            ("from", format_date(locales, self.lang, first.date).into()),
            ("to", format_date(locales, self.lang, last.date).into()),
        ]);
        let mut blocks = vec![format!("<b>{}</b>", self.t_args(Msg::TimelineTitle, &a))];
        for e in &content.events {
            blocks.push(format!(
                "🗓 <b>{}</b> — <i>{}</i>\n<b>{}</b>\n{}\n{}",
                escape(&format_date(locales, self.lang, e.date)),
                escape(e.place.get(self.lang)),
                escape(e.title.get(self.lang)),
                escape(e.body.get(self.lang).trim()),
                self.source_line(&e.sources),
            ));
        }
        blocks
    }

    fn sources(&self) -> Vec<String> {
        let content = &self.catalog.content;
        let mut blocks = vec![format!("<b>{}</b>", self.t(Msg::SourcesTitle))];
        for (kind, heading) in [
            (SourceKind::Original, Msg::SourcesOriginals),
            (SourceKind::Reference, Msg::SourcesReferences),
        ] {
            let mut first = true;
            for (n, s) in content
                .sources
                .iter()
                .filter(|s| s.kind == kind)
                .enumerate()
            {
                let title = match &s.url {
                    Some(url) => link(url, &s.title),
                    None => escape(&s.title),
                };
                let mut meta = vec![escape(&s.publisher)];
                if let Some(author) = &s.author {
                    meta.push(escape(author));
                }
                meta.push(escape(&format_date(
                    &self.catalog.locales,
                    self.lang,
                    s.date,
                )));
                let doc_lang = args([("lang", FluentValue::from(s.language.code()))]);
                meta.push(self.t_args(Msg::SourceLanguage, &doc_lang));
                let mut block = String::new();
                if first {
                    block.push_str(&format!("<b>{}</b>\n\n", self.t(heading)));
                    first = false;
                }
                block.push_str(&format!(
                    "{}. <b>{title}</b>\n{}\n{}",
                    n + 1,
                    meta.join(" · "),
                    escape(s.about.get(self.lang)),
                ));
                if s.url.is_none() {
                    block.push_str(&format!("\n<i>{}</i>", self.t(Msg::SourceNoLink)));
                }
                blocks.push(block);
            }
        }
        blocks
    }

    fn petition(&self) -> Vec<String> {
        let p = &self.catalog.content.petition;
        let publisher = self
            .catalog
            .content
            .source(&p.source)
            .map(|s| s.publisher.clone())
            .unwrap_or_default();
        let a = args([
            ("signatures", FluentValue::from(p.count.signatures)),
            ("goal", FluentValue::from(p.count.goal)),
            (
                "date",
                format_date(&self.catalog.locales, self.lang, p.count.as_of).into(),
            ),
            ("publisher", publisher.into()),
        ]);
        vec![
            format!("<b>{}</b>", escape(p.title.get(self.lang))),
            escape(p.ask.get(self.lang)),
            format!("<i>{}</i>", self.t_args(Msg::PetitionCount, &a)),
            format!("{}\n{}", self.t(Msg::PetitionSign), link(&p.url, &p.url)),
        ]
    }

    fn lang_choices(&self) -> String {
        Lang::ALL
            .iter()
            .map(|l| format!("/lang_{} — {}", l.code(), l.native_name()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn lang_menu(&self) -> Vec<String> {
        let a = args([("language", FluentValue::from(self.lang.native_name()))]);
        vec![
            self.t_args(Msg::LangCurrent, &a),
            format!("{}\n{}", self.t(Msg::LangChoose), self.lang_choices()),
        ]
    }

    fn lang_changed(&self) -> Vec<String> {
        let a = args([("language", FluentValue::from(self.lang.native_name()))]);
        vec![self.t_args(Msg::LangChanged, &a), self.command_lines()]
    }

    fn lang_unknown(&self, arg: &str) -> Vec<String> {
        let a = args([("input", FluentValue::from(clip(arg, ECHO_MAX)))]);
        vec![format!(
            "{}\n{}",
            self.t_args(Msg::LangUnknown, &a),
            self.lang_choices()
        )]
    }

    fn lang_save_failed(&self, wanted: Lang) -> Vec<String> {
        let a = args([("language", FluentValue::from(wanted.native_name()))]);
        vec![self.t_args(Msg::LangSaveFailed, &a)]
    }

    fn unknown_command(&self, name: &str) -> Vec<String> {
        let a = args([("command", FluentValue::from(clip(name, ECHO_MAX)))]);
        vec![self.t_args(Msg::UnknownCommand, &a)]
    }
}
