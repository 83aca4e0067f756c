//! Handling one update: the handler tree, and one handler per kind of update (message,
//! button, inline query) that gathers the facts, asks `decide`, and carries the plan
//! out through `deliver`. `App` (`crate::app`) is what they all share.

mod admin;
mod button;
mod effects;
mod inline_query;
mod message;
pub mod mini_app;
pub mod reload;
mod tree;

pub use admin::publish_menus;
pub use tree::{HandlerError, schema};
