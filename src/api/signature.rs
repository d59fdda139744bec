//! UCloud request signatures: SHA-1 over the sorted `key + value` pairs followed
//! by the private key, as lowercase hex.

use sha1::{Digest, Sha1};

use super::params::Params;

/// The name of the parameter that carries the signature. It is never signed.
pub const SIGNATURE: &str = "Signature";

/// Signs every parameter except `Signature` with the private key.
///
/// `Params` keeps its keys in plain byte order, which is the order the service
/// sorts them in, so the pairs are hashed as they are iterated.
pub fn sign(params: &Params, private_key: &str) -> String {
    let mut hasher = Sha1::new();
    for (key, value) in params.iter().filter(|(key, _)| *key != SIGNATURE) {
        hasher.update(key.as_bytes());
        hasher.update(value.as_bytes());
    }
    hasher.update(private_key.as_bytes());
    hex::encode(hasher.finalize())
}

/// Checks a signature in constant time with respect to its content.
pub fn verify(params: &Params, private_key: &str, signature: &str) -> bool {
    let expected = sign(params, private_key);
    let given = signature.to_ascii_lowercase();
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC_KEY: &str = "ucloudsomeone@example.com1296235120854146120";
    const PRIVATE_KEY: &str = "46f09bb9fab4f12dfc160dae12273d5332b5debe";

    #[test]
    fn official_vector() {
        let mut params = Params::new();
        params.insert("Action", "DescribeUHostInstance");
        params.insert("Region", "cn-bj2");
        params.insert("Limit", 10);
        params.insert("PublicKey", PUBLIC_KEY);

        assert_eq!(
            sign(&params, PRIVATE_KEY),
            "cba5cf5ec4d4233d206b1b54951e3787350a642f"
        );
    }

    #[test]
    fn official_array_vector() {
        let mut params = Params::new();
        params.insert("Action", "AllocateBackendBatch");
        params.insert("PublicKey", PUBLIC_KEY);
        let backends: Vec<serde_json::Value> = (0..4)
            .flat_map(|_| ["foo".into(), "bar".into(), 42.into()])
            .collect();
        params.insert_json("Backends", &serde_json::Value::Array(backends));

        assert_eq!(params.get("Backends.11"), Some("42"));
        assert_eq!(
            sign(&params, PRIVATE_KEY),
            "6bc32642779f8cb0bb3d3f128b1c0688abf9a1a3"
        );
    }

    #[test]
    fn signature_parameter_is_not_signed() {
        let mut params = Params::new();
        params.insert("Action", "ListUsers");
        let before = sign(&params, PRIVATE_KEY);
        params.insert(SIGNATURE, "whatever");

        assert_eq!(sign(&params, PRIVATE_KEY), before);
    }

    #[test]
    fn non_ascii_values_hash_their_utf8_bytes() {
        let mut params = Params::new();
        params.insert("DisplayName", "张三");
        let mut hasher = Sha1::new();
        hasher.update("DisplayName张三key".as_bytes());

        assert_eq!(sign(&params, "key"), hex::encode(hasher.finalize()));
    }

    #[test]
    fn verify_accepts_the_right_signature_only() {
        let mut params = Params::new();
        params.insert("Action", "GetUser");
        let good = sign(&params, PRIVATE_KEY);

        assert!(verify(&params, PRIVATE_KEY, &good));
        assert!(verify(&params, PRIVATE_KEY, &good.to_uppercase()));
        assert!(!verify(&params, "other", &good));
        assert!(!verify(&params, PRIVATE_KEY, "abc"));
    }
}
