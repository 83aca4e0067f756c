//! Getting updates in and the bot running: long polling that confirms only handled
//! updates (the ledger), the webhook endpoint, the ops HTTP routes (/healthz, /metrics),
//! signals, and `run`, which wires them to the handler tree.

mod client;
mod http;
pub mod ledger;
mod poller;
mod run;
mod sender_thread;
mod signals;
mod updates;
mod webhook;

pub use client::ClientSettings;
pub use run::{RunError, RunOptions, Transport, run};
