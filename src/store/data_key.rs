//! The data key: what makes a copied database name no one. A chat is stored as an
//! HMAC-SHA-256 of its id (for lookups and uniqueness) and, so that the key can be
//! rotated, its id sealed with XChaCha20-Poly1305; both under keys derived from the one
//! 32-byte data key. RustCrypto's crates do the cryptography; nothing here is
//! hand-written beyond choosing labels.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of a data key.
pub const KEY_BYTES: usize = 32;
/// Bytes of a chat's lookup hash.
pub const CHAT_KEY_BYTES: usize = 32;
/// XChaCha20's nonce: long enough to pick at random for every seal.
const NONCE_BYTES: usize = 24;

/// Labels that derive independent keys from the one data key, so the lookup hash, the
/// sealing key and the check value never share a key.
const LOOKUP_LABEL: &[u8] = b"qantar-bot/v1/chat-lookup";
const SEAL_LABEL: &[u8] = b"qantar-bot/v1/chat-seal";
const CHECK_LABEL: &[u8] = b"qantar-bot/v1/key-check";
/// Bound into every sealed id, so a sealed value cannot pass for another kind of field.
const SEAL_AAD: &[u8] = b"qantar-bot/v1/chat-id";

/// A chat's lookup hash: HMAC-SHA-256 of its id under the data key.
pub type ChatKey = [u8; CHAT_KEY_BYTES];

/// The data key and the keys derived from it. Never printed, never logged.
#[derive(Clone)]
pub struct DataKey {
    lookup: [u8; 32],
    seal: XChaCha20Poly1305,
    check: [u8; 32],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The sealed value could not be opened: another key, or damaged bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sealed chat id does not open under this data key")]
pub struct Unsealable;

impl DataKey {
    pub fn from_bytes(key: &[u8; KEY_BYTES]) -> DataKey {
        let seal = hmac(key, &[SEAL_LABEL]);
        DataKey {
            lookup: hmac(key, &[LOOKUP_LABEL]),
            seal: XChaCha20Poly1305::new(&seal.into()),
            check: hmac(key, &[CHECK_LABEL]),
        }
    }

    /// A new random key, for the key file made on a first run and for tests.
    pub fn generate() -> Result<[u8; KEY_BYTES], getrandom::Error> {
        let mut key = [0u8; KEY_BYTES];
        getrandom::fill(&mut key)?;
        Ok(key)
    }

    /// The chat's lookup hash.
    pub fn chat_key(&self, chat: i64) -> ChatKey {
        hmac(&self.lookup, &[&chat.to_be_bytes()])
    }

    /// The chat's id, sealed: a random nonce followed by the ciphertext and its tag.
    pub fn seal(&self, chat: i64) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_BYTES];
        // A machine without randomness cannot run the bot at all (TLS needs it too);
        // failing loudly beats sealing under a predictable nonce.
        getrandom::fill(&mut nonce).expect("the operating system's random source");
        let id = chat.to_be_bytes();
        let sealed = self
            .seal
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &id,
                    aad: SEAL_AAD,
                },
            )
            .expect("XChaCha20-Poly1305 seals 8 bytes");
        [nonce.as_slice(), &sealed].concat()
    }

    /// The chat id inside `sealed`.
    pub fn open(&self, sealed: &[u8]) -> Result<i64, Unsealable> {
        if sealed.len() < NONCE_BYTES {
            return Err(Unsealable);
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        let id = self
            .seal
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: SEAL_AAD,
                },
            )
            .map_err(|_| Unsealable)?;
        let id: [u8; 8] = id.try_into().map_err(|_| Unsealable)?;
        Ok(i64::from_be_bytes(id))
    }

    /// A value stored beside the data, telling the right key from a wrong one without
    /// revealing the key.
    pub fn check_value(&self) -> [u8; 32] {
        self.check
    }
}

/// The first 8 bytes of a lookup hash, as the in-memory cache's key: collisions among a
/// cache's chats are as likely as among 64-bit random numbers (about 1 in 10^9 for
/// 200,000 chats), and a collision costs only a wrong language until the next /lang.
pub fn cache_key(chat_key: &ChatKey) -> i64 {
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(&chat_key[..8]);
    i64::from_be_bytes(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> DataKey {
        DataKey::from_bytes(&[byte; KEY_BYTES])
    }

    #[test]
    fn lookups_are_stable_per_key_and_differ_between_keys() {
        assert_eq!(key(1).chat_key(42), key(1).chat_key(42));
        assert_ne!(key(1).chat_key(42), key(1).chat_key(43));
        assert_ne!(key(1).chat_key(42), key(2).chat_key(42));
        assert_ne!(key(1).check_value(), key(2).check_value());
    }

    #[test]
    fn sealed_ids_open_under_their_key_only() {
        let k = key(7);
        let a = k.seal(-1_001_234_567_890);
        let b = k.seal(-1_001_234_567_890);
        assert_ne!(a, b, "a fresh nonce every time");
        assert_eq!(k.open(&a), Ok(-1_001_234_567_890));
        assert_eq!(key(8).open(&a), Err(Unsealable));
        let mut damaged = a.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert_eq!(k.open(&damaged), Err(Unsealable));
        assert_eq!(k.open(&a[..10]), Err(Unsealable));
    }

    #[test]
    fn nothing_of_the_id_shows_in_what_is_stored() {
        let k = key(3);
        let id: i64 = 7_123_456_789;
        let stored = [k.chat_key(id).to_vec(), k.seal(id)].concat();
        for needle in [id.to_be_bytes(), id.to_le_bytes()] {
            assert!(
                !stored
                    .windows(5)
                    .any(|w| w == &needle[3..8] || w == &needle[..5])
            );
        }
        assert!(
            !format!("{k:?}").contains("7"),
            "Debug shows nothing of the key"
        );
    }
}
