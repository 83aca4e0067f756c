//! `qantar-bot schedule`: every planned "on this day" send between two dates, with its
//! local time, its item and its recipients per language, so a channel sees January
//! before it happens.

use std::process::ExitCode;

use jiff::civil::Date;

use super::output;
use crate::catalog::Catalog;
use crate::config::Cli;
use crate::lang::Lang;
use crate::schedule::{self, Daily};
use crate::store::Store;

pub fn run(cli: &Cli, from: Date, to: Date) -> ExitCode {
    if from > to {
        // An empty list would read as "nothing planned", which is not what was asked.
        eprintln!("--from {from} is after --to {to}: give the earlier date first");
        return ExitCode::from(2);
    }
    let catalog = match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => catalog,
        Err(problems) => {
            eprintln!("{problems}");
            return ExitCode::FAILURE;
        }
    };
    // A store that is not there is refused, never made: a mistyped DATABASE_URL would
    // otherwise plan for 0 subscribers, and leave an empty database behind.
    let subscribers = match super::block_on(Store::subscribers_at(&cli.database_url)) {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) | Err(e) => {
            eprintln!("cannot read the subscribers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let daily = Daily {
        at: cli.daily_at,
        zone: cli.timezone.0.clone(),
        window: cli.daily_window.clone(),
    };
    let days = crate::render::days_with_events(&catalog.content);
    let planned = schedule::plan(&daily, from, to, &days);
    output::line(&format!(
        "{} planned sends from {from} to {to}, at {} {:?}, on days of the window {}; recipients per language: subscribers + channels",
        planned.len(),
        cli.daily_at.strftime("%H:%M"),
        cli.timezone,
        cli.daily_window
    ));
    // The window's days the record has nothing for: they stay silent.
    let mut silent = Vec::new();
    let mut date = from;
    while date <= to {
        let (m, d) = (date.month() as u8, date.day() as u8);
        if cli.daily_window.contains(m, d) && !days.contains(&(m, d)) {
            silent.push(date.strftime("%m-%d").to_string());
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    if !silent.is_empty() {
        output::line(&format!(
            "silent in the window (no event of the record on that day): {}",
            silent.join(", ")
        ));
    }
    for at in planned {
        let counts: Vec<String> = Lang::ALL
            .iter()
            .map(|lang| {
                let subs = subscribers
                    .iter()
                    .find(|(l, _)| l == lang)
                    .map_or(0, |(_, n)| *n);
                let channels = cli.channels.0.iter().filter(|c| c.lang == *lang).count();
                format!("{} {subs}+{channels}", lang.code())
            })
            .collect();
        output::line(&format!(
            "{}  {}  {}",
            at.strftime("%F %H:%M %Z"),
            schedule::job_id(at.date()),
            counts.join("  ")
        ));
    }
    ExitCode::SUCCESS
}
