//! The Bot API client: our timeout and, for tests and local servers, another URL. Kept
//! as settings, so the sender's thread makes a client of its own (connections belong to
//! the runtime that opened them).

use std::time::Duration;

use teloxide::Bot;

use crate::config::Token;

#[derive(Clone)]
pub struct ClientSettings {
    pub token: Token,
    pub api_url: Option<url::Url>,
    pub timeout: Duration,
}

impl ClientSettings {
    /// A new client; `None` when the TLS or HTTP stack cannot be set up.
    pub fn bot(&self) -> Option<Bot> {
        let client = teloxide::net::default_reqwest_settings()
            .timeout(self.timeout)
            .build()
            .ok()?;
        let bot = Bot::with_client(self.token.expose(), client);
        Some(match &self.api_url {
            Some(url) => bot.set_api_url(url.clone()),
            None => bot,
        })
    }
}
