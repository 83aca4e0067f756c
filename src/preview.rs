//! `qantar-bot preview`: what a user would receive, as terminal text, offline; and the
//! same path from text to reply without a network, for property tests and fuzzing.

use crate::catalog::Catalog;
use crate::command::{self, Action, Input};
use crate::lang::Lang;
use crate::render::html::to_terminal;
use crate::render::{Reply, View, render};

/// What a private chat in `lang` would get for `text`, as the handler decides it but
/// with no store: a language switch is shown as if it had been saved. `None` when the
/// text is addressed to another bot.
pub fn reply_offline(catalog: &Catalog, lang: Lang, text: &str, me: Option<&str>) -> Option<Reply> {
    let (lang, view) = match command::parse(text, me) {
        Input::Command { command, .. } => match command.action(&catalog.content) {
            Action::Show(view) => (lang, view),
            Action::SwitchLang { lang, then } => (lang, then),
            // Offline there is nothing stored, so forgetting always succeeds.
            Action::Forget => (lang, View::Forgotten),
            // Nobody is an admin offline.
            Action::Admin(admin) => (lang, View::UnknownCommand(admin.name().to_string())),
        },
        Input::ForAnotherBot => return None,
        Input::Text => (lang, View::NotACommand),
    };
    Some(render(catalog, lang, &view))
}

/// Renders `text` as if typed in a private chat whose language is `lang`.
pub fn preview(catalog: &Catalog, lang: Lang, text: &str) -> String {
    let Some(reply) = reply_offline(catalog, lang, text, None) else {
        return String::new();
    };
    let divider = format!("\n{}\n", "─".repeat(40));
    reply
        .messages
        .iter()
        .map(|m| {
            let mut text = to_terminal(&m.html);
            for row in &m.keyboard {
                let labels: Vec<String> = row.iter().map(|b| format!("[ {} ]", b.label)).collect();
                text.push_str(&format!("\n{}", labels.join(" ")));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(&divider)
}
