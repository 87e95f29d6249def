//! Our webhook signatures checked by the Standard Webhooks reference implementation (the
//! `standardwebhooks` crate), as a biller would check them, and `v1a` by ed25519-dalek alone.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use reqwest::header::HeaderMap;
use standardwebhooks::Webhook;
use tangazo::crypto::signing::{
    generate_ed25519, generate_secret, parse_secret, public_key_of, sign_v1, sign_v1a,
    signature_header,
};

const BODY: &[u8] = br#"{"type":"invoice.paid","data":{"account":"ACC-001","amount":"1250.00"}}"#;
const ID: &str = "msg_2mZ3ExampleId";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn headers(id: &str, timestamp: i64, signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("webhook-id", id.parse().unwrap());
    h.insert("webhook-timestamp", timestamp.to_string().parse().unwrap());
    h.insert("webhook-signature", signature.parse().unwrap());
    h
}

#[test]
fn a_v1_signature_verifies_with_the_reference_library() {
    let secret = generate_secret();
    let key = parse_secret(&secret).unwrap();
    let ts = now();
    let sig = sign_v1(&key, ID, ts, BODY);
    Webhook::new(&secret)
        .unwrap()
        .verify(BODY, &headers(ID, ts, &sig))
        .unwrap();
    // The reference library signs the same bytes the same way.
    assert_eq!(
        Webhook::new(&secret).unwrap().sign(ID, ts, BODY).unwrap(),
        sig
    );
}

#[test]
fn during_rotation_either_secret_verifies_and_nothing_else_does() {
    let new = generate_secret();
    let old = generate_secret();
    let keys = vec![parse_secret(&new).unwrap(), parse_secret(&old).unwrap()];
    let ts = now();
    let header = signature_header(&keys, None, ID, ts, BODY);
    assert_eq!(header.matches("v1,").count(), 2, "{header}");
    let good = headers(ID, ts, &header);

    for secret in [&new, &old] {
        Webhook::new(secret).unwrap().verify(BODY, &good).unwrap();
    }
    let third = Webhook::new(&generate_secret()).unwrap();
    assert!(third.verify(BODY, &good).is_err(), "a third secret");

    let wh = Webhook::new(&new).unwrap();
    let changed = br#"{"type":"invoice.paid","data":{"account":"ACC-001","amount":"9250.00"}}"#;
    assert!(wh.verify(changed, &good).is_err(), "a changed body");
    assert!(
        wh.verify(BODY, &headers("msg_other", ts, &header)).is_err(),
        "a changed id"
    );
    // The id and timestamp are signed: moving the timestamp within the tolerance fails too.
    assert!(
        wh.verify(BODY, &headers(ID, ts - 1, &header)).is_err(),
        "a changed timestamp"
    );

    // Correctly signed, but outside the library's five-minute tolerance either way.
    for stale in [ts - 10 * 60, ts + 10 * 60] {
        let header = signature_header(&keys, None, ID, stale, BODY);
        assert!(
            wh.verify(BODY, &headers(ID, stale, &header)).is_err(),
            "timestamp {stale} vs now {ts}"
        );
    }
}

#[test]
fn the_reference_library_skips_v1a_and_still_finds_v1() {
    let secret = generate_secret();
    let (ed_secret, _) = generate_ed25519();
    let ts = now();
    let header = signature_header(
        &[parse_secret(&secret).unwrap()],
        Some(&ed_secret),
        ID,
        ts,
        BODY,
    );
    let parts: Vec<&str> = header.split(' ').collect();
    assert!(parts[0].starts_with("v1,") && parts[1].starts_with("v1a,"));
    Webhook::new(&secret)
        .unwrap()
        .verify(BODY, &headers(ID, ts, &header))
        .unwrap();
}

fn verifying_key(public: &str) -> VerifyingKey {
    let bytes = STANDARD
        .decode(public.strip_prefix("whpk_").unwrap())
        .unwrap();
    VerifyingKey::from_bytes(&bytes.try_into().unwrap()).unwrap()
}

fn v1a_signature(header_part: &str) -> Signature {
    let bytes = STANDARD
        .decode(header_part.strip_prefix("v1a,").unwrap())
        .unwrap();
    Signature::from_bytes(&bytes.try_into().unwrap())
}

#[test]
fn v1a_verifies_with_the_public_key_alone() {
    let (secret, public) = generate_ed25519();
    assert_eq!(public_key_of(&secret).unwrap(), public);
    let key = verifying_key(&public);
    let ts = now();
    let sig = v1a_signature(&sign_v1a(&secret, ID, ts, BODY).unwrap());

    let signed = |id: &str, ts: i64, body: &[u8]| {
        let mut m = format!("{id}.{ts}.").into_bytes();
        m.extend_from_slice(body);
        m
    };
    key.verify_strict(&signed(ID, ts, BODY), &sig).unwrap();
    assert!(key.verify(&signed(ID, ts, b"{}"), &sig).is_err());
    assert!(key.verify(&signed("msg_other", ts, BODY), &sig).is_err());
    assert!(key.verify(&signed(ID, ts + 1, BODY), &sig).is_err());
    let (_, other_public) = generate_ed25519();
    assert!(
        verifying_key(&other_public)
            .verify(&signed(ID, ts, BODY), &sig)
            .is_err()
    );

    // The same signature is what the header carries.
    let header = signature_header(&[], Some(&secret), ID, ts, BODY);
    key.verify_strict(&signed(ID, ts, BODY), &v1a_signature(&header))
        .unwrap();
}
