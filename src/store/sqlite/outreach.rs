//! The outreach queue's SQL on SQLite: jobs, their messages, recipients and channel
//! posts, and the sender's lease. Functions of the same shape as `postgres::outreach`'s.

use sqlx::sqlite::SqlitePool;

use crate::store::StoreError;
use crate::store::outreach::{ChatRow, Counter, JobRow, Outcome, PostRow, QueueRow};

/// Creates the job with its rendered messages (audience, language, body) and queues
/// every subscriber and channel, in one transaction and one statement for the
/// subscribers (set-based: a million rows are one INSERT … SELECT). `None` when the job
/// exists already: an item is queued once.
pub async fn create_job(
    pool: &SqlitePool,
    job: &str,
    now_ms: i64,
    not_before: i64,
    messages: &[(&str, &str, &str)],
    channels: &[(String, &str)],
    only: Option<&[ChatRow<'_>]>,
) -> Result<Option<i64>, StoreError> {
    let mut tx = pool.begin().await?;
    let created = sqlx::query(
        "INSERT INTO outreach_job (id, created, state, not_before) VALUES (?, ?, 'running', ?)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(job)
    .bind(now_ms)
    .bind(not_before)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if created == 0 {
        return Ok(None);
    }
    for (audience, lang, body) in messages {
        sqlx::query("INSERT INTO outreach_message (job, audience, lang, body) VALUES (?, ?, ?, ?)")
            .bind(job)
            .bind(audience)
            .bind(lang)
            .bind(body)
            .execute(&mut *tx)
            .await?;
    }
    // Every subscriber in one INSERT … SELECT, or (a rehearsal) the chats given.
    let queued = match only {
        None => sqlx::query(
            "INSERT INTO outreach_queue (job, chat_key, chat_sealed, lang)
             SELECT ?, chat_key, chat_sealed, lang FROM subscription",
        )
        .bind(job)
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        Some(chats) => {
            let mut n = 0;
            for (key, sealed, lang) in chats {
                n += sqlx::query("INSERT INTO outreach_queue (job, chat_key, chat_sealed, lang) VALUES (?, ?, ?, ?)")
                    .bind(job)
                    .bind(key.as_slice())
                    .bind(sealed.as_slice())
                    .bind(*lang)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            n
        }
    };
    let mut posts = 0;
    for (channel, lang) in channels {
        // A channel listed twice in one language gets one post (configuration refuses
        // that, but a store must not fail a whole job over it).
        posts += sqlx::query(
            "INSERT INTO outreach_channel_post (job, channel, lang) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(job)
        .bind(channel)
        .bind(lang)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    let total = (queued + posts) as i64;
    sqlx::query("UPDATE outreach_job SET total = ? WHERE id = ?")
        .bind(total)
        .bind(job)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(total))
}

/// A job's message for an audience in a language, as kept at Confirm.
pub async fn job_message(
    pool: &SqlitePool,
    job: &str,
    audience: &str,
    lang: &str,
) -> Result<Option<String>, StoreError> {
    let body = sqlx::query_scalar(
        "SELECT body FROM outreach_message WHERE job = ? AND audience = ? AND lang = ?",
    )
    .bind(job)
    .bind(audience)
    .bind(lang)
    .fetch_optional(pool)
    .await?;
    Ok(body)
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
        "SELECT q.job, q.chat_key, q.chat_sealed, COALESCE(c.lang, q.lang), q.attempts, q.parts
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

/// Whether the recipient's row is still waiting, its job still running and outreach not
/// paused: asked just before each message, so a purge, /forget, /unsubscribe, Cancel or
/// /pause stops the batch in hand.
pub async fn still_pending(
    pool: &SqlitePool,
    job: &str,
    chat_key: &[u8],
    due_ms: i64,
) -> Result<bool, StoreError> {
    let pending = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM outreach_queue q JOIN outreach_job j ON j.id = q.job
         WHERE q.job = ? AND q.chat_key = ? AND q.state = 'pending' AND j.state = 'running'
           AND j.not_before <= ?)
         AND NOT EXISTS (SELECT 1 FROM outreach_pause)",
    )
    .bind(job)
    .bind(chat_key)
    .bind(due_ms)
    .fetch_one(pool)
    .await?;
    Ok(pending)
}

/// The ids of the running jobs due by `due_ms` (a scheduled one waits), oldest first.
pub async fn running_jobs(pool: &SqlitePool, due_ms: i64) -> Result<Vec<String>, StoreError> {
    let ids = sqlx::query_scalar(
        "SELECT id FROM outreach_job WHERE state = 'running' AND not_before <= ?
         ORDER BY created, id",
    )
    .bind(due_ms)
    .fetch_all(pool)
    .await?;
    Ok(ids)
}

/// Channel posts due by `now_ms`: (job, channel, language, parts sent, attempts).
pub async fn pending_posts(
    pool: &SqlitePool,
    now_ms: i64,
    due_ms: i64,
) -> Result<Vec<PostRow>, StoreError> {
    let rows = sqlx::query_as(
        "SELECT p.job, p.channel, p.lang, p.parts, p.attempts FROM outreach_channel_post p
         JOIN outreach_job j ON j.id = p.job AND j.state = 'running' AND j.not_before <= ?
         WHERE p.state = 'pending' AND p.next_at <= ?
         ORDER BY j.created, p.job, p.channel, p.lang",
    )
    .bind(due_ms)
    .bind(now_ms)
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Records what became of one recipient, and counts it on its job, in one transaction.
/// A row already gone (the chat was purged or forgot while its message was in flight)
/// was counted as cancelled then; the message went all the same, so it moves over.
pub async fn record(
    pool: &SqlitePool,
    job: &str,
    chat_key: &[u8],
    outcome: Outcome,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let (change, counter, parts) = match outcome {
        Outcome::Sent => (
            "UPDATE outreach_queue SET state = 'sent' WHERE job = ? AND chat_key = ? AND state = 'pending'",
            Some(Counter::Sent),
            None,
        ),
        Outcome::Failed => (
            "UPDATE outreach_queue SET state = 'failed' WHERE job = ? AND chat_key = ? AND state = 'pending'",
            Some(Counter::Failed),
            None,
        ),
        Outcome::Blocked => (
            "DELETE FROM outreach_queue WHERE job = ? AND chat_key = ?",
            Some(Counter::Blocked),
            None,
        ),
        Outcome::Retry { parts } => (
            "UPDATE outreach_queue SET attempts = attempts + 1, parts = max(parts, ?)
             WHERE job = ? AND chat_key = ?",
            None,
            Some(parts),
        ),
        Outcome::Paused { parts } => (
            "UPDATE outreach_queue SET parts = max(parts, ?) WHERE job = ? AND chat_key = ?",
            None,
            Some(parts),
        ),
    };
    let mut query = sqlx::query(change);
    if let Some(parts) = parts {
        query = query.bind(i64::from(parts));
    }
    let changed = query
        .bind(job)
        .bind(chat_key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    match (counter, changed) {
        (Some(counter), 1) => count_on_job(&mut tx, job, counter).await?,
        (Some(counter), 0) => uncancel(&mut tx, job, counter).await?,
        _ => {}
    }
    tx.commit().await?;
    Ok(())
}

/// Adds one to a job's counter, in the caller's transaction.
async fn count_on_job(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    job: &str,
    counter: Counter,
) -> Result<(), StoreError> {
    let c = counter.column();
    sqlx::query(&format!(
        "UPDATE outreach_job SET {c} = {c} + 1 WHERE id = ?"
    ))
    .bind(job)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves one recipient from `cancelled` to `counter`: its row was removed while its
/// message was in flight.
async fn uncancel(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    job: &str,
    counter: Counter,
) -> Result<(), StoreError> {
    let c = counter.column();
    sqlx::query(&format!(
        "UPDATE outreach_job SET cancelled = cancelled - 1, {c} = {c} + 1
         WHERE id = ? AND cancelled > 0"
    ))
    .bind(job)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Counts the pending rows about to be removed (of one chat, or of every chat) on their
/// jobs as `counter`, in the caller's transaction, before it deletes them.
pub(in crate::store) async fn count_removed(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    chat_key: Option<&[u8]>,
    counter: Counter,
) -> Result<(), StoreError> {
    let c = counter.column();
    let of_chat = if chat_key.is_some() {
        "AND q.chat_key = ?"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE outreach_job SET {c} = {c} + (SELECT COUNT(*) FROM outreach_queue q
             WHERE q.job = outreach_job.id AND q.state = 'pending' {of_chat})
         WHERE id IN (SELECT q.job FROM outreach_queue q WHERE q.state = 'pending' {of_chat})"
    );
    let mut query = sqlx::query(&sql);
    if let Some(key) = chat_key {
        query = query.bind(key).bind(key);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Records what became of a channel post and counts it on its job. A passing fault
/// waits until `next_at` (unix milliseconds) before the next attempt.
pub async fn record_post(
    pool: &SqlitePool,
    job: &str,
    channel: &str,
    lang: &str,
    outcome: Outcome,
    next_at: i64,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let (change, counter, parts) = match outcome {
        Outcome::Sent => ("SET state = 'sent'", Some(Counter::Sent), 0),
        Outcome::Failed | Outcome::Blocked => ("SET state = 'failed'", Some(Counter::Failed), 0),
        Outcome::Retry { parts } => (
            "SET attempts = attempts + 1, parts = max(parts, ?), next_at = ?",
            None,
            parts,
        ),
        Outcome::Paused { parts } => ("SET parts = max(parts, ?), next_at = ?", None, parts),
    };
    let sql = format!(
        "UPDATE outreach_channel_post {change}
         WHERE job = ? AND channel = ? AND lang = ? AND state = 'pending'"
    );
    let mut query = sqlx::query(&sql);
    if counter.is_none() {
        query = query.bind(i64::from(parts)).bind(next_at);
    }
    let changed = query
        .bind(job)
        .bind(channel)
        .bind(lang)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if let (Some(counter), 1) = (counter, changed) {
        count_on_job(&mut tx, job, counter).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Completes every running job with nothing pending; returns them. A cancelled job keeps
/// its waiting rows, so Resume can send it on to those who have not received it.
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

/// Resumes a cancelled job: its waiting rows are sent on. False if it was not
/// cancelled.
pub async fn resume_job(pool: &SqlitePool, job: &str) -> Result<bool, StoreError> {
    let resumed = sqlx::query("UPDATE outreach_job SET state = 'running', finished = NULL WHERE id = ? AND state = 'cancelled'")
    .bind(job)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(resumed == 1)
}

/// Marks a job done and deletes its rows; its totals and messages stay.
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

/// The jobs' columns with what is still pending, for `jobs` and `job`.
const JOB_COLUMNS: &str = "j.id, j.state, j.created, j.finished, j.total, j.sent, j.blocked,
    j.failed, j.cancelled, j.not_before,
    (SELECT COUNT(*) FROM outreach_queue q WHERE q.job = j.id AND q.state = 'pending')
  + (SELECT COUNT(*) FROM outreach_channel_post p WHERE p.job = j.id AND p.state = 'pending')";

/// The newest jobs with their totals and what is still pending.
pub async fn jobs(pool: &SqlitePool, limit: i64) -> Result<Vec<JobRow>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM outreach_job j ORDER BY j.created DESC LIMIT ?");
    let rows = sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?;
    Ok(rows)
}

/// One job with its totals, if it exists.
pub async fn job(pool: &SqlitePool, id: &str) -> Result<Option<JobRow>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM outreach_job j WHERE j.id = ?");
    let row = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
    Ok(row)
}

/// Now in unix milliseconds by SQLite's clock. `'now'` holds still within a statement.
const DB_NOW_MS: &str = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

/// Takes or renews the sender's lease for `holder` for `ttl_ms`; true while it is
/// `holder`'s. Expiry is set and judged by the database's clock, never a replica's own:
/// one whose clock runs ahead would take a lease still held, one behind would grant
/// itself a lease already lapsed.
pub async fn lease(pool: &SqlitePool, holder: &str, ttl_ms: i64) -> Result<bool, StoreError> {
    sqlx::query(&format!(
        "INSERT INTO outreach_lease (id, holder, expires) VALUES (1, ?, {DB_NOW_MS} + ?)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
         WHERE outreach_lease.holder = excluded.holder OR outreach_lease.expires < {DB_NOW_MS}"
    ))
    .bind(holder)
    .bind(ttl_ms)
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

/// Pauses outreach from `now_ms` by `admin`; false if it was paused already.
pub async fn pause(pool: &SqlitePool, admin: i64, now_ms: i64) -> Result<bool, StoreError> {
    let added = sqlx::query("INSERT INTO outreach_pause (id, since, by_admin) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING")
        .bind(now_ms)
        .bind(admin)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(added == 1)
}

/// Ends the pause; false if outreach was not paused.
pub async fn resume(pool: &SqlitePool) -> Result<bool, StoreError> {
    let gone = sqlx::query("DELETE FROM outreach_pause WHERE id = 1")
        .execute(pool)
        .await?
        .rows_affected();
    Ok(gone == 1)
}

/// Since when (unix milliseconds) and by whom outreach is paused, if it is.
pub async fn paused(pool: &SqlitePool) -> Result<Option<(i64, i64)>, StoreError> {
    let row = sqlx::query_as("SELECT since, by_admin FROM outreach_pause WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(row)
}

/// Whether some replica holds an unexpired lease, by the database's clock.
pub async fn lease_held(pool: &SqlitePool) -> Result<bool, StoreError> {
    let held = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM outreach_lease WHERE id = 1 AND expires > CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
    )
    .fetch_one(pool)
    .await?;
    Ok(held)
}
