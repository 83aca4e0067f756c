//! Reads `content/*.yaml` and validates it strictly, naming file and path for each problem.

use std::collections::HashSet;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::model::{
    AnnouncementsFile, ButtonTarget, Content, Localized, Petition, PlacesFile, SourcesFile,
    SummaryFile, TimelineFile,
};
use super::payload::Payload;
use crate::problem::{Problem, Problems};

pub const SUMMARY_FILE: &str = "summary.yaml";
pub const TIMELINE_FILE: &str = "timeline.yaml";
pub const SOURCES_FILE: &str = "sources.yaml";
pub const PETITION_FILE: &str = "petition.yaml";
/// Optional: without it there are no announcements; a file that is there must be valid.
pub const ANNOUNCEMENTS_FILE: &str = "announcements.yaml";
pub const PLACES_FILE: &str = "places.yaml";

/// Limits in characters. They keep every view inside Telegram's 4096-unit message and
/// keep single blocks small enough that splitting never has to cut inside one.
const ID_MAX: usize = 24;
const TITLE_MAX: usize = 120;
const PLACE_MAX: usize = 80;
const LINE_MAX: usize = 300;
/// Four events of this size, with titles and places, fill one timeline page at most.
const EVENT_BODY_MAX: usize = 650;
const SUMMARY_BODY_MAX: usize = 2500;
const BUTTON_MAX: usize = 40;
/// So that `1:a:<id>` and the job id `announce:<id>` (in `1:cj:announce:<id>`) stay
/// well inside the 64 bytes of callback data.
pub const ANNOUNCEMENT_ID_MAX: usize = ID_MAX;
/// The admin's preview shows all three languages at once; at this size it stays one
/// message, and one announcement is always one message.
const ANNOUNCEMENT_MAX: usize = 1000;
/// Buttons under one announcement; more would bury the text on a phone.
const ANNOUNCEMENT_BUTTONS_MAX: usize = 4;

/// Loads and validates the whole record, or returns every problem found.
pub fn load(dir: &Path) -> Result<Content, Problems> {
    let mut problems = Vec::new();
    let summary: Option<SummaryFile> = parse(dir, SUMMARY_FILE, &mut problems);
    let timeline: Option<TimelineFile> = parse(dir, TIMELINE_FILE, &mut problems);
    let sources: Option<SourcesFile> = parse(dir, SOURCES_FILE, &mut problems);
    let petition: Option<Petition> = parse(dir, PETITION_FILE, &mut problems);
    let places: Option<PlacesFile> = parse(dir, PLACES_FILE, &mut problems);
    let (Some(summary), Some(timeline), Some(sources), Some(petition), Some(places)) =
        (summary, timeline, sources, petition, places)
    else {
        return Err(Problems(problems));
    };
    let announcements = parse_optional::<AnnouncementsFile>(dir, ANNOUNCEMENTS_FILE, &mut problems)
        .map(|f| f.announcements)
        .unwrap_or_default();
    let content = Content {
        summary,
        events: timeline.events,
        sources: sources.sources,
        petition,
        announcements,
        places: places.places,
        map_days: places.days,
    };
    validate(dir, &content, &mut problems);
    if problems.is_empty() {
        Ok(content)
    } else {
        Err(Problems(problems))
    }
}

/// A file that may be left out: absent, or holding nothing but comments, it yields
/// `None` and no problem; present, it must parse like any other.
fn parse_optional<T: DeserializeOwned>(
    dir: &Path,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let file = dir.join(name);
    match std::fs::read_to_string(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Ok(text)
            if text.lines().all(|l| {
                let l = l.trim();
                l.is_empty() || l.starts_with('#') || l == "---"
            }) =>
        {
            None
        }
        _ => parse(dir, name, problems),
    }
}

fn parse<T: DeserializeOwned>(dir: &Path, name: &str, problems: &mut Vec<Problem>) -> Option<T> {
    let file = dir.join(name);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) => {
            problems.push(Problem::new(&file, "", format!("cannot read: {e}")));
            return None;
        }
    };
    let de = serde_yaml::Deserializer::from_str(&text);
    match serde_path_to_error::deserialize(de) {
        Ok(value) => Some(value),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let at = match (path.as_str(), inner.location()) {
                (".", Some(loc)) => format!("line {}", loc.line()),
                (".", None) => String::new(),
                (p, Some(loc)) => format!("{p} (line {})", loc.line()),
                (p, None) => p.to_string(),
            };
            // serde_yaml appends "at line N column M"; the location is already in `at`.
            let message = inner.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            problems.push(Problem::new(&file, at, message));
            None
        }
    }
}

/// Collects problems for one file under a path prefix.
struct Checker<'a> {
    file: std::path::PathBuf,
    problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    fn fail(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(&self.file, at, message));
    }

    fn id(&mut self, at: &str, id: &str, seen: &mut HashSet<String>) {
        let well_formed = !id.is_empty()
            && id.len() <= ID_MAX
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            self.fail(
                format!("{at}.id"),
                format!("`{id}` must be 1-{ID_MAX} characters of a-z, 0-9 and _"),
            );
        }
        if !seen.insert(id.to_string()) {
            self.fail(format!("{at}.id"), format!("duplicate id `{id}`"));
        }
    }

    fn text(&mut self, at: &str, text: &Localized, max: usize) {
        for (code, value) in [("en", &text.en), ("ru", &text.ru), ("kk", &text.kk)] {
            let len = value.trim().chars().count();
            if len == 0 {
                self.fail(format!("{at}.{code}"), "missing translation (empty text)");
            } else if len > max {
                self.fail(
                    format!("{at}.{code}"),
                    format!("{len} characters, more than the {max} allowed"),
                );
            }
        }
    }

    fn url(&mut self, at: &str, url: &str) {
        // `Url::parse` accepts what a browser would mend (spaces, quotes); a link put in
        // an HTML attribute must need no mending, so those are refused as well.
        let clean = !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"');
        match url::Url::parse(url) {
            Ok(u) if u.scheme() != "https" => {
                self.fail(at, format!("link `{url}` is not https"));
            }
            Ok(u) if clean && u.host_str().is_some_and(|h| h.contains('.')) => {}
            _ if !url.starts_with("https://") => {
                self.fail(at, format!("link `{url}` is not https"));
            }
            _ => self.fail(at, format!("link `{url}` is not a well-formed address")),
        }
    }

    fn refs(&mut self, at: &str, ids: &[String], known: &HashSet<String>) {
        if ids.is_empty() {
            self.fail(at, "names no source; every statement rests on one");
        }
        for (i, id) in ids.iter().enumerate() {
            if !known.contains(id) {
                self.fail(format!("{at}[{i}]"), format!("unknown source `{id}`"));
            }
        }
    }
}

/// Every file's rules, one file after the other; sources first, since the others cite them.
fn validate(dir: &Path, c: &Content, problems: &mut Vec<Problem>) {
    let mut check = Checker {
        file: dir.join(SOURCES_FILE),
        problems,
    };
    let source_ids = sources(&mut check, c);
    check.file = dir.join(PLACES_FILE);
    let place_ids = places(&mut check, c);
    check.file = dir.join(TIMELINE_FILE);
    timeline(&mut check, c, &source_ids, &place_ids);
    check.file = dir.join(SUMMARY_FILE);
    summary(&mut check, c, &source_ids);
    check.file = dir.join(PETITION_FILE);
    petition(&mut check, c, &source_ids);
    check.file = dir.join(ANNOUNCEMENTS_FILE);
    announcements(&mut check, c);
}

/// Checks the sources and returns their ids, for the references elsewhere.
fn sources(check: &mut Checker, c: &Content) -> HashSet<String> {
    let mut source_ids = HashSet::new();
    for (i, s) in c.sources.iter().enumerate() {
        let at = format!("sources[{i}]");
        check.id(&at, &s.id, &mut source_ids);
        for (field, value) in [("title", &s.title), ("publisher", &s.publisher)] {
            if value.trim().is_empty() {
                check.fail(format!("{at}.{field}"), "must not be empty");
            }
        }
        if let Some(url) = &s.url {
            check.url(&format!("{at}.url"), url);
        }
        check.text(&format!("{at}.about"), &s.about, LINE_MAX);
    }
    source_ids
}

/// Kazakhstan's bounds, with a little margin: a place inside the country lies within.
const KAZAKHSTAN_LAT: std::ops::RangeInclusive<f64> = 40.5..=55.5;
const KAZAKHSTAN_LON: std::ops::RangeInclusive<f64> = 46.4..=87.4;
/// A label on the map; the longest ones must still fit beside their dot.
const PLACE_NAME_MAX: usize = 32;

/// Checks the places and returns their ids, for the events that name them.
fn places(check: &mut Checker, c: &Content) -> HashSet<String> {
    let days = c.map_days;
    if days.from.day.is_none() || days.to.day.is_none() || days.from > days.to {
        check.fail(
            "days",
            format!(
                "`from` {} and `to` {} must be full dates (YYYY-MM-DD), `from` first",
                days.from, days.to
            ),
        );
    }
    let mut ids = HashSet::new();
    for (i, p) in c.places.iter().enumerate() {
        let at = format!("places[{i}]");
        check.id(&at, &p.id, &mut ids);
        check.text(&format!("{at}.name"), &p.name, PLACE_NAME_MAX);
        if let Some(r) = &p.renamed {
            check.text(&format!("{at}.renamed.name"), &r.name, PLACE_NAME_MAX);
        }
        let (lat_ok, lon_ok) = (
            (-90.0..=90.0).contains(&p.lat),
            (-180.0..=180.0).contains(&p.lon),
        );
        if !lat_ok {
            check.fail(
                format!("{at}.lat"),
                format!("latitude {} is out of range (-90 to 90)", p.lat),
            );
        }
        if !lon_ok {
            check.fail(
                format!("{at}.lon"),
                format!("longitude {} is out of range (-180 to 180)", p.lon),
            );
        }
        let inside = KAZAKHSTAN_LAT.contains(&p.lat) && KAZAKHSTAN_LON.contains(&p.lon);
        if lat_ok && lon_ok && !inside && !p.outside {
            check.fail(
                &at,
                format!(
                    "{}, {} is outside Kazakhstan's bounds (40.5–55.5°N, 46.4–87.4°E); mark a place abroad `outside: true`",
                    p.lat, p.lon
                ),
            );
        }
        if inside && p.outside {
            check.fail(
                format!("{at}.outside"),
                "the place is inside Kazakhstan's bounds",
            );
        }
    }
    ids
}

fn timeline(
    check: &mut Checker,
    c: &Content,
    source_ids: &HashSet<String>,
    place_ids: &HashSet<String>,
) {
    let mut event_ids = HashSet::new();
    if c.events.is_empty() {
        check.fail("events", "the timeline is empty");
    }
    for (i, e) in c.events.iter().enumerate() {
        let at = format!("events[{i}]");
        check.id(&at, &e.id, &mut event_ids);
        check.text(&format!("{at}.place"), &e.place, PLACE_MAX);
        check.text(&format!("{at}.title"), &e.title, TITLE_MAX);
        check.text(&format!("{at}.body"), &e.body, EVENT_BODY_MAX);
        check.refs(&format!("{at}.sources"), &e.sources, source_ids);
        for (k, id) in e.places.iter().enumerate() {
            if !place_ids.contains(id) {
                check.fail(
                    format!("{at}.places[{k}]"),
                    format!("unknown place `{id}` (not in {PLACES_FILE})"),
                );
            }
        }
        if !e.places.is_empty() && e.date.day.is_none() {
            check.fail(
                format!("{at}.places"),
                "a map day needs a full date (YYYY-MM-DD); leave out the places of a month-only event",
            );
        }
        if i > 0 && e.date < c.events[i - 1].date {
            check.fail(
                format!("{at}.date"),
                format!(
                    "date {} is out of order: it comes after {} ({})",
                    e.date,
                    c.events[i - 1].date,
                    c.events[i - 1].id
                ),
            );
        }
    }
}

fn summary(check: &mut Checker, c: &Content, source_ids: &HashSet<String>) {
    let o = &c.summary.overview;
    check.text("overview.title", &o.title, TITLE_MAX);
    check.text("overview.body", &o.body, SUMMARY_BODY_MAX);
    check.refs("overview.sources", &o.sources, source_ids);
    let mut topic_ids = HashSet::new();
    for (i, t) in c.summary.topics.iter().enumerate() {
        let at = format!("topics[{i}]");
        check.id(&at, &t.id, &mut topic_ids);
        check.text(&format!("{at}.title"), &t.title, BUTTON_MAX);
        check.text(&format!("{at}.body"), &t.body, SUMMARY_BODY_MAX);
        check.refs(&format!("{at}.sources"), &t.sources, source_ids);
    }
}

fn petition(check: &mut Checker, c: &Content, source_ids: &HashSet<String>) {
    let p = &c.petition;
    check.text("title", &p.title, TITLE_MAX);
    check.text("ask", &p.ask, LINE_MAX);
    check.url("url", &p.url);
    check.refs("source", std::slice::from_ref(&p.source), source_ids);
    if p.count.goal == 0 {
        check.fail("count.goal", "a goal of 0 signatures makes no sense");
    }
}

fn announcements(check: &mut Checker, c: &Content) {
    let mut ids = HashSet::new();
    for (i, a) in c.announcements.iter().enumerate() {
        let at = format!("announcements[{i}]");
        check.id(&at, &a.id, &mut ids);
        check.text(&format!("{at}.text"), &a.text, ANNOUNCEMENT_MAX);
        if let Some(when) = &a.send_at
            && when.parse::<jiff::civil::DateTime>().is_err()
        {
            check.fail(
                format!("{at}.send_at"),
                format!("`{when}` is not a local date and time: write it as 2027-01-02T09:00"),
            );
        }
        if a.buttons.len() > ANNOUNCEMENT_BUTTONS_MAX {
            check.fail(
                format!("{at}.buttons"),
                format!(
                    "{} buttons, more than the {ANNOUNCEMENT_BUTTONS_MAX} allowed",
                    a.buttons.len()
                ),
            );
        }
        for (j, b) in a.buttons.iter().enumerate() {
            let at = format!("{at}.buttons[{j}]");
            match b.target() {
                None => check.fail(
                    &at,
                    "a button is either `deep_link` with a `label` in en, ru and kk, \
                     or `petition: true` alone (its label comes from the locales)",
                ),
                Some(ButtonTarget::Petition) => {}
                Some(ButtonTarget::DeepLink { payload, label }) => {
                    deep_link(check, &format!("{at}.deep_link"), payload, c);
                    check.text(&format!("{at}.label"), label, BUTTON_MAX);
                }
            }
        }
    }
}

/// A payload must be one the bot reads, written the one way it writes it, and name
/// an event or topic that exists.
fn deep_link(check: &mut Checker, at: &str, payload: &str, c: &Content) {
    let Some(parsed) = Payload::parse(payload) else {
        check.fail(
            at,
            format!("`{payload}` is not a deep link the bot reads (`qantar-bot links` lists them)"),
        );
        return;
    };
    let missing = match &parsed {
        Payload::Event(id) if c.event(id).is_none() => Some(format!("unknown event `{id}`")),
        Payload::Topic(id) if c.topic(id).is_none() => {
            Some(format!("unknown summary topic `{id}`"))
        }
        _ => None,
    };
    if let Some(missing) = missing {
        check.fail(at, format!("`{payload}` names an {missing}"));
    } else if parsed.as_payload() != payload {
        check.fail(
            at,
            format!("write `{payload}` as `{}`", parsed.as_payload()),
        );
    }
}
