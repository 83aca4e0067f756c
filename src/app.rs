//! The composition root: `App`, what every handler, the outreach sender, the Mini App's
//! API and the transport share behind an `Arc`. It holds values of the layers below it
//! (catalog, store, deliver, schedule, health, metrics, web) and is imported only from
//! above (handle, outreach, transport), so no arrow points back up.

use std::sync::Arc;

use crate::catalog::LiveCatalog;
use crate::decide::flood::FloodGuard;
use crate::lang::Lang;
use crate::store::Store;

/// What every handler needs, shared behind an `Arc`.
pub struct App {
    pub catalog: Arc<LiveCatalog>,
    pub store: Store,
    /// Telegram's file ids of the pictures uploaded (the map).
    pub pictures: crate::deliver::photo::Pictures,
    pub default_lang: Lang,
    pub flood: FloodGuard,
    /// Telegram user ids allowed /stats and /reload.
    pub admins: std::collections::HashSet<u64>,
    pub usage: crate::usage::UsageCounter,
    /// Where content and locales are reloaded from.
    pub content_paths: crate::catalog::ContentPaths,
    /// What the channel sends unprompted, and where: admin commands need the channels.
    pub outreach: crate::schedule::Outreach,
    /// The bot's @username (without @), for deep links in what channels get.
    pub bot_username: String,
    /// When each kind of admin notice last went, so a failure that repeats every round
    /// tells the admins once in a while, not every two seconds.
    pub notices: crate::health::Notices,
    /// The outreach watchdog's last word, for /healthz.
    pub watch: crate::health::Watch,
    /// Channels the last check found the bot cannot post to.
    pub channel_health: crate::health::ChannelHealth,
    /// Counters for /metrics.
    pub metrics: crate::metrics::Metrics,
    /// The web pages, when `QANTAR_WEB_LISTEN` serves them.
    pub site: Option<Arc<crate::web::LiveSite>>,
    /// `QANTAR_WEB_URL`: where readers open the record as a Mini App; `None` offers none.
    pub web_url: Option<crate::web::WebUrl>,
    /// The key the Mini App's `initData` is checked with (derived from the token, never
    /// the token); `None` without both `QANTAR_WEB_URL` and `QANTAR_WEB_LISTEN`.
    pub web_secret: Option<crate::input::init_data::WebSecret>,
}

impl App {
    /// The language an admin reads in: the one saved for their private chat (`store`,
    /// the caller's handle), else the bot's default.
    pub async fn admin_lang(&self, store: &crate::store::Store, admin: u64) -> Lang {
        store
            .language(admin as i64)
            .await
            .ok()
            .flatten()
            .unwrap_or(self.default_lang)
    }

    /// Adds the usage counted so far to the store; on failure the counts wait for next
    /// time.
    pub async fn flush_usage(&self) {
        let rows = self.usage.take();
        if rows.is_empty() {
            return;
        }
        if let Err(e) = self.store.add_usage(&rows).await {
            self.metrics.store_error("write");
            log::warn!("usage write failed, keeping the counts for later: {e}");
            self.usage
                .restore(rows, crate::input::counted::counted_name);
        }
    }
}
