//! The record as web pages: a static site written from the same content, locales and
//! map as the chat (`site`, pure), served by the bot itself on `QANTAR_WEB_LISTEN`
//! (`serve`, from a `LiveSite` the app holds), at an address (`url`), and opened inside
//! Telegram as a Mini App (its POST is `transport::mini_app`, its check
//! `input::init_data`).
//!
//! A second renderer beside `render/`: `render` writes Telegram messages, `site` writes
//! HTML documents; both read `content` and `i18n`, neither copies the other.

pub mod serve;
pub mod site;
pub mod url;

pub use serve::{LiveSite, router};
pub use site::{Site, SiteFile, build};
pub use url::WebUrl;
