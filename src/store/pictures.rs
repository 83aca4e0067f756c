//! Telegram's file_id of each picture uploaded (the map), by the picture's content hash:
//! shared by restarts and replicas, so a picture is uploaded once. No chat data.

use super::{Store, StoreError};

impl Store {
    /// The file_id Telegram gave the picture with this key, if it was uploaded before.
    pub async fn picture_file(&self, picture: &str) -> Result<Option<String>, StoreError> {
        on_backend!(&self.backend, picture_file(picture))
    }

    /// Keeps the file_id Telegram gave an upload of the picture with this key.
    pub async fn set_picture_file(&self, picture: &str, file_id: &str) -> Result<(), StoreError> {
        on_backend!(&self.backend, set_picture_file(picture, file_id))
    }

    /// Forgets the picture's file_id, when Telegram no longer takes it (a file_id
    /// belongs to one bot: a new token makes every one stale).
    pub async fn forget_picture_file(&self, picture: &str) -> Result<(), StoreError> {
        on_backend!(&self.backend, forget_picture_file(picture))
    }
}
