//! The address the web pages are served at (`QANTAR_WEB_URL`, `site --base-url`): plain
//! data the pure site generator, the menus and the app all read, so it lives here rather
//! than in `config`, which parses it.

/// Why an address was refused, in one sentence, the words `config`'s errors use.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    #[error("`{0}` is not a URL: give a full address such as https://bot.example.org/telegram.")]
    NotAUrl(String),
    #[error("QANTAR_WEBHOOK_URL must be a public https:// address: Telegram posts only to https.")]
    NotHttps,
}

/// The address web pages are served at: https with a host (Telegram opens Mini Apps
/// only over https), always ending in `/` so page paths join under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(url::Url);

impl WebUrl {
    /// For QANTAR_WEB_URL: https only, as Telegram requires for a `web_app` button.
    pub fn parse(raw: &str) -> Result<WebUrl, UrlError> {
        let url = Self::parse_any(raw)?;
        if url.0.scheme() != "https" {
            return Err(UrlError::NotHttps);
        }
        Ok(url)
    }

    /// For `site --base-url`: http or https (a site can be tried on a local server).
    pub fn parse_any(raw: &str) -> Result<WebUrl, UrlError> {
        let mut url = url::Url::parse(raw).map_err(|_| UrlError::NotAUrl(raw.to_string()))?;
        if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
            return Err(UrlError::NotAUrl(raw.to_string()));
        }
        url.set_query(None);
        url.set_fragment(None);
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(WebUrl(url))
    }

    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    /// `path` (no leading `/`) under this address.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path.trim_start_matches('/'))
    }
}
