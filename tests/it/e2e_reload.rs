//! Live reload on SIGHUP: a good set is applied (and menus re-sent when they changed);
//! each kind of broken set is refused with `check`'s precise error while the bot keeps
//! serving the previous one.

use std::path::Path;

use qantar_bot::catalog::Catalog;
use qantar_bot::lang::Lang;
use qantar_bot::render::{View, render};
use serde_yaml::Value;

use crate::broken_content::{copy_tree, edit_yaml};
use crate::expect::{expected, shown};
use crate::fake_api::{Chat, FakeApi, From};
use crate::harness::Harness;

fn load(dir: &Path) -> Catalog {
    Catalog::load(&dir.join("content"), &dir.join("locales")).expect("loads")
}

/// Sends /petition from a fresh chat and returns what came back.
async fn petition_now(api: &FakeApi, chat: i64) -> Vec<crate::expect::Shown> {
    let reader = From {
        user_id: chat,
        language_code: Some("en"),
    };
    api.send_text(Chat::Private(chat), &reader, "/petition");
    shown(&api.wait_sent(chat, 1).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_set_is_applied_and_menus_follow() {
    let tree = copy_tree();
    let h = Harness::builder().tree(tree.path()).start().await;
    h.api
        .wait_until(|api| (api.calls("setMyCommands").len() == 3).then_some(()))
        .await
        .unwrap();
    assert_eq!(
        petition_now(&h.api, 5001).await,
        expected(&render(&h.catalog, Lang::En, &View::Petition))
    );

    // A curator rewrites the ask; the menus stay the same.
    edit_yaml(tree.path(), "petition.yaml", |v| {
        v["ask"]["en"] = Value::from("Sign now: the record must not be forgotten.");
    });
    h.bot.signal("HUP");
    h.bot
        .wait_log("content reloaded: generation 2, menus changed: false", 1)
        .await;
    let after = load(tree.path());
    let got = petition_now(&h.api, 5002).await;
    assert_eq!(got, expected(&render(&after, Lang::En, &View::Petition)));
    assert!(got[0].text.contains("the record must not be forgotten"));
    assert_eq!(
        h.api.calls("setMyCommands").len(),
        3,
        "unchanged menus are not re-sent"
    );

    // A new menu description is re-published in all three languages.
    let path = tree.path().join("locales/ru/main.ftl");
    let ftl = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        ftl.replace("cmd-help = Все команды", "cmd-help = Список команд"),
    )
    .unwrap();
    h.bot.signal("HUP");
    h.bot
        .wait_log("content reloaded: generation 3, menus changed: true", 1)
        .await;
    let menus = h
        .api
        .wait_until(|api| {
            let calls = api.calls("setMyCommands");
            (calls.len() == 6).then_some(calls)
        })
        .await
        .expect("menus re-sent");
    let ru = &menus[4];
    assert_eq!(ru.body["language_code"], "ru");
    assert!(ru.body["commands"].to_string().contains("Список команд"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_set_is_refused_and_the_old_one_served() {
    let tree = copy_tree();
    let h = Harness::builder().tree(tree.path()).start().await;
    let want = expected(&render(&h.catalog, Lang::En, &View::Petition));
    assert_eq!(petition_now(&h.api, 5100).await, want);

    type Break = Box<dyn Fn(&Path)>;
    let breakages: Vec<(&str, Break, &str)> = vec![
        (
            "YAML syntax",
            Box::new(|d: &Path| {
                let p = d.join("content/petition.yaml");
                let t = std::fs::read_to_string(&p).unwrap();
                std::fs::write(&p, t.replace("goal: 500", "goal: [500")).unwrap();
            }),
            "content/petition.yaml: count.goal (line",
        ),
        (
            "missing translation",
            Box::new(|d: &Path| {
                edit_yaml(d, "petition.yaml", |v| {
                    v["ask"].as_mapping_mut().unwrap().remove("kk");
                })
            }),
            "content/petition.yaml: ask",
        ),
        (
            "dangling source id",
            Box::new(|d: &Path| {
                edit_yaml(d, "timeline.yaml", |v| {
                    v["events"][2]["sources"][0] = Value::from("nowhere");
                })
            }),
            "content/timeline.yaml: events[2].sources[0]: unknown source `nowhere`",
        ),
        (
            "bad URL",
            Box::new(|d: &Path| {
                edit_yaml(d, "petition.yaml", |v| {
                    v["url"] = Value::from("http://change.org/p/x");
                })
            }),
            "content/petition.yaml: url: link `http://change.org/p/x` is not https",
        ),
        (
            "bad date",
            Box::new(|d: &Path| {
                edit_yaml(d, "timeline.yaml", |v| {
                    v["events"][6]["date"] = Value::from("2022-01-32");
                })
            }),
            "content/timeline.yaml: events[6].date",
        ),
        (
            "duplicate id",
            Box::new(|d: &Path| {
                edit_yaml(d, "sources.yaml", |v| {
                    let first = v["sources"][0]["id"].clone();
                    v["sources"][1]["id"] = first;
                })
            }),
            "content/sources.yaml: sources[1].id: duplicate id",
        ),
        (
            "broken .ftl",
            Box::new(|d: &Path| {
                let p = d.join("locales/en/main.ftl");
                let t = std::fs::read_to_string(&p).unwrap();
                std::fs::write(&p, format!("{t}\nbroken = {{ $x ->\n")).unwrap();
            }),
            "locales/en/main.ftl: line",
        ),
    ];
    let pristine = copy_tree();
    for (i, (kind, break_it, says)) in breakages.iter().enumerate() {
        // Start each case from the good set, then break one thing.
        for sub in ["content", "locales/en"] {
            for entry in std::fs::read_dir(pristine.path().join(sub)).unwrap() {
                let p = entry.unwrap().path();
                std::fs::copy(&p, tree.path().join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
        break_it(tree.path());
        h.bot.signal("HUP");
        let log = h
            .bot
            .wait_log("reload rejected, still serving generation 1", i + 1)
            .await;
        assert!(
            log.contains(says),
            "{kind}: the log names the problem ({says})\n{log}"
        );
        assert_eq!(
            petition_now(&h.api, 5101 + i as i64).await,
            want,
            "{kind}: the bot keeps serving the previous set"
        );
    }
}
