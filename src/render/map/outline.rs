//! The committed outline (`assets/map/outline.json`, made once from Natural Earth by
//! `tools/outline/convert.mjs`) and its projection, which places must share.

use std::sync::LazyLock;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Outline {
    pub projection: Projection,
    /// The ISO numeric id of the country drawn in front.
    pub kazakhstan: String,
    pub countries: Vec<Country>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Country {
    pub id: String,
    /// SVG path data in the projection's pixels.
    pub d: String,
}

/// Equirectangular with a standard parallel: see the conversion script.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Projection {
    pub lon_min: f64,
    pub lon_max: f64,
    pub lat_max: f64,
    pub parallel: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    /// Pixels from the top left of the map frame.
    pub fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        let kx = self.parallel.to_radians().cos();
        let scale = self.width / ((self.lon_max - self.lon_min) * kx);
        (
            (lon - self.lon_min) * kx * scale,
            (self.lat_max - lat) * scale,
        )
    }
}

/// Embedded in the binary: nothing is read or fetched at run time. A unit test holds
/// that it parses; were it broken, the map would be drawn without borders.
pub static OUTLINE: LazyLock<Outline> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../assets/map/outline.json")).unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_outline_parses_with_kazakhstan_in_it() {
        let outline: Outline =
            serde_json::from_str(include_str!("../../../assets/map/outline.json")).unwrap();
        assert!(outline.countries.iter().any(|c| c.id == outline.kazakhstan));
        assert!(outline.projection.width > 1000.0);
        let (x, y) = outline.projection.project(43.238, 76.946);
        assert!((0.0..outline.projection.width).contains(&x));
        assert!((0.0..outline.projection.height).contains(&y));
    }
}
