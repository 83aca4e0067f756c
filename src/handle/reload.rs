//! Live reload of content and locales (SIGHUP, or an admin's /reload): a valid new set
//! replaces the old one whole; an invalid one is refused with `check`'s precise errors
//! while the bot goes on serving the previous set.

use teloxide::prelude::*;

use crate::catalog::{Catalog, ContentPaths, LiveCatalog};
use crate::deliver::menus;
use crate::metrics::Metrics;
use crate::problem::{Problem, Problems};

/// What a reload did.
#[derive(Debug)]
pub enum Reloaded {
    /// The new set is in service under this generation.
    Applied {
        generation: u64,
    },
    Rejected(Problems),
}

/// Loads, validates and swaps; re-publishes the menus when their texts changed.
pub async fn reload(
    bot: &Bot,
    live: &LiveCatalog,
    from: &ContentPaths,
    metrics: &Metrics,
    site: Option<&crate::web::LiveSite>,
) -> Reloaded {
    // Reading and validating takes milliseconds of blocking file IO: off the runtime's
    // one thread, so chats go on being answered meanwhile.
    let (content, locales) = (from.content_dir.clone(), from.locales_dir.clone());
    let loaded = tokio::task::spawn_blocking(move || Catalog::load(&content, &locales))
        .await
        // Loading panicked: a bug, and still no reason to stop serving the current set.
        .unwrap_or_else(|join| {
            Err(Problems(vec![Problem::new(
                &from.content_dir,
                "",
                format!("loading stopped unexpectedly ({join})"),
            )]))
        });
    let catalog = match loaded {
        Ok(catalog) => catalog,
        Err(problems) => {
            log::error!(
                "reload rejected, still serving generation {}; {} problem(s):\n{problems}",
                live.generation(),
                problems.0.len()
            );
            return Reloaded::Rejected(problems);
        }
    };
    let menus_changed = menus::texts(&live.get()) != menus::texts(&catalog);
    let generation = live.replace(catalog);
    metrics.set_content_generation(generation);
    log::info!("content reloaded: generation {generation}, menus changed: {menus_changed}");
    if let Some(site) = site {
        site.rebuild(live.get()).await;
    }
    if menus_changed {
        menus::publish(bot, &live.get()).await;
    }
    Reloaded::Applied { generation }
}

/// Reloads on every SIGHUP until the process ends.
#[cfg(unix)]
pub fn on_hangup(bot: Bot, app: std::sync::Arc<crate::app::App>) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            log::warn!("cannot listen for SIGHUP, live reload is off: {e}");
            return;
        }
    };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            log::info!("SIGHUP: reloading content and locales");
            reload(
                &bot,
                &app.catalog,
                &app.content_paths,
                &app.metrics,
                app.site.as_deref(),
            )
            .await;
        }
    });
}

#[cfg(not(unix))]
pub fn on_hangup(_bot: Bot, _app: std::sync::Arc<crate::app::App>) {}
