//! qantar-bot: a Telegram bot that tells the record of Kazakhstan's January 2022 events
//! in English, Russian and Kazakh. The binary is a thin shell around this library.
//!
//! The folders follow one update: `transport` brings it in, `input` parses it, `decide`
//! plans the answer, `handle` carries the plan out with the `store`, `render` writes the
//! reply, `deliver` sends it. `content`, `i18n` and `catalog` are what is told; `view` is
//! what was asked; `app` is what the runtime shares; `cli` holds the other subcommands.
//!
//! Imports only point down (`tools/layers/check.py` finds any cycle): `lang`, `content`,
//! `i18n`, `view`, `input`, `decide` and `render` are pure and never import the store,
//! the transport or the runtime; `app` holds values of the layers below it, and only
//! `handle`, `outreach` and `transport` import it.

#![forbid(unsafe_code)]

pub mod app;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod content;
pub mod decide;
pub mod deliver;
pub mod handle;
pub mod health;
pub mod i18n;
pub mod input;
pub mod lang;
pub mod logging;
pub mod metrics;
pub mod outreach;
pub mod problem;
pub mod render;
pub mod schedule;
pub mod store;
pub mod transport;
pub mod usage;
pub mod view;
pub mod web;
