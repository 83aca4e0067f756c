//! Logging through env_logger, with every secret scrubbed from every line at every level.
//!
//! Redaction happens on the formatted line, so it also covers what dependencies log
//! (request URLs carry the token as `/bot<token>/`).

use std::io::Write;

const REDACTED: &str = "<redacted>";

/// Starts logging at `info` unless RUST_LOG says otherwise. `secrets` are replaced
/// wherever they appear, including the part of a bot token after its colon.
pub fn init(secrets: &[&str]) {
    let mut needles: Vec<String> = Vec::new();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        needles.push(s.to_string());
        if let Some((_, tail)) = s.split_once(':')
            && tail.len() >= 8
        {
            needles.push(tail.to_string());
        }
    }
    // Longest first, so the whole token is replaced before its tail.
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format(move |buf, record| {
            let mut line = record.args().to_string();
            for n in &needles {
                if line.contains(n.as_str()) {
                    line = line.replace(n.as_str(), REDACTED);
                }
            }
            writeln!(
                buf,
                "[{} {:<5} {}] {}",
                buf.timestamp_seconds(),
                record.level(),
                record.target(),
                line
            )
        })
        .init();
}
