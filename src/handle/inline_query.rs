//! Inline mode: `@bot words` in any chat offers the petition, the summary and matching
//! events as ready-to-send articles, in the asking user's language.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{
    InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText, Me,
    ParseMode,
};

use super::effects::saved_lang;
use super::tree::HandlerError;
use crate::app::App;
use crate::decide::flood::Verdict;
use crate::decide::{Arrival, Facts, decide};
use crate::deliver::markup::markup;
use crate::deliver::{link_preview, retrying};
use crate::render::inline_results;

/// Results depend on the user's language, so they are personal; a short cache keeps
/// a curator's edit visible within minutes.
const CACHE_SECONDS: u32 = 120;

pub async fn on_inline_query(
    bot: Bot,
    q: InlineQuery,
    me: Me,
    app: Arc<App>,
) -> Result<(), HandlerError> {
    let metrics = &app.metrics;
    metrics.update("inline_query");
    let key = q.from.id.0 as i64;
    let facts = Facts {
        private: true,
        saved: saved_lang(&app, key).await,
        telegram: q.from.language_code.as_deref(),
        default: app.default_lang,
        admin: app.admins.contains(&q.from.id.0),
        flood: Verdict::Answer,
    };
    let catalog = app.catalog.get();
    let plan = decide(&Arrival::InlineQuery, &facts, &catalog.content);
    let lang = plan.lang;
    let articles = inline_results(&catalog, lang, &q.query, me.username());
    log::info!("inline results={} lang={lang}", articles.len());
    if let Some(name) = plan.count {
        metrics.command(name, lang);
        app.usage.count(name, lang);
    }
    let results: Vec<InlineQueryResult> = articles
        .into_iter()
        .map(|a| {
            let content = InputMessageContentText::new(a.html)
                .parse_mode(ParseMode::Html)
                .link_preview_options(link_preview(false));
            let mut article =
                InlineQueryResultArticle::new(a.id, a.title, InputMessageContent::Text(content))
                    .description(a.description);
            if let Some(keys) = markup(&a.keyboard) {
                article = article.reply_markup(keys);
            }
            InlineQueryResult::Article(article)
        })
        .collect();
    retrying(metrics, "answerInlineQuery", || {
        bot.answer_inline_query(q.id.clone(), results.clone())
            .cache_time(CACHE_SECONDS)
            .is_personal(true)
    })
    .await;
    Ok(())
}
