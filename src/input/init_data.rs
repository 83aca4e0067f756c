//! A Mini App's `initData`, checked the way Telegram specifies: an HMAC-SHA-256 under a
//! key derived from the bot's token, fresh within a day, naming a user. Pure: the clock
//! is an argument, so every refusal is tested without waiting.

use std::fmt;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How old a signed `initData` may be: Telegram signs it when the Mini App opens, and a
/// reader may keep one open for a while, but a copied string must not work forever.
pub const MAX_AGE_SECS: i64 = 24 * 60 * 60;
/// Clocks differ a little; a date further ahead than this is not Telegram's.
pub const MAX_AHEAD_SECS: i64 = 5 * 60;

/// The key `initData` is checked with: HMAC-SHA-256 of the token under "WebAppData".
/// Kept instead of the token itself, so the web side never holds the token; never
/// printed.
#[derive(Clone)]
pub struct WebSecret([u8; 32]);

impl WebSecret {
    pub fn from_token(token: &str) -> WebSecret {
        let mut mac = HmacSha256::new_from_slice(b"WebAppData")
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(token.as_bytes());
        WebSecret(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for WebSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebSecret(<redacted>)")
    }
}

/// The reader who opened the Mini App, as far as subscribing them needs: their id is
/// also their private chat's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAppUser {
    pub id: i64,
    /// Telegram's IETF tag for the reader's interface language, if it sent one.
    pub language_code: Option<String>,
}

/// Why an `initData` was refused. Its Display names the reason only, never the data:
/// it goes to the log and, shortened, to the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not a query string of distinct fields")]
    Malformed,
    #[error("no hash, or not 64 hex digits")]
    NoHash,
    #[error("signature does not match")]
    BadSignature,
    #[error("no auth_date")]
    NoAuthDate,
    #[error("older than a day")]
    Expired,
    #[error("dated in the future")]
    FromTheFuture,
    #[error("no user, or one without an id")]
    NoUser,
}

#[derive(Deserialize)]
struct UserJson {
    id: i64,
    language_code: Option<String>,
}

/// Checks `raw` (the string exactly as Telegram hands it to the page) against `secret`
/// at `now` (Unix seconds), and returns who sent it.
pub fn validate(raw: &str, secret: &WebSecret, now: i64) -> Result<WebAppUser, Refused> {
    let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    fields.sort();
    // A key given twice could be read one way here and another way elsewhere.
    if fields.is_empty() || fields.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Refused::Malformed);
    }
    let at = fields
        .iter()
        .position(|(k, _)| k == "hash")
        .ok_or(Refused::NoHash)?;
    let (_, hash) = fields.remove(at);
    let hash = decode_hex(&hash).ok_or(Refused::NoHash)?;
    let check = fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut mac = HmacSha256::new_from_slice(&secret.0)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(check.as_bytes());
    // Constant time: how much of a forged hash matched must not show in the timing.
    mac.verify_slice(&hash).map_err(|_| Refused::BadSignature)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let auth_date: i64 = field("auth_date")
        .and_then(|d| d.parse().ok())
        .ok_or(Refused::NoAuthDate)?;
    if now.saturating_sub(auth_date) > MAX_AGE_SECS {
        return Err(Refused::Expired);
    }
    if auth_date.saturating_sub(now) > MAX_AHEAD_SECS {
        return Err(Refused::FromTheFuture);
    }
    let user: UserJson = field("user")
        .and_then(|u| serde_json::from_str(u).ok())
        .ok_or(Refused::NoUser)?;
    if user.id <= 0 {
        return Err(Refused::NoUser);
    }
    Ok(WebAppUser {
        id: user.id,
        language_code: user.language_code,
    })
}

/// 64 hex digits (either case) as 32 bytes; anything else is `None`.
fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let digits = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(digits, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-test";

    /// Signed with Python's `hmac` and `hashlib`, outside this code:
    /// secret = hmac.new(b"WebAppData", token, sha256); hash = hmac.new(secret,
    /// "\n".join(sorted "k=v"), sha256).hexdigest(); query made by `urllib.parse.urlencode`.
    const VECTOR: &str = "query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648&signature=abc123&hash=39d96cb26c34b2fde3fbd927acad69314d58decb077d88a7d719bf9f8f6ca3b6";
    const VECTOR_SECRET: &str = "d50340ae438e78133c4b55800bf6c3bccc2ecc55f81d9a78124c1be6530f6e38";
    const VECTOR_DATE: i64 = 1_662_771_648;

    fn secret() -> WebSecret {
        WebSecret::from_token(TOKEN)
    }

    fn swap_hash(raw: &str, hash: &str) -> String {
        let (head, _) = raw.rsplit_once("hash=").unwrap();
        format!("{head}hash={hash}")
    }

    #[test]
    fn the_secret_is_derived_as_telegram_says() {
        assert_eq!(secret().0, decode_hex(VECTOR_SECRET).unwrap());
    }

    #[test]
    fn a_vector_signed_elsewhere_is_accepted() {
        let user = validate(VECTOR, &secret(), VECTOR_DATE + 60).unwrap();
        assert_eq!(
            user,
            WebAppUser {
                id: 279_058_397,
                language_code: Some("ru".into()),
            }
        );
    }

    #[test]
    fn the_order_of_fields_does_not_matter() {
        let mut parts: Vec<&str> = VECTOR.split('&').collect();
        parts.reverse();
        assert!(validate(&parts.join("&"), &secret(), VECTOR_DATE).is_ok());
    }

    #[test]
    fn an_upper_case_hash_is_the_same_hash() {
        let (_, hash) = VECTOR.rsplit_once("hash=").unwrap();
        let raw = swap_hash(VECTOR, &hash.to_uppercase());
        assert!(validate(&raw, &secret(), VECTOR_DATE).is_ok());
    }

    #[test]
    fn a_forged_hash_is_refused() {
        let raw = swap_hash(VECTOR, &"0".repeat(64));
        assert_eq!(
            validate(&raw, &secret(), VECTOR_DATE),
            Err(Refused::BadSignature)
        );
    }

    #[test]
    fn a_changed_field_breaks_the_signature() {
        let raw = VECTOR.replace("279058397", "279058398");
        assert_eq!(
            validate(&raw, &secret(), VECTOR_DATE),
            Err(Refused::BadSignature)
        );
        let raw = VECTOR.replace("auth_date=1662771648", "auth_date=1662771649");
        assert_eq!(
            validate(&raw, &secret(), VECTOR_DATE),
            Err(Refused::BadSignature)
        );
    }

    #[test]
    fn another_bots_token_is_refused() {
        let other = WebSecret::from_token("987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-else");
        assert_eq!(
            validate(VECTOR, &other, VECTOR_DATE),
            Err(Refused::BadSignature)
        );
    }

    #[test]
    fn a_day_old_is_the_limit() {
        let s = secret();
        assert!(validate(VECTOR, &s, VECTOR_DATE + MAX_AGE_SECS).is_ok());
        assert_eq!(
            validate(VECTOR, &s, VECTOR_DATE + MAX_AGE_SECS + 1),
            Err(Refused::Expired)
        );
        assert!(validate(VECTOR, &s, VECTOR_DATE - MAX_AHEAD_SECS).is_ok());
        assert_eq!(
            validate(VECTOR, &s, VECTOR_DATE - MAX_AHEAD_SECS - 1),
            Err(Refused::FromTheFuture)
        );
    }

    #[test]
    fn missing_or_malformed_hashes_are_refused() {
        let (head, _) = VECTOR.rsplit_once("&hash=").unwrap();
        for raw in [
            head.to_string(),
            format!("{head}&hash="),
            format!("{head}&hash=abc"),
            format!("{head}&hash={}", "zz".repeat(32)),
            format!("{head}&hash={}", "é".repeat(32)),
        ] {
            assert_eq!(
                validate(&raw, &secret(), VECTOR_DATE),
                Err(Refused::NoHash),
                "{raw}"
            );
        }
    }

    #[test]
    fn duplicate_keys_and_empty_bodies_are_refused() {
        let s = secret();
        assert_eq!(validate("", &s, 0), Err(Refused::Malformed));
        let twice = format!("{VECTOR}&auth_date=1662771648");
        assert_eq!(validate(&twice, &s, VECTOR_DATE), Err(Refused::Malformed));
        let two_hashes = format!("{VECTOR}&hash={}", "0".repeat(64));
        assert_eq!(
            validate(&two_hashes, &s, VECTOR_DATE),
            Err(Refused::Malformed)
        );
    }

    /// Signs `fields` as Telegram would, for the refusals past the signature.
    fn signed(fields: &[(&str, &str)]) -> String {
        let mut sorted: Vec<_> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        sorted.sort();
        let mut mac = HmacSha256::new_from_slice(&secret().0).unwrap();
        mac.update(sorted.join("\n").as_bytes());
        let hash: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            query.append_pair(k, v);
        }
        query.append_pair("hash", &hash);
        query.finish()
    }

    #[test]
    fn signed_data_without_a_date_or_a_user_is_refused() {
        let s = secret();
        let no_date = signed(&[("user", r#"{"id":5}"#)]);
        assert_eq!(validate(&no_date, &s, 100), Err(Refused::NoAuthDate));
        let bad_date = signed(&[("user", r#"{"id":5}"#), ("auth_date", "soon")]);
        assert_eq!(validate(&bad_date, &s, 100), Err(Refused::NoAuthDate));
        for user in [
            None,
            Some("not json"),
            Some(r#"{"first_name":"A"}"#),
            Some(r#"{"id":0}"#),
        ] {
            let mut fields = vec![("auth_date", "100")];
            fields.extend(user.map(|u| ("user", u)));
            assert_eq!(
                validate(&signed(&fields), &s, 100),
                Err(Refused::NoUser),
                "{user:?}"
            );
        }
        let ok = signed(&[
            ("auth_date", "100"),
            ("user", r#"{"id":5,"first_name":"A B"}"#),
        ]);
        assert_eq!(
            validate(&ok, &s, 100),
            Ok(WebAppUser {
                id: 5,
                language_code: None
            })
        );
    }

    #[test]
    fn reasons_never_carry_the_data() {
        let shown = Refused::BadSignature.to_string();
        assert!(!shown.contains("279058397") && !shown.contains("hash="));
        assert_eq!(format!("{:?}", secret()), "WebSecret(<redacted>)");
    }
}
