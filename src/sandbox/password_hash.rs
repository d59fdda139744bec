//! How the sandbox stores a password: PBKDF2-HMAC-SHA1 with a random
//! per-password salt, never the password itself.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha1::Sha1;

/// PBKDF2 rounds for new hashes. Stored with each hash so it can be raised
/// without breaking older state files.
pub const ITERATIONS: u32 = 10_000;

const SALT_BYTES: usize = 16;

/// A salted password hash and when the password was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PasswordRecord {
    pub algorithm: String,
    pub iterations: u32,
    /// Hex.
    pub salt: String,
    /// Hex.
    pub hash: String,
    /// Unix seconds.
    pub set_at: i64,
}

/// The name stored in [`PasswordRecord::algorithm`].
pub const ALGORITHM: &str = "pbkdf2-hmac-sha1";

impl PasswordRecord {
    /// Hashes a new password with a fresh random salt. Slow on purpose: call
    /// it off the async runtime.
    pub fn new(password: &SecretString, set_at: i64) -> Self {
        let salt: [u8; SALT_BYTES] = rand::random();
        let hash = pbkdf2_sha1(password.expose_secret().as_bytes(), &salt, ITERATIONS);
        Self {
            algorithm: ALGORITHM.to_owned(),
            iterations: ITERATIONS,
            salt: hex::encode(salt),
            hash: hex::encode(hash),
            set_at,
        }
    }

    /// Whether `password` is the one this record was made from. Nothing in
    /// the emulated API signs in, so only tests ask (tests in `tests/` too).
    pub fn matches(&self, password: &str) -> bool {
        let Ok(salt) = hex::decode(&self.salt) else {
            return false;
        };
        let hash = hex::encode(pbkdf2_sha1(password.as_bytes(), &salt, self.iterations));
        self.algorithm == ALGORITHM
            && hash.len() == self.hash.len()
            && hash
                .bytes()
                .zip(self.hash.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// PBKDF2 (RFC 8018) with HMAC-SHA1, one 20-byte output block.
fn pbkdf2_sha1(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 20] {
    pbkdf2::pbkdf2_hmac_array::<Sha1, 20>(password, salt, iterations.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6070_vectors() {
        assert_eq!(
            hex::encode(pbkdf2_sha1(b"password", b"salt", 1)),
            "0c60c80f961f0e71f3a9b524af6012062fe037a6"
        );
        assert_eq!(
            hex::encode(pbkdf2_sha1(b"password", b"salt", 4096)),
            "4b007901b765489abead49d926f721d065a429c1"
        );
    }

    #[test]
    fn record_matches_only_its_password_and_hides_it() {
        let record = PasswordRecord::new(&SecretString::from("Corr3ct-horse"), 42);
        let other = PasswordRecord::new(&SecretString::from("Corr3ct-horse"), 42);

        assert!(record.matches("Corr3ct-horse"));
        assert!(!record.matches("corr3ct-horse"));
        assert_ne!(record.salt, other.salt);
        assert_ne!(record.hash, other.hash);
        assert!(!serde_json::to_string(&record).unwrap().contains("Corr3ct"));
    }
}
