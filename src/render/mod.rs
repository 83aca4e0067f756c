//! Pure rendering: material (content + locales + search) + language + view in, Telegram
//! HTML messages out. The views are `crate::view`'s; the catalog above keeps the replies
//! rendered at load (`Ready`).
//!
//! No I/O happens here, so every view can be tested in every language without a bot.

mod articles;
mod dates;
pub mod html;
pub mod keyboard;
pub mod map;
mod material;
mod outreach;
mod ready;
pub mod split;
mod timeline;
mod views;

/// The views' own home is `view`; named here too for the tests and benches that
/// render them.
pub use crate::view::{JobProgress, Links, View};
pub use articles::{InlineArticle, inline_results};
pub use dates::format_date;
pub use keyboard::{Button, ButtonAction, Keyboard};
pub use material::Material;
pub use outreach::days_with_events;
pub use ready::Ready;
pub use timeline::{PAGE_SIZE, page_count, page_of};
pub use views::{petition_count, render};

/// One part of a reply, sent as one Telegram message: HTML text and, possibly, buttons
/// under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub html: String,
    pub keyboard: Keyboard,
}

/// What to send: one or more messages, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub messages: Vec<Part>,
    /// Off for lists of links, where a preview of the first link would mislead.
    pub link_preview: bool,
    /// A picture sent with the first message as its caption (the map); `None` for text.
    pub photo: Option<map::Photo>,
}

impl Reply {
    /// The texts alone, for logs of what was sent and for tests.
    pub fn texts(&self) -> Vec<&str> {
        self.messages.iter().map(|m| m.html.as_str()).collect()
    }
}
