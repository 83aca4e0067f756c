//! Anonymous daily usage counts in the store: rows the usage counter adds in batches,
//! and the days /stats reads back.

use super::{Store, StoreError};

/// One row of usage: on `day` (UTC, YYYY-MM-DD), `command` ran `count` times in `lang`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Usage {
    pub day: String,
    pub command: String,
    pub lang: String,
    pub count: i64,
}

/// A row as both backends read it: day, command, lang, count.
pub(super) type UsageRow = (String, String, String, i64);

impl From<UsageRow> for Usage {
    fn from((day, command, lang, count): UsageRow) -> Usage {
        Usage {
            day,
            command,
            lang,
            count,
        }
    }
}

impl Store {
    /// Adds counts to the daily usage table, in one transaction.
    pub async fn add_usage(&self, rows: &[Usage]) -> Result<(), StoreError> {
        on_backend!(&self.backend, add_usage(rows))
    }

    /// Usage rows from `first_day` on, newest day first.
    pub async fn usage_since(&self, first_day: &str) -> Result<Vec<Usage>, StoreError> {
        on_backend!(&self.backend, usage_since(first_day))
    }
}
