//! Parsing at the edge: what a person sent, turned into types before anything else
//! runs. Message text into commands (one table), button data into callbacks, `start=`
//! payloads into deep links, a Mini App's `initData` into a checked user; anything that
//! does not parse is refused here, never guessed at later. `counted` names what a plan
//! may count.

pub mod callback_data;
pub mod command;
pub mod counted;
pub mod deep_link;
pub mod init_data;
