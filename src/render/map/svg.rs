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

/// The picture of `day` in `lang`. Long by nature: the drawing steps in paint order
/// (outline, header, credit, dots, labels, legend), which share the projection, the
/// scene and the obstacles that labels must avoid; split further, each would take them
/// all as arguments.
pub fn svg(catalog: &Material, lang: Lang, day: Date) -> String {
    let content = &catalog.content;
    let scene = Scene::of(content, day);
    let t = |msg| catalog.locales.text(lang, msg, None);
    let date = |d| format_date(&catalog.locales, lang, d);
    let projection = OUTLINE.projection;
    let map_bottom = MAP_TOP + projection.height;
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FONT_FAMILY}\">"
    );
    let _ = write!(
        out,
        "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>"
    );

    outline(&mut out, projection.height);

    // Header: the date, then what the picture shows.
    text(&mut out, None, 24.0, 44.0, 32.0, INK, &date(day));
    text(
        &mut out,
        None,
        24.0,
        78.0,
        20.0,
        "#5b5348",
        &t(Msg::MapSubtitle),
    );

    // Credit, in the map's bottom-right corner, where no place of the record lies.
    let credit = t(Msg::MapCredit);
    let (credit_w, _, descent) = measure(&credit, 15.0);
    let credit_at = (WIDTH as f64 - 12.0 - credit_w, map_bottom - 10.0 - descent);
    text(
        &mut out,
        None,
        credit_at.0,
        credit_at.1,
        15.0,
        "#5b5348",
        &credit,
    );

    // Dots, and where their labels go.
    let frame = Rect {
        x0: 4.0,
        y0: MAP_TOP + 4.0,
        x1: WIDTH as f64 - 4.0,
        y1: map_bottom - 4.0,
    };
    let mut obstacles = vec![Rect {
        x0: credit_at.0 - 4.0,
        y0: credit_at.1 - 16.0,
        x1: WIDTH as f64,
        y1: map_bottom,
    }];
    let mut wanted = Vec::new();
    let mut drawn = Vec::new();
    let mut beyond = Vec::new();
    for m in &scene.marked {
        let (x, y) = projection.project(m.place.lat, m.place.lon);
        let y = y + MAP_TOP;
        let name = m.place.name_on(day, lang);
        if !(frame.x0..frame.x1).contains(&x) || !(frame.y0..frame.y1).contains(&y) {
            beyond.push(m);
            continue;
        }
        let radius = if m.today { RING + 2.0 } else { DOT + 2.0 };
        obstacles.push(Rect::around(x, y, radius));
        let (width, ascent, descent) = measure(name, LABEL_SIZE);
        wanted.push(Wanted {
            width,
            ascent,
            descent,
            x,
            y,
            radius,
        });
        drawn.push((m, x, y, name));
    }
    let n = scene.join_dates.len();
    let fill_of = |joined: Option<Date>| {
        joined
            .and_then(|d| scene.join_dates.iter().position(|j| *j == d))
            .map(|i| colour(i, n))
    };
    for (m, x, y, _) in &drawn {
        if m.today {
            let _ = write!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{RING}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"3\"/>"
            );
        }
        match fill_of(m.joined) {
            Some(fill) => {
                let _ = write!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{DOT}\" fill=\"{fill}\" stroke=\"#3b3128\" stroke-width=\"1.5\"/>"
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#ffffff\" stroke=\"#6b6257\" stroke-width=\"2.5\"/>"
                );
            }
        }
    }
    let placed = place(&wanted, &obstacles, &frame);
    for ((m, _, _, name), p) in drawn.iter().zip(&placed) {
        let id = label_id(&m.place.id);
        text(&mut out, Some(&id), p.x, p.baseline, LABEL_SIZE, INK, name);
    }

    let entries = legend_entries(&scene, day, &t, &date, &beyond, lang);
    legend(&mut out, &entries, map_bottom);
    out.push_str("</svg>");
    out
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
    let fill_of = |joined: Option<Date>| {
        joined
            .and_then(|d| scene.join_dates.iter().position(|j| *j == d))
            .map(|i| colour(i, n))
    };
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
        let swatch = fill_of(m.joined).map_or(Swatch::Hollow, Swatch::Dot);
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
