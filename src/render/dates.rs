//! Dates written the way each language writes them, from Fluent patterns.

use fluent_bundle::FluentValue;

use crate::content::Date;
use crate::i18n::{Locales, Msg, args};
use crate::lang::Lang;

/// "2 January 2022" / "2 января 2022 г." / "2022 жылғы 2 қаңтар"; without the year when
/// `with_year` is false; "May 2022" for a month-only date.
pub fn format_date(locales: &Locales, lang: Lang, date: Date, with_year: bool) -> String {
    let a = args([
        ("year", FluentValue::from(date.year)),
        ("month", FluentValue::from(date.month)),
        ("day", FluentValue::from(date.day.unwrap_or(1))),
    ]);
    let msg = match (date.day, with_year) {
        (None, _) => Msg::DateMonth,
        (Some(_), true) => Msg::DateDay,
        (Some(_), false) => Msg::DateDayShort,
    };
    locales.text(lang, msg, Some(&a))
}
