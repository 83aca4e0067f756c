//! `qantar-bot preview`: what a user would receive, as terminal text, offline; and the
//! same path from text to reply without a network, for property tests and fuzzing.

use crate::catalog::Catalog;
use crate::content::Date;
use crate::decide::flood::Verdict;
use crate::decide::{Arrival, Facts, Step, decide};
use crate::input::command;
use crate::lang::Lang;
use crate::render::html::to_terminal;
use crate::render::{Links, Reply, View, render};

/// What a private chat in `lang` would get for `text`, decided by the handlers' own
/// [`decide`] but with no store: a language switch is shown as if it had been saved.
/// `None` when the text is addressed to another bot.
pub fn reply_offline(catalog: &Catalog, lang: Lang, text: &str, me: Option<&str>) -> Option<Reply> {
    let arrival = Arrival::Message(command::parse(text, me));
    // A reader who chose `lang`; nobody is an admin offline, and nobody floods.
    let facts = Facts {
        private: true,
        saved: Some(lang),
        telegram: None,
        default: lang,
        admin: false,
        flood: Verdict::Answer,
    };
    let plan = decide(&arrival, &facts, &catalog.content);
    let (lang, view) = match plan.step {
        Step::Show(view) => (plan.lang, view),
        Step::SaveLang { lang, then } => (lang, then),
        // Offline there is nothing stored, so forgetting always succeeds.
        Step::Forget { newcomer } => (newcomer, View::Forgotten),
        Step::Subscribe { on: true, .. } => (plan.lang, View::Subscribed),
        Step::Subscribe { on: false, .. } => (plan.lang, View::Unsubscribed),
        Step::Ignore
        | Step::AnswerOnly
        | Step::Stale
        | Step::Admin(_)
        | Step::Purge
        | Step::Announce(_)
        | Step::CancelJob(_)
        | Step::Articles => {
            return None;
        }
    };
    Some(render(catalog, lang, &view))
}

/// Renders `text` as if typed in a private chat whose language is `lang`.
pub fn preview(catalog: &Catalog, lang: Lang, text: &str) -> String {
    match reply_offline(catalog, lang, text, None) {
        Some(reply) => terminal(&reply),
        None => String::new(),
    }
}

/// The "on this day" message a subscriber in `lang` gets when `day` comes.
pub fn preview_on_this_day(catalog: &Catalog, lang: Lang, day: Date) -> String {
    let view = View::OnThisDay {
        day,
        links: Links::Buttons,
    };
    terminal(&render(catalog, lang, &view))
}

/// A reply as terminal text: messages divided by a rule, buttons as `[ label ]`.
fn terminal(reply: &Reply) -> String {
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

/// The subcommand: prints what a reader in `lang` would get for `command`.
pub fn run(cli: &crate::config::Cli, command: &str, lang: Lang) -> std::process::ExitCode {
    print_with(cli, |catalog| preview(catalog, lang, command))
}

/// `preview --on-this-day <date>`: prints that day's message in `lang`.
pub fn run_on_this_day(cli: &crate::config::Cli, day: Date, lang: Lang) -> std::process::ExitCode {
    print_with(cli, |catalog| preview_on_this_day(catalog, lang, day))
}

fn print_with(
    cli: &crate::config::Cli,
    text: impl FnOnce(&Catalog) -> String,
) -> std::process::ExitCode {
    match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => {
            super::out(&text(&catalog));
            std::process::ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{problems}");
            std::process::ExitCode::FAILURE
        }
    }
}
