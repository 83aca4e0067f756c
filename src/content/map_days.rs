//! The days the map steps through: a question about the record (its span of map days in
//! places.yaml, then each later day-precise event with places), asked by the parsers,
//! the decision, the map and the site alike.

use super::{Content, Date};

/// The days the map steps through, in order: every day of `days` in places.yaml (2 to
/// 19 January 2022), then each later day on which an event has places.
pub fn days(content: &Content) -> Vec<Date> {
    let span = &content.map_days;
    let mut days = Vec::new();
    let mut day = span.from;
    while day <= span.to {
        days.push(day);
        match next_day(day) {
            Some(next) => day = next,
            None => break,
        }
    }
    for e in &content.events {
        if e.date > span.to
            && e.day_precise()
            && !e.places.is_empty()
            && days.last() != Some(&e.date)
        {
            days.push(e.date);
        }
    }
    days
}

/// The map day to show for `day`: itself if it is one, else the last one before it
/// (or the first of all).
pub fn map_day(content: &Content, day: Date) -> Date {
    let days = days(content);
    days.iter()
        .rev()
        .find(|d| **d <= day)
        .or(days.first())
        .copied()
        .unwrap_or(day)
}

fn next_day(day: Date) -> Option<Date> {
    let d = jiff::civil::Date::new(day.year as i16, day.month as i8, day.day? as i8).ok()?;
    let next = d.tomorrow().ok()?;
    Some(Date {
        year: next.year() as u16,
        month: next.month() as u8,
        day: Some(next.day() as u8),
    })
}
