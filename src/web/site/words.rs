//! The locales' words for a page in one language, escaped for HTML.

use crate::catalog::Catalog;
use crate::content::Date;
use crate::i18n::{Args, Msg};
use crate::lang::Lang;
use crate::render::format_date;
use crate::render::html::escape;

pub struct Words<'a> {
    pub catalog: &'a Catalog,
    pub lang: Lang,
}

impl Words<'_> {
    /// A message as plain text (for attributes, escape it).
    pub fn plain(&self, msg: Msg) -> String {
        self.catalog.locales.text(self.lang, msg, None)
    }

    /// A message, escaped for HTML.
    pub fn t(&self, msg: Msg) -> String {
        escape(&self.plain(msg))
    }

    pub fn t_args(&self, msg: Msg, a: &Args) -> String {
        escape(&self.catalog.locales.text(self.lang, msg, Some(a)))
    }

    /// The date as the language writes it, escaped.
    pub fn date(&self, date: Date) -> String {
        escape(&format_date(&self.catalog.locales, self.lang, date))
    }

    /// The date as the language writes it, not escaped (for message arguments).
    pub fn plain_date(&self, date: Date) -> String {
        format_date(&self.catalog.locales, self.lang, date)
    }

    /// A content text in this language, escaped.
    pub fn text(&self, text: &crate::content::Localized) -> String {
        escape(text.get(self.lang))
    }

    /// A content text's paragraphs (separated by a blank line), each in `<p>`.
    pub fn paragraphs(&self, text: &crate::content::Localized) -> String {
        crate::render::html::paragraphs(text.get(self.lang))
            .iter()
            .map(|p| format!("<p>{p}</p>\n"))
            .collect()
    }
}

/// `<time datetime="2022-01-05">5 January 2022</time>`.
pub fn time(words: &Words, date: Date) -> String {
    format!("<time datetime=\"{date}\">{}</time>", words.date(date))
}
