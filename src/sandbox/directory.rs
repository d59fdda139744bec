//! The sandbox's users and their login profiles: the seed directory, the
//! generator for large directories, and the JSON state file.
//!
//! Users are kept in creation order in a `Vec` with a name index beside it,
//! so `ListUsers` pages are stable slices and lookups by name are O(1).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::password_hash::PasswordRecord;
use crate::api::{LoginProfile, ProfileStatus, User};

/// The demo directory a fresh sandbox starts with.
pub const SEED_USERS: &str = include_str!("../../assets/seed-users.json");

/// What the state file says it is, so an unrelated JSON file is not mistaken
/// for one.
const STATE_FORMAT: &str = "ucam-sandbox-state";
const STATE_VERSION: u32 = 1;

/// A user's own status, shown by `ListUsers`/`GetUser` and not edited here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    Active,
    Inactive,
    Frozen,
    ConsoleInactive,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
            Self::Frozen => "Frozen",
            Self::ConsoleInactive => "ConsoleInactive",
        }
    }
}

/// One sub-account as the sandbox stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Account {
    pub user_name: String,
    pub display_name: String,
    pub email: String,
    pub status: UserStatus,
    /// Unix seconds.
    pub created_at: i64,
    pub login_profile: LoginProfile,
    /// Absent until a password is set through `UpdateLoginProfile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordRecord>,
}

impl Account {
    /// The user as `ListUsers` and `GetUser` describe it.
    pub fn to_user(&self) -> User {
        User {
            user_name: self.user_name.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            status: self.status.as_str().to_owned(),
            created_at: self.created_at,
        }
    }
}

/// Every user, in creation order, with an index by name.
#[derive(Debug, Default)]
pub struct Directory {
    accounts: Vec<Account>,
    index: HashMap<String, usize>,
    /// Bumped by every applied change; saves are tracked by it. Not stored.
    version: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StateFileOut<'a> {
    format: &'a str,
    version: u32,
    users: &'a [Account],
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StateFileIn {
    format: String,
    version: u32,
    users: Vec<Account>,
}

impl Directory {
    /// Builds a directory, refusing duplicate or empty user names.
    pub fn from_accounts(accounts: Vec<Account>) -> Result<Self, String> {
        let mut index = HashMap::with_capacity(accounts.len());
        for (position, account) in accounts.iter().enumerate() {
            if account.user_name.is_empty() {
                return Err(format!(
                    "user number {} has an empty UserName",
                    position + 1
                ));
            }
            if index.insert(account.user_name.clone(), position).is_some() {
                return Err(format!("UserName {:?} appears twice", account.user_name));
            }
        }
        Ok(Self {
            accounts,
            index,
            version: 0,
        })
    }

    /// The demo directory from `assets/seed-users.json`.
    pub fn seed() -> Result<Self, String> {
        let accounts: Vec<Account> = serde_json::from_str(SEED_USERS)
            .map_err(|error| format!("assets/seed-users.json: {error}"))?;
        Self::from_accounts(accounts)
    }

    /// A deterministic directory of `count` users for the given seed.
    pub fn generated(count: usize, seed: u64) -> Result<Self, String> {
        Self::from_accounts(generate_accounts(count, seed))
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Up to `limit` users from `offset` on, in creation order; empty past the end.
    pub fn page(&self, offset: usize, limit: usize) -> &[Account] {
        let start = offset.min(self.accounts.len());
        let end = start.saturating_add(limit).min(self.accounts.len());
        &self.accounts[start..end]
    }

    pub fn get(&self, user_name: &str) -> Option<&Account> {
        self.index
            .get(user_name)
            .map(|&position| &self.accounts[position])
    }

    /// The account to change, marking the directory as changed.
    pub fn get_mut(&mut self, user_name: &str) -> Option<&mut Account> {
        let position = *self.index.get(user_name)?;
        self.version += 1;
        Some(&mut self.accounts[position])
    }

    /// Which change the directory is at; a save records the version it wrote.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The state file's bytes.
    pub fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(&StateFileOut {
            format: STATE_FORMAT,
            version: STATE_VERSION,
            users: &self.accounts,
        })
    }

    /// Reads a state file's bytes; the error says what and where is wrong.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let state: StateFileIn =
            serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
        if state.format != STATE_FORMAT {
            return Err(format!(
                "Format is {:?}, expected {STATE_FORMAT:?}",
                state.format
            ));
        }
        if state.version != STATE_VERSION {
            return Err(format!(
                "Version is {}, this ucam reads version {STATE_VERSION}",
                state.version
            ));
        }
        Self::from_accounts(state.users)
    }
}

/// Writes `bytes` to `path` so that a reader sees the old file or the new
/// one, never a mix: a temporary file in the same directory, flushed to
/// disk, then renamed over the target.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    let temp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
    ));

    let written = write_and_sync(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;

    // The rename itself is durable only once the directory entry is synced.
    // Some platforms cannot open a directory for that; the data is still safe.
    if let Ok(directory) = std::fs::File::open(dir) {
        let _ = directory.sync_all();
    }
    Ok(())
}

fn write_and_sync(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Name parts: the ASCII spelling used in user names and e-mail addresses,
/// and the display spelling.
type NamePart = (&'static str, &'static str);

const CHINESE_FAMILY: &[NamePart] = &[
    ("wang", "王"),
    ("li", "李"),
    ("zhang", "张"),
    ("liu", "刘"),
    ("chen", "陈"),
    ("yang", "杨"),
    ("zhao", "赵"),
    ("huang", "黄"),
];
const CHINESE_GIVEN: &[NamePart] = &[
    ("wei", "伟"),
    ("fang", "芳"),
    ("na", "娜"),
    ("min", "敏"),
    ("jing", "静"),
    ("lei", "磊"),
    ("yang", "洋"),
    ("xiuying", "秀英"),
];
const JAPANESE_FAMILY: &[NamePart] = &[
    ("sato", "佐藤"),
    ("suzuki", "鈴木"),
    ("takahashi", "高橋"),
    ("tanaka", "田中"),
    ("watanabe", "渡辺"),
    ("ito", "伊藤"),
];
const JAPANESE_GIVEN: &[NamePart] = &[
    ("haruto", "陽翔"),
    ("yui", "結衣"),
    ("sota", "蒼太"),
    ("hina", "陽菜"),
    ("ren", "蓮"),
    ("aoi", "葵"),
];
const WESTERN_GIVEN: &[NamePart] = &[
    ("zoe", "Zoë"),
    ("jose", "José"),
    ("francois", "François"),
    ("bjorn", "Björn"),
    ("ines", "Inês"),
    ("lukas", "Lukáš"),
    ("anna", "Anna"),
    ("marta", "Marta"),
];
const WESTERN_FAMILY: &[NamePart] = &[
    ("muller", "Müller"),
    ("garcia", "García"),
    ("nunez", "Núñez"),
    ("dvorak", "Dvořák"),
    ("oconnor", "O'Connor"),
    ("smith", "Smith"),
    ("lefevre", "Lefèvre"),
    ("kowalski", "Kowalski"),
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.cn",
    "example.jp",
    "corp.example.org",
];
const PASSWORD_AGES: &[u32] = &[0, 30, 60, 90, 180, 365, 1095];

/// 2016-01-01 and 2026-01-01 in unix seconds: generated accounts are created
/// in order across these ten years.
const GENERATED_FROM: i64 = 1_451_606_400;
const GENERATED_TO: i64 = 1_767_225_600;

fn generate_accounts(count: usize, seed: u64) -> Vec<Account> {
    let mut rng = StdRng::seed_from_u64(seed);
    let step = (GENERATED_TO - GENERATED_FROM) / i64::try_from(count.max(1)).unwrap_or(i64::MAX);

    (0..count)
        .map(|position| {
            let pick =
                |rng: &mut StdRng, parts: &[NamePart]| parts[rng.random_range(0..parts.len())];
            let (slug, display_name) = match rng.random_range(0..3u8) {
                0 => {
                    let (family, given) = (
                        pick(&mut rng, CHINESE_FAMILY),
                        pick(&mut rng, CHINESE_GIVEN),
                    );
                    (
                        format!("{}.{}", given.0, family.0),
                        format!("{}{}", family.1, given.1),
                    )
                }
                1 => {
                    let (family, given) = (
                        pick(&mut rng, JAPANESE_FAMILY),
                        pick(&mut rng, JAPANESE_GIVEN),
                    );
                    (
                        format!("{}.{}", given.0, family.0),
                        format!("{}{}", family.1, given.1),
                    )
                }
                _ => {
                    let (given, family) = (
                        pick(&mut rng, WESTERN_GIVEN),
                        pick(&mut rng, WESTERN_FAMILY),
                    );
                    (
                        format!("{}.{}", given.0, family.0),
                        format!("{} {}", given.1, family.1),
                    )
                }
            };
            let user_name = format!("{slug}{}", position + 1);
            let email = format!(
                "{user_name}@{}",
                DOMAINS[rng.random_range(0..DOMAINS.len())]
            );

            let status = match rng.random_range(0..20u8) {
                0..=15 => UserStatus::Active,
                16 | 17 => UserStatus::Inactive,
                18 => UserStatus::Frozen,
                _ => UserStatus::ConsoleInactive,
            };
            let profile_status = if status == UserStatus::Active || rng.random_bool(0.5) {
                ProfileStatus::Active
            } else {
                ProfileStatus::Inactive
            };
            let offset = i64::try_from(position)
                .unwrap_or(i64::MAX)
                .saturating_mul(step);
            let jitter = rng.random_range(0..step.max(1));

            Account {
                user_name,
                display_name,
                email,
                status,
                created_at: GENERATED_FROM.saturating_add(offset).saturating_add(jitter),
                login_profile: LoginProfile {
                    status: profile_status,
                    max_password_age: PASSWORD_AGES[rng.random_range(0..PASSWORD_AGES.len())],
                    mfa_bind_required: rng.random_bool(0.3),
                    password_reset_required: rng.random_bool(0.1),
                },
                password: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::validate::is_valid_email;
    use super::*;

    #[test]
    fn seed_directory_is_varied_and_valid() {
        let directory = Directory::seed().unwrap();
        let accounts = directory.page(0, usize::MAX);

        assert!(accounts.len() >= 30);
        for status in [
            UserStatus::Active,
            UserStatus::Inactive,
            UserStatus::Frozen,
            UserStatus::ConsoleInactive,
        ] {
            assert!(accounts.iter().any(|a| a.status == status), "{status:?}");
        }
        for account in accounts {
            assert!(is_valid_email(&account.email), "{}", account.email);
            assert!(account.password.is_none());
        }
        assert!(accounts.iter().any(|a| !a.display_name.is_ascii()));
        assert!(accounts.iter().any(|a| !a.email.is_ascii()));
        let years: std::collections::BTreeSet<i64> =
            accounts.iter().map(|a| a.created_at / 31_557_600).collect();
        assert!(years.len() >= 4, "created over {} years only", years.len());
    }

    #[test]
    fn generation_is_deterministic_unique_and_ordered() {
        let first = generate_accounts(500, 7);
        let again = generate_accounts(500, 7);
        let other = generate_accounts(500, 8);

        assert_eq!(first, again);
        assert_ne!(first, other);
        assert!(Directory::from_accounts(first.clone()).is_ok());
        assert!(first.windows(2).all(|w| w[0].created_at < w[1].created_at));
        assert!(first.iter().all(|a| is_valid_email(&a.email)));
    }

    #[test]
    fn pages_are_slices_in_creation_order() {
        let directory = Directory::generated(25, 1).unwrap();

        assert_eq!(directory.page(0, 10).len(), 10);
        assert_eq!(directory.page(20, 10).len(), 5);
        assert!(directory.page(25, 10).is_empty());
        assert!(directory.page(usize::MAX, usize::MAX).is_empty());
        assert_eq!(
            directory.page(3, 1)[0].user_name,
            directory.page(0, 25)[3].user_name
        );
    }

    #[test]
    fn state_round_trips_and_rejects_foreign_files() {
        let directory = Directory::generated(3, 2).unwrap();
        let bytes = directory.encode().unwrap();
        let read = Directory::decode(&bytes).unwrap();

        assert_eq!(read.page(0, 10), directory.page(0, 10));
        assert!(Directory::decode(b"[]").is_err());
        assert!(
            Directory::decode(br#"{"Format":"other","Version":1,"Users":[]}"#)
                .unwrap_err()
                .contains("Format")
        );
        assert!(
            Directory::decode(b"{\"Format\":")
                .unwrap_err()
                .contains("line 1")
        );
    }

    #[test]
    fn duplicate_names_are_refused() {
        let mut accounts = generate_accounts(2, 3);
        accounts[1].user_name = accounts[0].user_name.clone();

        assert!(
            Directory::from_accounts(accounts)
                .unwrap_err()
                .contains("twice")
        );
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();

        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
