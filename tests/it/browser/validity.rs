//! The generated site passes the Nu Html Checker (vnu, the W3C's validator): every page
//! `qantar-bot site` writes, and its style sheet.

use std::path::PathBuf;
use std::process::Command;

use crate::process::Launch;

/// `$QANTAR_TEST_VNU_JAR` (CI sets it: `npm install vnu-jar` gives
/// `node_modules/vnu-jar/build/dist/vnu.jar`).
fn vnu_jar() -> PathBuf {
    let jar = std::env::var_os("QANTAR_TEST_VNU_JAR")
        .map(PathBuf::from)
        .expect(
            "set QANTAR_TEST_VNU_JAR to the Nu Html Checker's vnu.jar (`npm install vnu-jar` \
         gives node_modules/vnu-jar/build/dist/vnu.jar; .ci/run fetches it)",
        );
    assert!(jar.is_file(), "no vnu.jar at {}", jar.display());
    jar
}

#[test]
#[ignore = "needs Java and the Nu Html Checker: set QANTAR_TEST_VNU_JAR, cargo test -- --ignored (CI does)"]
fn the_generated_site_is_valid_html() {
    let jar = vnu_jar();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let written = Launch::new("http://127.0.0.1:9/", dir.path())
        .command()
        .args(["site", "--out"])
        .arg(&site)
        .args(["--base-url", "http://127.0.0.1/"])
        .output()
        .expect("qantar-bot site runs");
    assert!(
        written.status.success(),
        "qantar-bot site failed:\n{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let pages = walk(&site)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .count();
    // The root, 404, and per language a start page, sources, petition and events.
    assert!(pages >= 1 + 1 + 3 * 4, "only {pages} pages written");
    let checked = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html", "--also-check-css"])
        .arg(&site)
        .output()
        .expect("java runs (install a JRE: default-jre-headless)");
    assert!(
        checked.status.success(),
        "the Nu Html Checker found errors in the site ({pages} pages):\n{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    eprintln!("{pages} pages and the style sheet passed the Nu Html Checker");
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
