//! A PostgreSQL database of a test's own, for the ignored PostgreSQL tier.

/// A database of its own on the test server, dropped at the end.
pub struct PgDatabase {
    server: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// A fresh database named after `prefix`, the process and the moment.
    pub async fn create(prefix: &str) -> PgDatabase {
        let server = std::env::var("QANTAR_TEST_POSTGRES_URL")
            .expect("set QANTAR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("{prefix}_{}_{nanos}", std::process::id());
        let admin = sqlx::PgPool::connect(&server).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let mut url = url::Url::parse(&server).unwrap();
        url.set_path(&format!("/{name}"));
        PgDatabase {
            server,
            name,
            url: url.to_string(),
        }
    }
}

/// Dropped even when the test fails, so a failed run leaves no database behind.
impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let admin = sqlx::PgPool::connect(&server).await.unwrap();
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
            });
        })
        .join();
    }
}
