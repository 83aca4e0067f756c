//! `qantar-bot check`: loads content and locales as the bot would, checks that every
//! Russian and Kazakh text was reviewed against the current English, and prints every
//! problem with its file and path, or a one-line summary. `--reviewed` first records
//! the named translations as reviewed (`content/reviewed.yaml`).

use std::process::ExitCode;

use super::output;
use crate::config::Cli;
use crate::content::reviewed::{self, Finding, REVIEWED_FILE};
use crate::lang::Lang;

pub fn run(cli: &Cli, mark: &[String]) -> ExitCode {
    let catalog = match super::load_catalog(cli) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let c = &catalog.content;
    if !mark.is_empty() {
        match reviewed::mark(&cli.content_dir, c, mark) {
            Ok(marked) if marked.len() > 12 => {
                output::line(&format!(
                    "recorded as reviewed: {} translations",
                    marked.len()
                ));
            }
            Ok(marked) => {
                output::line(&format!("recorded as reviewed: {}", marked.join(", ")));
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    // The web pages are built from the same catalog: a link between them that leads
    // nowhere is a problem of the content, found here rather than by a reader.
    let base = crate::web::WebUrl::parse_any("https://site.invalid/");
    let site = base.map(|base| crate::web::build(&catalog, &base, false));
    let web = site.as_ref().map(crate::web::site::problems);
    if let Ok(web) = &web
        && !web.is_empty()
    {
        for problem in web {
            eprintln!("{problem}");
        }
        eprintln!("{} problem(s)", web.len());
        return ExitCode::FAILURE;
    }
    let pages = site.map_or(0, |s| {
        s.files.keys().filter(|p| p.ends_with(".html")).count()
    });
    let findings = match reviewed::findings(&cli.content_dir, c) {
        Ok(findings) => findings,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("1 problem(s)");
            return ExitCode::FAILURE;
        }
    };
    if !findings.is_empty() {
        let shown = report(&cli.content_dir, &findings);
        if !matches!(findings[..], [Finding::NoFile]) {
            eprintln!(
                "{} translation(s) to review, in {shown} entries",
                findings.len()
            );
        }
        return ExitCode::FAILURE;
    }
    output::line(&format!(
        "ok: {} events, {} sources, {} places, {} summary topics, petition, {} announcements; locales en, ru, kk; every translation reviewed against the current English; {} web pages, every link between them resolves",
        c.events.len(),
        c.sources.len(),
        c.places.len(),
        c.summary.topics.len(),
        c.announcements.len(),
        pages
    ));
    ExitCode::SUCCESS
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English (en)",
        Lang::Ru => "Russian (ru)",
        Lang::Kk => "Kazakh (kk)",
    }
}

/// Prints the findings to stderr, one block per entry (the Russian and Kazakh of one
/// entry reviewed against the same English share it); returns the number of blocks.
fn report(dir: &std::path::Path, findings: &[Finding]) -> usize {
    let mut blocks = 0;
    let mut i = 0;
    while i < findings.len() {
        blocks += 1;
        match &findings[i] {
            Finding::NoFile => {
                eprintln!(
                    "{}: missing: no translation is recorded as reviewed; once they are checked, run `qantar-bot check --reviewed all`",
                    dir.join(REVIEWED_FILE).display()
                );
                i += 1;
            }
            Finding::Unrecorded { entry, .. } => {
                let (langs, selector, next) = pair(findings, i);
                eprintln!(
                    "{}: {}: the {} {} no record of the English it was translated from; once checked, run `qantar-bot check --reviewed {selector}`",
                    dir.join(entry.file).display(),
                    entry.id,
                    langs,
                    if next > i + 1 { "have" } else { "has" },
                );
                i = next;
            }
            Finding::Stale {
                entry,
                reviewed,
                old,
                ..
            } => {
                let (langs, selector, next) = pair(findings, i);
                eprintln!(
                    "{}: {}: the English changed since the {} {} reviewed ({reviewed}, now {})",
                    dir.join(entry.file).display(),
                    entry.id,
                    langs,
                    if next > i + 1 { "were" } else { "was" },
                    entry.fingerprint(),
                );
                for (field, now) in &entry.english {
                    let was = old.get(field);
                    if was.map(|w| w.trim()) == Some(now.trim()) {
                        continue;
                    }
                    eprintln!("  {field} (changed words in [brackets]):");
                    for line in side_by_side(was.map(String::as_str), now) {
                        eprintln!("    {line}");
                    }
                }
                eprintln!(
                    "  once the translation says what the new English says: qantar-bot check --reviewed {selector}"
                );
                i = next;
            }
        }
    }
    blocks
}

/// The finding at `i` and, if the next one is the same entry's other language in the
/// same state (and against the same English), that one too: the languages named, the
/// `--reviewed` selector for them, and the index after them.
fn pair(findings: &[Finding], i: usize) -> (String, String, usize) {
    let key = |f: &Finding| match f {
        Finding::Stale {
            entry,
            lang,
            reviewed,
            ..
        } => Some((entry.key.clone(), *lang, Some(reviewed.clone()))),
        Finding::Unrecorded { entry, lang } => Some((entry.key.clone(), *lang, None)),
        Finding::NoFile => None,
    };
    let Some((entry, lang, state)) = key(&findings[i]) else {
        return (String::new(), String::new(), i + 1);
    };
    if let Some((next_entry, next_lang, next_state)) = findings.get(i + 1).and_then(key)
        && next_entry == entry
        && next_state == state
    {
        let langs = format!("{} and the {}", lang_name(lang), lang_name(next_lang));
        return (langs, entry, i + 2);
    }
    (
        lang_name(lang).to_string(),
        format!("{entry}:{}", lang.code()),
        i + 1,
    )
}

/// Width of one column of the side-by-side view, in characters.
const COLUMN: usize = 54;

/// The old and new English in two columns, changed words in brackets.
fn side_by_side(was: Option<&str>, now: &str) -> Vec<String> {
    let (left, right) = match was {
        Some(was) => mark_changes(was.trim(), now.trim()),
        None => ("(not kept)".to_string(), now.trim().to_string()),
    };
    let left = wrap(&left, COLUMN);
    let right = wrap(&right, COLUMN);
    let mut lines = vec![format!("{:<COLUMN$} │ {}", "reviewed from:", "now:")];
    for k in 0..left.len().max(right.len()) {
        let l = left.get(k).map(String::as_str).unwrap_or("");
        let r = right.get(k).map(String::as_str).unwrap_or("");
        let pad = COLUMN.saturating_sub(l.chars().count());
        lines.push(
            format!("{l}{} │ {r}", " ".repeat(pad))
                .trim_end()
                .to_string(),
        );
    }
    lines
}

/// Both texts with the words that differ between them in brackets.
fn mark_changes(was: &str, now: &str) -> (String, String) {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_words(was, now);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for change in diff.iter_all_changes() {
        let text = change.value().to_string();
        match change.tag() {
            ChangeTag::Equal => {
                left.push((false, text.clone()));
                right.push((false, text));
            }
            ChangeTag::Delete => left.push((true, text)),
            ChangeTag::Insert => right.push((true, text)),
        }
    }
    (bracket(&left), bracket(&right))
}

/// Joins the pieces, putting each run of changed words (not its outer spaces) in brackets.
fn bracket(pieces: &[(bool, String)]) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |out: &mut String, run: &mut String| {
        if run.trim().is_empty() {
            out.push_str(run);
        } else {
            let lead = &run[..run.len() - run.trim_start().len()];
            let trail = &run[run.trim_end().len()..];
            out.push_str(lead);
            out.push('[');
            out.push_str(run.trim());
            out.push(']');
            out.push_str(trail);
        }
        run.clear();
    };
    for (changed, text) in pieces {
        if *changed {
            run.push_str(text);
        } else if text.trim().is_empty() && !run.is_empty() {
            // A space between two changed words stays inside the run.
            run.push_str(text);
        } else {
            flush(&mut out, &mut run);
            out.push_str(text);
        }
    }
    flush(&mut out, &mut run);
    out
}

/// Word-wraps `text` to lines of at most `width` characters (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_bracketed_on_both_sides() {
        let (was, now) = mark_changes(
            "On 6 January it said 8 had been killed.",
            "On 5 January it said 8 had been killed.",
        );
        assert_eq!(was, "On [6] January it said 8 had been killed.");
        assert_eq!(now, "On [5] January it said 8 had been killed.");
        let (was, now) = mark_changes("about 2,500 troops", "more than two thousand troops");
        assert_eq!(was, "[about 2,500] troops");
        assert_eq!(now, "[more than two thousand] troops");
    }

    #[test]
    fn the_columns_line_up() {
        let lines = side_by_side(Some("a b c"), "a b d e");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].find('│'), lines[0].find('│'));
        assert!(lines[1].ends_with("a b [d e]"), "{}", lines[1]);
    }
}
