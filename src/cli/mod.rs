//! The subcommands besides running the bot: `preview` (a reader's view, offline),
//! `check` (content and locales), `links` (deep links to post), `healthcheck`, and the
//! store's `rekey` and `purge`.

pub mod check;
pub mod healthcheck;
pub mod links;
pub mod preview;
pub mod purge;
pub mod rekey;
pub mod run;
pub mod schedule;

/// Prints a line; a closed pipe (`| head`) ends the output quietly instead of panicking.
pub fn out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Runs a future to completion on a one-thread runtime, for subcommands that use the
/// store; `Err` when no runtime can be started.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, crate::store::StoreError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|rt| rt.block_on(future))
        .map_err(|e| crate::store::StoreError::Runtime(e.to_string()))
}
