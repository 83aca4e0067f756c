//! The handler tree: one branch per kind of update we serve. Built once by `schema()`
//! and shared by the binary and the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::Location;
use std::sync::Arc;

use dptree::di::DependencyMap;
use dptree::{HandlerDescription, HandlerSignature, Type};
use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::prelude::*;

use super::App;
use super::{button, inline_query, message};

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

pub fn schema() -> UpdateHandler<HandlerError> {
    confirm_when_handled()
        .branch(Update::filter_message().endpoint(message::on_message))
        .branch(Update::filter_callback_query().endpoint(button::on_callback))
        .branch(Update::filter_inline_query().endpoint(inline_query::on_inline_query))
}

/// Holds a guard while the rest of the tree handles the update; dropping it (when the
/// handler ends, or unwinds) tells the poller the update may be confirmed to Telegram.
///
/// Written against the dependency map rather than as a `.map(|update: Update, ..|)`:
/// dptree hands such a closure a deep clone of the whole update, a share of each
/// update's cost worth saving (BENCHMARKS.md, "No deep copy of each update"); only its
/// id is needed.
fn confirm_when_handled() -> UpdateHandler<HandlerError> {
    let here = Location::caller();
    let signature = HandlerSignature::Other {
        obligations: BTreeMap::from([(Type::of::<Update>(), here), (Type::of::<Arc<App>>(), here)]),
        guaranteed_outcomes: BTreeSet::new(),
        conditional_outcomes: BTreeSet::new(),
        continues: true,
    };
    dptree::from_fn_with_description(
        DpHandlerDescription::entry(),
        |deps: DependencyMap, cont| async move {
            let id = deps.get::<Update>().id.0;
            let _guard = deps.get::<Arc<App>>().ledger.guard(id);
            cont(deps).await
        },
        signature,
    )
}
