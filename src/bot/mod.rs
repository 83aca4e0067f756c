//! The Telegram side: the handler tree, delivery, menus and the polling loop.

mod callbacks;
mod deliver;
mod handler;
mod inline;
mod keyboard;
pub mod menus;
mod messages;
mod run;

use std::sync::Arc;

pub use handler::{HandlerError, schema};
pub use run::{RunError, RunOptions, run};

use crate::catalog::Catalog;
use crate::lang::Lang;
use crate::store::Store;

/// What every handler needs, shared behind an `Arc`.
#[derive(Debug)]
pub struct App {
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub default_lang: Lang,
}
