//! Our plain keyboards as Telegram's inline keyboard markup.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo};

use crate::render::{ButtonAction, Keyboard};

/// `None` for an empty keyboard. A URL that does not parse drops its button (content
/// validation makes that unreachable) rather than the whole reply.
pub fn markup(keyboard: &Keyboard) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = keyboard
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|b| match &b.action {
                    ButtonAction::Callback(cb) => {
                        Some(InlineKeyboardButton::callback(&b.label, cb.to_string()))
                    }
                    ButtonAction::NewMessage(cb) => Some(InlineKeyboardButton::callback(
                        &b.label,
                        cb.new_message_data(),
                    )),
                    ButtonAction::Url(url) => match url.parse() {
                        Ok(url) => Some(InlineKeyboardButton::url(&b.label, url)),
                        Err(_) => {
                            log::error!("button URL does not parse; button dropped");
                            None
                        }
                    },
                    ButtonAction::ShareInline(query) => {
                        Some(InlineKeyboardButton::switch_inline_query(&b.label, query))
                    }
                    ButtonAction::WebApp(url) => match url.parse() {
                        Ok(url) => {
                            Some(InlineKeyboardButton::web_app(&b.label, WebAppInfo { url }))
                        }
                        Err(_) => {
                            log::error!("Mini App URL does not parse; button dropped");
                            None
                        }
                    },
                })
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}
