//! The bots under test as child processes: spawned from the binaries cargo built for this
//! bench, each with a fresh folder and database, and read through `/proc` while they run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-load";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `qantar-bot`, the product.
    Qantar,
    /// `floor-bot`, teloxide answering with a fixed text.
    Floor,
    /// `floor-bot` with `FLOOR_REPLY_BYTES`: the same, with a text as large as ours.
    FloorSized,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Qantar => "qantar-bot",
            Kind::Floor => "floor-bot",
            Kind::FloorSized => "floor-bot (replies of our size)",
        }
    }

    /// The bot to run. `QANTAR_LOAD_BOT` names another qantar-bot binary (an earlier
    /// build kept aside), so a change is measured before and after by the same harness.
    fn binary(self) -> String {
        match self {
            Kind::Qantar => std::env::var("QANTAR_LOAD_BOT")
                .unwrap_or_else(|_| env!("CARGO_BIN_EXE_qantar-bot").to_string()),
            Kind::Floor | Kind::FloorSized => env!("CARGO_BIN_EXE_floor-bot").to_string(),
        }
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct BotProcess {
    child: Child,
    pub spawned: Instant,
    /// Shared, so a bot killed mid-broadcast can be started again on the same files.
    dir: Arc<tempfile::TempDir>,
}

/// The database of a bot's folder.
pub fn database_url(dir: &Path) -> String {
    format!("sqlite://{}/prefs.db", dir.display())
}

/// Memory as the kernel counts it, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// Peak resident set (VmHWM).
    pub peak_kib: u64,
    /// Resident set now (VmRSS).
    pub now_kib: u64,
}

impl BotProcess {
    /// Starts a bot with a fresh database, holding `saved` language choices already;
    /// `reply_bytes` sets the size of a `FloorSized` bot's text, and
    /// `floor_multi_thread` puts a floor bot on tokio's multi-thread runtime.
    pub async fn spawn(
        kind: Kind,
        api_url: &str,
        saved: usize,
        reply_bytes: usize,
        floor_multi_thread: bool,
    ) -> Result<BotProcess, String> {
        let dir = Arc::new(tempfile::tempdir().map_err(|e| e.to_string())?);
        if saved > 0 {
            seed(&database_url(dir.path()), saved).await?;
        }
        let mut env = Vec::new();
        if kind == Kind::FloorSized {
            env.push(("FLOOR_REPLY_BYTES", reply_bytes.to_string()));
        }
        if kind != Kind::Qantar && floor_multi_thread {
            env.push(("FLOOR_MULTI_THREAD", "1".to_string()));
        }
        BotProcess::launch(kind, api_url, dir, &env)
    }

    /// Starts a bot on the database (and its key file) in `dir`, as it is, with `env`
    /// set besides the usual settings.
    pub fn launch(
        kind: Kind,
        api_url: &str,
        dir: Arc<tempfile::TempDir>,
        env: &[(&str, String)],
    ) -> Result<BotProcess, String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("bot.log"))
            .map_err(|e| e.to_string())?;
        let mut cmd = Command::new(kind.binary());
        cmd.current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", api_url)
            .env("QANTAR_CONTENT_DIR", repo().join("content"))
            .env("QANTAR_LOCALES_DIR", repo().join("locales"))
            .env("DATABASE_URL", database_url(dir.path()))
            .env("RUST_LOG", "warn")
            // The workload sends each chat far more than a person would; flood control
            // would rightly drop most of it, and the floor bot has none to compare.
            .env("QANTAR_FLOOD_BURST", "1000000000")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        for (name, value) in env {
            cmd.env(name, value);
        }
        let spawned = Instant::now();
        let child = cmd.spawn().map_err(|e| e.to_string())?;
        Ok(BotProcess {
            child,
            spawned,
            dir,
        })
    }

    /// The bot's folder, to start another bot on the same files.
    pub fn dir(&self) -> Arc<tempfile::TempDir> {
        Arc::clone(&self.dir)
    }

    /// SIGKILL: no chance to finish anything or give the lease up.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn memory(&self) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()));
        let field = |name: &str| {
            status.as_deref().ok().and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        };
        Memory {
            peak_kib: field("VmHWM:").unwrap_or(0),
            now_kib: field("VmRSS:").unwrap_or(0),
        }
    }

    /// User plus system CPU time the process has used so far.
    pub fn cpu(&self) -> Duration {
        cpu_of(&format!("/proc/{}/stat", self.pid()))
    }

    /// The log, for a run that went wrong.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bot.log")).unwrap_or_default()
    }

    /// SIGTERM (the product finishes replies in flight and exits), then a kill if slow.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Writes `n` chats' choices as a bot in use would have them: in the previous release's
/// plain table, then moved under the data key by the store itself (the key file beside
/// the database, which the bot then finds), so the timed start is a steady one.
async fn seed(database: &str, n: usize) -> Result<(), String> {
    seed_plain(database, n).await.map_err(|e| e.to_string())?;
    let (key, _) =
        qantar_bot::store::key_source::resolve(None, None, database).map_err(|e| e.to_string())?;
    let store = qantar_bot::store::Store::open(database, 0, key)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    Ok(())
}

async fn seed_plain(database: &str, n: usize) -> Result<(), sqlx::Error> {
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;
    let mut db = sqlx::sqlite::SqliteConnectOptions::from_str(database)?
        .create_if_missing(true)
        .connect()
        .await?;
    let schema = std::fs::read_to_string(repo().join("migrations/sqlite/0001_chat_language.sql"))
        .map_err(sqlx::Error::Io)?;
    sqlx::raw_sql(&schema).execute(&mut db).await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
         INSERT INTO chat_language (chat_id, lang)
         SELECT 1000000 + i, CASE i % 3 WHEN 0 THEN 'en' WHEN 1 THEN 'ru' ELSE 'kk' END FROM n",
    )
    .bind(n as i64)
    .execute(&mut db)
    .await?;
    db.close().await
}

/// CPU time of this harness process, to show it is not the bottleneck.
pub fn own_cpu() -> Duration {
    cpu_of("/proc/self/stat")
}

fn cpu_of(stat_path: &str) -> Duration {
    let Ok(stat) = std::fs::read_to_string(stat_path) else {
        return Duration::ZERO;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after ')'.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64)
}

fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100)
    })
}

/// Wall time of one `qantar-bot check` on the shipped content, process start to exit.
pub fn time_check() -> std::io::Result<Duration> {
    let start = Instant::now();
    let status = Command::new(Kind::Qantar.binary())
        .arg("check")
        .env("QANTAR_CONTENT_DIR", repo().join("content"))
        .env("QANTAR_LOCALES_DIR", repo().join("locales"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    let took = start.elapsed();
    if !status.success() {
        return Err(std::io::Error::other("qantar-bot check failed"));
    }
    Ok(took)
}
