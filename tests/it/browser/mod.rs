//! The browser tier: the real pages, served by the real bot on 127.0.0.1, opened in
//! Debian's headless Chromium through the DevTools protocol, and the generated site
//! checked by the Nu Html Checker. Ignored by a plain `cargo test`; `cargo test --
//! --ignored` (as CI does) runs it, and it fails if Chromium or the checker is missing.

mod cdp;
mod driver;
mod figures;
mod pages;
mod telegram;
mod validity;
mod web;
