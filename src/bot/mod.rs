//! The Telegram side: the handler tree, delivery, menus and the polling loop.

mod callbacks;
mod deliver;
mod effects;
mod handler;
mod http;
mod inline;
mod keyboard;
mod ledger;
pub mod menus;
mod messages;
mod poller;
pub mod reload;
mod run;
mod signals;
mod webhook;

use std::sync::Arc;

pub use handler::{HandlerError, schema};
pub use run::{RunError, RunOptions, Transport, run};

use crate::catalog::LiveCatalog;
use crate::flood::FloodGuard;
use crate::lang::Lang;
use crate::store::Store;

/// What every handler needs, shared behind an `Arc`.
pub struct App {
    pub catalog: Arc<LiveCatalog>,
    pub store: Store,
    pub default_lang: Lang,
    pub flood: FloodGuard,
    /// Updates in flight, so polling confirms only what has been handled.
    pub ledger: Arc<ledger::Ledger>,
    /// Telegram user ids allowed /stats and /reload.
    pub admins: std::collections::HashSet<u64>,
    pub usage: crate::usage::UsageCounter,
    /// Where content and locales are reloaded from.
    pub sources: reload::Sources,
    /// Counters for /metrics.
    pub metrics: crate::metrics::Metrics,
}
