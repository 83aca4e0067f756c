//! The shape of `content/*.yaml`: facts written once, texts in every language.
//!
//! Every struct denies unknown fields so a misspelt key stops start-up instead of
//! silently hiding a text.

use serde::Deserialize;

use super::date::Date;
use crate::lang::Lang;

/// A text a reader sees, in each of the three languages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub en: String,
    pub ru: String,
    pub kk: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// One of the documents the project grew from.
    Original,
    /// Wider reporting and human-rights documentation.
    Reference,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub kind: SourceKind,
    /// In the document's own language, as published.
    pub title: String,
    pub publisher: String,
    #[serde(default)]
    pub author: Option<String>,
    pub date: Date,
    /// The document's language; one of ours, so the bot can name it.
    pub language: Lang,
    /// Only a confirmed address; a source without one is still shown.
    #[serde(default)]
    pub url: Option<String>,
    pub about: Localized,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    pub date: Date,
    /// Ids of the places in `places.yaml` where it happened, for the map; none for what
    /// happened nationwide or online.
    #[serde(default)]
    pub places: Vec<String>,
    pub place: Localized,
    pub title: Localized,
    pub body: Localized,
    pub sources: Vec<String>,
}

impl Event {
    /// Dated to the day, not only the month.
    pub fn day_precise(&self) -> bool {
        self.date.day.is_some()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineFile {
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overview {
    pub title: Localized,
    pub body: Localized,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub id: String,
    pub title: Localized,
    pub body: Localized,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryFile {
    pub overview: Overview,
    pub topics: Vec<Topic>,
}

/// A signature count as it was recorded from the page; never presented as live, and
/// undated, since no source says when it was read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureCount {
    pub signatures: u32,
    pub goal: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Petition {
    pub title: Localized,
    pub ask: Localized,
    pub url: String,
    pub source: String,
    pub count: SignatureCount,
}

/// One button under an announcement: a deep link into the bot with its own label, or
/// the petition with the locales' label. Exactly one of `deep_link` and `petition` is
/// given; loading checks that, so the renderer reads [`AnnouncementButton::target`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementButton {
    #[serde(default)]
    pub deep_link: Option<String>,
    #[serde(default)]
    pub label: Option<Localized>,
    #[serde(default)]
    pub petition: Option<bool>,
}

/// Where a validated announcement button leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonTarget<'a> {
    /// A `start=` payload (checked by `input::deep_link::Payload::parse`) and its label.
    DeepLink {
        payload: &'a str,
        label: &'a Localized,
    },
    Petition,
}

impl AnnouncementButton {
    /// The target; `None` only for a button that validation refuses.
    pub fn target(&self) -> Option<ButtonTarget<'_>> {
        match (&self.deep_link, &self.label, self.petition) {
            (Some(payload), Some(label), None | Some(false)) => {
                Some(ButtonTarget::DeepLink { payload, label })
            }
            (None, None, Some(true)) => Some(ButtonTarget::Petition),
            _ => None,
        }
    }
}

/// A place of the record, for the map (`places.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub id: String,
    /// The label, as in the glossary.
    pub name: Localized,
    /// A later name, used for the days from its date on (Nur-Sultan became Astana).
    #[serde(default)]
    pub renamed: Option<Renamed>,
    /// Degrees north.
    pub lat: f64,
    /// Degrees east.
    pub lon: f64,
    /// Beyond Kazakhstan (Moscow, Yerevan…): exempt from the country's bounds.
    #[serde(default)]
    pub outside: bool,
    /// Labelled from the first day, before any event there (the capital, Almaty).
    #[serde(default)]
    pub landmark: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renamed {
    pub from: Date,
    pub name: Localized,
}

impl Place {
    /// The label on `day`, in `lang`.
    pub fn name_on(&self, day: Date, lang: Lang) -> &str {
        match &self.renamed {
            Some(r) if day >= r.from => r.name.get(lang),
            _ => self.name.get(lang),
        }
    }
}

/// A curated message an admin can send to every subscriber and channel, once.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Announcement {
    pub id: String,
    /// Plain text; paragraphs are separated by a blank line.
    pub text: Localized,
    #[serde(default)]
    pub buttons: Vec<AnnouncementButton>,
    /// When it goes, local date and time in `QANTAR_TIMEZONE` (`2027-01-02T09:00`):
    /// Confirm then schedules it instead of sending it at once. Absent: at Confirm.
    #[serde(default)]
    pub send_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementsFile {
    #[serde(default)]
    pub announcements: Vec<Announcement>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacesFile {
    pub days: MapDays,
    pub places: Vec<Place>,
}

/// The span the map steps through day by day; later days with places follow it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapDays {
    pub from: Date,
    pub to: Date,
}

/// The whole curated record, validated: every reference resolves, every text exists.
#[derive(Debug, Clone)]
pub struct Content {
    pub summary: SummaryFile,
    pub events: Vec<Event>,
    pub sources: Vec<Source>,
    pub petition: Petition,
    /// From the optional `announcements.yaml`; empty when there is none.
    pub announcements: Vec<Announcement>,
    pub places: Vec<Place>,
    pub map_days: MapDays,
}

impl Content {
    pub fn place(&self, id: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn event(&self, id: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.id == id)
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.summary.topics.iter().find(|t| t.id == id)
    }

    pub fn announcement(&self, id: &str) -> Option<&Announcement> {
        self.announcements.iter().find(|a| a.id == id)
    }
}
