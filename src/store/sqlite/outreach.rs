//! The outreach queue's SQL on SQLite: jobs, their recipients and channel posts, and the
//! sender's lease. Functions of the same shape as `postgres::outreach`'s.

use sqlx::sqlite::SqlitePool;

use crate::store::StoreError;
use crate::store::outreach::{JobRow, Outcome, QueueRow};

/// Creates the job and queues every subscriber and channel, in one transaction and one
/// statement for the subscribers (set-based: a million rows are one INSERT … SELECT).
/// `None` when the job exists already: an item is queued once.
pub async fn create_job(
    pool: &SqlitePool,
    job: &str,
    now_ms: i64,
    channels: &[(String, &str)],
) -> Result<Option<i64>, StoreError> {
    let mut tx = pool.begin().await?;
    let created = sqlx::query(
        "INSERT INTO outreach_job (id, created, state) VALUES (?, ?, 'running')
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(job)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if created == 0 {
        return Ok(None);
    }
    let queued = sqlx::query(
        "INSERT INTO outreach_queue (job, chat_key, chat_sealed, lang)
         SELECT ?, chat_key, chat_sealed, lang FROM subscription",
    )
    .bind(job)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    for (channel, lang) in channels {
        sqlx::query("INSERT INTO outreach_channel_post (job, channel, lang) VALUES (?, ?, ?)")
            .bind(job)
            .bind(channel)
            .bind(lang)
            .execute(&mut *tx)
            .await?;
    }
    let total = (queued + channels.len() as u64) as i64;
    sqlx::query("UPDATE outreach_job SET total = ? WHERE id = ?")
        .bind(total)
        .bind(job)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(total))
}

/// Up to `limit` pending recipients of `job`, in key order straight from the
/// `(state, job, chat_key)` index. The language is the chat's saved choice at this
/// moment, else the one it subscribed in.
pub async fn pending(
    pool: &SqlitePool,
    job: &str,
    limit: i64,
) -> Result<Vec<QueueRow>, StoreError> {
    let rows = sqlx::query_as(
        "SELECT q.job, q.chat_key, q.chat_sealed, COALESCE(c.lang, q.lang), q.attempts
         FROM outreach_queue q INDEXED BY outreach_queue_pending
         LEFT JOIN chat_lang c ON c.chat_key = q.chat_key
         WHERE q.state = 'pending' AND q.job = ?
         ORDER BY q.chat_key
         LIMIT ?",
    )
    .bind(job)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// The ids of the running jobs, oldest first.
pub async fn running_jobs(pool: &SqlitePool) -> Result<Vec<String>, StoreError> {
    let ids = sqlx::query_scalar(
        "SELECT id FROM outreach_job WHERE state = 'running' ORDER BY created, id",
    )
    .fetch_all(pool)
    .await?;
    Ok(ids)
}

/// Channel posts still to make: (job, channel, language).
pub async fn pending_posts(pool: &SqlitePool) -> Result<Vec<(String, String, String)>, StoreError> {
    let rows = sqlx::query_as(
        "SELECT p.job, p.channel, p.lang FROM outreach_channel_post p
         JOIN outreach_job j ON j.id = p.job AND j.state = 'running'
         WHERE p.state = 'pending' ORDER BY j.created, p.job, p.channel",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Records what became of one recipient, and counts it on its job, in one transaction.
pub async fn record(
    pool: &SqlitePool,
    job: &str,
    chat_key: &[u8],
    outcome: Outcome,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let (change, counter) = match outcome {
        Outcome::Sent => (
            "UPDATE outreach_queue SET state = 'sent' WHERE job = ? AND chat_key = ? AND state = 'pending'",
            Some("sent"),
        ),
        Outcome::Failed => (
            "UPDATE outreach_queue SET state = 'failed' WHERE job = ? AND chat_key = ? AND state = 'pending'",
            Some("failed"),
        ),
        Outcome::Blocked => (
            "DELETE FROM outreach_queue WHERE job = ? AND chat_key = ?",
            Some("blocked"),
        ),
        Outcome::Retry => (
            "UPDATE outreach_queue SET attempts = attempts + 1 WHERE job = ? AND chat_key = ?",
            None,
        ),
    };
    let changed = sqlx::query(change)
        .bind(job)
        .bind(chat_key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if let (Some(counter), 1) = (counter, changed) {
        count_on_job(&mut tx, job, counter).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Adds one to a job's counter (`sent`, `blocked` or `failed`), in the caller's
/// transaction.
async fn count_on_job(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    job: &str,
    counter: &str,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "UPDATE outreach_job SET {counter} = {counter} + 1 WHERE id = ?"
    ))
    .bind(job)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a channel post as sent or failed, and counts it on its job.
pub async fn record_post(
    pool: &SqlitePool,
    job: &str,
    channel: &str,
    sent: bool,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // The post's new state is also the job's counter it adds to.
    let state = if sent { "sent" } else { "failed" };
    let changed = sqlx::query(
        "UPDATE outreach_channel_post SET state = ? WHERE job = ? AND channel = ? AND state = 'pending'",
    )
    .bind(state)
    .bind(job)
    .bind(channel)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 1 {
        count_on_job(&mut tx, job, state).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Completes every running job with nothing pending, and clears cancelled jobs: their
/// rows are deleted, their totals stay. Returns the jobs completed.
pub async fn finish(pool: &SqlitePool, now_ms: i64) -> Result<Vec<String>, StoreError> {
    let done: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM outreach_job j WHERE state = 'running'
         AND NOT EXISTS (SELECT 1 FROM outreach_queue q WHERE q.job = j.id AND q.state = 'pending')
         AND NOT EXISTS (SELECT 1 FROM outreach_channel_post p WHERE p.job = j.id AND p.state = 'pending')",
    )
    .fetch_all(pool)
    .await?;
    for job in &done {
        complete(pool, job, now_ms).await?;
    }
    for table in ["outreach_queue", "outreach_channel_post"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE job IN (SELECT id FROM outreach_job WHERE state = 'cancelled')"
        ))
        .execute(pool)
        .await?;
    }
    Ok(done)
}

/// Cancels a running job: nothing more of it is sent. Its rows stay until the sender
/// has recorded the messages it had in flight (`finish` clears them), so those still
/// count on the job.
pub async fn cancel(pool: &SqlitePool, job: &str, now_ms: i64) -> Result<bool, StoreError> {
    let ended = sqlx::query(
        "UPDATE outreach_job SET state = 'cancelled', finished = ? WHERE id = ? AND state = 'running'",
    )
    .bind(now_ms)
    .bind(job)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(ended == 1)
}

/// Marks a job done and deletes its rows; its totals stay.
async fn complete(pool: &SqlitePool, job: &str, now_ms: i64) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE outreach_job SET state = 'done', finished = ? WHERE id = ? AND state = 'running'",
    )
    .bind(now_ms)
    .bind(job)
    .execute(&mut *tx)
    .await?;
    for table in ["outreach_queue", "outreach_channel_post"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE job = ?"))
            .bind(job)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The newest jobs with their totals and what is still pending.
pub async fn jobs(pool: &SqlitePool, limit: i64) -> Result<Vec<JobRow>, StoreError> {
    let rows = sqlx::query_as(
        "SELECT j.id, j.state, j.created, j.finished, j.total, j.sent, j.blocked, j.failed,
                (SELECT COUNT(*) FROM outreach_queue q WHERE q.job = j.id AND q.state = 'pending')
              + (SELECT COUNT(*) FROM outreach_channel_post p WHERE p.job = j.id AND p.state = 'pending')
         FROM outreach_job j ORDER BY j.created DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Takes or renews the sender's lease for `holder`; true while it is `holder`'s.
pub async fn lease(
    pool: &SqlitePool,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<bool, StoreError> {
    sqlx::query(
        "INSERT INTO outreach_lease (id, holder, expires) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
         WHERE outreach_lease.holder = excluded.holder OR outreach_lease.expires < ?",
    )
    .bind(holder)
    .bind(now_ms + ttl_ms)
    .bind(now_ms)
    .execute(pool)
    .await?;
    let current: String = sqlx::query_scalar("SELECT holder FROM outreach_lease WHERE id = 1")
        .fetch_one(pool)
        .await?;
    Ok(current == holder)
}

/// Gives the lease up at a clean stop, so another replica need not wait it out.
pub async fn release(pool: &SqlitePool, holder: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM outreach_lease WHERE id = 1 AND holder = ?")
        .bind(holder)
        .execute(pool)
        .await?;
    Ok(())
}
