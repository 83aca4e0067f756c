//! Each kind of breakage a curator can make stops `check` (and start-up) with a line that
//! names the file and the place inside it.

use std::path::Path;
use std::process::Command;

use qantar_bot::catalog::Catalog;
use serde_yaml::Value;

use crate::process::repo;

/// A private copy of the shipped content and locales to break.
pub fn copy_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["content", "locales/en", "locales/ru", "locales/kk"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(repo().join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, dir.path().join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    dir
}

pub fn edit_yaml(dir: &Path, file: &str, f: impl FnOnce(&mut Value)) {
    let path = dir.join("content").join(file);
    let mut value: Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    f(&mut value);
    std::fs::write(&path, serde_yaml::to_string(&value).unwrap()).unwrap();
}

/// Loads the tree and returns the problems as `check` prints them.
fn problems(dir: &Path) -> Vec<String> {
    match Catalog::load(&dir.join("content"), &dir.join("locales")) {
        Ok(_) => Vec::new(),
        Err(p) => p.0.iter().map(|p| p.to_string()).collect(),
    }
}

fn assert_one_problem(dir: &Path, file: &str, at: &str, says: &str) {
    let found = problems(dir);
    assert!(
        found
            .iter()
            .any(|p| p.contains(file) && p.contains(at) && p.contains(says)),
        "expected a problem in {file} at {at} saying {says:?}, got {found:#?}"
    );
}

#[test]
fn the_shipped_tree_has_no_problems() {
    let dir = copy_tree();
    assert_eq!(problems(dir.path()), Vec::<String>::new());
}

#[test]
fn yaml_syntax_error_names_the_line() {
    let dir = copy_tree();
    let path = dir.path().join("content/petition.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("goal: 500", "goal: [500")).unwrap();
    assert_one_problem(dir.path(), "petition.yaml", "line", "");
}

#[test]
fn unknown_field() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        v["events"][2]["titel"] = Value::from("typo");
    });
    assert_one_problem(
        dir.path(),
        "timeline.yaml",
        "events[2]",
        "unknown field `titel`",
    );
}

#[test]
fn missing_translation() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        v["events"][4]["body"]
            .as_mapping_mut()
            .unwrap()
            .remove("kk");
    });
    assert_one_problem(
        dir.path(),
        "timeline.yaml",
        "events[4].body",
        "missing field `kk`",
    );
}

#[test]
fn empty_translation() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "summary.yaml", |v| {
        v["topics"][1]["title"]["ru"] = Value::from("  ");
    });
    assert_one_problem(
        dir.path(),
        "summary.yaml",
        "topics[1].title.ru",
        "missing translation",
    );
}

#[test]
fn dangling_source_id() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        v["events"][0]["sources"][0] = Value::from("no_such_source");
    });
    assert_one_problem(
        dir.path(),
        "timeline.yaml",
        "events[0].sources[0]",
        "unknown source `no_such_source`",
    );
}

#[test]
fn link_that_is_not_https() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "sources.yaml", |v| {
        v["sources"][0]["url"] = Value::from("http://example.org/petition");
    });
    assert_one_problem(dir.path(), "sources.yaml", "sources[0].url", "is not https");
}

#[test]
fn date_out_of_order() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        v["events"][3]["date"] = Value::from("2021-12-31");
    });
    assert_one_problem(
        dir.path(),
        "timeline.yaml",
        "events[3].date",
        "out of order",
    );
}

#[test]
fn impossible_date() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        v["events"][1]["date"] = Value::from("2022-02-30");
    });
    assert_one_problem(
        dir.path(),
        "timeline.yaml",
        "events[1].date",
        "is not a date",
    );
}

#[test]
fn duplicate_id() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        let first = v["events"][0]["id"].clone();
        v["events"][5]["id"] = first;
    });
    assert_one_problem(dir.path(), "timeline.yaml", "events[5].id", "duplicate id");
}

#[test]
fn broken_fluent_file_names_file_and_line() {
    let dir = copy_tree();
    let path = dir.path().join("locales/kk/main.ftl");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\nbroken = {{ $x ->\n")).unwrap();
    assert_one_problem(dir.path(), "locales/kk/main.ftl", "line", "syntax error");
}

#[test]
fn a_message_missing_from_one_locale() {
    let dir = copy_tree();
    let path = dir.path().join("locales/ru/main.ftl");
    let text = std::fs::read_to_string(&path).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("cmd-sources ="))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, without).unwrap();
    assert_one_problem(dir.path(), "locales/ru", "cmd-sources", "missing in `ru`");
}

#[test]
fn check_lists_every_problem_and_exits_1() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        v["events"][0]["sources"][0] = Value::from("ghost");
        v["events"][1]["date"] = Value::from("2021-01-01");
    });
    let out = Command::new(env!("CARGO_BIN_EXE_qantar-bot"))
        .arg("check")
        .current_dir(dir.path())
        .env_remove("QANTAR_CONTENT_DIR")
        .env_remove("QANTAR_LOCALES_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/timeline.yaml: events[0].sources[0]: unknown source `ghost`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/timeline.yaml: events[1].date"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let ok = Command::new(env!("CARGO_BIN_EXE_qantar-bot"))
        .arg("check")
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}
