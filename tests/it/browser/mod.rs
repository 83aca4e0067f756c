//! The browser tier: the real pages, served by the real bot on 127.0.0.1, opened in
//! Debian's headless Chromium through the DevTools protocol. Ignored by a plain
//! `cargo test`; `cargo test -- --ignored` (as CI does) runs it, and it fails if Chromium
//! is missing.

mod cdp;
mod driver;
mod web;
