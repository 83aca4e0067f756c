//! The address the web pages are served at (`QANTAR_WEB_URL`, `site --base-url`): plain
//! data the pure site generator, the menus and the app all read, so it lives here rather
//! than in `config`, which parses it.

/// Why an address was refused, in one sentence naming what to give instead.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    #[error("`{0}` is not a web address: give a full one such as https://qantar.example.org/.")]
    NotAUrl(String),
    #[error(
        "QANTAR_WEB_URL must be a public https:// address: Telegram opens Mini Apps only over https."
    )]
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

#[cfg(test)]
mod tests {
    use super::WebUrl;

    #[test]
    fn a_web_address_ends_in_a_slash_and_the_mini_app_needs_https() {
        let base = WebUrl::parse("https://qantar.example.org/record?x=1#top").unwrap();
        assert_eq!(base.as_url().as_str(), "https://qantar.example.org/record/");
        assert_eq!(base.join("/ru/"), "https://qantar.example.org/record/ru/");
        let refused = WebUrl::parse("http://qantar.example.org/").unwrap_err();
        assert!(
            refused.to_string().starts_with("QANTAR_WEB_URL must be"),
            "{refused}"
        );
        assert!(WebUrl::parse_any("http://127.0.0.1:8000").is_ok());
        assert!(WebUrl::parse_any("ftp://x.example/").is_err());
        assert!(WebUrl::parse_any("not a url").is_err());
    }
}
