//! Getting updates in and the bot running: long polling that confirms only handled
//! updates (the ledger), the webhook endpoint, the ops HTTP routes (/healthz, /metrics),
//! signals, and `run`, which wires them to the handler tree.

mod http;
pub mod ledger;
pub mod mini_app;
mod poller;
mod run;
mod signals;
mod updates;
mod webhook;

pub use crate::deliver::client::ClientSettings;
pub use run::{RunError, RunOptions, Transport, run};
