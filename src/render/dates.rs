//! Dates written the way each language writes them, from Fluent patterns.

use fluent::FluentValue;

use crate::content::Date;
use crate::i18n::{Locales, Msg, args};
use crate::lang::Lang;

/// "2 January 2022" / "2 января 2022 г." / "2022 жылғы 2 қаңтар"; "May 2022" for a
/// month-only date.
pub fn format_date(locales: &Locales, lang: Lang, date: Date) -> String {
    let a = args([
        ("year", FluentValue::from(date.year)),
        ("month", FluentValue::from(date.month)),
        ("day", FluentValue::from(date.day.unwrap_or(1))),
    ]);
    let msg = match date.day {
        None => Msg::DateMonth,
        Some(_) => Msg::DateDay,
    };
    locales.text(lang, msg, Some(&a))
}
