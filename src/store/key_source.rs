//! Where the data key comes from: `QANTAR_DATA_KEY` (32 bytes, base64), else the file
//! `QANTAR_DATA_KEY_FILE` names, else, with SQLite only, a key file beside the database,
//! made with mode 0600 on the first run. That last one protects nothing if it is copied
//! together with the database; the bot says so at every start that uses it.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::data_key::{DataKey, KEY_BYTES};

/// How the key was found, for the start-up log (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    Env,
    File(PathBuf),
    /// The key file beside the SQLite database; `created` on this start.
    BesideDatabase {
        path: PathBuf,
        created: bool,
    },
    /// An in-memory database: a key for this process only.
    Ephemeral,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "QANTAR_DATA_KEY is not 32 bytes in base64 (make one with: head -c 32 /dev/urandom | base64)"
    )]
    BadEnv,
    #[error("cannot read the data key file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("the data key file {0} does not hold 32 bytes in base64")]
    BadFile(PathBuf),
    #[error("cannot create the data key file {0}: {1}")]
    Create(PathBuf, std::io::Error),
    #[error(
        "a PostgreSQL store needs QANTAR_DATA_KEY or QANTAR_DATA_KEY_FILE: every replica must use the same data key"
    )]
    PostgresNeedsKey,
    #[error("no random source to make a data key: {0}")]
    Random(getrandom::Error),
}

fn decode(text: &str) -> Option<[u8; KEY_BYTES]> {
    STANDARD.decode(text.trim()).ok()?.try_into().ok()
}

/// Encodes a key as its file and `QANTAR_DATA_KEY` hold it.
pub fn encode(key: &[u8; KEY_BYTES]) -> String {
    STANDARD.encode(key)
}

/// Reads a key file: 32 bytes in base64, surrounding white space ignored.
pub fn read_key_file(path: &Path) -> Result<DataKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|e| KeyError::Read(path.to_owned(), e))?;
    let key = decode(&text).ok_or_else(|| KeyError::BadFile(path.to_owned()))?;
    Ok(DataKey::from_bytes(&key))
}

/// The data key for the store at `database_url`: from `env_key` (the value of
/// `QANTAR_DATA_KEY`), else `key_file`, else the default file beside a SQLite database.
pub fn resolve(
    env_key: Option<&str>,
    key_file: Option<&Path>,
    database_url: &str,
) -> Result<(DataKey, KeyOrigin), KeyError> {
    if let Some(text) = env_key.filter(|t| !t.trim().is_empty()) {
        let key = decode(text).ok_or(KeyError::BadEnv)?;
        return Ok((DataKey::from_bytes(&key), KeyOrigin::Env));
    }
    if let Some(path) = key_file {
        return Ok((read_key_file(path)?, KeyOrigin::File(path.to_owned())));
    }
    match default_key_path(database_url) {
        DefaultKey::Beside(path) => beside_database(path),
        DefaultKey::Ephemeral => {
            let key = DataKey::generate().map_err(KeyError::Random)?;
            Ok((DataKey::from_bytes(&key), KeyOrigin::Ephemeral))
        }
        DefaultKey::None => Err(KeyError::PostgresNeedsKey),
    }
}

enum DefaultKey {
    Beside(PathBuf),
    Ephemeral,
    None,
}

/// `sqlite://data/qantar.db` → `data/qantar.db.key`.
fn default_key_path(database_url: &str) -> DefaultKey {
    let Some(rest) = database_url.strip_prefix("sqlite:") else {
        return DefaultKey::None;
    };
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || path.starts_with(":memory:") {
        return DefaultKey::Ephemeral;
    }
    DefaultKey::Beside(PathBuf::from(format!("{path}.key")))
}

fn beside_database(path: PathBuf) -> Result<(DataKey, KeyOrigin), KeyError> {
    if path.exists() {
        let key = read_key_file(&path)?;
        return Ok((
            key,
            KeyOrigin::BesideDatabase {
                path,
                created: false,
            },
        ));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| KeyError::Create(path.clone(), e))?;
    }
    let key = DataKey::generate().map_err(KeyError::Random)?;
    write_new_key_file(&path, &key).map_err(|e| KeyError::Create(path.clone(), e))?;
    Ok((
        DataKey::from_bytes(&key),
        KeyOrigin::BesideDatabase {
            path,
            created: true,
        },
    ))
}

/// Creates `path` with mode 0600 (never overwriting a file) and writes `key` into it.
pub fn write_new_key_file(path: &Path, key: &[u8; KEY_BYTES]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    writeln!(file, "{}", encode(key))?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_wins_and_must_hold_32_bytes() {
        let key = encode(&[9; KEY_BYTES]);
        let (_, origin) = resolve(Some(&key), None, "postgres://x").unwrap();
        assert_eq!(origin, KeyOrigin::Env);
        assert!(matches!(
            resolve(Some("c2hvcnQ="), None, "postgres://x"),
            Err(KeyError::BadEnv)
        ));
    }

    #[test]
    fn postgres_without_a_key_is_refused() {
        let e = resolve(None, None, "postgres://db/qantar").unwrap_err();
        assert!(e.to_string().contains("every replica"), "{e}");
    }

    #[test]
    fn a_first_sqlite_run_makes_a_private_key_file_and_reuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/data/q.db", dir.path().display());
        let (first, origin) = resolve(None, None, &url).unwrap();
        let path = dir.path().join("data/q.db.key");
        assert_eq!(
            origin,
            KeyOrigin::BesideDatabase {
                path: path.clone(),
                created: true
            }
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, origin) = resolve(None, None, &url).unwrap();
        assert!(matches!(
            origin,
            KeyOrigin::BesideDatabase { created: false, .. }
        ));
        assert_eq!(first.check_value(), again.check_value());
        let (from_file, _) = resolve(None, Some(&path), "postgres://x").unwrap();
        assert_eq!(from_file.check_value(), first.check_value());
    }
}
