//! The map pictures of the site: the same pictures `/map` sends, one per day and
//! language, named by their content so a changed map gets a new address (and a host
//! may cache them for ever), each with a text alternative listing its places.

use fluent::FluentValue;

use crate::catalog::Catalog;
use crate::content::Date;
use crate::i18n::{Msg, args};
use crate::lang::Lang;
use crate::render::format_date;
use crate::render::map::{self, Photo, Scene};

/// One map picture: where it lives, what it shows, and its SVG to draw it from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapImage {
    /// `maps/ru/2022-01-05-1a2b3c4d5e6f.png`
    pub path: String,
    pub lang: Lang,
    pub day: Date,
    /// The text alternative: the day, and every place marked on it.
    pub alt: String,
    pub svg: String,
}

/// Every map day in every language.
pub fn map_images(catalog: &Catalog) -> Vec<MapImage> {
    let days = crate::content::map_days::days(&catalog.content);
    let mut images = Vec::with_capacity(days.len() * Lang::ALL.len());
    for lang in Lang::ALL {
        for day in &days {
            let photo = Photo::new(*day, map::svg(catalog, lang, *day));
            images.push(MapImage {
                path: format!("maps/{}/{day}-{}.png", lang.code(), &photo.key[..12]),
                lang,
                day: *day,
                alt: alt(catalog, lang, *day),
                svg: photo.svg,
            });
        }
    }
    images
}

/// "Map of Kazakhstan on 5 January 2022. Places marked: Almaty, … New on the map: …"
fn alt(catalog: &Catalog, lang: Lang, day: Date) -> String {
    let scene = Scene::of(&catalog.content, day);
    let date = format_date(&catalog.locales, lang, day);
    let names = |new_only: bool| -> Vec<&str> {
        scene
            .marked
            .iter()
            .filter(|m| m.joined.is_some() && (!new_only || m.joined == Some(day)))
            .map(|m| m.place.name_on(day, lang))
            .collect()
    };
    let marked = names(false);
    let mut text = if marked.is_empty() {
        let a = args([("date", FluentValue::from(date))]);
        catalog.locales.text(lang, Msg::WebMapAltEmpty, Some(&a))
    } else {
        let a = args([
            ("date", FluentValue::from(date)),
            ("places", FluentValue::from(marked.join(", "))),
        ]);
        catalog.locales.text(lang, Msg::WebMapAlt, Some(&a))
    };
    let new = names(true);
    if !new.is_empty() {
        let a = args([("places", FluentValue::from(new.join(", ")))]);
        text.push(' ');
        text.push_str(&catalog.locales.text(lang, Msg::MapNewPlaces, Some(&a)));
    }
    text
}

/// The picture for `day` in `lang`: that day's, or the last map day before it.
pub fn image_for<'a>(
    catalog: &Catalog,
    maps: impl IntoIterator<Item = &'a MapImage>,
    lang: Lang,
    day: Date,
) -> Option<&'a MapImage> {
    let day = crate::content::map_days::map_day(&catalog.content, day);
    maps.into_iter().find(|m| m.lang == lang && m.day == day)
}

/// Draws every picture as PNG, on every core; a picture that fails is logged and left
/// out (the caller sees it missing).
pub fn draw_all(images: Vec<&MapImage>) -> Vec<(String, Vec<u8>)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = images.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = images
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|image| match map::png(&image.svg) {
                            Ok(png) => Some((image.path.clone(), png)),
                            Err(e) => {
                                log::error!("the map {} was not drawn: {e}", image.path);
                                None
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    })
}
