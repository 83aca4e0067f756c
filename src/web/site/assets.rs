//! The files every page shares: the style sheet, the script, the icon and the font.
//! They are part of the binary, so the bot serves the same bytes `site` writes.

use super::Site;

const CSS: &str = include_str!("../../../assets/web/site.css");
const JS: &str = include_str!("../../../assets/web/site.js");
const ICON: &str = include_str!("../../../assets/web/icon.svg");

pub fn add(site: &mut Site) {
    site.add("assets/site.css".into(), "text/css; charset=utf-8", CSS);
    site.add(
        "assets/site.js".into(),
        "text/javascript; charset=utf-8",
        JS,
    );
    site.add("assets/icon.svg".into(), "image/svg+xml", ICON);
    // The map's font cut to the pages' letters (tools/webfont), for a system without
    // Kazakh letters: the sheet lists it last, so a browser fetches it only when its
    // own fonts lack a glyph.
    site.add(
        "assets/DejaVuSans-web.woff2".into(),
        "font/woff2",
        include_bytes!("../../../assets/web/DejaVuSans-web.woff2").as_slice(),
    );
    site.add(
        "assets/DejaVuSans.LICENSE.txt".into(),
        "text/plain; charset=utf-8",
        include_str!("../../../assets/fonts/DejaVuSans.LICENSE"),
    );
}
