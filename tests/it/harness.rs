//! The usual opening of an end-to-end test: a fake Bot API, a temp dir for the store, the
//! real bot running against both, and the catalog it serves, to render what to expect.
//!
//! `Harness::start()` is the plain case; `Harness::builder()` takes the settings a test
//! changes (environment, log level, a content tree of its own).

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use qantar_bot::catalog::Catalog;
use tempfile::TempDir;

use crate::catalog::shipped;
use crate::fake_api::FakeApi;
use crate::process::{BotProcess, Launch, TOKEN};

pub struct Harness {
    pub api: FakeApi,
    /// What the bot serves: the shipped content, or the tree given to the builder.
    pub catalog: Catalog,
    /// Declared before `dir` so the process is gone before its directory is removed.
    pub bot: BotProcess,
    /// The bot's working directory, with its SQLite store; kept for the whole test.
    pub dir: TempDir,
    settings: Builder,
}

/// Settings for a run other than the default.
pub struct Builder {
    rust_log: &'static str,
    env: Vec<(&'static str, String)>,
    tree: Option<PathBuf>,
    /// Where the bot serves /metrics, when asked for (`with_metrics`).
    metrics: Option<SocketAddr>,
}

impl Harness {
    /// The shipped content, `RUST_LOG=info`, nothing else set.
    pub async fn start() -> Harness {
        Harness::builder().start().await
    }

    pub fn builder() -> Builder {
        Builder {
            rust_log: "info",
            env: Vec::new(),
            tree: None,
            metrics: None,
        }
    }

    /// The same settings again: for a restart, or for a subcommand such as `healthcheck`.
    pub fn launch(&self) -> Launch<'_> {
        self.settings.launch(&self.api.url, self.dir.path())
    }

    /// Starts the bot again on the same store (after `terminate` or `kill`).
    pub fn respawn(&mut self) {
        self.bot = self.launch().spawn();
    }

    /// Starts the bot again on the same store, with more environment (another data
    /// key, say).
    pub fn respawn_with(&mut self, env: &[(&'static str, String)]) {
        let bot = {
            let mut launch = self.launch();
            launch.extra_env.extend(env.iter().cloned());
            launch.spawn()
        };
        self.bot = bot;
    }

    /// Runs a subcommand (`rekey`, `purge`…) with the bot's settings plus `env`, `stdin`
    /// as its input, and waits for it to finish.
    pub fn run_subcommand(
        &self,
        args: &[&str],
        env: &[(&'static str, String)],
        stdin: &str,
    ) -> Output {
        let mut launch = self.launch();
        launch.extra_env.extend(env.iter().cloned());
        let mut child = launch
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the qantar-bot binary starts");
        let mut input = child.stdin.take().expect("piped stdin");
        // A subcommand that does not read its input may have closed it already.
        let _ = input.write_all(stdin.as_bytes());
        drop(input);
        child.wait_with_output().expect("the subcommand finishes")
    }

    /// Where the bot serves /healthz and /metrics (`Builder::with_metrics`); the same
    /// address after a restart.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.settings.metrics
    }

    /// The bot's store, for a test that reaches into it.
    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self.db_path().display())
    }

    /// The SQLite file of the bot's store.
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("prefs.db")
    }
}

impl Builder {
    /// One more environment variable for the bot.
    pub fn env(mut self, key: &'static str, value: impl Into<String>) -> Builder {
        self.env.push((key, value.into()));
        self
    }

    pub fn rust_log(mut self, level: &'static str) -> Builder {
        self.rust_log = level;
        self
    }

    /// Serve /healthz and /metrics on a free local port (`Harness::metrics_addr`).
    pub fn with_metrics(mut self) -> Builder {
        let addr = crate::e2e_ops::free_addr();
        self.metrics = Some(addr);
        self.env("QANTAR_METRICS_LISTEN", addr.to_string())
    }

    /// Serve `content/` and `locales/` from `tree` instead of the repository's.
    pub fn tree(mut self, tree: &Path) -> Builder {
        self.tree = Some(tree.to_path_buf());
        self
    }

    pub async fn start(self) -> Harness {
        let api = FakeApi::start(TOKEN).await;
        let dir = tempfile::tempdir().unwrap();
        let catalog = match &self.tree {
            None => shipped(),
            Some(tree) => Catalog::load(&tree.join("content"), &tree.join("locales"))
                .unwrap_or_else(|p| panic!("the test's tree must load:\n{p}")),
        };
        let bot = self.launch(&api.url, dir.path()).spawn();
        Harness {
            api,
            catalog,
            bot,
            dir,
            settings: self,
        }
    }

    fn launch<'a>(&self, api_url: &'a str, dir: &'a Path) -> Launch<'a> {
        let mut extra_env = self.env.clone();
        if let Some(tree) = &self.tree {
            extra_env.push(("QANTAR_CONTENT_DIR", path_string(&tree.join("content"))));
            extra_env.push(("QANTAR_LOCALES_DIR", path_string(&tree.join("locales"))));
        }
        Launch {
            rust_log: self.rust_log,
            extra_env,
            ..Launch::new(api_url, dir)
        }
    }
}

fn path_string(path: &Path) -> String {
    path.display().to_string()
}
