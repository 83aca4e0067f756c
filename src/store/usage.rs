//! Anonymous daily usage counts in the store: rows the usage counter adds in batches,
//! and the days /stats reads back.

use super::{Store, StoreError};

pub use crate::usage::Usage;
/// A row as both backends read it (kept beside the data types, in `usage`).
pub(super) use crate::usage::UsageRow;

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
