//! Every name a plan can count: the command table's names and the others (stray text,
//! buttons, inline queries). A leaf of plain names, so the metrics' label tables made at
//! start, the decision's counts and the counts read back from the store agree.

/// Names counted for what is not a known command: stray text, buttons, inline queries.
/// With the command table (`command::names`), every name a plan can count.
const OTHER_COUNTS: [&str; 13] = [
    "unknown",
    "text",
    "lang_button",
    "timeline_page",
    "map_day",
    "event",
    "topic",
    "stale_button",
    "inline",
    "purge_button",
    "announce_button",
    "broadcasts_button",
    "miniapp_subscribe",
];

/// Every name a plan can count, for label tables made at start.
pub fn counted_names() -> impl Iterator<Item = &'static str> {
    super::command::names().chain(OTHER_COUNTS)
}

/// The static name for a counted name read back from the store; `None` for a name
/// that is no longer counted.
pub fn counted_name(name: &str) -> Option<&'static str> {
    counted_names().find(|n| *n == name)
}
