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

/// The catalog for a subcommand that needs it whole (`check`, `site`): the problems
/// and their count on stderr, and a failing exit code, when it does not load.
pub fn load_catalog(
    cli: &crate::config::Cli,
) -> Result<crate::catalog::Catalog, std::process::ExitCode> {
    crate::catalog::Catalog::load(&cli.content_dir, &cli.locales_dir).map_err(|problems| {
        eprintln!("{problems}");
        eprintln!("{} problem(s)", problems.0.len());
        std::process::ExitCode::FAILURE
    })
}
