//! The one integration-test binary: end-to-end runs through a fake Bot API, and checks
//! over the shipped content and locales.

mod broken_content;
mod browser;
mod catalog;
mod cli;
mod e2e_commands;
mod e2e_controls;
mod e2e_faults;
mod e2e_language;
mod e2e_lease;
mod e2e_miniapp;
mod e2e_ops;
mod e2e_outreach;
mod e2e_privacy;
mod e2e_process;
mod e2e_reach;
mod e2e_reload;
mod e2e_trust;
mod expect;
mod fake_api;
mod harness;
mod map;
mod outreach;
mod pg;
mod process;
mod properties;
mod snapshots;
mod web;
