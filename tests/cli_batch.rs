//! `ucam batch` end to end: validation before sending, per-row results, the
//! journal, and a re-run after the process was killed mid-way.

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use serde_json::Value;
use support::{TestHome, TestSandbox, assert_exit, run, stderr, stdout};

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

#[test]
fn an_invalid_file_lists_every_error_and_sends_nothing() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let before = sandbox.state_text();
    let file = home.write(
        "changes.jsonl",
        "# rows to fix\n\
         {\"user\":\"li.na\",\"mfa_required\":true}\n\
         {\"user\":\"zhang.wei\",\"status\":\"Frozen\"}\n\
         {\"user\":\"wang.fang\",\"colour\":\"blue\"}\n\
         {\"user\":\"chen.jing\",\"max_password_age\":5000}\n\
         {\"user\":\"liu.yang\",\"password\":\"weak\"}\n\
         {\"user\":\"zhao.lei\"\n\
         {\"user\":\"sun.li\",\"email\":\"sun.li-at-example.org\"}\n",
    );

    let output = run(home.ucam_for(&sandbox).arg("batch").arg(&file), None);

    assert_exit(&output, 2);
    let errors = stderr(&output);
    for expected in [
        "line 3: status:",
        "line 4: colour: unknown field",
        "line 5: max_password_age:",
        "line 6: password:",
        "line 7, column ",
        "line 8: email: \"sun.li-at-example.org\" is not an email address",
    ] {
        assert!(
            errors.contains(expected),
            "{expected:?} missing in:\n{errors}"
        );
    }
    assert!(!errors.contains("line 2"), "{errors}");
    assert!(!errors.contains("weak"), "{errors}");
    assert!(stdout(&output).is_empty());
    assert_eq!(sandbox.state_text(), before);
}

#[test]
fn rows_run_with_a_generated_password_and_a_rerun_skips_them() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let file = home.write(
        "changes.jsonl",
        "{\"user\":\"li.na\",\"mfa_required\":true,\"max_password_age\":60}\n\
         \n\
         {\"user\":\"zhang.wei\",\"generate_password\":true,\"reset_required\":true}\n",
    );
    let journal = home.dir.path().join("journal.jsonl");

    let output = run(
        home.ucam_for(&sandbox)
            .arg("batch")
            .arg(&file)
            .arg("--journal")
            .arg(&journal)
            .args(["-o", "json"]),
        None,
    );

    assert_exit(&output, 0);
    let mut rows = json_lines(&stdout(&output));
    rows.sort_by_key(|row| row["line"].as_u64());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["line"], 1);
    assert_eq!(rows[0]["user"], "li.na");
    assert_eq!(rows[0]["outcome"], "ok");
    assert_eq!(
        rows[0]["changed"],
        serde_json::json!(["MaxPasswordAge", "MFABindRequired"])
    );
    assert!(rows[0].get("password").is_none());
    assert_eq!(rows[1]["line"], 3);
    assert_eq!(
        rows[1]["changed"],
        serde_json::json!(["Password", "PasswordResetRequired"])
    );
    let password = rows[1]["password"].as_str().unwrap().to_owned();
    assert_eq!(password.chars().count(), 20);

    let stored = sandbox.stored_user("zhang.wei");
    assert!(stored["Password"]["SetAt"].as_i64().is_some());
    assert_eq!(stored["LoginProfile"]["PasswordResetRequired"], true);
    assert_eq!(
        sandbox.stored_user("li.na")["LoginProfile"]["MaxPasswordAge"],
        60
    );

    let journal_text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(journal_text.lines().count(), 2);
    assert!(!journal_text.contains(&password));
    assert!(!home.data_files_text().contains(&password));

    let again = run(
        home.ucam_for(&sandbox)
            .arg("batch")
            .arg(&file)
            .arg("--journal")
            .arg(&journal),
        None,
    );
    assert_exit(&again, 0);
    assert_eq!(
        stdout(&again),
        "line 1 li.na: skipped (done in an earlier run)\n\
         line 3 zhang.wei: skipped (done in an earlier run)\n"
    );
}

#[test]
fn a_failed_row_exits_1_and_is_retried_on_the_next_run() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let file = home.write(
        "changes.jsonl",
        "{\"user\":\"li.na\",\"status\":\"Inactive\"}\n\
         {\"user\":\"nobody.here\",\"status\":\"Inactive\"}\n",
    );

    let first = run(home.ucam_for(&sandbox).arg("batch").arg(&file), None);

    assert_exit(&first, 1);
    let text = stdout(&first);
    assert!(text.contains("line 1 li.na: ok (request id "), "{text}");
    assert!(
        text.contains("line 2 nobody.here: failed: UpdateLoginProfile: RetCode 11021"),
        "{text}"
    );

    // The default journal lives in the data dir.
    let journals: Vec<_> = std::fs::read_dir(home.data_dir().join("journals"))
        .unwrap()
        .collect();
    assert_eq!(journals.len(), 1);

    let second = run(home.ucam_for(&sandbox).arg("batch").arg(&file), None);
    assert_exit(&second, 1);
    let text = stdout(&second);
    assert!(text.contains("line 1 li.na: skipped"), "{text}");
    assert!(text.contains("line 2 nobody.here: failed"), "{text}");
}

/// Result lines of a table-format run: line number to outcome word.
fn outcomes(text: &str) -> Vec<(u64, String)> {
    text.lines()
        .map(|line| {
            let rest = line.strip_prefix("line ").unwrap();
            let (number, rest) = rest.split_once(' ').unwrap();
            let outcome = rest.split(": ").nth(1).unwrap();
            let word = outcome.split([' ', ',']).next().unwrap().to_owned();
            (number.parse().unwrap(), word)
        })
        .collect()
}

#[test]
fn a_killed_run_resumes_and_applies_every_row_once() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let users: Vec<String> = {
        let output = run(
            home.ucam_for(&sandbox)
                .args(["users", "list", "-o", "json"]),
            None,
        );
        let list: Value = serde_json::from_str(&stdout(&output)).unwrap();
        list["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|user| user["user_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let rows: String = users
        .iter()
        .map(|user| format!("{{\"user\":\"{user}\",\"max_password_age\":45}}\n"))
        .collect();
    let file = home.write("all.jsonl", &rows);
    let all_lines: BTreeSet<u64> = (1..=users.len() as u64).collect();

    let mut child = home
        .ucam_for(&sandbox)
        .arg("batch")
        .arg(&file)
        .args(["--rate", "10", "--concurrency", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first_run = String::new();
    for _ in 0..3 {
        reader.read_line(&mut first_run).unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Lines already written before the kill also count.
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut reader, &mut rest);
    first_run.push_str(&rest);

    let first = outcomes(&first_run);
    assert!(first.len() >= 3 && first.len() < users.len(), "{first_run}");
    assert!(first.iter().all(|(_, word)| word == "ok"), "{first_run}");
    let done_first: BTreeSet<u64> = first.iter().map(|(line, _)| *line).collect();

    let second_run = run(
        home.ucam_for(&sandbox)
            .arg("batch")
            .arg(&file)
            .args(["--rate", "50"]),
        None,
    );
    assert_exit(&second_run, 0);
    let second = outcomes(&stdout(&second_run));
    let skipped: BTreeSet<u64> = second
        .iter()
        .filter(|(_, word)| word == "skipped")
        .map(|(line, _)| *line)
        .collect();
    let done_second: BTreeSet<u64> = second
        .iter()
        .filter(|(_, word)| word == "ok")
        .map(|(line, _)| *line)
        .collect();

    assert_eq!(
        skipped, done_first,
        "rows done in run 1 are skipped in run 2"
    );
    assert!(
        done_first.is_disjoint(&done_second),
        "no row is applied twice"
    );
    let union: BTreeSet<u64> = done_first.union(&done_second).copied().collect();
    assert_eq!(union, all_lines, "every row is applied");
    for user in &users {
        assert_eq!(
            sandbox.stored_user(user)["LoginProfile"]["MaxPasswordAge"],
            45
        );
    }
}
