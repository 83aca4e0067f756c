//! The real bot with its web listener on a free port of 127.0.0.1, the page list its
//! sitemap gives, and plain HTTP to it.

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::e2e_ops::{free_addr, http};
use crate::harness::Harness;

pub struct WebBot {
    pub addr: SocketAddr,
    /// Kept for the whole test: the bot, its fake Bot API and its store.
    pub harness: Harness,
}

impl WebBot {
    /// Starts the bot with `QANTAR_WEB_LISTEN` and waits until `GET /` answers 200.
    pub async fn start() -> WebBot {
        let addr = free_addr();
        let harness = Harness::builder()
            .env("QANTAR_WEB_LISTEN", addr.to_string())
            .start()
            .await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "the bot never listened on {addr}:\n{}",
                harness.bot.log_text()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let bot = WebBot { addr, harness };
        let (status, _) = bot.get("/").await;
        assert_eq!(status, 200, "GET /\n{}", bot.harness.bot.log_text());
        bot
    }

    /// The page's address on the listener: `url("/en/")`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Status and body of a plain `GET`.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let (addr, path) = (self.addr, path.to_string());
        tokio::task::spawn_blocking(move || http(addr, "GET", &path, &[], ""))
            .await
            .unwrap()
    }
}
