//! The sandbox over real HTTP: driven with ucam's own client and with raw
//! requests built by hand, as the service would be.

use std::path::Path;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde_json::{Value, json};
use ucam::api::signature::sign;
use ucam::api::{ApiError, Client, LoginProfileChange, Params, ProfileStatus, RetryPolicy};
use ucam::sandbox::{
    self, DEFAULT_PRIVATE_KEY, DEFAULT_PUBLIC_KEY, RunningSandbox, SandboxError, SandboxOptions,
};

const REQUEST_ID: &str = "X-UCLOUD-REQUEST-UUID";

fn seed_count() -> usize {
    serde_json::from_str::<Vec<Value>>(sandbox::SEED_USERS)
        .unwrap()
        .len()
}

async fn start(options: SandboxOptions) -> RunningSandbox {
    sandbox::start(options).await.unwrap()
}

async fn start_default() -> RunningSandbox {
    start(SandboxOptions::default()).await
}

fn client(sandbox: &RunningSandbox) -> Client {
    let mut config = sandbox.client_config();
    config.retry = RetryPolicy::none();
    Client::new(config).unwrap()
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Parameters with `Action`, `PublicKey` and a signature by `private_key`.
fn signed_with(private_key: &str, action: &str, pairs: &[(&str, &str)]) -> Params {
    let mut params = Params::new();
    params.insert("Action", action);
    params.insert("PublicKey", DEFAULT_PUBLIC_KEY);
    for (key, value) in pairs {
        params.insert(*key, *value);
    }
    let signature = sign(&params, private_key);
    params.insert("Signature", signature);
    params
}

fn signed(action: &str, pairs: &[(&str, &str)]) -> Params {
    signed_with(DEFAULT_PRIVATE_KEY, action, pairs)
}

/// What came back from one raw request.
#[derive(Debug)]
struct Answer {
    status: u16,
    request_id: Option<String>,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text))
    }

    fn ret_code(&self) -> i64 {
        self.json()["RetCode"].as_i64().unwrap()
    }

    fn message(&self) -> String {
        self.json()["Message"].as_str().unwrap_or("").to_owned()
    }
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get(REQUEST_ID)
        .map(|value| value.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    Answer {
        status,
        request_id,
        text,
    }
}

async fn post_form(sandbox: &RunningSandbox, params: &Params) -> Answer {
    send(
        http()
            .post(sandbox.base_url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(params.to_form_body()),
    )
    .await
}

async fn profile(sandbox: &RunningSandbox, user: &str) -> Value {
    let answer = post_form(sandbox, &signed("GetLoginProfile", &[("UserName", user)])).await;
    assert_eq!(answer.ret_code(), 0, "{}", answer.text);
    answer.json()["LoginProfile"].clone()
}

async fn user(sandbox: &RunningSandbox, user: &str) -> Value {
    let answer = post_form(sandbox, &signed("GetUser", &[("UserName", user)])).await;
    assert_eq!(answer.ret_code(), 0, "{}", answer.text);
    answer.json()["User"].clone()
}

fn assert_request_id(answer: &Answer) {
    let id = answer.request_id.as_deref().expect("request id header");
    let parsed = uuid::Uuid::parse_str(id).unwrap();
    assert_eq!(parsed.get_version_num(), 4, "{id}");
}

#[tokio::test]
async fn client_lists_reads_and_updates() {
    let sandbox = start_default().await;
    let client = client(&sandbox);

    let page = client.list_users(10, 0).await.unwrap();
    assert_eq!(page.users.len(), 10);
    assert_eq!(page.total_count as usize, seed_count());
    let all = client.list_all_users().await.unwrap();
    assert_eq!(all.len(), seed_count());
    assert_eq!(all[..10], page.users[..]);

    let first = &all[0];
    assert_eq!(client.get_user(&first.user_name).await.unwrap(), *first);

    let mut change = LoginProfileChange::new(&first.user_name);
    change.status = Some(ProfileStatus::Inactive);
    change.max_password_age = Some(45);
    let answer = client.update_login_profile(&change).await.unwrap();
    assert!(answer.request_id.is_some());

    let profile = client.get_login_profile(&first.user_name).await.unwrap();
    assert_eq!(profile.status, ProfileStatus::Inactive);
    assert_eq!(profile.max_password_age, 45);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn success_has_the_service_envelope() {
    let sandbox = start_default().await;

    let answer = post_form(&sandbox, &signed("ListUsers", &[])).await;

    assert_eq!(answer.status, 200);
    assert_request_id(&answer);
    let body = answer.json();
    assert_eq!(body["RetCode"], 0);
    assert_eq!(body["Action"], "ListUsersResponse");
    let first = &body["Users"][0];
    for field in ["UserName", "DisplayName", "Email", "Status", "CreatedAt"] {
        assert!(!first[field].is_null(), "{field} missing in {first}");
    }
}

#[tokio::test]
async fn signature_checks() {
    let sandbox = start_default().await;

    let mut missing = signed("ListUsers", &[]);
    missing.remove("Signature");
    let answer = post_form(&sandbox, &missing).await;
    assert_eq!(answer.ret_code(), 170);
    assert_eq!(answer.json()["Action"], "ListUsersResponse");
    assert_request_id(&answer);

    let wrong_key = signed_with("someone-else", "ListUsers", &[]);
    let answer = post_form(&sandbox, &wrong_key).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.ret_code(), 171);
    assert_eq!(answer.message(), "Signature VerifyAC Error");
    assert_request_id(&answer);

    let mut tampered = signed("ListUsers", &[("Limit", "5")]);
    tampered.insert("Limit", "6");
    assert_eq!(post_form(&sandbox, &tampered).await.ret_code(), 171);

    // A correct signature for a public key the sandbox does not know.
    let mut stranger = Params::new();
    stranger.insert("Action", "ListUsers");
    stranger.insert("PublicKey", "not-the-sandbox");
    let signature = sign(&stranger, DEFAULT_PRIVATE_KEY);
    stranger.insert("Signature", signature);
    assert_eq!(post_form(&sandbox, &stranger).await.ret_code(), 171);

    let mut config = sandbox.client_config();
    config.private_key = SecretString::from("wrong");
    config.retry = RetryPolicy::none();
    let error = Client::new(config)
        .unwrap()
        .list_users(10, 0)
        .await
        .unwrap_err();
    assert_eq!(error.ret_code(), Some(171));
    assert!(error.request_id().is_some());
}

#[tokio::test]
async fn custom_key_pair_is_used() {
    let sandbox = start(SandboxOptions {
        public_key: "pk-test".into(),
        private_key: SecretString::from("sk-test"),
        ..SandboxOptions::default()
    })
    .await;

    assert!(client(&sandbox).list_users(1, 0).await.is_ok());
    let default_pair = signed("ListUsers", &[]);
    assert_eq!(post_form(&sandbox, &default_pair).await.ret_code(), 171);
}

#[tokio::test]
async fn missing_and_unknown_action() {
    let sandbox = start_default().await;

    let mut no_action = Params::new();
    no_action.insert("PublicKey", DEFAULT_PUBLIC_KEY);
    let signature = sign(&no_action, DEFAULT_PRIVATE_KEY);
    no_action.insert("Signature", signature);
    let answer = post_form(&sandbox, &no_action).await;
    assert_eq!(answer.ret_code(), 160);
    assert_request_id(&answer);

    let answer = post_form(&sandbox, &signed("DeleteEverything", &[])).await;
    assert_eq!(answer.ret_code(), 161);
    assert_eq!(answer.json()["Action"], "DeleteEverythingResponse");
    assert!(answer.message().contains("DeleteEverything"));
}

#[tokio::test]
async fn get_and_json_bodies_are_accepted() {
    let sandbox = start_default().await;

    let query = signed("GetUser", &[("UserName", "zhang.wei")]).to_form_body();
    let answer = send(http().get(format!("{}/?{query}", sandbox.base_url()))).await;
    assert_eq!(answer.ret_code(), 0, "{}", answer.text);
    assert_eq!(answer.json()["User"]["DisplayName"], "张伟");

    // Nested values are flattened before the signature is checked, the way
    // the client signs them.
    let body = json!({"Action": "ListUsers", "PublicKey": DEFAULT_PUBLIC_KEY, "Limit": 3,
                      "Offset": 1.0, "Tags": {"Team": "ops", "Ids": [1, 2]}});
    let mut params = Params::new();
    for (key, value) in body.as_object().unwrap() {
        params.insert_json(key, value);
    }
    let mut body = body;
    body["Signature"] = sign(&params, DEFAULT_PRIVATE_KEY).into();
    let answer = send(
        http()
            .post(sandbox.base_url())
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body.to_string()),
    )
    .await;
    assert_eq!(answer.ret_code(), 0, "{}", answer.text);
    assert_eq!(answer.json()["Users"].as_array().unwrap().len(), 3);

    let broken = send(
        http()
            .post(sandbox.base_url())
            .header("Content-Type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(broken.ret_code(), 230);
    assert_request_id(&broken);
}

#[tokio::test]
async fn request_id_on_every_response() {
    let sandbox = start_default().await;

    let elsewhere = send(http().get(format!("{}/elsewhere", sandbox.base_url()))).await;
    assert_eq!(elsewhere.status, 404);
    assert_request_id(&elsewhere);

    let unsigned = send(http().get(sandbox.base_url())).await;
    assert_eq!(unsigned.ret_code(), 170);
    assert_request_id(&unsigned);

    let first = post_form(&sandbox, &signed("ListUsers", &[])).await;
    let second = post_form(&sandbox, &signed("ListUsers", &[])).await;
    assert_ne!(first.request_id, second.request_id);
}

#[tokio::test]
async fn paging_edges() {
    let sandbox = start(SandboxOptions {
        users: Some(250),
        ..SandboxOptions::default()
    })
    .await;
    let list =
        async |pairs: &[(&str, &str)]| post_form(&sandbox, &signed("ListUsers", pairs)).await;
    let users = |answer: &Answer| answer.json()["Users"].as_array().unwrap().len();

    let default = list(&[]).await;
    assert_eq!(users(&default), 10);
    assert_eq!(default.json()["TotalCount"], 250);

    assert_eq!(users(&list(&[("Limit", "500")]).await), 100);
    assert_eq!(
        users(&list(&[("Limit", "100"), ("Offset", "200")]).await),
        50
    );

    let past = list(&[("Offset", "251")]).await;
    assert_eq!(past.ret_code(), 0);
    assert_eq!(users(&past), 0);
    assert_eq!(past.json()["TotalCount"], 250);
    let far = list(&[("Offset", "99999999999999999999999")]).await;
    assert_eq!(users(&far), 0);

    for (field, value) in [("Limit", "ten"), ("Offset", "-1"), ("Limit", "")] {
        let answer = list(&[(field, value)]).await;
        assert_eq!(answer.ret_code(), 230, "{field}={value}");
        assert!(
            answer.message().contains(&format!("[{field}]")),
            "{}",
            answer.message()
        );
    }

    // Consecutive pages tile the directory with no gap or repeat.
    let all = client(&sandbox).list_all_users().await.unwrap();
    let mut names: Vec<&str> = all.iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(names.len(), 250);
    names.dedup();
    assert_eq!(names.len(), 250);
}

/// Extra request fields, as `(name, value)` pairs.
type Fields<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn every_validation_error_names_its_field_and_changes_nothing() {
    let sandbox = start_default().await;
    let before_profile = profile(&sandbox, "li.na").await;
    let before_user = user(&sandbox, "li.na").await;

    let cases: &[(Fields, i64, &str)] = &[
        (&[("Status", "Frozen")], 231, "Status"),
        (&[("Status", "active")], 231, "Status"),
        (&[("MaxPasswordAge", "1096")], 232, "MaxPasswordAge"),
        (&[("MaxPasswordAge", "ninety")], 232, "MaxPasswordAge"),
        (&[("MaxPasswordAge", "-1")], 232, "MaxPasswordAge"),
        (&[("UserEmail", "not-an-address")], 233, "UserEmail"),
        (&[("UserEmail", "a b@example.com")], 233, "UserEmail"),
        (&[("MFABindRequired", "yes")], 234, "MFABindRequired"),
        (
            &[("PasswordResetRequired", "1")],
            234,
            "PasswordResetRequired",
        ),
        (&[("Password", "short1A")], 235, "Password"),
        (&[("Password", "alllowercase1")], 235, "Password"),
        // One bad field spoils the whole request: the good ones are not applied.
        (
            &[
                ("Status", "Inactive"),
                ("MaxPasswordAge", "7"),
                ("UserEmail", "bad@"),
            ],
            233,
            "UserEmail",
        ),
        (
            &[
                ("UserEmail", "new@example.com"),
                ("Password", "weakpassword"),
            ],
            235,
            "Password",
        ),
    ];

    for (pairs, code, field) in cases {
        let mut all = vec![("UserName", "li.na")];
        all.extend_from_slice(pairs);
        let answer = post_form(&sandbox, &signed("UpdateLoginProfile", &all)).await;

        assert_eq!(answer.ret_code(), *code, "{pairs:?}: {}", answer.text);
        assert_eq!(answer.json()["Action"], "UpdateLoginProfileResponse");
        assert!(
            answer.message().contains(field),
            "{pairs:?}: {}",
            answer.message()
        );
        for (_, value) in pairs.iter().filter(|(key, _)| *key == "Password") {
            assert!(
                !answer.text.contains(value),
                "password echoed: {}",
                answer.text
            );
        }
        assert_request_id(&answer);
    }

    assert_eq!(profile(&sandbox, "li.na").await, before_profile);
    assert_eq!(user(&sandbox, "li.na").await, before_user);
}

#[tokio::test]
async fn missing_user_name_and_unknown_user() {
    let sandbox = start_default().await;

    for action in ["GetUser", "GetLoginProfile", "UpdateLoginProfile"] {
        let answer = post_form(&sandbox, &signed(action, &[])).await;
        assert_eq!(answer.ret_code(), 230, "{action}");
        assert_eq!(answer.message(), "Missing params [UserName]");

        let answer = post_form(&sandbox, &signed(action, &[("UserName", "nobody")])).await;
        assert_eq!(answer.ret_code(), 11021, "{action}");
        assert!(answer.message().contains("nobody"));
    }

    let error = client(&sandbox)
        .get_login_profile("nobody")
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert!(!error.is_transient());
}

#[tokio::test]
async fn partial_update_leaves_other_fields_alone() {
    let sandbox = start_default().await;
    let client = client(&sandbox);
    let before = client.get_login_profile("sato.haruto").await.unwrap();
    let user_before = client.get_user("sato.haruto").await.unwrap();

    let mut change = LoginProfileChange::new("sato.haruto");
    change.mfa_bind_required = Some(!before.mfa_bind_required);
    client.update_login_profile(&change).await.unwrap();

    let after = client.get_login_profile("sato.haruto").await.unwrap();
    assert_eq!(after.mfa_bind_required, !before.mfa_bind_required);
    assert_eq!(after.status, before.status);
    assert_eq!(after.max_password_age, before.max_password_age);
    assert_eq!(
        after.password_reset_required,
        before.password_reset_required
    );
    assert_eq!(client.get_user("sato.haruto").await.unwrap(), user_before);

    // An update with nothing but the user name is accepted and changes nothing.
    client
        .update_login_profile(&LoginProfileChange::new("sato.haruto"))
        .await
        .unwrap();
    assert_eq!(
        client.get_login_profile("sato.haruto").await.unwrap(),
        after
    );
}

#[tokio::test]
async fn user_email_shows_in_get_user_and_list_users() {
    let sandbox = start_default().await;
    let client = client(&sandbox);

    let mut change = LoginProfileChange::new("zhang.wei");
    change.email = Some("张伟@例子.中国".into());
    client.update_login_profile(&change).await.unwrap();

    assert_eq!(
        client.get_user("zhang.wei").await.unwrap().email,
        "张伟@例子.中国"
    );
    let listed = client.list_all_users().await.unwrap();
    let listed = listed.iter().find(|u| u.user_name == "zhang.wei").unwrap();
    assert_eq!(listed.email, "张伟@例子.中国");
}

fn state_path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("sandbox-state.json")
}

fn with_state(path: &Path) -> SandboxOptions {
    SandboxOptions {
        state_file: Some(path.to_owned()),
        ..SandboxOptions::default()
    }
}

#[tokio::test]
async fn restart_keeps_every_change_and_no_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_path(&dir);
    let password = "Plain-Text-Passw0rd!";

    let sandbox = start(with_state(&path)).await;
    assert!(path.exists(), "the seeded state is written at start");
    let client = client(&sandbox);
    let mut change = LoginProfileChange::new("kim.minjun");
    change.status = Some(ProfileStatus::Inactive);
    change.email = Some("minjun@example.org".into());
    change.password = Some(SecretString::from(password));
    change.max_password_age = Some(0);
    change.mfa_bind_required = Some(true);
    change.password_reset_required = Some(true);
    client.update_login_profile(&change).await.unwrap();
    let mut second = LoginProfileChange::new("ivan.petrov");
    second.status = Some(ProfileStatus::Active);
    client.update_login_profile(&second).await.unwrap();

    // Acknowledged means on disk, before any shutdown.
    let saved = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&saved);
    assert!(text.contains("minjun@example.org"));
    assert!(
        !text.contains(password),
        "plaintext password in the state file"
    );
    assert!(!text.contains(&hex::encode(password)));
    let state: Value = serde_json::from_slice(&saved).unwrap();
    let stored = state["Users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["UserName"] == "kim.minjun")
        .unwrap();
    assert!(stored["Password"]["Hash"].as_str().unwrap().len() >= 40);
    assert!(stored["Password"]["SetAt"].as_i64().unwrap() > 1_700_000_000);
    sandbox.shutdown().await.unwrap();

    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "temporary files left behind: {entries:?}");

    let restarted = start(with_state(&path)).await;
    let client = self::client(&restarted);
    let profile = client.get_login_profile("kim.minjun").await.unwrap();
    assert_eq!(profile.status, ProfileStatus::Inactive);
    assert_eq!(profile.max_password_age, 0);
    assert!(profile.mfa_bind_required);
    assert!(profile.password_reset_required);
    assert_eq!(
        client.get_user("kim.minjun").await.unwrap().email,
        "minjun@example.org"
    );
    assert_eq!(
        client
            .get_login_profile("ivan.petrov")
            .await
            .unwrap()
            .status,
        ProfileStatus::Active
    );
    restarted.shutdown().await.unwrap();
}

#[tokio::test]
async fn concurrent_changes_are_all_on_disk_when_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_path(&dir);
    let sandbox = start(with_state(&path)).await;
    let client = client(&sandbox);
    let users = client.list_all_users().await.unwrap();

    let updates = users.iter().map(|user| {
        let mut change = LoginProfileChange::new(&user.user_name);
        change.max_password_age = Some(777);
        let client = client.clone();
        async move { client.update_login_profile(&change).await.map(|_| ()) }
    });
    let results: Vec<Result<(), ApiError>> = futures::future::join_all(updates).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    let state: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for stored in state["Users"].as_array().unwrap() {
        assert_eq!(
            stored["LoginProfile"]["MaxPasswordAge"], 777,
            "{}",
            stored["UserName"]
        );
    }
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn corrupt_state_file_is_a_clear_error_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_path(&dir);
    std::fs::write(&path, b"{\"Format\":\"ucam-sandbox-state\",\"Users\":[").unwrap();

    let error = sandbox::start(with_state(&path)).await.unwrap_err();

    assert!(
        matches!(error, SandboxError::StateFileCorrupt { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("line 1"), "{message}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"Format\":\"ucam-sandbox-state\",\"Users\":["
    );
}

/// What one call through the client came to.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Http503,
    Throttled,
    Dropped,
    Malformed,
    Other(String),
}

fn outcome<T>(result: Result<T, ApiError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Ok,
        Err(ApiError::HttpStatus { status: 503, .. }) => Outcome::Http503,
        Err(ApiError::RetCode { code: 153, .. }) => Outcome::Throttled,
        Err(ApiError::Transport { .. }) => Outcome::Dropped,
        Err(ApiError::Garbled { .. }) => Outcome::Malformed,
        Err(other) => Outcome::Other(other.to_string()),
    }
}

async fn outcomes(sandbox: &RunningSandbox, count: usize) -> Vec<Outcome> {
    let client = client(sandbox);
    let mut seen = Vec::new();
    for _ in 0..count {
        seen.push(outcome(client.list_users(5, 0).await));
    }
    seen
}

fn faulty(fail_rate: f64, seed: u64) -> SandboxOptions {
    SandboxOptions {
        fail_rate,
        seed,
        ..SandboxOptions::default()
    }
}

#[tokio::test]
async fn fail_rate_one_gives_only_faults_of_every_kind() {
    let sandbox = start(faulty(1.0, 3)).await;

    let seen = outcomes(&sandbox, 60).await;

    for kind in [
        Outcome::Http503,
        Outcome::Throttled,
        Outcome::Dropped,
        Outcome::Malformed,
    ] {
        assert!(seen.contains(&kind), "{kind:?} never seen in {seen:?}");
    }
    assert!(
        !seen
            .iter()
            .any(|o| matches!(o, Outcome::Ok | Outcome::Other(_))),
        "{seen:?}"
    );

    // Raw requests too: throttling carries the request id and the action.
    let mut throttled = None;
    for _ in 0..100 {
        let request = http()
            .post(sandbox.base_url())
            .form(&[("Action", "ListUsers")]);
        let Ok(response) = request.send().await else {
            continue;
        };
        let request_id = response.headers().get(REQUEST_ID).cloned();
        let text = response.text().await.unwrap_or_default();
        if text.contains("153") {
            throttled = Some((request_id, text));
            break;
        }
    }
    let (request_id, text) = throttled.expect("no RetCode 153 in 100 faulted requests");
    assert!(request_id.is_some());
    let throttled = serde_json::from_str::<Value>(&text).unwrap();
    assert_eq!(throttled["RetCode"], 153);
    assert_eq!(throttled["Action"], "ListUsersResponse");
}

#[tokio::test]
async fn fail_rate_zero_gives_no_faults() {
    let sandbox = start(faulty(0.0, 3)).await;

    let seen = outcomes(&sandbox, 60).await;

    assert!(seen.iter().all(|o| *o == Outcome::Ok), "{seen:?}");
}

#[tokio::test]
async fn seeded_faults_are_reproducible() {
    let first = start(faulty(0.5, 42)).await;
    let second = start(faulty(0.5, 42)).await;
    let other = start(faulty(0.5, 43)).await;

    let a = outcomes(&first, 40).await;
    let b = outcomes(&second, 40).await;
    let c = outcomes(&other, 40).await;

    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(
        a.contains(&Outcome::Ok) && a.iter().any(|o| *o != Outcome::Ok),
        "{a:?}"
    );
}

#[tokio::test]
async fn faulted_changes_are_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_path(&dir);
    let sandbox = start(SandboxOptions {
        fail_rate: 1.0,
        ..with_state(&path)
    })
    .await;
    let before = std::fs::read(&path).unwrap();

    let client = client(&sandbox);
    for age in 1..=30 {
        let mut change = LoginProfileChange::new("chen.jing");
        change.max_password_age = Some(age);
        assert!(client.update_login_profile(&change).await.is_err());
    }
    sandbox.shutdown().await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let calm = start(with_state(&path)).await;
    assert_eq!(profile(&calm, "chen.jing").await["MaxPasswordAge"], 0);
}

#[tokio::test]
async fn latency_delays_answers() {
    let sandbox = start(SandboxOptions {
        latency: Duration::from_millis(300),
        ..SandboxOptions::default()
    })
    .await;
    let client = client(&sandbox);

    let started = Instant::now();
    client.list_users(1, 0).await.unwrap();

    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn hundred_thousand_users() {
    let sandbox = start(SandboxOptions {
        users: Some(100_000),
        seed: 5,
        ..SandboxOptions::default()
    })
    .await;
    let client = client(&sandbox);

    let first = client.list_users(100, 0).await.unwrap();
    let last = client.list_users(100, 99_950).await.unwrap();

    assert_eq!(first.total_count, 100_000);
    assert_eq!(first.users.len(), 100);
    assert_eq!(last.users.len(), 50);
    assert!(last.users[49].user_name.ends_with("100000"));
    assert!(last.users[0].created_at > first.users[99].created_at);
    let found = client.get_user(&last.users[10].user_name).await.unwrap();
    assert_eq!(found, last.users[10]);
}

#[tokio::test]
async fn generated_directory_depends_only_on_the_seed() {
    let options = || SandboxOptions {
        users: Some(300),
        seed: 11,
        ..SandboxOptions::default()
    };
    let first = start(options()).await;
    let second = start(options()).await;

    let a = client(&first).list_all_users().await.unwrap();
    let b = client(&second).list_all_users().await.unwrap();

    assert_eq!(a.len(), 300);
    assert_eq!(a, b);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sandbox = start_default().await;
    let url = sandbox.base_url();
    sandbox.shutdown().await.unwrap();

    assert!(http().get(url).send().await.is_err());
}

#[tokio::test]
async fn serve_returns_when_shutdown_resolves() {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(sandbox::serve(SandboxOptions::default(), async {
        let _ = stopped.await;
    }));

    stop.send(()).unwrap();

    serving.await.unwrap().unwrap();
}

#[tokio::test]
async fn bad_options_are_refused() {
    let error = sandbox::start(faulty(1.5, 0)).await.unwrap_err();
    assert!(error.to_string().contains("fail_rate"), "{error}");

    let taken = start_default().await;
    let error = sandbox::start(SandboxOptions {
        listen: taken.addr,
        ..SandboxOptions::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(error, SandboxError::Bind { .. }), "{error:?}");
}

#[test]
fn options_debug_hides_the_private_key() {
    let options = SandboxOptions {
        private_key: SecretString::from("very-secret-key"),
        ..SandboxOptions::default()
    };

    assert!(!format!("{options:?}").contains("very-secret-key"));
}
