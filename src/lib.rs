//! qantar-bot: a Telegram bot that tells the record of Kazakhstan's January 2022 events
//! in English, Russian and Kazakh. The binary is a thin shell around this library.

pub mod bot;
pub mod callback;
pub mod catalog;
pub mod command;
pub mod config;
pub mod content;
pub mod decide;
pub mod deeplink;
pub mod flood;
pub mod healthcheck;
pub mod i18n;
pub mod lang;
pub mod logging;
pub mod metrics;
pub mod preview;
pub mod problem;
pub mod render;
pub mod search;
pub mod store;
pub mod usage;
