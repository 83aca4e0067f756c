//! Runs the real `qantar-bot` binary against the fake API, as a person would deploy it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-test";

/// `QANTAR_DATA_KEY` for bots on the shared PostgreSQL test database: the same key as
/// the store's own tests (32 bytes 0x42), since that database outlives one run.
pub const TEST_DATA_KEY: &str = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct BotProcess {
    child: Option<Child>,
    pub log: PathBuf,
}

/// Settings for one run; the database lives in the test's temp dir so restarts share it.
pub struct Launch<'a> {
    pub api_url: &'a str,
    pub dir: &'a Path,
    pub rust_log: &'a str,
    pub token: Option<&'a str>,
    pub extra_env: Vec<(&'a str, String)>,
}

impl<'a> Launch<'a> {
    pub fn new(api_url: &'a str, dir: &'a Path) -> Self {
        Launch {
            api_url,
            dir,
            rust_log: "info",
            token: Some(TOKEN),
            extra_env: Vec::new(),
        }
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_qantar-bot"));
        cmd.current_dir(self.dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TELOXIDE_API_URL", self.api_url)
            .env("QANTAR_CONTENT_DIR", repo().join("content"))
            .env("QANTAR_LOCALES_DIR", repo().join("locales"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/prefs.db", self.dir.display()),
            )
            .env("RUST_LOG", self.rust_log);
        if let Some(token) = self.token {
            cmd.env("TELOXIDE_TOKEN", token);
        }
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn spawn(&self) -> BotProcess {
        let n = std::fs::read_dir(self.dir).map(|d| d.count()).unwrap_or(0);
        let log = self.dir.join(format!("bot-{n}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = self
            .command()
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("the qantar-bot binary starts");
        BotProcess {
            child: Some(child),
            log,
        }
    }
}

impl BotProcess {
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM, as Docker and systemd do, and waits for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let child = self.child.as_mut().expect("running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        self.wait(Duration::from_secs(20))
    }

    /// Sends a signal by name (`HUP`, `TERM`…) without waiting.
    pub fn signal(&self, name: &str) {
        let child = self.child.as_ref().expect("running");
        let _ = Command::new("kill")
            .args([format!("-{name}"), child.id().to_string()])
            .status();
    }

    /// Waits until the log contains `needle` `n` times; returns the log.
    pub async fn wait_log(&self, needle: &str, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let log = self.log_text();
            if log.matches(needle).count() >= n {
                return log;
            }
            if Instant::now() > deadline {
                panic!("log never showed {needle:?} {n} times:\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The process id while it runs (a replica's outreach lease names it).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: no chance to finish anything, as in a crash or an OOM kill.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        let child = self.child.as_mut().expect("running");
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("bot did not exit in time; log:\n{}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
