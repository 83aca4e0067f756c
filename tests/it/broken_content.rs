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

/// How a row breaks its file.
enum Edit {
    /// Through the parsed YAML: one field, as a curator's slip would.
    Yaml(fn(&mut Value)),
    /// On the raw text: for what parsed YAML cannot hold (a syntax error), and `.ftl` files.
    Text(fn(&str) -> String),
}

/// One way to break the tree: the file (relative to the tree) and the edit; then the
/// problem that must be reported, naming `names` (the file, or the locale), the place
/// `at` inside it, and what `says` is wrong.
struct Broken {
    what: &'static str,
    file: &'static str,
    edit: Edit,
    names: &'static str,
    at: &'static str,
    says: &'static str,
}

fn breakages() -> Vec<Broken> {
    vec![
        Broken {
            what: "an event names an unknown place",
            file: "content/timeline.yaml",
            edit: Edit::Yaml(|v| v["events"][0]["places"][0] = Value::from("atlantis")),
            names: "timeline.yaml",
            at: "events[0].places[0]",
            says: "unknown place `atlantis`",
        },
        Broken {
            what: "a place's latitude out of range",
            file: "content/places.yaml",
            edit: Edit::Yaml(|v| v["places"][1]["lat"] = Value::from(143.65)),
            names: "places.yaml",
            at: "places[1].lat",
            says: "latitude 143.65 is out of range",
        },
        Broken {
            what: "a place outside Kazakhstan not marked so",
            file: "content/places.yaml",
            edit: Edit::Yaml(|v| v["places"][2]["lon"] = Value::from(37.62)),
            names: "places.yaml",
            at: "places[2]",
            says: "outside Kazakhstan's bounds",
        },
        Broken {
            what: "a place name missing a language",
            file: "content/places.yaml",
            edit: Edit::Yaml(|v| {
                if let Some(name) = v["places"][0]["name"].as_mapping_mut() {
                    name.remove("kk");
                }
            }),
            names: "places.yaml",
            at: "places[0].name",
            says: "missing field `kk`",
        },
        Broken {
            what: "a place name left empty",
            file: "content/places.yaml",
            edit: Edit::Yaml(|v| v["places"][3]["name"]["ru"] = Value::from(" ")),
            names: "places.yaml",
            at: "places[3].name.ru",
            says: "missing translation",
        },
        Broken {
            what: "YAML syntax error",
            file: "content/petition.yaml",
            edit: Edit::Text(|t| t.replace("goal: 500", "goal: [500")),
            names: "petition.yaml",
            at: "line",
            says: "",
        },
        Broken {
            what: "unknown field",
            file: "content/timeline.yaml",
            edit: Edit::Yaml(|v| v["events"][2]["titel"] = Value::from("typo")),
            names: "timeline.yaml",
            at: "events[2]",
            says: "unknown field `titel`",
        },
        Broken {
            what: "missing translation",
            file: "content/timeline.yaml",
            edit: Edit::Yaml(|v| {
                v["events"][4]["body"]
                    .as_mapping_mut()
                    .unwrap()
                    .remove("kk");
            }),
            names: "timeline.yaml",
            at: "events[4].body",
            says: "missing field `kk`",
        },
        Broken {
            what: "empty translation",
            file: "content/summary.yaml",
            edit: Edit::Yaml(|v| v["topics"][1]["title"]["ru"] = Value::from("  ")),
            names: "summary.yaml",
            at: "topics[1].title.ru",
            says: "missing translation",
        },
        Broken {
            what: "dangling source id",
            file: "content/timeline.yaml",
            edit: Edit::Yaml(|v| v["events"][0]["sources"][0] = Value::from("no_such_source")),
            names: "timeline.yaml",
            at: "events[0].sources[0]",
            says: "unknown source `no_such_source`",
        },
        Broken {
            what: "link that is not https",
            file: "content/sources.yaml",
            edit: Edit::Yaml(|v| {
                v["sources"][0]["url"] = Value::from("http://example.org/petition")
            }),
            names: "sources.yaml",
            at: "sources[0].url",
            says: "is not https",
        },
        Broken {
            what: "date out of order",
            file: "content/timeline.yaml",
            edit: Edit::Yaml(|v| v["events"][3]["date"] = Value::from("2021-12-31")),
            names: "timeline.yaml",
            at: "events[3].date",
            says: "out of order",
        },
        Broken {
            what: "impossible date",
            file: "content/timeline.yaml",
            edit: Edit::Yaml(|v| v["events"][1]["date"] = Value::from("2022-02-30")),
            names: "timeline.yaml",
            at: "events[1].date",
            says: "is not a date",
        },
        Broken {
            what: "duplicate id",
            file: "content/timeline.yaml",
            edit: Edit::Yaml(|v| {
                let first = v["events"][0]["id"].clone();
                v["events"][5]["id"] = first;
            }),
            names: "timeline.yaml",
            at: "events[5].id",
            says: "duplicate id",
        },
        Broken {
            what: "broken Fluent file",
            file: "locales/kk/main.ftl",
            edit: Edit::Text(|t| format!("{t}\nbroken = {{ $x ->\n")),
            names: "locales/kk/main.ftl",
            at: "line",
            says: "syntax error",
        },
        Broken {
            what: "announcement: YAML syntax error",
            file: "content/announcements.yaml",
            edit: Edit::Text(|t| t.replace("  - id: petition", "  - id: [petition")),
            names: "announcements.yaml",
            at: "line",
            says: "",
        },
        Broken {
            what: "announcement: unknown field",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| v["announcements"][0]["txt"] = Value::from("typo")),
            names: "announcements.yaml",
            at: "announcements[0]",
            says: "unknown field `txt`",
        },
        Broken {
            what: "announcement: duplicate id",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                let first = v["announcements"][0]["id"].clone();
                v["announcements"][1]["id"] = first;
            }),
            names: "announcements.yaml",
            at: "announcements[1].id",
            says: "duplicate id",
        },
        Broken {
            what: "announcement: id too long for callback data",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][0]["id"] = Value::from("the_fifth_anniversary_begins")
            }),
            names: "announcements.yaml",
            at: "announcements[0].id",
            says: "must be 1-24 characters",
        },
        Broken {
            what: "announcement: a language left out",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][2]["text"]
                    .as_mapping_mut()
                    .unwrap()
                    .remove("kk");
            }),
            names: "announcements.yaml",
            at: "announcements[2].text",
            says: "missing field `kk`",
        },
        Broken {
            what: "announcement: empty translation",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| v["announcements"][0]["text"]["ru"] = Value::from(" ")),
            names: "announcements.yaml",
            at: "announcements[0].text.ru",
            says: "missing translation",
        },
        Broken {
            what: "announcement: text too long",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][1]["text"]["en"] = Value::from("a ".repeat(600))
            }),
            names: "announcements.yaml",
            at: "announcements[1].text.en",
            says: "more than the 1000 allowed",
        },
        Broken {
            what: "announcement: a payload the bot does not read",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][0]["buttons"][1]["deep_link"] = Value::from("chronology")
            }),
            names: "announcements.yaml",
            at: "announcements[0].buttons[1].deep_link",
            says: "`chronology` is not a deep link",
        },
        Broken {
            what: "announcement: a deep link to an event that does not exist",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][2]["buttons"][0]["deep_link"] = Value::from("event_no_such")
            }),
            names: "announcements.yaml",
            at: "announcements[2].buttons[0].deep_link",
            says: "unknown event `no_such`",
        },
        Broken {
            what: "announcement: a deep link to a topic that does not exist",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][2]["buttons"][0]["deep_link"] = Value::from("summary_no_such")
            }),
            names: "announcements.yaml",
            at: "announcements[2].buttons[0].deep_link",
            says: "unknown summary topic `no_such`",
        },
        Broken {
            what: "announcement: a payload not written the bot's way",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][0]["buttons"][0]["deep_link"] = Value::from("Event_zhanaozen")
            }),
            names: "announcements.yaml",
            at: "announcements[0].buttons[0].deep_link",
            says: "as `event_zhanaozen`",
        },
        Broken {
            what: "announcement: a deep link without a label",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][0]["buttons"][0]
                    .as_mapping_mut()
                    .unwrap()
                    .remove("label");
            }),
            names: "announcements.yaml",
            at: "announcements[0].buttons[0]",
            says: "a button is either",
        },
        Broken {
            what: "announcement: a button both petition and deep link",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][0]["buttons"][2]["deep_link"] = Value::from("timeline")
            }),
            names: "announcements.yaml",
            at: "announcements[0].buttons[2]",
            says: "a button is either",
        },
        Broken {
            what: "announcement: a button label too long",
            file: "content/announcements.yaml",
            edit: Edit::Yaml(|v| {
                v["announcements"][1]["buttons"][1]["label"]["kk"] = Value::from("ұ".repeat(41))
            }),
            names: "announcements.yaml",
            at: "announcements[1].buttons[1].label.kk",
            says: "more than the 40 allowed",
        },
        Broken {
            what: "a message missing from one locale",
            file: "locales/ru/main.ftl",
            edit: Edit::Text(|t| {
                t.lines()
                    .filter(|l| !l.starts_with("cmd-sources ="))
                    .map(|l| format!("{l}\n"))
                    .collect()
            }),
            names: "locales/ru",
            at: "cmd-sources",
            says: "missing in `ru`",
        },
    ]
}

impl Broken {
    fn apply(&self, dir: &Path) {
        match self.edit {
            Edit::Yaml(f) => {
                let file = self.file.strip_prefix("content/").expect("YAML is content");
                edit_yaml(dir, file, f);
            }
            Edit::Text(f) => {
                let path = dir.join(self.file);
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, f(&text)).unwrap();
            }
        }
    }
}

#[test]
fn the_shipped_tree_has_no_problems() {
    let dir = copy_tree();
    assert_eq!(problems(dir.path()), Vec::<String>::new());
}

/// Each row on a fresh copy of the shipped tree; every row is tried before failing.
#[test]
fn each_breakage_is_reported_with_its_file_and_place() {
    let mut missed = Vec::new();
    for case in breakages() {
        let dir = copy_tree();
        case.apply(dir.path());
        let found = problems(dir.path());
        let (names, at, says) = (case.names, case.at, case.says);
        if !found
            .iter()
            .any(|p| p.contains(names) && p.contains(at) && p.contains(says))
        {
            missed.push(format!(
                "{}: expected a problem in {names} at {at} saying {says:?}, got {found:#?}",
                case.what
            ));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n\n"));
}

/// Announcements are optional: no file, or one with nothing but comments, is no
/// announcements; a file holding an empty list is fine too.
#[test]
fn announcements_may_be_left_out() {
    let dir = copy_tree();
    let file = dir.path().join("content/announcements.yaml");
    for text in [
        None,
        Some("# none yet\n"),
        Some(""),
        Some("announcements: []\n"),
    ] {
        match text {
            None => std::fs::remove_file(&file).unwrap(),
            Some(t) => std::fs::write(&file, t).unwrap(),
        }
        let catalog = Catalog::load(&dir.path().join("content"), &dir.path().join("locales"))
            .unwrap_or_else(|p| panic!("{text:?}: {p}"));
        assert!(catalog.content.announcements.is_empty(), "{text:?}");
    }
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

/// Runs `qantar-bot check` (with `args`) on the tree in `dir`; exit code and stderr.
fn check_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qantar-bot"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env_remove("QANTAR_CONTENT_DIR")
        .env_remove("QANTAR_LOCALES_DIR")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_names_a_translation_whose_english_changed_and_shows_both_englishes() {
    let dir = copy_tree();
    let timeline = dir.path().join("content/timeline.yaml");
    let text = std::fs::read_to_string(&timeline).unwrap();
    // A curator corrects one English figure of one event, as a reviewer asked.
    let old = "more than 3,000 people detained";
    assert!(
        text.contains(old),
        "the shipped shoot_order body names {old:?}"
    );
    std::fs::write(
        &timeline,
        text.replace(old, "more than 3,100 people detained"),
    )
    .unwrap();

    let (code, _, stderr) = check_in(dir.path(), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("content/timeline.yaml: shoot_order: the English changed since the Russian (ru) and the Kazakh (kk) were reviewed"),
        "{stderr}"
    );
    // The old and new English side by side, the changed figure marked in each.
    assert!(stderr.contains("[3,000]"), "{stderr}");
    assert!(stderr.contains("[3,100]"), "{stderr}");
    assert!(stderr.contains("│"), "{stderr}");
    assert!(
        stderr.contains("qantar-bot check --reviewed timeline:shoot_order"),
        "{stderr}"
    );
    // Nothing else is named: only the edited entry went stale.
    assert_eq!(stderr.matches("the English changed").count(), 1, "{stderr}");

    // The Kazakh translator has checked theirs: only the Russian is left.
    let (code, stdout, stderr) = check_in(dir.path(), &["--reviewed", "timeline:shoot_order:kk"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.contains("timeline:shoot_order:kk"), "{stdout}");
    assert!(
        stderr.contains("shoot_order: the English changed since the Russian (ru) was reviewed"),
        "{stderr}"
    );
    assert!(!stderr.contains("Kazakh (kk)"), "{stderr}");

    let (code, _, stderr) = check_in(dir.path(), &["--reviewed", "timeline:shoot_order:ru"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = check_in(dir.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn check_reviewed_refuses_an_unknown_entry_and_writes_nothing() {
    let dir = copy_tree();
    let file = dir.path().join("content/reviewed.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let (code, _, stderr) = check_in(
        dir.path(),
        &["--reviewed", "timeline:shoot_order:kk", "timeline:atlantis"],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("`timeline:atlantis` names no entry"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

#[test]
fn check_names_a_new_translation_with_no_record_and_a_missing_record_file() {
    let dir = copy_tree();
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        v["events"][1]["id"] = Value::from("strike_renamed");
    });
    let (code, _, stderr) = check_in(dir.path(), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("content/timeline.yaml: strike_renamed: the Russian (ru) and the Kazakh (kk) have no record of the English"),
        "{stderr}"
    );
    std::fs::remove_file(dir.path().join("content/reviewed.yaml")).unwrap();
    let (code, _, stderr) = check_in(dir.path(), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("reviewed.yaml: missing") && stderr.contains("--reviewed all"),
        "{stderr}"
    );
    let (code, _, stderr) = check_in(dir.path(), &["--reviewed", "all"]);
    assert_eq!(code, Some(0), "{stderr}");
}
