//! `qantar-bot preview`: what a user would receive, as terminal text, offline; and the
//! same path from text to reply without a network, for property tests and fuzzing.

use crate::catalog::Catalog;
use crate::content::Date;
use crate::decide::flood::Verdict;
use crate::decide::{Arrival, Facts, Step, decide};
use crate::input::command;
use crate::lang::Lang;
use crate::render::html::to_terminal;
use crate::render::{Reply, render};
use crate::view::{Links, View};

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
        | Step::Announce { .. }
        | Step::Job { .. }
        | Step::SendDay { .. }
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
pub fn on_this_day(catalog: &Catalog, lang: Lang, day: Date) -> Reply {
    let view = View::OnThisDay {
        day,
        links: Links::Buttons,
    };
    render(catalog, lang, &view)
}

/// A reply as terminal text: its picture named first, if it has one (`--out` writes
/// it), then messages divided by a rule, buttons as `[ label ]`.
fn terminal(reply: &Reply) -> String {
    let divider = format!("\n{}\n", "─".repeat(40));
    let picture = match &reply.photo {
        Some(photo) => format!("[ picture: the map of {} ]\n", photo.day),
        None => String::new(),
    };
    picture
        + &reply
            .messages
            .iter()
            .map(|m| {
                let mut text = to_terminal(&m.html);
                for row in &m.keyboard {
                    let labels: Vec<String> =
                        row.iter().map(|b| format!("[ {} ]", b.label)).collect();
                    text.push_str(&format!("\n{}", labels.join(" ")));
                }
                text
            })
            .collect::<Vec<_>>()
            .join(&divider)
}

/// Writes the picture of `reply` (to `what`) as a PNG.
fn write_picture(
    reply: Option<Reply>,
    what: &str,
    path: &std::path::Path,
) -> std::process::ExitCode {
    let Some(photo) = reply.and_then(|r| r.photo) else {
        eprintln!("{what} has no picture to write (/map and \"on this day\" have one)");
        return std::process::ExitCode::FAILURE;
    };
    let written = crate::render::map::png(&photo.svg)
        .map_err(|e| e.to_string())
        .and_then(|png| std::fs::write(path, png).map_err(|e| e.to_string()));
    match written {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::ExitCode::FAILURE
        }
    }
}

/// The subcommand: prints what a reader in `lang` would get for `command` (with
/// `date`, as its argument: `/map --date 2022-01-05` is `/map 2022-01-05`), and writes
/// its picture, if it has one, to `out`.
pub fn run(
    cli: &crate::config::Cli,
    command: &str,
    lang: Lang,
    date: Option<crate::content::Date>,
    out: Option<&std::path::Path>,
) -> std::process::ExitCode {
    let command = match date {
        Some(date) => format!("{command} {date}"),
        None => command.to_string(),
    };
    print_with(cli, |catalog| {
        let text = preview(catalog, lang, &command);
        let written = match out {
            Some(path) => write_picture(
                reply_offline(catalog, lang, &command, None),
                &format!("`{command}`"),
                path,
            ),
            None => std::process::ExitCode::SUCCESS,
        };
        (text, written)
    })
}

/// `preview --on-this-day <date>`: prints that day's message in `lang`, and writes its
/// picture (that day's map) to `out`.
pub fn run_on_this_day(
    cli: &crate::config::Cli,
    day: Date,
    lang: Lang,
    out: Option<&std::path::Path>,
) -> std::process::ExitCode {
    print_with(cli, |catalog| {
        let reply = on_this_day(catalog, lang, day);
        let text = terminal(&reply);
        let written = match out {
            Some(path) => write_picture(Some(reply), &format!("the day {day}"), path),
            None => std::process::ExitCode::SUCCESS,
        };
        (text, written)
    })
}

fn print_with(
    cli: &crate::config::Cli,
    text: impl FnOnce(&Catalog) -> (String, std::process::ExitCode),
) -> std::process::ExitCode {
    match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => {
            let (text, code) = text(&catalog);
            super::output::line(&text);
            code
        }
        Err(problems) => {
            eprintln!("{problems}");
            std::process::ExitCode::FAILURE
        }
    }
}
