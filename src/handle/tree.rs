//! The handler tree: one branch per kind of update we serve. Built once by `schema()`
//! and shared by the binary and the tests.

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;

use super::{button, inline_query, message};

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The transport puts its ledger's guard in front of it
/// (`transport::ledger::confirm_when_handled`).
pub fn schema() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(message::on_message))
        .branch(Update::filter_callback_query().endpoint(button::on_callback))
        .branch(Update::filter_inline_query().endpoint(inline_query::on_inline_query))
}
