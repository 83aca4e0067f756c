//! `qantar-bot rekey`: moves every stored row from the current data key to a new one,
//! one transaction per table; interrupted, it is run again with the same keys.

use std::path::Path;
use std::process::ExitCode;

use super::output;
use crate::config::Cli;
use crate::store::key_source::{self, KeyOrigin};
use crate::store::{DataKey, Rekeyed, Store};

/// The new key: QANTAR_NEW_DATA_KEY, else the file given.
fn new_key(file: Option<&Path>) -> Result<DataKey, String> {
    if let Ok(text) = std::env::var("QANTAR_NEW_DATA_KEY") {
        return key_source::resolve(Some(&text), None, "postgres:")
            .map(|(key, _)| key)
            .map_err(|_| "QANTAR_NEW_DATA_KEY is not 32 bytes in base64".to_string());
    }
    match file {
        Some(path) => key_source::read_key_file(path).map_err(|e| e.to_string()),
        None => Err(
            "rekey needs the new key: --new-key-file PATH or QANTAR_NEW_DATA_KEY (make one with: head -c 32 /dev/urandom | base64)"
                .into(),
        ),
    }
}

pub fn run(cli: &Cli, new_key_file: Option<&Path>) -> ExitCode {
    let (old, origin) = match cli.data_key() {
        Ok(found) => found,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let new = match new_key(new_key_file) {
        Ok(key) => key,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if old.check_value() == new.check_value() {
        eprintln!("the new key is the current key: nothing to do");
        return ExitCode::from(2);
    }
    let done = match super::block_on(Store::rekey(&cli.database_url, &old, &new)) {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    for (table, what) in done {
        match what {
            Rekeyed::Moved(n) => output::line(&format!("{table}: {n} rows moved to the new key")),
            Rekeyed::Already => output::line(&format!("{table}: already under the new key")),
        }
    }
    output::line("done: every row is under the new key; start the bot with it.");
    if let KeyOrigin::BesideDatabase { path, .. } = origin {
        output::line(&format!(
            "the old key was the file {}: replace it with the new key, or set QANTAR_DATA_KEY_FILE.",
            path.display()
        ));
    }
    ExitCode::SUCCESS
}
