//! The record as web pages: a static site written from the same content, locales and
//! map as the chat (`site`), served by the bot itself on `QANTAR_WEB_LISTEN` (`serve`),
//! and opened inside Telegram as a Mini App.
//!
//! A second renderer beside `render/`: `render` writes Telegram messages, `site` writes
//! HTML documents; both read `content` and `i18n`, neither copies the other.

pub mod serve;
pub mod site;
pub mod url;

pub use serve::{LiveSite, router};
pub use site::{Site, SiteFile, build};
pub use url::WebUrl;
