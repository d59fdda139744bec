//! Password generation (CSPRNG, every character class, no look-alikes) and the
//! local password-policy check run before anything is sent.

use rand::CryptoRng;
use rand::RngExt;
use rand::seq::{IndexedRandom, SliceRandom};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

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

/// The four kinds of character a policy counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CharClass {
    Lower,
    Upper,
    Digit,
    Symbol,
}

impl CharClass {
    const ALL: [CharClass; 4] = [Self::Lower, Self::Upper, Self::Digit, Self::Symbol];

    fn of(c: char) -> Self {
        if c.is_ascii_digit() {
            Self::Digit
        } else if c.is_lowercase() {
            Self::Lower
        } else if c.is_uppercase() {
            Self::Upper
        } else {
            Self::Symbol
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Lower => "lower-case letter",
            Self::Upper => "upper-case letter",
            Self::Digit => "digit",
            Self::Symbol => "symbol",
        }
    }

    /// The characters the generator draws from: look-alikes (0 O o, 1 l I |,
    /// quotes and backtick, comma and dot, 5 S, 2 Z) are left out so a
    /// password read aloud or copied from a screen survives.
    fn alphabet(self) -> &'static [u8] {
        match self {
            Self::Lower => b"abcdefghijkmnpqrtuvwxy",
            Self::Upper => b"ABCDEFGHJKLMNPQRTUVWXY",
            Self::Digit => b"346789",
            Self::Symbol => b"!#$%&*+-=?@^_~",
        }
    }
}

impl PasswordPolicy {
    /// Checks that the policy itself makes sense, naming the setting to fix.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=4).contains(&self.min_classes) {
            return Err(format!(
                "min_classes is {}; use a number from 1 to 4",
                self.min_classes
            ));
        }
        if self.min_length == 0 {
            return Err("min_length is 0; use at least 1".into());
        }
        if self.min_length > self.max_length {
            return Err(format!(
                "min_length ({}) is larger than max_length ({}); raise max_length or lower \
                 min_length",
                self.min_length, self.max_length
            ));
        }
        Ok(())
    }

    /// Checks a password. The error never contains the password.
    pub fn check(&self, password: &str) -> Result<(), PolicyViolation> {
        let length = password.chars().count();
        if length < self.min_length {
            return Err(PolicyViolation(format!(
                "is {length} characters long; use at least {} characters",
                self.min_length
            )));
        }
        if length > self.max_length {
            return Err(PolicyViolation(format!(
                "is {length} characters long; use at most {} characters",
                self.max_length
            )));
        }
        if password.chars().any(char::is_control) {
            return Err(PolicyViolation(
                "contains a control character (such as a tab or newline); remove it".into(),
            ));
        }

        let present: Vec<CharClass> = CharClass::ALL
            .into_iter()
            .filter(|class| password.chars().any(|c| CharClass::of(c) == *class))
            .collect();
        if present.len() < self.min_classes {
            let missing: Vec<&str> = CharClass::ALL
                .into_iter()
                .filter(|class| !present.contains(class))
                .map(CharClass::name)
                .collect();
            let needed = self.min_classes - present.len();
            return Err(PolicyViolation(format!(
                "uses {} of the 4 character classes but the policy needs {}; add {} more of: {}",
                present.len(),
                self.min_classes,
                needed,
                missing.join(", ")
            )));
        }
        Ok(())
    }
}

/// The default length of a generated password.
pub const DEFAULT_GENERATED_LENGTH: usize = 20;

/// The shortest password [`generate`] returns.
pub const MIN_GENERATED_LENGTH: usize = 8;

/// Generates a password of `length` characters (at least 8) from a CSPRNG,
/// with every class present and no look-alike characters (0/O, 1/l/I, ...).
pub fn generate(length: usize) -> SecretString {
    // ThreadRng is ChaCha12 seeded from the operating system: a CSPRNG.
    generate_with(&mut rand::rng(), length)
}

/// [`generate`] with a given generator; the bound keeps it cryptographic.
pub fn generate_with<R: CryptoRng + ?Sized>(rng: &mut R, length: usize) -> SecretString {
    let length = length.max(MIN_GENERATED_LENGTH);

    // One of each class first, so every class is present; the rest from all
    // classes together; then a shuffle so the classes' positions are random.
    let mut chars: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::with_capacity(length));
    for class in CharClass::ALL {
        chars.push(pick(rng, class.alphabet()));
    }
    let total: usize = CharClass::ALL.iter().map(|c| c.alphabet().len()).sum();
    while chars.len() < length {
        chars.push(pick_from_all(rng, total));
    }
    chars.shuffle(rng);

    let mut password = Zeroizing::new(String::with_capacity(length));
    password.extend(chars.iter().map(|&byte| char::from(byte)));
    SecretString::from(password.as_str())
}

fn pick<R: CryptoRng + ?Sized>(rng: &mut R, alphabet: &[u8]) -> u8 {
    // The alphabets are constant and non-empty.
    alphabet.choose(rng).copied().unwrap_or(b'#')
}

/// Draws uniformly over the union of the alphabets (`total` characters).
fn pick_from_all<R: CryptoRng + ?Sized>(rng: &mut R, total: usize) -> u8 {
    let mut index = rng.random_range(0..total);
    for class in CharClass::ALL {
        let alphabet = class.alphabet();
        if index < alphabet.len() {
            return alphabet[index];
        }
        index -= alphabet.len();
    }
    b'#'
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    /// Characters easy to confuse with another on screen or paper.
    const LOOK_ALIKES: &str = "0Oo1lI|`'\",.;:5S2Z ";

    #[test]
    fn default_policy_accepts_a_mixed_password() {
        assert_eq!(PasswordPolicy::default().check("Tr0ub4dor&3"), Ok(()));
        assert_eq!(PasswordPolicy::default().check("abcdefG1"), Ok(()));
    }

    #[test]
    fn too_short_names_the_minimum_and_hides_the_password() {
        let error = PasswordPolicy::default().check("aB3$x").unwrap_err();
        assert_eq!(
            error.to_string(),
            "password is 5 characters long; use at least 8 characters"
        );
        assert!(!error.to_string().contains("aB3$x"));
    }

    #[test]
    fn too_long_names_the_maximum() {
        let long = "aB3$".repeat(20);
        let error = PasswordPolicy::default().check(&long).unwrap_err();
        assert_eq!(
            error.to_string(),
            "password is 80 characters long; use at most 64 characters"
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let policy = PasswordPolicy {
            min_length: 8,
            max_length: 8,
            min_classes: 1,
        };
        assert_eq!(policy.check("äöüßäöüß"), Ok(()));
    }

    #[test]
    fn missing_classes_are_named() {
        let error = PasswordPolicy::default().check("abcdefgh").unwrap_err();
        assert_eq!(
            error.to_string(),
            "password uses 1 of the 4 character classes but the policy needs 3; add 2 more of: \
             upper-case letter, digit, symbol"
        );
        let error = PasswordPolicy::default().check("abcdEFGH").unwrap_err();
        assert!(error.to_string().ends_with("add 1 more of: digit, symbol"));
    }

    #[test]
    fn control_characters_are_refused() {
        let error = PasswordPolicy::default().check("abcD3fg\th").unwrap_err();
        assert!(error.to_string().contains("control character"));
        assert!(!error.to_string().contains("abcD3fg"));
    }

    #[test]
    fn four_classes_required_when_asked() {
        let policy = PasswordPolicy {
            min_classes: 4,
            ..PasswordPolicy::default()
        };
        assert!(policy.check("abcD3fgh").is_err());
        assert_eq!(policy.check("abcD3fg!"), Ok(()));
    }

    #[test]
    fn nonsense_policies_are_reported() {
        let policy = PasswordPolicy {
            min_classes: 5,
            ..PasswordPolicy::default()
        };
        assert!(policy.validate().unwrap_err().contains("min_classes"));
        let policy = PasswordPolicy {
            min_length: 30,
            max_length: 10,
            min_classes: 3,
        };
        assert!(policy.validate().unwrap_err().contains("max_length"));
        assert_eq!(PasswordPolicy::default().validate(), Ok(()));
    }

    #[test]
    fn alphabets_hold_no_look_alikes() {
        for class in CharClass::ALL {
            for &byte in class.alphabet() {
                let c = char::from(byte);
                assert!(!LOOK_ALIKES.contains(c), "{c:?} in {class:?}");
                assert_eq!(CharClass::of(c), class, "{c:?}");
            }
        }
    }

    #[test]
    fn generated_passwords_pass_the_default_policy_and_avoid_look_alikes() {
        let policy = PasswordPolicy {
            min_classes: 4,
            ..PasswordPolicy::default()
        };
        for _ in 0..1000 {
            let password = generate(DEFAULT_GENERATED_LENGTH);
            let text = password.expose_secret();
            assert_eq!(text.chars().count(), DEFAULT_GENERATED_LENGTH);
            assert_eq!(policy.check(text), Ok(()));
            assert_eq!(PasswordPolicy::default().check(text), Ok(()));
            assert!(!text.chars().any(|c| LOOK_ALIKES.contains(c)), "{text}");
        }
    }

    #[test]
    fn short_lengths_are_raised_to_eight() {
        for length in [0, 1, 4, 7] {
            let password = generate(length);
            assert_eq!(password.expose_secret().len(), MIN_GENERATED_LENGTH);
            assert_eq!(
                PasswordPolicy::default().check(password.expose_secret()),
                Ok(())
            );
        }
        assert_eq!(generate(33).expose_secret().len(), 33);
    }

    #[test]
    fn generated_passwords_differ() {
        let first = generate(DEFAULT_GENERATED_LENGTH);
        let second = generate(DEFAULT_GENERATED_LENGTH);
        assert_ne!(first.expose_secret(), second.expose_secret());
    }

    #[test]
    fn every_character_of_the_alphabet_is_drawn() {
        // 20 000 draws over 64 characters: a character never drawn would
        // point at an off-by-one in the union walk (chance of a false alarm
        // is far below 1e-100).
        let total: usize = CharClass::ALL.iter().map(|c| c.alphabet().len()).sum();
        let mut seen = std::collections::BTreeSet::new();
        let mut rng = rand::rng();
        for _ in 0..20_000 {
            seen.insert(pick_from_all(&mut rng, total));
        }
        assert_eq!(seen.len(), total);
    }
}
