//! SVG to PNG with resvg, drawn with the font shipped in the repository (DejaVu Sans,
//! `assets/fonts/`, embedded in the binary): no system font is looked for or used.
//!
//! Rasterising takes tens of milliseconds: callers on the async runtime run it on the
//! blocking pool (`tokio::task::spawn_blocking`).

use std::sync::{Arc, LazyLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use sha2::{Digest, Sha256};

/// The picture's size in pixels: sharp on phones, small as a PNG.
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 1000;

/// The one font family the SVG names.
pub const FONT_FAMILY: &str = "DejaVu Sans";

pub static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Part of every picture's key, so a new font makes new pictures.
pub static FONT_SHA256: LazyLock<[u8; 32]> = LazyLock::new(|| Sha256::digest(FONT).into());

static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    db.load_font_data(FONT.to_vec());
    db.set_sans_serif_family(FONT_FAMILY);
    Arc::new(db)
});

#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("the map's SVG does not parse: {0}")]
    Svg(#[from] usvg::Error),
    #[error("cannot allocate the picture")]
    Pixmap,
    #[error("cannot encode the PNG: {0}")]
    Png(String),
}

/// Parses an SVG with the shipped font only (tests read label boxes from the tree).
pub fn tree(svg: &str) -> Result<usvg::Tree, RasterError> {
    let options = usvg::Options {
        font_family: FONT_FAMILY.to_string(),
        fontdb: FONTS.clone(),
        ..usvg::Options::default()
    };
    Ok(usvg::Tree::from_str(svg, &options)?)
}

/// The PNG of an SVG, at the SVG's own size.
pub fn png(svg: &str) -> Result<Vec<u8>, RasterError> {
    let tree = tree(svg)?;
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height()).ok_or(RasterError::Pixmap)?;
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| RasterError::Png(e.to_string()))
}
