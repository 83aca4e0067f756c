//! The three languages the bot speaks, parsed once at the edge into a typed `Lang`.

use std::fmt;
use std::str::FromStr;

/// A language the bot can answer in. Everything downstream takes this, never a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Lang {
    En,
    Ru,
    Kk,
}

impl Lang {
    /// In the order menus and pickers show them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Kk];

    /// The two-letter code Telegram, Fluent and the store use.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Kk => "kk",
        }
    }

    /// The language's own name for itself, as a picker shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
            Lang::Kk => "Қазақша",
        }
    }

    /// Reads the primary subtag of an IETF tag as Telegram sends it (`ru-RU`, `kk`, `en-US`).
    /// Anything that is not one of ours gives `None`, so the caller decides the fallback.
    pub fn from_ietf(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            "kk" => Some(Lang::Kk),
            _ => None,
        }
    }

    /// Reads what a person types after `/lang`: codes, common aliases and names, any case.
    pub fn from_user_input(input: &str) -> Option<Lang> {
        let word = input.trim().trim_start_matches('/').to_lowercase();
        match word.as_str() {
            "en"
            | "eng"
            | "english"
            | "англ"
            | "английский"
            | "ағылшын"
            | "ағылшынша"
            | "gb"
            | "us"
            | "uk" => Some(Lang::En),
            "ru" | "rus" | "russian" | "рус" | "ру" | "русский" | "орыс" | "орысша" => {
                Some(Lang::Ru)
            }
            "kk"
            | "kz"
            | "kaz"
            | "kazakh"
            | "qazaq"
            | "қаз"
            | "каз"
            | "қазақ"
            | "казах"
            | "қазақша"
            | "казахский"
            | "қазақ тілі" => Some(Lang::Kk),
            _ => None,
        }
    }

    /// The language for a chat: its saved choice, else the user's Telegram language,
    /// else the configured default (English unless told otherwise).
    pub fn negotiate(saved: Option<Lang>, telegram: Option<&str>, default: Lang) -> Lang {
        saved
            .or_else(|| telegram.and_then(Lang::from_ietf))
            .unwrap_or(default)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Strict parse of a stored or configured code: only `en`, `ru`, `kk`.
impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Lang::En),
            "ru" => Ok(Lang::Ru),
            "kk" => Ok(Lang::Kk),
            _ => Err(UnknownLang(s.chars().take(16).collect())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}` (expected en, ru or kk)")]
pub struct UnknownLang(String);

/// Curated files name languages by code; only ours are accepted.
impl TryFrom<String> for Lang {
    type Error = UnknownLang;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// One value per language, reached by the `Lang` itself: reordering the enum or `ALL`
/// cannot hand one language another's value, as an array indexed by `lang as usize` could.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerLang<T> {
    en: T,
    ru: T,
    kk: T,
}

impl<T> PerLang<T> {
    /// Builds each language's value: English, Russian, Kazakh, in turn.
    pub fn from_fn(mut f: impl FnMut(Lang) -> T) -> PerLang<T> {
        let en = f(Lang::En);
        let ru = f(Lang::Ru);
        let kk = f(Lang::Kk);
        PerLang { en, ru, kk }
    }
}

impl<T> std::ops::Index<Lang> for PerLang<T> {
    type Output = T;

    fn index(&self, lang: Lang) -> &T {
        match lang {
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ietf_tags_map_by_primary_subtag() {
        assert_eq!(Lang::from_ietf("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_ietf("kk"), Some(Lang::Kk));
        assert_eq!(Lang::from_ietf("KK-kz"), Some(Lang::Kk));
        assert_eq!(Lang::from_ietf("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_ietf("uk"), None);
        assert_eq!(Lang::from_ietf("de"), None);
        assert_eq!(Lang::from_ietf(""), None);
        assert_eq!(Lang::from_ietf("rus"), None);
    }

    #[test]
    fn negotiation_prefers_saved_then_telegram_then_default() {
        assert_eq!(
            Lang::negotiate(Some(Lang::Kk), Some("ru"), Lang::En),
            Lang::Kk
        );
        assert_eq!(Lang::negotiate(None, Some("ru-RU"), Lang::En), Lang::Ru);
        assert_eq!(Lang::negotiate(None, Some("de"), Lang::En), Lang::En);
        assert_eq!(Lang::negotiate(None, None, Lang::En), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr"), Lang::Kk), Lang::Kk);
    }

    #[test]
    fn user_input_accepts_aliases_in_any_case() {
        for (input, lang) in [
            ("en", Lang::En),
            ("ENG", Lang::En),
            ("Ru", Lang::Ru),
            ("рус", Lang::Ru),
            ("РУССКИЙ", Lang::Ru),
            ("kz", Lang::Kk),
            ("қаз", Lang::Kk),
            ("ҚАЗАҚША", Lang::Kk),
            ("  kk  ", Lang::Kk),
        ] {
            assert_eq!(Lang::from_user_input(input), Some(lang), "{input}");
        }
        assert_eq!(Lang::from_user_input("fr"), None);
        assert_eq!(Lang::from_user_input(""), None);
    }

    #[test]
    fn strict_parse_round_trips_codes() {
        for lang in Lang::ALL {
            assert_eq!(lang.code().parse::<Lang>(), Ok(lang));
        }
        assert!("EN".parse::<Lang>().is_err());
    }

    #[test]
    fn per_lang_gives_each_language_its_own_value() {
        let codes = PerLang::from_fn(Lang::code);
        for lang in Lang::ALL {
            assert_eq!(codes[lang], lang.code());
        }
    }
}
