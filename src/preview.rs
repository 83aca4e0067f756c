//! `qantar-bot preview`: what a user would receive, as terminal text, offline.

use crate::catalog::Catalog;
use crate::command::{self, Action, Input};
use crate::lang::Lang;
use crate::render::html::to_terminal;
use crate::render::{View, render};

/// Renders `text` as if typed in a private chat whose language is `lang`.
pub fn preview(catalog: &Catalog, lang: Lang, text: &str) -> String {
    let (lang, view) = match command::parse(text, None) {
        Input::Command { command, .. } => match command.action(&catalog.content) {
            Action::Show(view) => (lang, view),
            Action::SwitchLang { lang, then } => (lang, then),
        },
        Input::ForAnotherBot | Input::Text => (lang, View::NotACommand),
    };
    let reply = render(catalog, lang, &view);
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
