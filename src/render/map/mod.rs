//! The map (`/map`): Kazakhstan's outline with every place of the record up to a day,
//! coloured by the date it joined. Pure like the rest of `render`: the picture is an SVG
//! document built here; `raster` turns it into a PNG (CPU work, run off the async
//! thread by the caller), and its caption is an ordinary text view.

mod caption;
mod labels;
mod outline;
mod raster;
mod svg;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::content::{Content, Date, Place};

/// The map's days are a question about the content, answered in `content::map_days`.
pub use crate::content::map_days::{days, map_day};
pub use caption::{CAPTION_LIMIT, visible_len};
pub use raster::{HEIGHT, RasterError, WIDTH, png, tree};
pub use svg::{label_id, svg};

/// The picture of a map view: its SVG, and the key Telegram's `file_id` is kept under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The day the map shows.
    pub day: Date,
    pub svg: String,
    /// Hex SHA-256 of the SVG and of the font and renderer it is drawn with: the
    /// picture's content. A change of content, words or drawing makes a new key.
    pub key: String,
}

impl Photo {
    pub fn new(day: Date, svg: String) -> Photo {
        let mut hash = Sha256::new();
        hash.update(RENDERER.as_bytes());
        hash.update(raster::FONT_SHA256.as_slice());
        hash.update(svg.as_bytes());
        let key = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Photo { day, svg, key }
    }
}

/// Changes with anything that draws differently from the same SVG (resvg's version,
/// the picture's size or format).
const RENDERER: &str = "resvg 0.49 png 1280";

/// A place on the map on a given day.
#[derive(Debug, Clone)]
pub struct Marked<'a> {
    pub place: &'a Place,
    /// The date of the first event there; `None` for a landmark with no event yet.
    pub joined: Option<Date>,
    /// An event of the shown day happened there.
    pub today: bool,
}

/// What the map of `day` shows: the places (landmarks first), and every date a place
/// joined on, in order, for the colours (the same colour for a date on every day).
pub struct Scene<'a> {
    pub day: Date,
    pub marked: Vec<Marked<'a>>,
    pub join_dates: Vec<Date>,
}

impl<'a> Scene<'a> {
    pub fn of(content: &'a Content, day: Date) -> Scene<'a> {
        let mut joined: BTreeMap<&str, Date> = BTreeMap::new();
        for e in content.events.iter().filter(|e| e.day_precise()) {
            for id in &e.places {
                joined.entry(id).or_insert(e.date);
            }
        }
        let mut join_dates: Vec<Date> = joined.values().copied().collect();
        join_dates.sort();
        join_dates.dedup();
        let today: Vec<&str> = content
            .events
            .iter()
            .filter(|e| e.date == day)
            .flat_map(|e| e.places.iter().map(String::as_str))
            .collect();
        let mut marked: Vec<Marked> = content
            .places
            .iter()
            .filter_map(|place| {
                let joined = joined.get(place.id.as_str()).copied().filter(|d| *d <= day);
                (joined.is_some() || place.landmark).then(|| Marked {
                    place,
                    joined,
                    today: today.contains(&place.id.as_str()),
                })
            })
            .collect();
        // Labels are placed in this order: landmarks, then by date, so the oldest and
        // best-known names get the best spots.
        marked.sort_by_key(|m| (!m.place.landmark, m.joined));
        Scene {
            day,
            marked,
            join_dates,
        }
    }

    /// The places that joined on the shown day.
    pub fn new_places(&self) -> impl Iterator<Item = &Marked<'a>> {
        self.marked.iter().filter(|m| m.joined == Some(self.day))
    }
}
