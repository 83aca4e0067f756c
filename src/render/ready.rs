//! Replies that depend on nothing but the catalog and the language, rendered once when
//! the catalog loads, so that answering them costs no formatting at request time.
//!
//! `render` stays the one source of truth: what is kept here is its output, and tests
//! hold the two equal for every view in every language.

use crate::render::Material;
use std::collections::HashMap;

use super::{Reply, page_count, render};
use crate::lang::{Lang, PerLang};
use crate::view::View;

/// The views kept ready, as a key of their own: fixed ones by value, topics and events
/// by id (looked up by `&str`, so a request allocates nothing). No `View` is hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fixed {
    Start { picker: bool },
    Help,
    Summary,
    Sources,
    Petition,
    LangMenu,
    LangChanged,
    NotACommand,
    FloodNotice,
    Forgotten,
    ForgetFailed,
    LangSaveFailed(Lang),
    Timeline { page: usize },
}

impl Fixed {
    fn of(view: &View) -> Option<Fixed> {
        Some(match *view {
            View::Start { picker } => Fixed::Start { picker },
            View::Help => Fixed::Help,
            View::Summary => Fixed::Summary,
            View::Sources => Fixed::Sources,
            View::Petition => Fixed::Petition,
            View::LangMenu => Fixed::LangMenu,
            View::LangChanged => Fixed::LangChanged,
            View::NotACommand => Fixed::NotACommand,
            View::FloodNotice => Fixed::FloodNotice,
            View::Forgotten => Fixed::Forgotten,
            View::ForgetFailed => Fixed::ForgetFailed,
            View::LangSaveFailed(lang) => Fixed::LangSaveFailed(lang),
            View::Timeline { page } => Fixed::Timeline { page },
            _ => return None,
        })
    }

    fn view(self) -> View {
        match self {
            Fixed::Start { picker } => View::Start { picker },
            Fixed::Help => View::Help,
            Fixed::Summary => View::Summary,
            Fixed::Sources => View::Sources,
            Fixed::Petition => View::Petition,
            Fixed::LangMenu => View::LangMenu,
            Fixed::LangChanged => View::LangChanged,
            Fixed::NotACommand => View::NotACommand,
            Fixed::FloodNotice => View::FloodNotice,
            Fixed::Forgotten => View::Forgotten,
            Fixed::ForgetFailed => View::ForgetFailed,
            Fixed::LangSaveFailed(lang) => View::LangSaveFailed(lang),
            Fixed::Timeline { page } => View::Timeline { page },
        }
    }
}

/// One language's ready replies.
#[derive(Debug, Default)]
struct Kept {
    fixed: HashMap<Fixed, Reply>,
    topics: HashMap<String, Reply>,
    events: HashMap<String, Reply>,
}

/// Ready replies for each language, by view.
#[derive(Debug, Default)]
pub struct Ready {
    by_lang: PerLang<Kept>,
}

impl Ready {
    /// Renders every view that carries nothing a person typed, in every language.
    pub fn build(catalog: &Material) -> Ready {
        let c = &catalog.content;
        let fixed = fixed_views(catalog);
        Ready {
            by_lang: PerLang::from_fn(|lang| Kept {
                fixed: fixed
                    .iter()
                    .map(|key| (*key, render(catalog, lang, &key.view())))
                    .collect(),
                topics: c
                    .summary
                    .topics
                    .iter()
                    .map(|t| {
                        let reply = render(catalog, lang, &View::Topic(t.id.clone()));
                        (t.id.clone(), reply)
                    })
                    .collect(),
                events: c
                    .events
                    .iter()
                    .map(|e| {
                        let reply = render(catalog, lang, &View::Event(e.id.clone()));
                        (e.id.clone(), reply)
                    })
                    .collect(),
            }),
        }
    }

    /// The ready reply, if `view` is one of those kept.
    pub fn get(&self, lang: Lang, view: &View) -> Option<&Reply> {
        let kept = &self.by_lang[lang];
        match view {
            View::Topic(id) => kept.topics.get(id),
            View::Event(id) => kept.events.get(id),
            _ => kept.fixed.get(&Fixed::of(view)?),
        }
    }
}

/// Views whose reply is fixed once content and locales are: no echo of input, no state.
/// Topics and events are kept by id beside these.
fn fixed_views(catalog: &Material) -> Vec<Fixed> {
    let mut views = vec![
        Fixed::Start { picker: false },
        Fixed::Start { picker: true },
        Fixed::Help,
        Fixed::Summary,
        Fixed::Sources,
        Fixed::Petition,
        Fixed::LangMenu,
        Fixed::LangChanged,
        Fixed::NotACommand,
        Fixed::FloodNotice,
        Fixed::Forgotten,
        Fixed::ForgetFailed,
    ];
    views.extend(Lang::ALL.map(Fixed::LangSaveFailed));
    views.extend((0..page_count(&catalog.content)).map(|page| Fixed::Timeline { page }));
    views
}
