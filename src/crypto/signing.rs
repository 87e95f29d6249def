//! Webhook signatures as the Standard Webhooks specification (<https://www.standardwebhooks.com>)
//! defines them, so a biller can check our deliveries with any of its reference libraries
//! instead of code written for us.
//!
//! What is signed is `{webhook-id}.{webhook-timestamp}.{body}`: the id lets the receiver drop
//! duplicates, the timestamp lets it refuse replays, and both are covered so neither can be
//! swapped. Two schemes go into the one `webhook-signature` header, space-separated:
//!
//! * `v1`: HMAC-SHA256 with a shared `whsec_` secret. While a secret is being rotated the header
//!   carries one `v1` per secret (new first), so the biller can switch at its own pace.
//! * `v1a`: ed25519 with a `whsk_` secret that never leaves us; the biller holds only the
//!   `whpk_` public key, so a leak on its side cannot forge deliveries.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey};
use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

const HMAC_PREFIX: &str = "whsec_";
const ED25519_SECRET_PREFIX: &str = "whsk_";
const ED25519_PUBLIC_PREFIX: &str = "whpk_";

/// The specification's bounds: shorter keys are guessable, longer ones buy nothing and are
/// usually a paste of something else.
const MIN_KEY: usize = 24;
const MAX_KEY: usize = 64;

/// 32 bytes: the middle of the specification's range, and what its reference tools generate.
pub fn generate_secret() -> String {
    format!(
        "{HMAC_PREFIX}{}",
        STANDARD.encode(super::random_bytes::<32>())
    )
}

/// Also takes a bare base64 key because billers that generate their own secret often hand it
/// over without the prefix; the reference libraries accept both.
pub fn parse_secret(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    let encoded = s.strip_prefix(HMAC_PREFIX).unwrap_or(s);
    if encoded.is_empty() {
        return Err("webhook secret: empty; expected whsec_ followed by base64".into());
    }
    let key = STANDARD
        .decode(encoded)
        .map_err(|e| format!("webhook secret: not valid base64 after the whsec_ prefix ({e})"))?;
    if !(MIN_KEY..=MAX_KEY).contains(&key.len()) {
        return Err(format!(
            "webhook secret: the key is {} bytes; Standard Webhooks keys are {MIN_KEY} to {MAX_KEY} bytes",
            key.len()
        ));
    }
    Ok(key)
}

fn signed_content(msg_id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut content = format!("{msg_id}.{timestamp}.").into_bytes();
    content.extend_from_slice(body);
    content
}

/// The body is signed as bytes, exactly as sent: re-serialising JSON would change it.
pub fn sign_v1(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    keyed(key).v1(msg_id, timestamp, body)
}

fn keyed(key: &[u8]) -> Keyed {
    Keyed(HmacSha256::new_from_slice(key).expect("HMAC takes any key length"))
}

/// An HMAC keyed once: each signature then hashes only its message (keying hashes the key's
/// two pads, which cost as much as a short body).
#[derive(Clone)]
struct Keyed(HmacSha256);

impl Keyed {
    /// The message is fed in its parts, so the body is not copied.
    fn v1(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = self.0.clone();
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// One endpoint's keys made ready once, for the many deliveries it signs: the HMACs keyed and
/// the ed25519 seed expanded.
#[derive(Clone)]
pub struct Signer {
    hmacs: Vec<Keyed>,
    /// `Err` says why a configured ed25519 secret cannot sign (the `v1a` is then left out).
    ed25519: Option<Result<SigningKey, String>>,
}

impl Signer {
    pub fn new(hmac_keys: &[Vec<u8>], ed25519_secret: Option<&str>) -> Signer {
        Signer {
            hmacs: hmac_keys.iter().map(|k| keyed(k)).collect(),
            ed25519: ed25519_secret.map(signing_key),
        }
    }

    /// The `webhook-signature` header: one `v1` per key, in order, then the `v1a`.
    pub fn header(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut parts: Vec<String> = self
            .hmacs
            .iter()
            .map(|k| k.v1(msg_id, timestamp, body))
            .collect();
        match &self.ed25519 {
            Some(Ok(key)) => {
                let signature = key.sign(&signed_content(msg_id, timestamp, body));
                parts.push(format!("v1a,{}", STANDARD.encode(signature.to_bytes())));
            }
            Some(Err(e)) => tracing::warn!(msg_id, "webhook v1a signature left out: {e}"),
            None => {}
        }
        parts.join(" ")
    }
}

/// The seed, not the expanded key, is what is stored: the public key and everything else
/// follow from it.
pub fn generate_ed25519() -> (String, String) {
    let key = SigningKey::from_bytes(&super::random_bytes::<32>());
    (
        format!("{ED25519_SECRET_PREFIX}{}", STANDARD.encode(key.to_bytes())),
        format!(
            "{ED25519_PUBLIC_PREFIX}{}",
            STANDARD.encode(key.verifying_key().to_bytes())
        ),
    )
}

fn signing_key(secret: &str) -> Result<SigningKey, String> {
    let encoded = secret
        .trim()
        .strip_prefix(ED25519_SECRET_PREFIX)
        .ok_or("ed25519 secret: expected whsk_ followed by base64")?;
    let seed = STANDARD
        .decode(encoded)
        .map_err(|e| format!("ed25519 secret: not valid base64 after the whsk_ prefix ({e})"))?;
    let seed: [u8; 32] = seed.as_slice().try_into().map_err(|_| {
        format!(
            "ed25519 secret: the key is {} bytes; an ed25519 seed is 32",
            seed.len()
        )
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// For showing billers the key to verify with, and for checking a configured secret at
/// start-up rather than at the first delivery.
pub fn public_key_of(secret: &str) -> Result<String, String> {
    let key = signing_key(secret)?;
    Ok(format!(
        "{ED25519_PUBLIC_PREFIX}{}",
        STANDARD.encode(key.verifying_key().to_bytes())
    ))
}

pub fn sign_v1a(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Result<String, String> {
    let key = signing_key(secret)?;
    let signature = key.sign(&signed_content(msg_id, timestamp, body));
    Ok(format!("v1a,{}", STANDARD.encode(signature.to_bytes())))
}

/// Infallible so the send path has nothing to handle per delivery: secrets are checked when
/// they are configured ([`parse_secret`], [`public_key_of`]). Should a bad ed25519 secret get
/// this far anyway, its signature is left out and logged; the `v1` ones still go.
pub fn signature_header(
    hmac_keys: &[Vec<u8>],
    ed25519_secret: Option<&str>,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    Signer::new(hmac_keys, ed25519_secret).header(msg_id, timestamp, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_secret_names_each_problem() {
        let e = parse_secret("whsec_").unwrap_err();
        assert!(e.contains("empty"), "{e}");
        let e = parse_secret("whsec_not base64!").unwrap_err();
        assert!(e.contains("not valid base64"), "{e}");
        let short = format!("whsec_{}", STANDARD.encode([7u8; 16]));
        let e = parse_secret(&short).unwrap_err();
        assert!(e.contains("16 bytes") && e.contains("24 to 64"), "{e}");
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        let e = parse_secret(&long).unwrap_err();
        assert!(e.contains("65 bytes"), "{e}");
    }

    #[test]
    fn parse_secret_takes_prefixed_and_bare_keys_at_the_bounds() {
        for n in [24, 32, 64] {
            let bare = STANDARD.encode(vec![9u8; n]);
            assert_eq!(parse_secret(&bare).unwrap().len(), n);
            assert_eq!(parse_secret(&format!("whsec_{bare}")).unwrap().len(), n);
        }
        let generated = generate_secret();
        assert!(generated.starts_with("whsec_"));
        assert_eq!(parse_secret(&generated).unwrap().len(), 32);
        assert_ne!(generate_secret(), generated);
    }

    #[test]
    fn v1_matches_known_vectors() {
        // The test vector of the standardwebhooks crate (the reference implementation).
        let key = parse_secret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        assert_eq!(
            sign_v1(&key, "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553, body),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
        // Svix's documented example, the format the specification grew out of.
        let key = parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            sign_v1(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn ed25519_secrets_are_checked() {
        let (secret, public) = generate_ed25519();
        assert!(secret.starts_with("whsk_") && public.starts_with("whpk_"));
        assert_eq!(public_key_of(&secret).unwrap(), public);
        assert!(public_key_of("whsec_abc").unwrap_err().contains("whsk_"));
        let short = format!("whsk_{}", STANDARD.encode([1u8; 31]));
        assert!(public_key_of(&short).unwrap_err().contains("31 bytes"));
        assert!(
            sign_v1a("whsk_%%", "m", 1, b"")
                .unwrap_err()
                .contains("base64")
        );
    }

    #[test]
    fn header_lists_v1_then_v1a_and_skips_a_bad_ed25519_secret() {
        let keys = vec![vec![1u8; 32], vec![2u8; 32]];
        let (secret, _) = generate_ed25519();
        let h = signature_header(&keys, Some(&secret), "m", 5, b"{}");
        let parts: Vec<&str> = h.split(' ').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], sign_v1(&keys[0], "m", 5, b"{}"));
        assert_eq!(parts[1], sign_v1(&keys[1], "m", 5, b"{}"));
        assert!(parts[2].starts_with("v1a,"));
        let h = signature_header(&keys[..1], Some("whsk_bad"), "m", 5, b"{}");
        assert_eq!(h, sign_v1(&keys[0], "m", 5, b"{}"));
    }
}
