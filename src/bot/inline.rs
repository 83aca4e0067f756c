//! Inline mode: `@bot words` in any chat offers the petition, the summary and matching
//! events as ready-to-send articles, in the asking user's language.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{
    InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText, Me,
    ParseMode,
};

use super::App;
use super::deliver::{link_preview, retrying};
use super::handler::{HandlerError, resolve_lang};
use super::keyboard::markup;
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
    let (_, lang) = resolve_lang(&app, q.from.id.0 as i64, q.from.language_code.as_deref()).await;
    let catalog = app.catalog.get();
    let articles = inline_results(&catalog, lang, &q.query, me.username());
    log::info!("inline results={} lang={lang}", articles.len());
    metrics.command("inline", lang);
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
