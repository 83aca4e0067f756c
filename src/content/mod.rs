//! The curated record: its serde model, and loading with strict validation.

pub mod date;
mod load;
pub mod map_days;
pub mod model;
pub mod payload;
pub mod reviewed;
pub mod search;

pub use date::Date;
pub use load::{
    ANNOUNCEMENT_ID_MAX, ANNOUNCEMENTS_FILE, PETITION_FILE, PLACES_FILE, SOURCES_FILE,
    SUMMARY_FILE, TIMELINE_FILE, load,
};
pub use model::{
    Announcement, AnnouncementButton, ButtonTarget, Content, Event, Localized, Petition, Place,
    Source, SourceKind, Topic,
};
