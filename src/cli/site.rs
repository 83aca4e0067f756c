//! `qantar-bot site --out DIR --base-url URL`: writes the record as a static web site,
//! the same files the bot serves on `QANTAR_WEB_LISTEN`, maps included.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use super::output;
use crate::config::{Cli, WebUrl};

pub fn run(cli: &Cli, out: &Path, base: &WebUrl) -> ExitCode {
    let started = Instant::now();
    let catalog = match super::load_catalog(cli) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let site = crate::web::build(&catalog, base, true);
    let mut bytes = 0usize;
    for (path, file) in &site.files {
        let target = out.join(path);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, &file.body));
        if let Err(e) = written {
            eprintln!("cannot write {}: {e}", target.display());
            return ExitCode::FAILURE;
        }
        bytes += file.body.len();
    }
    output::line(&format!(
        "wrote {} files ({} KiB) to {} for {} in {} ms",
        site.files.len(),
        bytes / 1024,
        out.display(),
        base.as_url(),
        started.elapsed().as_millis()
    ));
    output::finish(ExitCode::SUCCESS)
}
