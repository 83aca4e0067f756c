//! Replies that depend on nothing but the catalog and the language, rendered once when
//! the catalog loads, so that answering them costs no formatting at request time.
//!
//! `render` stays the one source of truth: what is kept here is its output, and tests
//! hold the two equal for every view in every language.

use std::collections::HashMap;

use super::{Reply, View, page_count, render};
use crate::catalog::Catalog;
use crate::lang::{Lang, PerLang};

/// Ready replies for each language, by view.
#[derive(Debug, Default)]
pub struct Ready {
    by_lang: PerLang<HashMap<View, Reply>>,
}

impl Ready {
    /// Renders every view that carries nothing a person typed, in every language.
    pub fn build(catalog: &Catalog) -> Ready {
        let views = static_views(catalog);
        Ready {
            by_lang: PerLang::from_fn(|lang| {
                views
                    .iter()
                    .map(|view| (view.clone(), render(catalog, lang, view)))
                    .collect()
            }),
        }
    }

    /// The ready reply, if `view` is one of those kept.
    pub fn get(&self, lang: Lang, view: &View) -> Option<&Reply> {
        self.by_lang[lang].get(view)
    }
}

/// Views whose reply is fixed once content and locales are: no echo of input, no state.
fn static_views(catalog: &Catalog) -> Vec<View> {
    let c = &catalog.content;
    let mut views = vec![
        View::Start { picker: false },
        View::Start { picker: true },
        View::Help,
        View::Summary,
        View::Sources,
        View::Petition,
        View::LangMenu,
        View::LangChanged,
        View::NotACommand,
        View::FloodNotice,
        View::Forgotten,
        View::ForgetFailed,
    ];
    views.extend(Lang::ALL.map(View::LangSaveFailed));
    views.extend(c.summary.topics.iter().map(|t| View::Topic(t.id.clone())));
    views.extend((0..page_count(c)).map(|page| View::Timeline { page }));
    views.extend(c.events.iter().map(|e| View::Event(e.id.clone())));
    views
}
