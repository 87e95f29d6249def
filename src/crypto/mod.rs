//! The cryptography every layer shares, below all of them: comparing secrets in constant time,
//! generating random secrets and tokens, hashing what is stored in place of a secret, and the
//! HMACs that sign links. Webhook signatures ([`signing`]) live here too: the store generates
//! and checks an endpoint's keys, delivery signs with them.
//!
//! Nothing here touches the database, the network or the clock.

pub mod signing;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Compares a secret someone sent with the expected one in time that does not depend on where
/// they differ (tokens, signatures, callback secrets). Only the length can be learnt, and
/// every secret compared here has a fixed, public length.
pub fn secrets_equal(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// `bytes` random bytes from the thread's CSPRNG, URL-safe base64 without padding: for
/// session ids, CSRF tokens, manage links and generated passwords.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// `N` random bytes from the thread's CSPRNG, for keys.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// What is stored in place of a random token (API tokens, sessions, manage links, codes):
/// SHA-256, hex. A token has enough entropy that a salt or a slow hash would buy nothing,
/// and a fast hash lets it be looked up by its hash.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The argon2id hash of a staff password, in PHC string form (salt and parameters inside).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))
}

/// Whether `password` is the one `hash` ([`hash_password`]) was made from. Slow on purpose:
/// call it off the async workers.
pub fn password_matches(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// HMAC-SHA256 of `message` under `key`, URL-safe base64 without padding: the signature in
/// links the service hands out and checks itself (confirmation and recipient links).
pub fn hmac_sha256_url(key: &[u8], message: &[u8]) -> String {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    m.update(message);
    URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_equal_needs_every_byte_and_the_length() {
        assert!(secrets_equal("abc", "abc"));
        assert!(secrets_equal("", ""));
        assert!(!secrets_equal("abc", "abd"));
        assert!(!secrets_equal("xbc", "abc"));
        assert!(!secrets_equal("ab", "abc"));
        assert!(!secrets_equal("abcd", "abc"));
        assert!(!secrets_equal("", "abc"));
    }

    #[test]
    fn random_tokens_have_their_length_and_differ() {
        let a = random_token(24);
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(a, random_token(24));
        assert_ne!(random_bytes::<32>(), random_bytes::<32>());
    }

    #[test]
    fn hash_token_is_sha256_hex() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231 test case 2, in URL-safe base64.
        let want = hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
            .unwrap();
        assert_eq!(
            hmac_sha256_url(b"Jefe", b"what do ya want for nothing?"),
            URL_SAFE_NO_PAD.encode(want)
        );
    }
}
