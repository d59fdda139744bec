//! Password generation (CSPRNG, every character class, no look-alikes) and the
//! local password-policy check run before anything is sent.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The local password policy; the sandbox enforces the default one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Fewest characters.
    pub min_length: usize,
    /// Most characters.
    pub max_length: usize,
    /// How many of lower, upper, digit and symbol must appear (1..=4).
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 64,
            min_classes: 3,
        }
    }
}

/// Why a password breaks the policy, in words an operator can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("password {0}")]
pub struct PolicyViolation(pub String);

impl PasswordPolicy {
    /// Checks a password. The error never contains the password.
    pub fn check(&self, password: &str) -> Result<(), PolicyViolation> {
        todo!("helper: implement {password:?}")
    }
}

/// The default length of a generated password.
pub const DEFAULT_GENERATED_LENGTH: usize = 20;

/// Generates a password of `length` characters (at least 8) from a CSPRNG,
/// with every class present and no look-alike characters (0/O, 1/l/I, ...).
pub fn generate(length: usize) -> SecretString {
    todo!("helper: implement {length}")
}
