//! The outreach queue's statements, once for both backends: jobs, their messages,
//! recipients and channel posts, the pause, and the sender's lease.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{Dialect, RowsAffected, Sql};
use crate::store::StoreError;
use crate::store::outreach::{ChatRow, Counter, JobRow, JobState, Outcome, PostRow, QueueRow};

/// Adds `$2`..`$5` to a job's sent, blocked, failed and cancelled counts; a count that
/// would fall below zero leaves the job as it is.
const ADD_COUNTS: &str = "UPDATE outreach_job SET
    sent = sent + $2, blocked = blocked + $3, failed = failed + $4, cancelled = cancelled + $5
    WHERE id = $1 AND sent + $2 >= 0 AND blocked + $3 >= 0 AND failed + $4 >= 0
      AND cancelled + $5 >= 0";

/// Counts the pending rows (of the chat `$5`, or of every chat when it is NULL) on
/// their jobs, times `$1`..`$4` for sent, blocked, failed and cancelled.
const COUNT_PENDING: &str = "UPDATE outreach_job SET
    sent = sent + $1 * n.pending, blocked = blocked + $2 * n.pending,
    failed = failed + $3 * n.pending, cancelled = cancelled + $4 * n.pending
    FROM (SELECT job, COUNT(*) AS pending FROM outreach_queue
          WHERE state = 'pending' AND ($5 IS NULL OR chat_key = $5) GROUP BY job) AS n
    WHERE outreach_job.id = n.job";

/// Moves a job from state `$4` to `$3`, finished at `$2` (NULL: not finished).
const MOVE_JOB: &str =
    "UPDATE outreach_job SET state = $3, finished = $2 WHERE id = $1 AND state = $4";

/// The jobs' columns with what is still pending, for `jobs` and `job`.
const JOB_COLUMNS: &str = "j.id, j.state, j.created, j.finished, j.total, j.sent, j.blocked,
    j.failed, j.cancelled, j.not_before,
    (SELECT COUNT(*) FROM outreach_queue q WHERE q.job = j.id AND q.state = 'pending')
  + (SELECT COUNT(*) FROM outreach_channel_post p WHERE p.job = j.id AND p.state = 'pending')";

/// A job's counts changed by one `counter`, in `ADD_COUNTS`'s order.
fn one(counter: Counter) -> [i64; 4] {
    match counter {
        Counter::Sent => [1, 0, 0, 0],
        Counter::Blocked => [0, 1, 0, 0],
        Counter::Failed => [0, 0, 1, 0],
        Counter::Cancelled => [0, 0, 0, 1],
    }
}

impl<DB: Dialect> Sql<'_, DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> &'q [u8]: Encode<'q, DB>,
    for<'q> Option<&'q [u8]>: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Vec<u8>: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> bool: Decode<'q, DB>,
    str: Type<DB>,
    [u8]: Type<DB>,
    String: Type<DB>,
    Vec<u8>: Type<DB>,
    i64: Type<DB>,
    bool: Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    /// Creates the job with its rendered messages (audience, language, body) and queues
    /// every subscriber and channel, in one transaction and one statement for the
    /// subscribers (set-based: a million rows are one INSERT … SELECT). `None` when the
    /// job exists already: an item is queued once.
    pub async fn create_job(
        &self,
        job: &str,
        now_ms: i64,
        not_before: i64,
        messages: &[(&str, &str, &str)],
        channels: &[(String, &str)],
        only: Option<&[ChatRow<'_>]>,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.0.begin().await?;
        let created = sqlx::query(
            "INSERT INTO outreach_job (id, created, state, not_before) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(job)
        .bind(now_ms)
        .bind(JobState::Running)
        .bind(not_before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if created == 0 {
            return Ok(None);
        }
        for (audience, lang, body) in messages {
            sqlx::query(
                "INSERT INTO outreach_message (job, audience, lang, body) VALUES ($1, $2, $3, $4)",
            )
            .bind(job)
            .bind(*audience)
            .bind(*lang)
            .bind(*body)
            .execute(&mut *tx)
            .await?;
        }
        // Every subscriber in one INSERT … SELECT, or (a rehearsal) the chats given.
        let queued = match only {
            None => sqlx::query(
                "INSERT INTO outreach_queue (job, chat_key, chat_sealed, lang)
                 SELECT $1, chat_key, chat_sealed, lang FROM subscription",
            )
            .bind(job)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            Some(chats) => {
                let mut n = 0;
                for (key, sealed, lang) in chats {
                    n += sqlx::query(
                        "INSERT INTO outreach_queue (job, chat_key, chat_sealed, lang)
                         VALUES ($1, $2, $3, $4)",
                    )
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
            // A channel listed twice in one language gets one post (configuration
            // refuses that, but a store must not fail a whole job over it).
            posts += sqlx::query(
                "INSERT INTO outreach_channel_post (job, channel, lang) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(job)
            .bind(channel.as_str())
            .bind(*lang)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        let total = (queued + posts) as i64;
        sqlx::query("UPDATE outreach_job SET total = $1 WHERE id = $2")
            .bind(total)
            .bind(job)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(total))
    }

    /// A job's message for an audience in a language, as kept at Confirm.
    pub async fn job_message(
        &self,
        job: &str,
        audience: &str,
        lang: &str,
    ) -> Result<Option<String>, StoreError> {
        let body = sqlx::query_scalar(
            "SELECT body FROM outreach_message WHERE job = $1 AND audience = $2 AND lang = $3",
        )
        .bind(job)
        .bind(audience)
        .bind(lang)
        .fetch_optional(self.0)
        .await?;
        Ok(body)
    }

    /// Up to `limit` pending recipients of `job`, in key order straight from the
    /// `(state, job, chat_key)` index. The language is the chat's saved choice at this
    /// moment, else the one it subscribed in.
    pub async fn pending(&self, job: &str, limit: i64) -> Result<Vec<QueueRow>, StoreError> {
        let sql = format!(
            "SELECT q.job, q.chat_key, q.chat_sealed, COALESCE(c.lang, q.lang), q.attempts, q.parts
             FROM outreach_queue q {}
             LEFT JOIN chat_lang c ON c.chat_key = q.chat_key
             WHERE q.state = 'pending' AND q.job = $1
             ORDER BY q.chat_key
             LIMIT $2",
            DB::QUEUE_INDEX
        );
        let rows = sqlx::query_as(&sql)
            .bind(job)
            .bind(limit)
            .fetch_all(self.0)
            .await?;
        Ok(rows)
    }

    /// Whether the recipient's row is still waiting, its job still running and outreach
    /// not paused: asked just before each message, so a purge, /forget, /unsubscribe,
    /// Cancel or /pause stops the batch in hand.
    pub async fn still_pending(
        &self,
        job: &str,
        chat_key: &[u8],
        due_ms: i64,
    ) -> Result<bool, StoreError> {
        let pending = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM outreach_queue q JOIN outreach_job j ON j.id = q.job
             WHERE q.job = $1 AND q.chat_key = $2 AND q.state = 'pending' AND j.state = $4
               AND j.not_before <= $3)
             AND NOT EXISTS (SELECT 1 FROM outreach_pause)",
        )
        .bind(job)
        .bind(chat_key)
        .bind(due_ms)
        .bind(JobState::Running)
        .fetch_one(self.0)
        .await?;
        Ok(pending)
    }

    /// The ids of the running jobs due by `due_ms` (a scheduled one waits), oldest
    /// first.
    pub async fn running_jobs(&self, due_ms: i64) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT id FROM outreach_job WHERE state = $2 AND not_before <= $1
             ORDER BY created, id",
        )
        .bind(due_ms)
        .bind(JobState::Running)
        .fetch_all(self.0)
        .await?;
        Ok(ids)
    }

    /// Channel posts due by `now_ms`: (job, channel, language, parts sent, attempts).
    pub async fn pending_posts(
        &self,
        now_ms: i64,
        due_ms: i64,
    ) -> Result<Vec<PostRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT p.job, p.channel, p.lang, p.parts, p.attempts FROM outreach_channel_post p
             JOIN outreach_job j ON j.id = p.job AND j.state = $3 AND j.not_before <= $1
             WHERE p.state = 'pending' AND p.next_at <= $2
             ORDER BY j.created, p.job, p.channel, p.lang",
        )
        .bind(due_ms)
        .bind(now_ms)
        .bind(JobState::Running)
        .fetch_all(self.0)
        .await?;
        Ok(rows)
    }

    /// Records what became of one recipient, and counts it on its job, in one
    /// transaction. A row already gone (the chat was purged or forgot while its message
    /// was in flight) was counted as cancelled then; the message went all the same, so
    /// it moves over.
    pub async fn record(
        &self,
        job: &str,
        chat_key: &[u8],
        outcome: Outcome,
    ) -> Result<(), StoreError> {
        let mut tx = self.0.begin().await?;
        let (change, counter, parts) = match outcome {
            Outcome::Sent => (
                "UPDATE outreach_queue SET state = 'sent'
                 WHERE job = $1 AND chat_key = $2 AND state = 'pending'",
                Some(Counter::Sent),
                None,
            ),
            Outcome::Failed => (
                "UPDATE outreach_queue SET state = 'failed'
                 WHERE job = $1 AND chat_key = $2 AND state = 'pending'",
                Some(Counter::Failed),
                None,
            ),
            Outcome::Blocked => (
                "DELETE FROM outreach_queue WHERE job = $1 AND chat_key = $2",
                Some(Counter::Blocked),
                None,
            ),
            Outcome::Retry { parts } => (
                "UPDATE outreach_queue SET attempts = attempts + 1,
                 parts = CASE WHEN parts > $3 THEN parts ELSE $3 END
                 WHERE job = $1 AND chat_key = $2",
                None,
                Some(parts),
            ),
            Outcome::Paused { parts } => (
                "UPDATE outreach_queue SET parts = CASE WHEN parts > $3 THEN parts ELSE $3 END
                 WHERE job = $1 AND chat_key = $2",
                None,
                Some(parts),
            ),
        };
        let mut query = sqlx::query(change).bind(job).bind(chat_key);
        if let Some(parts) = parts {
            query = query.bind(i64::from(parts));
        }
        let changed = query.execute(&mut *tx).await?.rows_affected();
        match (counter, changed) {
            (Some(counter), 1) => Self::add_counts(&mut tx, job, one(counter)).await?,
            (Some(counter), 0) => {
                // From cancelled to `counter`, if it was counted as cancelled.
                let [sent, blocked, failed, _] = one(counter);
                Self::add_counts(&mut tx, job, [sent, blocked, failed, -1]).await?
            }
            _ => {}
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds `counts` (sent, blocked, failed, cancelled) to a job's, in the caller's
    /// transaction; none if one would fall below zero.
    async fn add_counts(
        tx: &mut sqlx::Transaction<'_, DB>,
        job: &str,
        [sent, blocked, failed, cancelled]: [i64; 4],
    ) -> Result<(), StoreError> {
        sqlx::query(ADD_COUNTS)
            .bind(job)
            .bind(sent)
            .bind(blocked)
            .bind(failed)
            .bind(cancelled)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Counts the pending rows about to be removed (of one chat, or of every chat) on
    /// their jobs as `counter`, in the caller's transaction, before it deletes them.
    pub(in crate::store) async fn count_removed(
        tx: &mut sqlx::Transaction<'_, DB>,
        chat_key: Option<&[u8]>,
        counter: Counter,
    ) -> Result<(), StoreError> {
        let [sent, blocked, failed, cancelled] = one(counter);
        sqlx::query(COUNT_PENDING)
            .bind(sent)
            .bind(blocked)
            .bind(failed)
            .bind(cancelled)
            .bind(chat_key)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Records what became of a channel post and counts it on its job. A passing fault
    /// waits until `next_at` (unix milliseconds) before the next attempt.
    pub async fn record_post(
        &self,
        job: &str,
        channel: &str,
        lang: &str,
        outcome: Outcome,
        next_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.0.begin().await?;
        let (change, counter, parts) = match outcome {
            Outcome::Sent => (
                "UPDATE outreach_channel_post SET state = 'sent'
                 WHERE job = $1 AND channel = $2 AND lang = $3 AND state = 'pending'",
                Some(Counter::Sent),
                0,
            ),
            Outcome::Failed | Outcome::Blocked => (
                "UPDATE outreach_channel_post SET state = 'failed'
                 WHERE job = $1 AND channel = $2 AND lang = $3 AND state = 'pending'",
                Some(Counter::Failed),
                0,
            ),
            Outcome::Retry { parts } => (
                "UPDATE outreach_channel_post SET attempts = attempts + 1,
                 parts = CASE WHEN parts > $4 THEN parts ELSE $4 END, next_at = $5
                 WHERE job = $1 AND channel = $2 AND lang = $3 AND state = 'pending'",
                None,
                parts,
            ),
            Outcome::Paused { parts } => (
                "UPDATE outreach_channel_post
                 SET parts = CASE WHEN parts > $4 THEN parts ELSE $4 END, next_at = $5
                 WHERE job = $1 AND channel = $2 AND lang = $3 AND state = 'pending'",
                None,
                parts,
            ),
        };
        let mut query = sqlx::query(change).bind(job).bind(channel).bind(lang);
        if counter.is_none() {
            query = query.bind(i64::from(parts)).bind(next_at);
        }
        let changed = query.execute(&mut *tx).await?.rows_affected();
        if let (Some(counter), 1) = (counter, changed) {
            Self::add_counts(&mut tx, job, one(counter)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Completes every running job with nothing pending; returns them. A cancelled job
    /// keeps its waiting rows, so Resume can send it on to those who have not received
    /// it.
    pub async fn finish(&self, now_ms: i64) -> Result<Vec<String>, StoreError> {
        let done: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM outreach_job j WHERE state = $1
             AND NOT EXISTS (SELECT 1 FROM outreach_queue q
                             WHERE q.job = j.id AND q.state = 'pending')
             AND NOT EXISTS (SELECT 1 FROM outreach_channel_post p
                             WHERE p.job = j.id AND p.state = 'pending')",
        )
        .bind(JobState::Running)
        .fetch_all(self.0)
        .await?;
        for job in &done {
            self.complete(job, now_ms).await?;
        }
        Ok(done)
    }

    /// Cancels a running job: nothing more of it is sent. Its rows stay until the sender
    /// has recorded the messages it had in flight (`finish` clears them), so those still
    /// count on the job.
    pub async fn cancel(&self, job: &str, now_ms: i64) -> Result<bool, StoreError> {
        let ended = sqlx::query(MOVE_JOB)
            .bind(job)
            .bind(Some(now_ms))
            .bind(JobState::Cancelled)
            .bind(JobState::Running)
            .execute(self.0)
            .await?
            .rows_affected();
        Ok(ended == 1)
    }

    /// Resumes a cancelled job: its waiting rows are sent on. False if it was not
    /// cancelled.
    pub async fn resume_job(&self, job: &str) -> Result<bool, StoreError> {
        let resumed = sqlx::query(MOVE_JOB)
            .bind(job)
            .bind(None::<i64>)
            .bind(JobState::Running)
            .bind(JobState::Cancelled)
            .execute(self.0)
            .await?
            .rows_affected();
        Ok(resumed == 1)
    }

    /// Marks a job done and deletes its rows; its totals and messages stay.
    async fn complete(&self, job: &str, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.0.begin().await?;
        sqlx::query(MOVE_JOB)
            .bind(job)
            .bind(Some(now_ms))
            .bind(JobState::Done)
            .bind(JobState::Running)
            .execute(&mut *tx)
            .await?;
        for table in ["outreach_queue", "outreach_channel_post"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE job = $1"))
                .bind(job)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest jobs with their totals and what is still pending.
    pub async fn jobs(&self, limit: i64) -> Result<Vec<JobRow>, StoreError> {
        let sql =
            format!("SELECT {JOB_COLUMNS} FROM outreach_job j ORDER BY j.created DESC LIMIT $1");
        let rows = sqlx::query_as(&sql).bind(limit).fetch_all(self.0).await?;
        Ok(rows)
    }

    /// One job with its totals, if it exists.
    pub async fn job(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM outreach_job j WHERE j.id = $1");
        let row = sqlx::query_as(&sql).bind(id).fetch_optional(self.0).await?;
        Ok(row)
    }

    /// Takes or renews the sender's lease for `holder` for `ttl_ms`; true while it is
    /// `holder`'s. Expiry is set and judged by the database's clock, never a replica's
    /// own: one whose clock runs ahead would take a lease still held, one behind would
    /// grant itself a lease already lapsed.
    pub async fn lease(&self, holder: &str, ttl_ms: i64) -> Result<bool, StoreError> {
        let now = DB::NOW_MS;
        sqlx::query(&format!(
            "INSERT INTO outreach_lease (id, holder, expires) VALUES (1, $1, {now} + $2)
             ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
             WHERE outreach_lease.holder = excluded.holder OR outreach_lease.expires < {now}"
        ))
        .bind(holder)
        .bind(ttl_ms)
        .execute(self.0)
        .await?;
        let current: String = sqlx::query_scalar("SELECT holder FROM outreach_lease WHERE id = 1")
            .fetch_one(self.0)
            .await?;
        Ok(current == holder)
    }

    /// Gives the lease up at a clean stop, so another replica need not wait it out.
    pub async fn release(&self, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outreach_lease WHERE id = 1 AND holder = $1")
            .bind(holder)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// Whether some replica holds an unexpired lease, by the database's clock.
    pub async fn lease_held(&self) -> Result<bool, StoreError> {
        let held = sqlx::query_scalar(&format!(
            "SELECT EXISTS (SELECT 1 FROM outreach_lease WHERE id = 1 AND expires > {})",
            DB::NOW_MS
        ))
        .fetch_one(self.0)
        .await?;
        Ok(held)
    }

    /// Pauses outreach from `now_ms` by `admin`; false if it was paused already.
    pub async fn pause(&self, admin: i64, now_ms: i64) -> Result<bool, StoreError> {
        let added = sqlx::query(
            "INSERT INTO outreach_pause (id, since, by_admin) VALUES (1, $1, $2)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(now_ms)
        .bind(admin)
        .execute(self.0)
        .await?
        .rows_affected();
        Ok(added == 1)
    }

    /// Ends the pause; false if outreach was not paused.
    pub async fn resume(&self) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM outreach_pause WHERE id = 1")
            .execute(self.0)
            .await?
            .rows_affected();
        Ok(gone == 1)
    }

    /// Since when (unix milliseconds) and by whom outreach is paused, if it is.
    pub async fn paused(&self) -> Result<Option<(i64, i64)>, StoreError> {
        let row = sqlx::query_as("SELECT since, by_admin FROM outreach_pause WHERE id = 1")
            .fetch_optional(self.0)
            .await?;
        Ok(row)
    }
}
