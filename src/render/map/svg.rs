//! The map as an SVG document: header (date and title), the outline, a dot per place
//! coloured by the date it joined, labels in the reader's language, and the legend.

use crate::render::Material;
use std::fmt::Write;

use super::labels::{Rect, Wanted, measure, place};
use super::outline::OUTLINE;
use super::raster::{FONT_FAMILY, HEIGHT, WIDTH};
use super::{Marked, Scene};
use crate::content::Date;
use crate::i18n::Msg;
use crate::lang::Lang;
use crate::render::format_date;
use crate::render::html::escape;

/// The map frame sits under the header and above the legend.
const MAP_TOP: f64 = 96.0;
const LABEL_SIZE: f64 = 21.0;
const LEGEND_SIZE: f64 = 19.0;
const DOT: f64 = 9.0;
const RING: f64 = 15.0;
const INK: &str = "#1f1b16";
const WATER: &str = "#dce8f0";
const LAND: &str = "#ece8e1";
const COUNTRY: &str = "#fffdf8";
const BORDER: &str = "#b9b1a5";
/// Earliest to latest: the first days are the darkest.
const RAMP: [(f64, f64, f64); 4] = [
    (127.0, 0.0, 0.0),
    (215.0, 48.0, 31.0),
    (252.0, 141.0, 89.0),
    (253.0, 204.0, 138.0),
];

/// The `id` of a place's label in the SVG, for tests that look for it.
pub fn label_id(place: &str) -> String {
    format!("label-{place}")
}

/// The colour of the `i`-th of `n` join dates.
fn colour(i: usize, n: usize) -> String {
    let t = if n < 2 {
        0.0
    } else {
        i as f64 / (n - 1) as f64
    };
    let scaled = t * (RAMP.len() - 1) as f64;
    let k = (scaled.floor() as usize).min(RAMP.len() - 2);
    let f = scaled - k as f64;
    let (a, b) = (RAMP[k], RAMP[k + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// Text with the white halo that keeps it legible over borders.
fn text(out: &mut String, id: Option<&str>, x: f64, y: f64, size: f64, fill: &str, s: &str) {
    let id = id.map(|id| format!(" id=\"{id}\"")).unwrap_or_default();
    let _ = write!(
        out,
        "<text{id} x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"4\" stroke-linejoin=\"round\" paint-order=\"stroke\">{}</text>",
        escape(s)
    );
}

/// The picture of `day` in `lang`, drawn a layer at a time in paint order.
pub fn svg(catalog: &Material, lang: Lang, day: Date) -> String {
    let scene = Scene::of(&catalog.content, day);
    let mut canvas = Canvas::new(catalog, lang, day);
    outline(&mut canvas.out, OUTLINE.projection.height);
    canvas.header();
    canvas.credit();
    let dots = canvas.dots(&scene);
    canvas.labels(&dots);
    canvas.legend(&scene, &dots.beyond);
    canvas.out.push_str("</svg>");
    canvas.out
}

/// The picture being drawn, and what its layers share: where the map ends, and what
/// labels must keep clear of (the credit, every dot).
struct Canvas<'c> {
    out: String,
    catalog: &'c Material,
    lang: Lang,
    day: Date,
    map_bottom: f64,
    obstacles: Vec<Rect>,
}

/// The dots drawn, each with its label and where that label wants to go; and the places
/// beyond the frame, which the legend names instead.
struct Dots<'s, 'a> {
    drawn: Vec<(&'s Marked<'a>, &'a str)>,
    wanted: Vec<Wanted>,
    beyond: Vec<&'s Marked<'a>>,
}

impl<'c> Canvas<'c> {
    /// The document's opening and its white ground.
    fn new(catalog: &'c Material, lang: Lang, day: Date) -> Canvas<'c> {
        let mut out = String::with_capacity(32 * 1024);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FONT_FAMILY}\">"
        );
        let _ = write!(
            out,
            "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>"
        );
        Canvas {
            out,
            catalog,
            lang,
            day,
            map_bottom: MAP_TOP + OUTLINE.projection.height,
            obstacles: Vec::new(),
        }
    }

    fn t(&self, msg: Msg) -> String {
        self.catalog.locales.text(self.lang, msg, None)
    }

    /// The date, then what the picture shows.
    fn header(&mut self) {
        let date = format_date(&self.catalog.locales, self.lang, self.day);
        text(&mut self.out, None, 24.0, 44.0, 32.0, INK, &date);
        let subtitle = self.t(Msg::MapSubtitle);
        text(&mut self.out, None, 24.0, 78.0, 20.0, "#5b5348", &subtitle);
    }

    /// The credit, in the map's bottom-right corner, where no place of the record lies.
    fn credit(&mut self) {
        let credit = self.t(Msg::MapCredit);
        let (credit_w, _, descent) = measure(&credit, 15.0);
        let at = (
            WIDTH as f64 - 12.0 - credit_w,
            self.map_bottom - 10.0 - descent,
        );
        text(&mut self.out, None, at.0, at.1, 15.0, "#5b5348", &credit);
        self.obstacles.push(Rect {
            x0: at.0 - 4.0,
            y0: at.1 - 16.0,
            x1: WIDTH as f64,
            y1: self.map_bottom,
        });
    }

    /// The frame dots are drawn in; a place outside it goes to the legend.
    fn frame(&self) -> Rect {
        Rect {
            x0: 4.0,
            y0: MAP_TOP + 4.0,
            x1: WIDTH as f64 - 4.0,
            y1: self.map_bottom - 4.0,
        }
    }

    /// A dot per place inside the frame, coloured by the date it joined (hollow for a
    /// landmark with no event yet), with a ring around the day's own places.
    fn dots<'s, 'a>(&mut self, scene: &'s Scene<'a>) -> Dots<'s, 'a> {
        let (projection, frame) = (OUTLINE.projection, self.frame());
        let mut dots = Dots {
            drawn: Vec::new(),
            wanted: Vec::new(),
            beyond: Vec::new(),
        };
        let mut at = Vec::new();
        for m in &scene.marked {
            let (x, y) = projection.project(m.place.lat, m.place.lon);
            let y = y + MAP_TOP;
            let name = m.place.name_on(self.day, self.lang);
            if !(frame.x0..frame.x1).contains(&x) || !(frame.y0..frame.y1).contains(&y) {
                dots.beyond.push(m);
                continue;
            }
            let radius = if m.today { RING + 2.0 } else { DOT + 2.0 };
            self.obstacles.push(Rect::around(x, y, radius));
            let (width, ascent, descent) = measure(name, LABEL_SIZE);
            dots.wanted.push(Wanted {
                width,
                ascent,
                descent,
                x,
                y,
                radius,
            });
            dots.drawn.push((m, name));
            at.push((x, y));
        }
        for ((m, _), (x, y)) in dots.drawn.iter().zip(at) {
            if m.today {
                let _ = write!(
                    self.out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{RING}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"3\"/>"
                );
            }
            match fill_of(scene, m.joined) {
                Some(fill) => {
                    let _ = write!(
                        self.out,
                        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{DOT}\" fill=\"{fill}\" stroke=\"#3b3128\" stroke-width=\"1.5\"/>"
                    );
                }
                None => {
                    let _ = write!(
                        self.out,
                        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#ffffff\" stroke=\"#6b6257\" stroke-width=\"2.5\"/>"
                    );
                }
            }
        }
        dots
    }

    /// The dots' labels, each where it overlaps least with the others, the dots and the
    /// credit.
    fn labels(&mut self, dots: &Dots) {
        let placed = place(&dots.wanted, &self.obstacles, &self.frame());
        for ((m, name), p) in dots.drawn.iter().zip(&placed) {
            let id = label_id(&m.place.id);
            text(
                &mut self.out,
                Some(&id),
                p.x,
                p.baseline,
                LABEL_SIZE,
                INK,
                name,
            );
        }
    }

    /// The legend, under the map.
    fn legend(&mut self, scene: &Scene, beyond: &[&Marked]) {
        let t = |msg| self.t(msg);
        let date = |d| format_date(&self.catalog.locales, self.lang, d);
        let entries = legend_entries(scene, self.day, &t, &date, beyond, self.lang);
        legend(&mut self.out, &entries, self.map_bottom);
    }
}

/// The fill of a place that joined on `joined` (its date's colour); none for a place
/// with no event yet.
fn fill_of(scene: &Scene, joined: Option<Date>) -> Option<String> {
    let n = scene.join_dates.len();
    joined
        .and_then(|d| scene.join_dates.iter().position(|j| *j == d))
        .map(|i| colour(i, n))
}

/// The outline: water behind, the neighbours, then Kazakhstan in front.
fn outline(out: &mut String, height: f64) {
    let _ = write!(
        out,
        "<svg x=\"0\" y=\"{MAP_TOP}\" width=\"{WIDTH}\" height=\"{:.0}\"><rect width=\"100%\" height=\"100%\" fill=\"{WATER}\"/>",
        height
    );
    let (front, back): (Vec<_>, Vec<_>) = OUTLINE
        .countries
        .iter()
        .partition(|c| c.id == OUTLINE.kazakhstan);
    for c in back {
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"{LAND}\" stroke=\"{BORDER}\" stroke-width=\"1.2\" stroke-linejoin=\"round\"/>",
            c.d
        );
    }
    for c in front {
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"{COUNTRY}\" stroke=\"#6b6257\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>",
            c.d
        );
    }
    out.push_str("</svg>");
}

/// The legend: a swatch per date up to the day, the ring and the hollow dot, and the
/// places beyond the frame.
fn legend_entries(
    scene: &Scene,
    day: Date,
    t: &dyn Fn(Msg) -> String,
    date: &dyn Fn(Date) -> String,
    beyond: &[&Marked],
    lang: Lang,
) -> Vec<(Swatch, String)> {
    let n = scene.join_dates.len();
    let mut entries: Vec<(Swatch, String)> = scene
        .join_dates
        .iter()
        .enumerate()
        .filter(|(_, d)| **d <= day)
        .map(|(i, d)| (Swatch::Dot(colour(i, n)), date(*d)))
        .collect();
    if scene.marked.iter().any(|m| m.today) {
        entries.push((Swatch::Ring, t(Msg::MapLegendToday)));
    }
    if scene.marked.iter().any(|m| m.joined.is_none()) {
        entries.push((Swatch::Hollow, t(Msg::MapLegendNoEvent)));
    }
    for m in beyond.iter() {
        let swatch = fill_of(scene, m.joined).map_or(Swatch::Hollow, Swatch::Dot);
        let label = format!("{} {}", t(Msg::MapBeyond), m.place.name_on(day, lang));
        entries.push((swatch, label));
    }
    entries
}

enum Swatch {
    Dot(String),
    Ring,
    Hollow,
}

fn legend(out: &mut String, entries: &[(Swatch, String)], top: f64) {
    let (left, right) = (24.0, WIDTH as f64 - 24.0);
    let mut x = left;
    let mut baseline = top + 36.0;
    for (swatch, label) in entries {
        let (w, ascent, descent) = measure(label, LEGEND_SIZE);
        let need = 2.0 * DOT + 10.0 + w;
        if x > left && x + need > right {
            x = left;
            baseline += 32.0;
        }
        let cy = baseline - (ascent - descent) / 2.0;
        let cx = x + DOT;
        let _ = match swatch {
            Swatch::Dot(fill) => write!(
                out,
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{DOT}\" fill=\"{fill}\" stroke=\"#3b3128\" stroke-width=\"1.5\"/>"
            ),
            Swatch::Ring => write!(
                out,
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{DOT}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"3\"/>"
            ),
            Swatch::Hollow => write!(
                out,
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"6\" fill=\"#ffffff\" stroke=\"#6b6257\" stroke-width=\"2.5\"/>"
            ),
        };
        text(
            out,
            None,
            x + 2.0 * DOT + 8.0,
            baseline,
            LEGEND_SIZE,
            INK,
            label,
        );
        x += need + 28.0;
    }
}
