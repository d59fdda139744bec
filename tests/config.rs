//! Config resolution against temporary homes and config dirs, with an
//! injected environment (the process's own variables are never read).

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::ExposeSecret;
use ucam::config::{
    Account, ConfigError, Environment, Overrides, load_settings, parse_settings, resolve_account,
};
use ucam::paths::Paths;

/// A private key no message, warning or `Debug` output may contain.
const SECRET: &str = "PRIVATE-sentinel-7f3a9c";

struct Home {
    _root: tempfile::TempDir,
    paths: Paths,
    env: Environment,
}

impl Home {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let paths = Paths::under(root.path());
        std::fs::create_dir_all(&paths.config_dir).unwrap();
        std::fs::create_dir_all(paths.home_dir.as_ref().unwrap().join(".ucloud")).unwrap();
        Self {
            _root: root,
            paths,
            env: Environment::default(),
        }
    }

    fn config_toml(&self) -> PathBuf {
        self.paths.config_file()
    }

    fn cli_config(&self) -> PathBuf {
        self.paths
            .home_dir
            .as_ref()
            .unwrap()
            .join(".ucloud/config.json")
    }

    fn credentials(&self) -> PathBuf {
        self.paths
            .home_dir
            .as_ref()
            .unwrap()
            .join(".ucloud/credential.json")
    }

    fn set(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.set(name, value);
        self
    }

    fn resolve(&self, overrides: &Overrides) -> Result<Option<Account>, ConfigError> {
        let settings = load_settings(&self.paths)?;
        resolve_account(overrides, &self.env, &self.paths, &settings)
    }

    fn account(&self) -> Account {
        self.resolve(&Overrides::default())
            .unwrap()
            .expect("an account")
    }

    fn error(&self, overrides: &Overrides) -> String {
        let error = self.resolve(overrides).unwrap_err();
        let message = error.to_string();
        assert_no_secret(&message);
        assert_no_secret(&format!("{error:?}"));
        message
    }
}

/// Writes a file readable by its owner only, so no warning is expected.
fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    set_mode(path, 0o600);
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET), "secret leaked into: {text}");
    assert!(!text.contains("sentinel"), "secret leaked into: {text}");
}

fn named(profile: &str) -> Overrides {
    Overrides {
        profile: Some(profile.into()),
        base_url: None,
    }
}

fn cli_credentials(entries: &[(&str, &str)]) -> String {
    let objects: Vec<String> = entries
        .iter()
        .map(|(profile, public)| {
            serde_json::json!({
                "profile": profile,
                "public_key": public,
                "private_key": SECRET,
                "cookie": "",
                "csrf_token": "",
            })
            .to_string()
        })
        .collect();
    format!("[{}]", objects.join(","))
}

#[test]
fn no_credentials_anywhere_gives_none() {
    let home = Home::new();
    assert!(home.resolve(&Overrides::default()).unwrap().is_none());
}

#[test]
fn environment_wins_over_every_file() {
    let mut home = Home::new();
    write_private(
        &home.config_toml(),
        &format!("[profiles.default]\npublic_key = \"toml-pub\"\nprivate_key = \"{SECRET}\"\n"),
    );
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "cli-pub")]),
    );
    home.set("UCLOUD_PUBLIC_KEY", "env-pub")
        .set("UCLOUD_PRIVATE_KEY", "env-private")
        .set("UCLOUD_PROJECT_ID", "org-env")
        .set("UCLOUD_REGION", "sg")
        .set("UCLOUD_TIMEOUT_SECOND", "40")
        .set("UCLOUD_API_BASE_URL", "https://gw.example/");

    let account = home.account();

    assert_eq!(account.source, "environment");
    assert_eq!(account.profile, "default");
    assert_eq!(account.client.public_key, "env-pub");
    assert_eq!(account.client.private_key.expose_secret(), "env-private");
    assert_eq!(account.client.base_url, "https://gw.example");
    assert_eq!(account.client.project_id.as_deref(), Some("org-env"));
    assert_eq!(account.client.region.as_deref(), Some("sg"));
    assert_eq!(account.client.timeout, Duration::from_secs(40));
    assert!(account.warnings.is_empty(), "{:?}", account.warnings);
}

#[test]
fn ucam_toml_wins_over_cli_files() {
    let home = Home::new();
    write_private(
        &home.config_toml(),
        &format!(
            "[profiles.default]\npublic_key = \"toml-pub\"\nprivate_key = \"{SECRET}\"\n\
             region = \"toml-region\"\ntimeout_sec = 7\n"
        ),
    );
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "cli-pub")]),
    );
    write_private(
        &home.cli_config(),
        r#"[{"profile": "default", "active": true, "region": "cli-region",
             "project_id": "org-cli", "base_url": "https://api.ucloud.cn/", "timeout_sec": 30}]"#,
    );

    let account = home.account();

    assert_eq!(account.client.public_key, "toml-pub");
    assert_eq!(account.source, home.config_toml().display().to_string());
    assert_eq!(account.client.region.as_deref(), Some("toml-region"));
    assert_eq!(account.client.timeout, Duration::from_secs(7));
    // Not set in config.toml: the CLI's values fill in.
    assert_eq!(account.client.project_id.as_deref(), Some("org-cli"));
    assert_eq!(account.client.base_url, "https://api.ucloud.cn");
}

#[test]
fn cli_files_alone_are_enough_and_defaults_fill_the_rest() {
    let home = Home::new();
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "cli-pub")]),
    );

    let account = home.account();

    assert_eq!(account.profile, "default");
    assert_eq!(account.client.public_key, "cli-pub");
    assert_eq!(account.client.private_key.expose_secret(), SECRET);
    assert_eq!(account.source, home.credentials().display().to_string());
    assert_eq!(account.client.base_url, "https://api.scloudsg.com");
    assert_eq!(account.client.timeout, Duration::from_secs(15));
    assert_eq!(account.client.project_id, None);
    assert_eq!(account.client.region, None);
}

#[test]
fn the_cli_active_profile_is_used_when_none_is_named() {
    let home = Home::new();
    write_private(
        &home.cli_config(),
        r#"[{"profile": "default", "active": false, "region": "cn-bj2"},
            {"profile": "work", "active": true, "region": "hk", "zone": "hk-01",
             "max_retry_times": 3, "agree_upload_log": true}]"#,
    );
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "default-pub"), ("work", "work-pub")]),
    );

    let account = home.account();

    assert_eq!(account.profile, "work");
    assert_eq!(account.client.public_key, "work-pub");
    assert_eq!(account.client.region.as_deref(), Some("hk"));
}

#[test]
fn default_profile_setting_beats_the_cli_active_profile() {
    let home = Home::new();
    write_private(&home.config_toml(), "default_profile = \"default\"\n");
    write_private(
        &home.cli_config(),
        r#"[{"profile": "work", "active": true}]"#,
    );
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "default-pub"), ("work", "work-pub")]),
    );

    assert_eq!(home.account().client.public_key, "default-pub");
}

#[test]
fn profile_named_in_the_environment_is_used() {
    let mut home = Home::new();
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "default-pub"), ("staging", "staging-pub")]),
    );
    home.set("UCLOUD_PROFILE", "staging");

    let account = home.account();

    assert_eq!(account.profile, "staging");
    assert_eq!(account.client.public_key, "staging-pub");
}

#[test]
fn profile_flag_beats_the_environment() {
    let mut home = Home::new();
    write_private(
        &home.config_toml(),
        &format!(
            "[profiles.prod]\npublic_key = \"prod-pub\"\nprivate_key = \"{SECRET}\"\n\
             [profiles.staging]\npublic_key = \"staging-pub\"\nprivate_key = \"{SECRET}\"\n"
        ),
    );
    home.set("UCLOUD_PROFILE", "staging");

    let account = home.resolve(&named("prod")).unwrap().unwrap();

    assert_eq!(account.profile, "prod");
    assert_eq!(account.client.public_key, "prod-pub");
}

#[test]
fn base_url_flag_beats_everything() {
    let mut home = Home::new();
    home.set("UCLOUD_PUBLIC_KEY", "p")
        .set("UCLOUD_PRIVATE_KEY", SECRET)
        .set("UCLOUD_API_BASE_URL", "https://env.example");
    let overrides = Overrides {
        profile: None,
        base_url: Some("http://127.0.0.1:8790/".into()),
    };

    let account = home.resolve(&overrides).unwrap().unwrap();

    assert_eq!(account.client.base_url, "http://127.0.0.1:8790");
    assert_no_secret(&format!("{account:?}"));
}

#[test]
fn named_profile_without_keys_is_an_error_naming_what_was_searched() {
    let home = Home::new();
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "default-pub")]),
    );

    let message = home.error(&named("prod"));

    assert!(
        message.contains("profile `prod` has no key pair"),
        "{message}"
    );
    assert!(message.contains("UCLOUD_PUBLIC_KEY"), "{message}");
    assert!(
        message.contains(&home.config_toml().display().to_string()),
        "{message}"
    );
    assert!(
        message.contains(&home.credentials().display().to_string()),
        "{message}"
    );
    assert!(message.contains("[profiles.prod]"), "{message}");
}

#[test]
fn profile_named_by_environment_without_keys_is_an_error_too() {
    let mut home = Home::new();
    home.set("UCLOUD_PROFILE", "ghost");
    let message = home.error(&Overrides::default());
    assert!(message.contains("profile `ghost`"), "{message}");
}

#[test]
fn partial_environment_credentials_name_the_missing_variable() {
    let mut home = Home::new();
    home.set("UCLOUD_PUBLIC_KEY", "env-pub");
    let message = home.error(&Overrides::default());
    assert!(message.contains("UCLOUD_PRIVATE_KEY is not"), "{message}");

    let mut home = Home::new();
    home.set("UCLOUD_PRIVATE_KEY", SECRET);
    let message = home.error(&Overrides::default());
    assert!(
        message.starts_with("UCLOUD_PRIVATE_KEY is set but UCLOUD_PUBLIC_KEY is not"),
        "{message}"
    );
}

#[test]
fn malformed_json_names_the_file_and_position() {
    let home = Home::new();
    write_private(
        &home.credentials(),
        &format!("[{{\"profile\": \"default\", \"private_key\": \"{SECRET}\",\n  }}"),
    );

    let message = home.error(&Overrides::default());

    assert!(
        message.contains(&home.credentials().display().to_string()),
        "{message}"
    );
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn wrongly_typed_json_value_is_not_echoed() {
    let home = Home::new();
    write_private(
        &home.cli_config(),
        &format!(r#"[{{"profile": "default", "timeout_sec": "{SECRET}"}}]"#),
    );
    let message = home.error(&Overrides::default());
    assert!(message.contains("invalid type"), "{message}");
    assert!(
        message.contains(&home.cli_config().display().to_string()),
        "{message}"
    );
}

#[test]
fn malformed_toml_names_the_file_line_and_column() {
    let home = Home::new();
    write_private(
        &home.config_toml(),
        &format!("theme = \"mono\"\n[profiles.default]\nprivate_key = \"{SECRET}\n"),
    );

    let message = home.error(&Overrides::default());

    assert!(
        message.contains(&home.config_toml().display().to_string()),
        "{message}"
    );
    assert!(message.contains("config.toml"), "{message}");
    assert!(message.contains("line 3"), "{message}");
}

#[test]
fn unknown_top_level_key_is_named() {
    let home = Home::new();
    write_private(
        &home.config_toml(),
        "theme = \"mono\"\ndefault_profle = \"x\"\n",
    );
    let message = home.error(&Overrides::default());
    assert!(
        message.contains("unknown field `default_profle`"),
        "{message}"
    );
    assert!(message.contains("line 2, column 1"), "{message}");
}

#[test]
fn half_a_key_pair_in_toml_names_file_profile_and_field() {
    let home = Home::new();
    write_private(
        &home.config_toml(),
        "[profiles.work]\npublic_key = \"work-pub\"\n",
    );

    let message = home.error(&named("work"));

    assert!(message.contains("profile `work`"), "{message}");
    assert!(message.contains("`private_key`"), "{message}");
    assert!(
        message.contains(&home.config_toml().display().to_string()),
        "{message}"
    );
}

#[test]
fn half_a_key_pair_in_credential_json_names_file_profile_and_field() {
    let home = Home::new();
    write_private(
        &home.credentials(),
        &format!(r#"[{{"profile": "default", "private_key": "{SECRET}"}}]"#),
    );

    let message = home.error(&Overrides::default());

    assert!(message.contains("profile `default`"), "{message}");
    assert!(message.contains("`public_key`"), "{message}");
    assert!(message.contains("credential.json"), "{message}");
}

#[test]
fn insecure_http_base_url_is_refused_with_its_origin() {
    let home = Home::new();
    write_private(
        &home.config_toml(),
        &format!(
            "[profiles.default]\npublic_key = \"p\"\nprivate_key = \"{SECRET}\"\n\
             base_url = \"http://api.scloudsg.com\"\n"
        ),
    );

    let message = home.error(&Overrides::default());

    assert!(message.contains("http://api.scloudsg.com"), "{message}");
    assert!(message.contains("[profiles.default]"), "{message}");
    assert!(message.contains("use https://"), "{message}");
}

#[test]
fn insecure_base_url_from_the_environment_names_the_variable() {
    let mut home = Home::new();
    home.set("UCLOUD_PUBLIC_KEY", "p")
        .set("UCLOUD_PRIVATE_KEY", SECRET)
        .set("UCLOUD_API_BASE_URL", "http://192.168.1.10:8080");
    let message = home.error(&Overrides::default());
    assert!(message.contains("from UCLOUD_API_BASE_URL"), "{message}");
}

#[test]
fn loopback_http_base_url_is_allowed() {
    let mut home = Home::new();
    home.set("UCLOUD_PUBLIC_KEY", "p")
        .set("UCLOUD_PRIVATE_KEY", SECRET)
        .set("UCLOUD_API_BASE_URL", "http://[::1]:9000");
    assert_eq!(home.account().client.base_url, "http://[::1]:9000");
}

#[test]
fn bad_timeout_variable_is_named() {
    let mut home = Home::new();
    home.set("UCLOUD_PUBLIC_KEY", "p")
        .set("UCLOUD_PRIVATE_KEY", SECRET)
        .set("UCLOUD_TIMEOUT_SECOND", "soon");
    let message = home.error(&Overrides::default());
    assert!(
        message.starts_with("UCLOUD_TIMEOUT_SECOND: `soon`"),
        "{message}"
    );
}

#[test]
fn shared_file_variables_point_elsewhere() {
    let mut home = Home::new();
    let elsewhere = home.paths.config_dir.join("creds.json");
    write_private(&elsewhere, &cli_credentials(&[("default", "moved-pub")]));
    home.set("UCLOUD_SHARED_CREDENTIAL_FILE", elsewhere.to_str().unwrap());

    let account = home.account();

    assert_eq!(account.client.public_key, "moved-pub");
    assert_eq!(account.source, elsewhere.display().to_string());
}

#[test]
fn shared_file_variable_naming_a_missing_file_is_an_error() {
    let mut home = Home::new();
    home.set(
        "UCLOUD_SHARED_CONFIG_FILE",
        "/nonexistent/ucam-test/config.json",
    );
    let message = home.error(&Overrides::default());
    assert!(
        message.contains("UCLOUD_SHARED_CONFIG_FILE names"),
        "{message}"
    );
    assert!(
        message.contains("/nonexistent/ucam-test/config.json"),
        "{message}"
    );
}

#[test]
fn unknown_fields_in_cli_files_are_ignored() {
    let home = Home::new();
    write_private(
        &home.cli_config(),
        r#"[{"profile": "default", "active": true, "zone": "cn-bj2-02", "future": {"x": [1]}}]"#,
    );
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "cli-pub")]),
    );
    assert_eq!(home.account().client.public_key, "cli-pub");
}

#[cfg(unix)]
#[test]
fn group_readable_key_files_are_warned_about() {
    let home = Home::new();
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "cli-pub")]),
    );
    set_mode(&home.credentials(), 0o640);
    write_private(
        &home.config_toml(),
        &format!("[profiles.other]\npublic_key = \"p\"\nprivate_key = \"{SECRET}\"\n"),
    );
    set_mode(&home.config_toml(), 0o604);

    let account = home.account();

    assert_eq!(account.warnings.len(), 2, "{:?}", account.warnings);
    let credentials = home.credentials().display().to_string();
    let config = home.config_toml().display().to_string();
    assert!(
        account
            .warnings
            .iter()
            .any(|w| w.contains(&format!("chmod 600 {credentials}")))
    );
    assert!(
        account
            .warnings
            .iter()
            .any(|w| w.contains(&format!("chmod 600 {config}")))
    );
    for warning in &account.warnings {
        assert_no_secret(warning);
    }
}

#[cfg(unix)]
#[test]
fn a_config_without_private_keys_may_be_readable() {
    let home = Home::new();
    write_private(&home.config_toml(), "theme = \"mono\"\n");
    set_mode(&home.config_toml(), 0o644);
    write_private(
        &home.credentials(),
        &cli_credentials(&[("default", "cli-pub")]),
    );
    let account = home.account();
    assert_eq!(account.client.public_key, "cli-pub");
    assert!(account.warnings.is_empty(), "{:?}", account.warnings);
}

#[test]
fn environment_debug_shows_names_not_values() {
    let env: Environment = [("UCLOUD_PRIVATE_KEY", SECRET), ("UCLOUD_REGION", "sg")]
        .into_iter()
        .collect();
    assert_eq!(
        format!("{env:?}"),
        r#"Environment(["UCLOUD_PRIVATE_KEY", "UCLOUD_REGION"])"#
    );
}

#[test]
fn settings_debug_hides_the_private_key() {
    let settings = parse_settings(
        &format!("[profiles.x]\npublic_key = \"p\"\nprivate_key = \"{SECRET}\"\n"),
        Path::new("config.toml"),
    )
    .unwrap();
    assert_no_secret(&format!("{settings:?}"));
    let profile = &settings.profiles["x"];
    assert_eq!(
        profile.private_key.as_ref().unwrap().expose_secret(),
        SECRET
    );
}

#[test]
fn nonsense_password_policy_is_refused() {
    let home = Home::new();
    write_private(&home.config_toml(), "[password_policy]\nmin_classes = 9\n");
    let message = home.error(&Overrides::default());
    assert!(message.contains("[password_policy]"), "{message}");
    assert!(message.contains("min_classes"), "{message}");
}

#[test]
fn the_example_config_parses_with_every_section() {
    let text = include_str!("../assets/config.example.toml");
    let settings = parse_settings(text, Path::new("assets/config.example.toml")).unwrap();

    assert_eq!(settings.theme.as_deref(), Some("default"));
    assert_eq!(
        settings.password_policy,
        ucam::password::PasswordPolicy::default()
    );
    for action in [
        "quit",
        "filter",
        "edit",
        "reset_password",
        "reload",
        "help",
        "action_log",
    ] {
        assert!(settings.keys.contains_key(action), "{action}");
    }
    assert_eq!(settings.keys["quit"], ["q", "ctrl-c"]);
    let default = &settings.profiles["default"];
    assert_eq!(
        default.base_url.as_deref(),
        Some("https://api.scloudsg.com")
    );
    assert_eq!(default.timeout_sec, Some(15));
    assert!(default.private_key.is_none());
    let sandbox = &settings.profiles["sandbox"];
    assert_eq!(sandbox.public_key.as_deref(), Some("ucam-sandbox-public"));

    // The commented-out lines are valid too once uncommented.
    let uncommented: String = text
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if rest.contains(" = \"") && !rest.starts_with(' ') => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let settings = parse_settings(&uncommented, Path::new("uncommented.toml")).unwrap();
    assert_eq!(settings.default_profile.as_deref(), Some("work"));
    assert_eq!(
        settings.profiles["default"].region.as_deref(),
        Some("cn-bj2")
    );
}
