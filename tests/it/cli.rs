//! The subcommands as an operator runs them from a shell (issue 22): piped into a
//! reader that stops early (`| head`), and `schedule` given a store that is not there or
//! its dates the wrong way round.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::process::{Launch, TEST_DATA_KEY};

/// Another data key, for `rekey` (32 bytes 0x43).
const NEW_DATA_KEY: &str = "Q0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0M=";

/// The binary with the shipped content, its store in `dir`, and a data key.
fn qantar(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Launch::new("http://127.0.0.1:9", dir).command();
    cmd.args(args)
        .env("QANTAR_DATA_KEY", TEST_DATA_KEY)
        .env("QANTAR_NEW_DATA_KEY", NEW_DATA_KEY)
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `cmd` with its standard output a pipe nobody reads any more: the reader has
/// gone before the first line, the sharpest case of `| head`.
fn into_closed_pipe(mut cmd: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    cmd.stdout(writer).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_subcommand_that_prints_ends_quietly_into_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    // An empty file is an empty SQLite database: `schedule` reads an existing store.
    std::fs::File::create(dir.path().join("prefs.db")).unwrap();
    let runs: [&[&str]; 8] = [
        &["check"],
        &["links", "--username", "QantarBot"],
        &["preview", "/timeline", "--lang", "kk"],
        &["preview", "--on-this-day", "2027-01-05", "--lang", "ru"],
        &["schedule", "--from", "2027-01-01", "--to", "2027-01-19"],
        &["purge", "--yes"],
        &["rekey"],
        // Interrupted runs go again: this one finds every table moved already.
        &["rekey"],
    ];
    let mut wrong = Vec::new();
    for args in runs {
        let out = into_closed_pipe(qantar(dir.path(), args));
        let stderr = text(&out.stderr);
        // The reader leaving is not the command failing: it did its work all the same.
        if stderr.contains("panicked") || stderr.contains("Broken pipe") || !out.status.success() {
            wrong.push(format!(
                "{args:?} exited {:?}:\n{stderr}",
                out.status.code()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn schedule_refuses_a_store_that_is_not_there_and_creates_none() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped").join("qantar.db");
    let out = qantar(
        dir.path(),
        &["schedule", "--from", "2027-01-01", "--to", "2027-01-19"],
    )
    .env("DATABASE_URL", format!("sqlite://{}", missing.display()))
    .stdout(Stdio::piped())
    .output()
    .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("no database at {}", missing.display())),
        "{stderr}"
    );
    assert!(!stdout.contains("planned sends"), "{stdout}");
    assert!(!missing.exists(), "a database was created");
    assert!(!missing.parent().unwrap().exists(), "a folder was created");

    // Where the store is, it plans.
    std::fs::File::create(dir.path().join("prefs.db")).unwrap();
    let out = qantar(
        dir.path(),
        &["schedule", "--from", "2027-01-01", "--to", "2027-01-19"],
    )
    .stdout(Stdio::piped())
    .output()
    .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains("planned sends from 2027-01-01 to 2027-01-19"),
        "{stdout}"
    );
    assert!(stdout.contains("day:2027-01-05"), "{stdout}");
}

#[test]
fn schedule_refuses_its_dates_the_wrong_way_round() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::File::create(dir.path().join("prefs.db")).unwrap();
    let out = qantar(
        dir.path(),
        &["schedule", "--to", "2027-01-02", "--from", "2027-01-19"],
    )
    .stdout(Stdio::piped())
    .output()
    .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("--from 2027-01-19 is after --to 2027-01-02"),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
}
