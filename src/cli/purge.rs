//! `qantar-bot purge`: deletes every per-chat row in every table (language choices,
//! subscriptions), keeps the anonymous counts, and on SQLite leaves no copy of what it
//! deleted in the file. It needs no data key: a lost key must not keep rows alive.

use std::io::BufRead;
use std::process::ExitCode;

use super::output;
use crate::config::Cli;
use crate::store::Store;

pub fn run(cli: &Cli, yes: bool) -> ExitCode {
    if !yes && !confirmed() {
        output::line("nothing deleted");
        return ExitCode::FAILURE;
    }
    match super::block_on(Store::purge_at(&cli.database_url)) {
        Ok(Ok(purged)) => {
            for (table, n) in &purged.tables {
                output::line(&format!("{table}: {n} rows deleted"));
            }
            output::line(&format!(
                "purged {} per-chat rows; the anonymous counts (usage, totals) are kept",
                purged.total()
            ));
            ExitCode::SUCCESS
        }
        Ok(Err(e)) | Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Asks on the terminal; anything but "yes" keeps everything.
fn confirmed() -> bool {
    output::prompt(
        "This deletes every chat's language choice and subscription in the store; usage counts stay.\nType yes to go on: ",
    );
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).is_ok() && answer.trim() == "yes"
}
