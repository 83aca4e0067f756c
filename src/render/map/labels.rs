//! Where each label goes: beside its dot, on the first side where it overlaps no other
//! label, no dot and no edge of its frame. Widths come from the shipped font's advances,
//! so every language is measured as it will be drawn; the tests read the drawn boxes
//! back from the rendered tree and hold that none overlap and none is clipped.

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::raster::FONT;

/// An axis-aligned box: left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn around(x: f64, y: f64, r: f64) -> Rect {
        Rect {
            x0: x - r,
            y0: y - r,
            x1: x + r,
            y1: y + r,
        }
    }

    fn overlap(&self, other: &Rect) -> f64 {
        let w = self.x1.min(other.x1) - self.x0.max(other.x0);
        let h = self.y1.min(other.y1) - self.y0.max(other.y0);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }

    fn inside(&self, frame: &Rect) -> bool {
        self.x0 >= frame.x0 && self.y0 >= frame.y0 && self.x1 <= frame.x1 && self.y1 <= frame.y1
    }

    fn spill(&self, frame: &Rect) -> f64 {
        (frame.x0 - self.x0).max(0.0)
            + (frame.y0 - self.y0).max(0.0)
            + (self.x1 - frame.x1).max(0.0)
            + (self.y1 - frame.y1).max(0.0)
    }
}

/// The width of `text` at `size` pixels, and the font's ascent and descent (positive).
pub fn measure(text: &str, size: f64) -> (f64, f64, f64) {
    let Ok(font) = FontRef::new(FONT) else {
        // The embedded font always parses (a unit test says so); guess generously if not.
        return (text.chars().count() as f64 * size * 0.7, size, size * 0.3);
    };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(Size::new(size as f32), LocationRef::default());
    let width: f64 = text
        .chars()
        .map(|c| {
            charmap
                .map(c)
                .and_then(|g| metrics.advance_width(g))
                .map_or(size * 0.7, f64::from)
        })
        .sum();
    let m = font.metrics(Size::new(size as f32), LocationRef::default());
    (width, f64::from(m.ascent), f64::from(-m.descent))
}

/// A label to place: its text size, and the dot it belongs to.
pub struct Wanted {
    pub width: f64,
    pub ascent: f64,
    pub descent: f64,
    pub x: f64,
    pub y: f64,
    /// The dot's radius, its ring included.
    pub radius: f64,
}

/// Where a label was put: the text's start and baseline, and its box.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub x: f64,
    pub baseline: f64,
    pub rect: Rect,
}

/// Space kept around a label's text, so neighbours never touch.
const PAD: f64 = 3.0;

/// Places every label in order, avoiding `obstacles` (the dots) and each other, inside
/// `frame`. A label that fits nowhere takes the side where it overlaps least.
pub fn place(wanted: &[Wanted], obstacles: &[Rect], frame: &Rect) -> Vec<Placed> {
    let mut taken: Vec<Rect> = obstacles.to_vec();
    let mut placed = Vec::new();
    for w in wanted {
        let mut best: Option<(f64, Placed)> = None;
        for candidate in candidates(w) {
            let own = Rect::around(w.x, w.y, w.radius);
            let cost: f64 = taken
                .iter()
                .filter(|r| **r != own)
                .map(|r| candidate.rect.overlap(r))
                .sum::<f64>()
                + candidate.rect.spill(frame) * 1000.0;
            if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                best = Some((cost, candidate));
            }
            if cost == 0.0 && candidate.rect.inside(frame) {
                break;
            }
        }
        if let Some((_, p)) = best {
            taken.push(p.rect);
            placed.push(p);
        }
    }
    placed
}

/// Right, left, above, below, then the diagonals: the usual order of map labels.
fn candidates(w: &Wanted) -> Vec<Placed> {
    let gap = w.radius + 4.0;
    let mid = w.y + (w.ascent - w.descent) / 2.0;
    let positions = [
        (w.x + gap, mid),
        (w.x - gap - w.width, mid),
        (w.x - w.width / 2.0, w.y - gap - w.descent),
        (w.x - w.width / 2.0, w.y + gap + w.ascent),
        (w.x + gap * 0.7, w.y - gap * 0.7 - w.descent),
        (w.x + gap * 0.7, w.y + gap * 0.7 + w.ascent),
        (w.x - gap * 0.7 - w.width, w.y - gap * 0.7 - w.descent),
        (w.x - gap * 0.7 - w.width, w.y + gap * 0.7 + w.ascent),
    ];
    positions
        .iter()
        .map(|&(x, baseline)| Placed {
            x,
            baseline,
            rect: Rect {
                x0: x - PAD,
                y0: baseline - w.ascent - PAD,
                x1: x + w.width + PAD,
                y1: baseline + w.descent + PAD,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_measures_every_script_we_write() {
        let (latin, ascent, descent) = measure("Almaty", 20.0);
        let (kazakh, _, _) = measure("Жаңаөзен", 20.0);
        assert!(latin > 40.0 && latin < 100.0, "{latin}");
        assert!(kazakh > 60.0 && kazakh < 140.0, "{kazakh}");
        assert!(ascent > 10.0 && descent > 2.0);
    }

    #[test]
    fn two_labels_on_one_spot_go_to_different_sides() {
        let w = |x| Wanted {
            width: 80.0,
            ascent: 15.0,
            descent: 5.0,
            x,
            y: 100.0,
            radius: 8.0,
        };
        let frame = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 400.0,
            y1: 200.0,
        };
        let placed = place(&[w(200.0), w(205.0)], &[], &frame);
        assert_eq!(placed[0].rect.overlap(&placed[1].rect), 0.0);
    }
}
