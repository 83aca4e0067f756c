//! The subcommands besides running the bot: `preview` (a reader's view, offline),
//! `check` (content and locales), `links` (deep links to post), `healthcheck`, the
//! store's `rekey` and `purge`, and `schedule`. Whatever they print goes through
//! `output`.

pub mod check;
pub mod healthcheck;
pub mod links;
pub mod output;
pub mod preview;
pub mod purge;
pub mod rekey;
pub mod run;
pub mod schedule;
pub mod site;

/// Runs a future to completion on a one-thread runtime, for subcommands that use the
/// store; `Err` when no runtime can be started.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, crate::store::StoreError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|rt| rt.block_on(future))
        .map_err(|e| crate::store::StoreError::Runtime(e.to_string()))
}
