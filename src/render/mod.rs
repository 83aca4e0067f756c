//! Pure rendering: content + locales + language + view in, Telegram HTML messages out.
//!
//! No I/O happens here, so every view can be tested in every language without a bot.

mod dates;
pub mod html;
pub mod split;
mod views;

pub use dates::format_date;
pub use views::render;

use crate::lang::Lang;

/// What the person asked to see, already parsed and resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Start,
    Help,
    Summary,
    /// One topic of the summary by id; an unknown id renders a refusal listing topics.
    Topic(String),
    Timeline,
    Sources,
    Petition,
    /// `/lang` alone: the current language and the choices.
    LangMenu,
    /// Confirmation, rendered in the newly chosen language.
    LangChanged,
    /// `/lang` with something we could not read; carries the raw argument to echo.
    LangUnknown(String),
    /// The choice could not be saved; says so in the requested language.
    LangSaveFailed(Lang),
    /// Private chat text that is not a command.
    NotACommand,
    /// A command we do not have; carries its name to echo.
    UnknownCommand(String),
}

/// What to send: one or more HTML messages, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub messages: Vec<String>,
    /// Off for lists of links, where a preview of the first link would mislead.
    pub link_preview: bool,
}
