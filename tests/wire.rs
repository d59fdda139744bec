//! What reaches the wire: the real `ucam` binary talks to a tiny HTTP/1.1
//! server written here, which records each request and answers with a canned
//! body and a request id. The signature is recomputed independently.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use sha1::{Digest, Sha1};
use support::{PRIVATE_KEY, PUBLIC_KEY, TestHome, assert_exit, run, stderr, stdout};

/// One request as the server saw it.
#[derive(Debug)]
struct Recorded {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    raw_body: String,
    form: BTreeMap<String, String>,
}

const REQUEST_ID: &str = "req-7f3a";

/// Serves on a free loopback port; `answer` gives the JSON for each request.
fn serve(answer: fn(&Recorded) -> String) -> (String, Receiver<Recorded>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let sender = sender.clone();
            thread::spawn(move || handle(stream, &sender, answer));
        }
    });
    (base_url, receiver)
}

fn handle(stream: TcpStream, sender: &Sender<Recorded>, answer: fn(&Recorded) -> String) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();

    let mut headers = BTreeMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .map(|v| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let raw_body = String::from_utf8(body).unwrap();

    let recorded = Recorded {
        form: decode_form(&raw_body),
        method,
        path,
        headers,
        raw_body,
    };
    let json = answer(&recorded);
    sender.send(recorded).unwrap();

    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
         X-UCLOUD-REQUEST-UUID: {REQUEST_ID}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{json}",
        json.len()
    );
    let mut stream = stream;
    stream.write_all(response.as_bytes()).unwrap();
}

fn decode_form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// The UCloud signature, written out again here rather than borrowed from
/// the crate: sorted `key + value`, then the private key, SHA-1, hex.
fn expected_signature(form: &BTreeMap<String, String>, private_key: &str) -> String {
    let mut hasher = Sha1::new();
    for (key, value) in form.iter().filter(|(key, _)| *key != "Signature") {
        hasher.update(key.as_bytes());
        hasher.update(value.as_bytes());
    }
    hasher.update(private_key.as_bytes());
    hex::encode(hasher.finalize())
}

fn ok(_: &Recorded) -> String {
    r#"{"RetCode":0,"Action":"UpdateLoginProfileResponse"}"#.to_owned()
}

fn next_request(receiver: &Receiver<Recorded>) -> Recorded {
    receiver.recv_timeout(Duration::from_secs(10)).unwrap()
}

#[test]
fn profile_set_posts_a_signed_form_with_only_the_given_fields() {
    let home = TestHome::new();
    let (base_url, requests) = serve(ok);

    let output = run(
        home.ucam_with_account(&base_url).args([
            "profile",
            "set",
            "alice",
            "--email",
            "a@example.org",
            "--mfa-required",
            "true",
        ]),
        None,
    );

    assert_exit(&output, 0);
    let request = next_request(&requests);
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/");
    assert_eq!(
        request.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert!(request.headers["user-agent"].starts_with("ucam/"));
    let timestamp: u128 = request.headers["u-timestamp-ms"].parse().unwrap();
    assert!(timestamp > 1_600_000_000_000);

    let keys: Vec<&str> = request.form.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "Action",
            "MFABindRequired",
            "PublicKey",
            "Signature",
            "UserEmail",
            "UserName"
        ]
    );
    assert_eq!(request.form["Action"], "UpdateLoginProfile");
    assert_eq!(request.form["PublicKey"], PUBLIC_KEY);
    assert_eq!(request.form["UserName"], "alice");
    assert_eq!(request.form["UserEmail"], "a@example.org");
    assert_eq!(request.form["MFABindRequired"], "true");
    assert_eq!(
        request.form["Signature"],
        expected_signature(&request.form, PRIVATE_KEY)
    );
    assert!(!request.raw_body.contains(PRIVATE_KEY));
    assert!(!request.headers.values().any(|v| v.contains(PRIVATE_KEY)));

    let text = stdout(&output);
    let line = text.trim_end();
    let expected_start =
        format!("updated alice: UserEmail, MFABindRequired (request id {REQUEST_ID}, ");
    assert!(line.starts_with(&expected_start), "{line}");
    assert!(line.ends_with(" ms)"), "{line}");
}

#[test]
fn password_from_stdin_goes_in_the_body_and_nowhere_else() {
    let home = TestHome::new();
    let (base_url, requests) = serve(ok);
    let password = "Wire-Test-Pass-42";

    let output = run(
        home.ucam_with_account(&base_url).args([
            "profile",
            "set",
            "bob",
            "--password-stdin",
            "-o",
            "json",
        ]),
        Some(&format!("{password}\n")),
    );

    assert_exit(&output, 0);
    let request = next_request(&requests);
    assert_eq!(request.path, "/");
    assert_eq!(request.form["Password"], password);
    assert_eq!(
        request.form["Signature"],
        expected_signature(&request.form, PRIVATE_KEY)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["user"], "bob");
    assert_eq!(json["changed"], serde_json::json!(["Password"]));
    assert_eq!(json["request_id"], REQUEST_ID);
    assert!(json.get("password").is_none());
    assert!(!stdout(&output).contains(password));
    assert!(!stderr(&output).contains(password));
    assert!(!home.data_files_text().contains(password));
}

fn users_page(request: &Recorded) -> String {
    if request.form.get("Action").map(String::as_str) != Some("ListUsers") {
        return r#"{"RetCode":161,"Message":"unknown action"}"#.to_owned();
    }
    r#"{"RetCode":0,"TotalCount":2,"Users":[
        {"UserName":"alice","DisplayName":"Alice","Email":"alice@example.org",
         "Status":"Active","CreatedAt":1700000000},
        {"UserName":"wei","DisplayName":"张伟","Email":"wei@example.org",
         "Status":"Frozen","CreatedAt":1700000000}]}"#
        .to_owned()
}

#[test]
fn users_list_sends_list_users_with_limit_and_offset() {
    let home = TestHome::new();
    let (base_url, requests) = serve(users_page);

    let output = run(
        home.ucam_with_account(&base_url)
            .args(["users", "list", "-o", "json"]),
        None,
    );

    assert_exit(&output, 0);
    let request = next_request(&requests);
    assert_eq!(request.form["Action"], "ListUsers");
    assert_eq!(request.form["Limit"], "100");
    assert_eq!(request.form["Offset"], "0");
    assert_eq!(
        request.form["Signature"],
        expected_signature(&request.form, PRIVATE_KEY)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["total"], 2);
    assert_eq!(json["users"][1]["user_name"], "wei");
    assert_eq!(json["users"][1]["display_name"], "张伟");
}

fn refused(_: &Recorded) -> String {
    r#"{"RetCode":299,"Message":"IAM permission denied"}"#.to_owned()
}

fn not_found(_: &Recorded) -> String {
    r#"{"RetCode":11021,"Message":"user not found"}"#.to_owned()
}

#[test]
fn a_refusal_shows_the_request_id_and_exits_5() {
    let home = TestHome::new();
    let (base_url, _requests) = serve(refused);

    let output = run(
        home.ucam_with_account(&base_url)
            .args(["profile", "set", "alice", "--status", "Inactive"]),
        None,
    );

    assert_exit(&output, 5);
    let errors = stderr(&output);
    assert!(errors.contains("RetCode 299"), "{errors}");
    assert!(
        errors.contains(&format!("request id {REQUEST_ID}")),
        "{errors}"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn an_unknown_user_exits_4_with_the_request_id() {
    let home = TestHome::new();
    let (base_url, _requests) = serve(not_found);

    let output = run(
        home.ucam_with_account(&base_url)
            .args(["profile", "get", "nobody"]),
        None,
    );

    assert_exit(&output, 4);
    assert!(stderr(&output).contains(REQUEST_ID));
}

#[test]
fn dry_run_prints_the_masked_request_and_sends_nothing() {
    let home = TestHome::new();
    let (base_url, requests) = serve(ok);
    let password = "Dry-Run-Pass-42";

    let output = run(
        home.ucam_with_account(&base_url).args([
            "profile",
            "set",
            "alice",
            "--password-stdin",
            "--reset-required",
            "true",
            "--dry-run",
        ]),
        Some(&format!("{password}\n")),
    );

    assert_exit(&output, 0);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("POST {base_url}/"));
    assert_eq!(
        lines[3],
        format!(
            "Action=UpdateLoginProfile&Password=***&PasswordResetRequired=true\
             &PublicKey={PUBLIC_KEY}&Signature=***&UserName=alice"
        )
    );
    assert!(!text.contains(password));
    assert!(requests.try_recv().is_err(), "a dry run sent a request");
}

fn throttled(_: &Recorded) -> String {
    r#"{"RetCode":153,"Message":"throttled"}"#.to_owned()
}

#[test]
fn throttling_is_retried_then_exits_6() {
    let home = TestHome::new();
    let (base_url, requests) = serve(throttled);

    let output = run(
        home.ucam_with_account(&base_url)
            .args(["profile", "set", "alice", "--status", "Active"]),
        None,
    );

    assert_exit(&output, 6);
    assert!(
        stderr(&output).contains("gave up after 4 attempts"),
        "{}",
        stderr(&output)
    );
    assert_eq!(requests.try_iter().count(), 4);
}
