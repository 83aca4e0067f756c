//! The map: every day in every language draws a PNG of the stated size, unlike the day
//! before; every place of the day is labelled, and no text overlaps another or leaves
//! the picture; captions fit Telegram's limit as valid HTML.

use qantar_bot::lang::Lang;
use qantar_bot::render::html::{check_telegram_html, escape};
use qantar_bot::render::map::{self, CAPTION_LIMIT, HEIGHT, Scene, WIDTH, label_id, visible_len};
use qantar_bot::render::{View, render};
use resvg::tiny_skia::Pixmap;
use resvg::usvg::{Group, Node, Rect};

use qantar_bot::i18n::Msg;

use crate::catalog::shipped;
use crate::fake_api::{Call, Chat, FakeApi, Fault, From, PhotoSent, photo_sent};
use crate::harness::Harness;

/// A PNG (or JPEG) sent as a photo stays under this.
const MAX_BYTES: usize = 300 * 1024;

#[test]
fn every_day_in_every_language_is_a_png_of_the_stated_size_unlike_the_day_before() {
    let catalog = shipped();
    let days = map::days(&catalog.content);
    assert!(
        days.len() >= 18,
        "2 to 19 January, then later days: {days:?}"
    );
    for lang in Lang::ALL {
        let mut previous: Option<Vec<u8>> = None;
        for &day in &days {
            let reply = render(&catalog, lang, &View::Map { day });
            let photo = reply.photo.expect("a map view has a picture");
            let png = map::png(&photo.svg).unwrap_or_else(|e| panic!("{day} {lang}: {e}"));
            assert!(png.len() <= MAX_BYTES, "{day} {lang}: {} bytes", png.len());
            let pixmap = Pixmap::decode_png(&png).expect("a PNG");
            assert_eq!((pixmap.width(), pixmap.height()), (WIDTH, HEIGHT));
            let pixels = pixmap.data().to_vec();
            assert!(
                previous.as_ref() != Some(&pixels),
                "{day} {lang} looks like the day before"
            );
            previous = Some(pixels);
        }
    }
}

#[test]
fn every_place_of_the_day_is_labelled_in_the_readers_language() {
    let catalog = shipped();
    for lang in Lang::ALL {
        for day in map::days(&catalog.content) {
            let svg = render(&catalog, lang, &View::Map { day })
                .photo
                .unwrap()
                .svg;
            let scene = Scene::of(&catalog.content, day);
            assert!(scene.marked.iter().any(|m| m.place.id == "almaty"));
            assert!(scene.marked.iter().any(|m| m.place.id == "astana"));
            for m in &scene.marked {
                let name = escape(m.place.name_on(day, lang));
                let label = format!("id=\"{}\"", label_id(&m.place.id));
                assert!(
                    svg.contains(&label),
                    "{day} {lang}: no label for {}",
                    m.place.id
                );
                assert!(
                    svg.contains(&format!(">{name}</text>")),
                    "{day} {lang}: {name}"
                );
            }
        }
    }
    // Every place an event names is on the map from that event's day on.
    let last = *map::days(&catalog.content).last().unwrap();
    let scene = Scene::of(&catalog.content, last);
    for e in &catalog.content.events {
        for id in &e.places {
            assert!(scene.marked.iter().any(|m| &m.place.id == id), "{id}");
        }
    }
}

fn text_boxes(group: &Group, out: &mut Vec<(String, Rect)>) {
    for node in group.children() {
        match node {
            Node::Group(g) => text_boxes(g, out),
            Node::Text(t) => out.push((t.id().to_string(), t.abs_bounding_box())),
            _ => {}
        }
    }
}

#[test]
fn no_text_overlaps_another_or_leaves_the_picture_in_any_language() {
    let catalog = shipped();
    for lang in Lang::ALL {
        for day in map::days(&catalog.content) {
            let svg = render(&catalog, lang, &View::Map { day })
                .photo
                .unwrap()
                .svg;
            let tree = map::tree(&svg).unwrap();
            let mut boxes = Vec::new();
            text_boxes(tree.root(), &mut boxes);
            assert!(boxes.len() >= 5, "{day} {lang}: {} texts", boxes.len());
            for (i, (id, b)) in boxes.iter().enumerate() {
                assert!(
                    b.left() >= 0.0
                        && b.top() >= 0.0
                        && b.right() <= WIDTH as f32
                        && b.bottom() <= HEIGHT as f32,
                    "{day} {lang}: `{id}` is clipped: {b:?}"
                );
                for (other, c) in &boxes[i + 1..] {
                    let apart = b.right() <= c.left()
                        || c.right() <= b.left()
                        || b.bottom() <= c.top()
                        || c.bottom() <= b.top();
                    assert!(apart, "{day} {lang}: `{id}` overlaps `{other}`");
                }
            }
        }
    }
}

#[test]
fn captions_are_valid_html_within_telegrams_limit_and_name_the_new_places() {
    let catalog = shipped();
    for lang in Lang::ALL {
        for day in map::days(&catalog.content) {
            let reply = render(&catalog, lang, &View::Map { day });
            assert_eq!(reply.messages.len(), 1, "{day} {lang}");
            let caption = &reply.messages[0].html;
            check_telegram_html(caption).unwrap_or_else(|e| panic!("{day} {lang}: {e}"));
            assert!(visible_len(caption) <= CAPTION_LIMIT, "{day} {lang}");
            for m in Scene::of(&catalog.content, day).new_places() {
                assert!(caption.contains(&escape(m.place.name_on(day, lang))));
            }
        }
    }
    assert_eq!(catalog.locales.format_errors(), 0);
}

/// The photos sent to `chat`, in order.
fn photos_to(api: &FakeApi, chat: i64) -> Vec<Call> {
    api.calls("sendPhoto")
        .into_iter()
        .filter(|c| c.body["chat_id"].as_i64() == Some(chat))
        .collect()
}

async fn wait_photos(api: &FakeApi, chat: i64, n: usize) -> Vec<Call> {
    api.wait_until(|api| {
        let sent = photos_to(api, chat);
        (sent.len() >= n).then_some(sent)
    })
    .await
    .unwrap_or_else(|| panic!("chat {chat}: expected {n} photos"))
}

async fn wait_calls(api: &FakeApi, method: &str, n: usize) -> Vec<Call> {
    api.wait_until(|api| {
        let calls = api.calls(method);
        (calls.len() >= n).then_some(calls)
    })
    .await
    .unwrap_or_else(|| panic!("expected {n} {method} calls"))
}

fn uploaded(call: &Call, value: &serde_json::Value) -> Option<String> {
    match photo_sent(&call.body, value) {
        PhotoSent::Upload => None,
        PhotoSent::FileId(id) => Some(id),
    }
}

// Two workers: the fake Bot API lives on this runtime and must answer the bot's
// last getUpdates while the test waits, blocking, for the bot to stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_is_a_photo_uploaded_once_then_sent_by_file_id_and_paged_in_place() {
    let mut h = Harness::start().await;
    let days = map::days(&h.catalog.content);
    let first = days[0];
    for (n, lang) in Lang::ALL.into_iter().enumerate() {
        let chat = 5100 + n as i64;
        let from = From {
            user_id: chat,
            language_code: Some(lang.code()),
        };
        h.api.send_text(Chat::Private(chat), &from, "/map");
        let sent = wait_photos(&h.api, chat, 1).await;
        let expected = render(&h.catalog, lang, &View::Map { day: first });
        assert_eq!(sent[0].body["caption"], expected.messages[0].html.as_str());
        assert_eq!(sent[0].body["parse_mode"], "HTML");
        assert!(
            uploaded(&sent[0], &sent[0].body["photo"]).is_none(),
            "first is an upload"
        );
        h.api.send_text(Chat::Private(chat), &from, "/map");
        let sent = wait_photos(&h.api, chat, 2).await;
        let id = uploaded(&sent[1], &sent[1].body["photo"]).expect("then a file_id");
        assert!(id.starts_with("photo-"), "{id}");
        assert_eq!(sent[1].body["caption"], sent[0].body["caption"]);
    }

    // ▶ edits the photo in place with the next day (an upload), ◀ goes back (a file_id).
    let chat = 5100;
    let from = From {
        user_id: chat,
        language_code: Some("en"),
    };
    let message = h.api.sent_message_id(chat, 0);
    let next = format!("1:m:{}", days[1]);
    h.api
        .press_photo(Chat::Private(chat), &from, message, &next);
    let edits = wait_calls(&h.api, "editMessageMedia", 1).await;
    assert_eq!(edits[0].body["message_id"], message);
    let media = &edits[0].body["media"];
    assert_eq!(media["type"], "photo");
    let expected = render(&h.catalog, Lang::En, &View::Map { day: days[1] });
    assert_eq!(media["caption"], expected.messages[0].html.as_str());
    assert!(uploaded(&edits[0], &media["media"]).is_none());
    h.api
        .press_photo(Chat::Private(chat), &from, message, &format!("1:m:{first}"));
    let edits = wait_calls(&h.api, "editMessageMedia", 2).await;
    assert!(uploaded(&edits[1], &edits[1].body["media"]["media"]).is_some());

    // Stale and forged buttons are answered politely; nothing is sent or edited.
    let stale = h.catalog.locales.text(Lang::En, Msg::CallbackStale, None);
    for data in ["1:m:2030-01-01", "0:m:2022-01-02", "1:m:2022-01"] {
        h.api.press_photo(Chat::Private(chat), &from, message, data);
    }
    let answers = h
        .api
        .wait_until(|api| {
            let texts: Vec<_> = api
                .calls("answerCallbackQuery")
                .into_iter()
                .filter(|c| c.body["text"] == stale.as_str())
                .collect();
            (texts.len() >= 3).then_some(texts)
        })
        .await;
    assert!(answers.is_some(), "three polite answers");
    assert_eq!(h.api.calls("editMessageMedia").len(), 2);

    // 🗺 under a text message (the timeline) sends the map as a new photo; "Timeline for
    // this day" under the map sends the timeline page as a new text message.
    h.api
        .press(Chat::Private(chat), &from, 1, &format!("1:m:{first}"));
    let sent = wait_photos(&h.api, chat, 3).await;
    assert!(uploaded(&sent[2], &sent[2].body["photo"]).is_some());
    h.api
        .press_photo(Chat::Private(chat), &from, message, "1:t:0");
    let texts: Vec<Call> = h
        .api
        .wait_sent(chat, 4)
        .await
        .into_iter()
        .filter(|c| c.method == "sendmessage")
        .collect();
    let page = render(&h.catalog, Lang::En, &View::Timeline { page: 0 });
    assert_eq!(texts[0].body["text"], page.messages[0].html.as_str());

    // The file_id is kept in the store: after a restart, no upload.
    assert!(h.bot.terminate().success());
    h.respawn();
    let other = From {
        user_id: 5200,
        language_code: Some("kk"),
    };
    h.api.send_text(Chat::Private(5200), &other, "/start map");
    let sent = wait_photos(&h.api, 5200, 1).await;
    assert!(
        uploaded(&sent[0], &sent[0].body["photo"]).is_some(),
        "sent by the file_id kept before the restart"
    );
    let uploads = h
        .api
        .calls("sendPhoto")
        .iter()
        .filter(|c| uploaded(c, &c.body["photo"]).is_none())
        .count();
    assert_eq!(uploads, 3, "one upload per language, ever");
}

/// A file_id Telegram no longer takes (a file_id belongs to one bot: a new token makes
/// every kept one stale) is forgotten in the store too, and the picture uploaded again;
/// the new file_id then serves, across restarts.
// Two workers: the fake Bot API lives on this runtime and must answer the bot's
// last getUpdates while the test waits, blocking, for the bot to stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_file_id_is_forgotten_and_the_picture_uploaded_again() {
    let mut h = Harness::start().await;
    let reader = |id: i64| {
        (
            Chat::Private(id),
            From {
                user_id: id,
                language_code: Some("ru"),
            },
        )
    };
    let (chat, from) = reader(5300);
    h.api.send_text(chat, &from, "/map");
    // The second, by file_id, shows the first upload's file_id was kept.
    h.api.send_text(chat, &from, "/map");
    let sent = wait_photos(&h.api, 5300, 2).await;
    assert!(uploaded(&sent[1], &sent[1].body["photo"]).is_some());

    // After a restart the kept file_id is all the bot knows, and Telegram refuses it.
    assert!(h.bot.terminate().success());
    h.respawn();
    let refused = serde_json::json!({"ok": false, "error_code": 400,
        "description": "Bad Request: wrong file identifier/HTTP URL specified"});
    h.api
        .inject("sendPhoto", Some(5301), 1, Fault::Status(400, refused));
    let (chat, from) = reader(5301);
    h.api.send_text(chat, &from, "/map");
    let sent = wait_photos(&h.api, 5301, 2).await;
    assert!(sent[0].faulted, "the kept file_id, refused");
    assert!(uploaded(&sent[0], &sent[0].body["photo"]).is_some());
    assert!(!sent[1].faulted);
    assert!(
        uploaded(&sent[1], &sent[1].body["photo"]).is_none(),
        "uploaded again: {:?}\n{}",
        sent.iter().map(|c| &c.body).collect::<Vec<_>>(),
        h.bot.log_text()
    );

    // The stale file_id is gone from the store: the next process uses the new one.
    assert!(h.bot.terminate().success());
    h.respawn();
    let (chat, from) = reader(5302);
    h.api.send_text(chat, &from, "/map");
    let sent = wait_photos(&h.api, 5302, 1).await;
    assert!(!sent[0].faulted);
    assert!(uploaded(&sent[0], &sent[0].body["photo"]).is_some());
    let uploads = h
        .api
        .calls("sendPhoto")
        .iter()
        .filter(|c| uploaded(c, &c.body["photo"]).is_none())
        .count();
    assert_eq!(uploads, 2, "the first upload and the one after the refusal");
}
