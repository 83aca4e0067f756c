//! Getting updates in and the bot running: long polling that confirms only handled
//! updates (the ledger, whose guard stands in front of the handler tree), the webhook
//! endpoint, the ops HTTP routes (/healthz, /metrics), the Mini App's POST beside the
//! pages (`mini_app`), signals, and `run`, which builds the `App` and wires them all.

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
