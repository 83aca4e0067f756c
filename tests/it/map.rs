//! The map: every day in every language draws a PNG of the stated size, unlike the day
//! before; every place of the day is labelled, and no text overlaps another or leaves
//! the picture; captions fit Telegram's limit as valid HTML.

use qantar_bot::lang::Lang;
use qantar_bot::render::html::{check_telegram_html, escape};
use qantar_bot::render::map::{self, CAPTION_LIMIT, HEIGHT, Scene, WIDTH, label_id, visible_len};
use qantar_bot::render::{View, render};
use resvg::tiny_skia::Pixmap;
use resvg::usvg::{Group, Node, Rect};

use crate::catalog::shipped;

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
