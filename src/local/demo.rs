//! Demo data for `cctui --demo` and `cctui serve --seed demo`.
//!
//! Histories are written with one `git fast-import` process per repository, not one `git
//! commit` per commit: seeding 1,000+ commits takes well under a second.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use serde_json::json;

use crate::local::ServeError;
use crate::local::config::{DEMO_ACCOUNT_ID, DEMO_REGION, ServiceConfig};
use crate::local::ops::Ops;
use crate::local::server::{LocalService, RunningService};
use crate::local::store::Store;

/// Repository with the long history (≥ 1,000 commits on `master`, several branches).
pub const DEMO_HISTORY_REPO: &str = "cctui-demo";
/// Repository whose `feature/conflict` branch conflicts with `master` in two files.
pub const DEMO_CONFLICT_REPO: &str = "merge-conflict";
/// Repository without any commit.
pub const DEMO_EMPTY_REPO: &str = "empty-repo";
/// Branch of [`DEMO_HISTORY_REPO`] whose pull request conflicts with `master` (both change the
/// same lines of README.md).
pub const DEMO_CONFLICT_BRANCH: &str = "feature/readme-rewrite";
/// Number of commits on `master` of [`DEMO_HISTORY_REPO`].
pub const DEMO_HISTORY_COMMITS: usize = 1200;

const MARKER: &str = "demo-seeded";

/// Starts the demo service on an ephemeral port over `data_dir`, seeding the demo repositories
/// the first time (or again when `reset` is true, after wiping the service data).
pub async fn start_demo(data_dir: &Path, reset: bool) -> Result<RunningService, ServeError> {
    let dir = data_dir.to_path_buf();
    tokio::task::spawn_blocking(move || seed_if_needed(&dir, reset))
        .await
        .map_err(|e| ServeError::Seed(e.to_string()))??;
    // Clones made in the demo keep the service URL in their `origin`: the demo reuses the port
    // of its last run so they still push and fetch after a restart (a fresh one if taken).
    // The same for the SSH endpoint, whose URLs SSH clones keep.
    let port_file = data_dir.join("demo-port");
    let ssh_port_file = data_dir.join("demo-ssh-port");
    let read_port = |file: &Path| {
        std::fs::read_to_string(file)
            .ok()
            .and_then(|p| p.trim().parse::<u16>().ok())
    };
    let (previous, previous_ssh) = (read_port(&port_file), read_port(&ssh_port_file));
    let mut config = ServiceConfig::new(data_dir);
    config.port = previous.unwrap_or(0);
    config.ssh_port = Some(previous_ssh.unwrap_or(0));
    if previous.is_some() || previous_ssh.is_some() {
        if let Ok(service) = LocalService::start(config.clone()).await {
            protect_master_for_carol(&service)?;
            return Ok(service);
        }
        config.port = 0;
        config.ssh_port = Some(0);
    }
    let service = LocalService::start(config).await?;
    protect_master_for_carol(&service)?;
    // Not fatal: without the files the next run picks new ports.
    let _ = std::fs::write(&port_file, service.port().to_string());
    if let (Some(ssh_port), Some(fingerprint)) =
        (service.ssh_port(), service.ssh_host_key_fingerprint())
    {
        let _ = std::fs::write(&ssh_port_file, ssh_port.to_string());
        tracing::info!(ssh_port, fingerprint, "demo SSH endpoint started");
    }
    Ok(service)
}

/// Name of carol's inline policy in the demo.
pub const CAROL_POLICY_NAME: &str = "protect-master";

/// carol's policy: all of CodeCommit, except changing `master` of any demo repository — the
/// AWS CodeCommit user guide's branch protection ("Limit pushes and merges to branches": Deny
/// with `StringEqualsIfExists` `codecommit:References` = `refs/heads/master` and `Null`
/// `codecommit:References` false, so calls without a branch are not denied by it).
pub fn carol_policy() -> String {
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "AllowCodeCommit",
      "Effect": "Allow",
      "Action": "codecommit:*",
      "Resource": "*"
    }},
    {{
      "Sid": "ProtectMaster",
      "Effect": "Deny",
      "Action": [
        "codecommit:GitPush",
        "codecommit:DeleteBranch",
        "codecommit:PutFile",
        "codecommit:MergeBranchesByFastForward",
        "codecommit:MergeBranchesBySquash",
        "codecommit:MergeBranchesByThreeWay",
        "codecommit:MergePullRequestByFastForward",
        "codecommit:MergePullRequestBySquash",
        "codecommit:MergePullRequestByThreeWay"
      ],
      "Resource": "arn:aws:codecommit:{DEMO_REGION}:{DEMO_ACCOUNT_ID}:*",
      "Condition": {{
        "StringEqualsIfExists": {{ "codecommit:References": ["refs/heads/master"] }},
        "Null": {{ "codecommit:References": false }}
      }}
    }}
  ]
}}
"#
    )
}

/// Puts [`carol_policy`] on carol unless she has a policy already (kept as the operator
/// left it).
fn protect_master_for_carol(service: &RunningService) -> Result<(), ServeError> {
    service
        .iam()
        .put_policy_if_unrestricted(
            crate::local::DEMO_CAROL_USER,
            CAROL_POLICY_NAME,
            &carol_policy(),
        )
        .map(|_| ())
        .map_err(|e| ServeError::Seed(format!("carol's policy: {}", e.message)))
}

/// Seeds the demo repositories into `data_dir` unless that was done before (or `reset`).
pub fn seed_if_needed(data_dir: &Path, reset: bool) -> Result<(), ServeError> {
    let marker = data_dir.join(MARKER);
    if reset {
        // Only the service's own subdirectories: never wipe a directory we did not create.
        for sub in ["meta", "repos"] {
            let path = data_dir.join(sub);
            if path.exists() {
                std::fs::remove_dir_all(&path).map_err(|e| {
                    ServeError::Seed(format!("cannot remove {}: {e}", path.display()))
                })?;
            }
        }
        let _ = std::fs::remove_file(&marker);
        // The IAM state too (SSH keys, HTTPS git credentials): a reset demo starts as new.
        let _ = std::fs::remove_file(data_dir.join(crate::local::iam::STATE_FILE));
        let _ = std::fs::remove_file(data_dir.join(crate::local::codecommit::state::FILE_NAME));
    }
    if marker.exists() {
        return Ok(());
    }
    let store = Arc::new(Store::open(data_dir)?);
    let ops = Ops::new(
        Arc::clone(&store),
        DEMO_REGION.into(),
        DEMO_ACCOUNT_ID.into(),
        0,
    );
    seed(&ops)?;
    std::fs::write(&marker, "seeded\n")
        .map_err(|e| ServeError::Seed(format!("cannot write {}: {e}", marker.display())))?;
    Ok(())
}

fn create(
    ops: &Ops,
    name: &str,
    description: &str,
    tags: &[(&str, &str)],
) -> Result<String, ServeError> {
    let tags: BTreeMap<&str, &str> = tags.iter().copied().collect();
    let mut body = json!({ "repositoryName": name, "repositoryDescription": description });
    if !tags.is_empty() {
        body["tags"] = json!(tags);
    }
    if ops.store().get(name).is_some() {
        ops.dispatch("DeleteRepository", &json!({ "repositoryName": name }))
            .map_err(|e| ServeError::Seed(e.message))?;
    }
    let out = ops
        .dispatch("CreateRepository", &body)
        .map_err(|e| ServeError::Seed(e.message))?;
    out["repositoryMetadata"]["repositoryId"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ServeError::Seed("no repository id".into()))
}

fn seed(ops: &Ops) -> Result<(), ServeError> {
    let id = create(
        ops,
        DEMO_HISTORY_REPO,
        "A demo project with a long history and several branches",
        &[("team", "tools"), ("env", "demo")],
    )?;
    import(ops, &id, &history_stream())?;
    let id = create(
        ops,
        DEMO_CONFLICT_REPO,
        "master and feature/conflict edit the same lines: merging them conflicts",
        &[("purpose", "conflict-demo")],
    )?;
    import(ops, &id, &conflict_stream())?;
    create(
        ops,
        DEMO_EMPTY_REPO,
        "No commits yet: push a first branch to make it the default",
        &[],
    )?;
    let id = create(
        ops,
        "payments-service",
        "Card payments API (demo data)",
        &[("team", "payments"), ("cost-center", "1234")],
    )?;
    import(ops, &id, &small_stream("payments-service", 12))?;
    let id = create(
        ops,
        "infra-terraform",
        "Terraform for the demo accounts",
        &[("team", "platform")],
    )?;
    import(ops, &id, &small_stream("infra-terraform", 6))?;
    seed_pull_requests(ops)
}

/// Runs `operation` as the demo user (`None`) or the reviewer (`Some(key)`).
fn call(
    ops: &Ops,
    as_key: Option<&str>,
    operation: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, ServeError> {
    ops.dispatch_as(as_key, operation, &body)
        .map_err(|e| ServeError::Seed(format!("{operation}: {}", e.message)))
}

/// Pull requests of the demo, in [`DEMO_HISTORY_REPO`]: open ones to review (line comments and
/// a reply), approved by bob and mergeable, and conflicting (both sides change README.md);
/// one merged into `release/1.0` (a real merge commit) and one closed. [`DEMO_CONFLICT_REPO`]
/// has a conflicting one too. Authored by the demo user (alice), reviewed by bob. The state
/// file is written anew, so seeding again gives the same requests.
fn seed_pull_requests(ops: &Ops) -> Result<(), ServeError> {
    use crate::local::codecommit::DEMO_REVIEWER_ACCESS_KEY_ID as BOB;
    let _ = std::fs::remove_file(
        ops.store()
            .root()
            .join(crate::local::codecommit::state::FILE_NAME),
    );
    let create = |repo: &str, source: &str, title: &str, description: &str| {
        let out = call(
            ops,
            None,
            "CreatePullRequest",
            json!({
                "title": title,
                "description": description,
                "targets": [{ "repositoryName": repo, "sourceReference": source }],
            }),
        )?;
        let pr = &out["pullRequest"];
        let target = &pr["pullRequestTargets"][0];
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        Ok::<_, ServeError>((
            text(&pr["pullRequestId"]),
            text(&target["destinationCommit"]),
            text(&target["sourceCommit"]),
            text(&pr["revisionId"]),
        ))
    };

    let (id, before, after, _) = create(
        DEMO_HISTORY_REPO,
        "feature/login",
        "Login screen: first steps",
        "Adds the work items of the login feature. Review the notes file line by line.",
    )?;
    let line = |n: i64| json!({ "filePath": "branches/feature-login.md", "filePosition": n, "relativeFileVersion": "AFTER" });
    let first = call(
        ops,
        Some(BOB),
        "PostCommentForPullRequest",
        json!({
            "pullRequestId": id, "repositoryName": DEMO_HISTORY_REPO,
            "beforeCommitId": before, "afterCommitId": after,
            "location": line(3), "content": "Could this say which screen the work item is for?",
        }),
    )?;
    call(
        ops,
        None,
        "PostCommentReply",
        json!({
            "inReplyTo": first["comment"]["commentId"],
            "content": "Good point, the next push names it.",
        }),
    )?;
    call(
        ops,
        Some(BOB),
        "PostCommentForPullRequest",
        json!({
            "pullRequestId": id, "repositoryName": DEMO_HISTORY_REPO,
            "beforeCommitId": before, "afterCommitId": after,
            "location": line(1), "content": "Nice heading.",
        }),
    )?;
    call(
        ops,
        Some(BOB),
        "PostCommentForPullRequest",
        json!({
            "pullRequestId": id, "repositoryName": DEMO_HISTORY_REPO,
            "beforeCommitId": before, "afterCommitId": after,
            "content": "Looks close overall; a couple of questions inline.",
        }),
    )?;

    let (id, _, _, revision) = create(
        DEMO_HISTORY_REPO,
        "develop",
        "Develop: the month's work",
        "Everything on develop since the fork. Approved by bob and ready to merge.",
    )?;
    call(
        ops,
        None,
        "CreatePullRequestApprovalRule",
        json!({
            "pullRequestId": id,
            "approvalRuleName": "One reviewer",
            "approvalRuleContent": json!({
                "Version": "2018-11-08",
                "Statements": [{ "Type": "Approvers", "NumberOfApprovalsNeeded": 1,
                    "ApprovalPoolMembers": [format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/*")] }],
            }).to_string(),
        }),
    )?;
    call(
        ops,
        Some(BOB),
        "UpdatePullRequestApprovalState",
        json!({ "pullRequestId": id, "revisionId": revision, "approvalState": "APPROVE" }),
    )?;

    create(
        DEMO_CONFLICT_REPO,
        "feature/conflict",
        "Port 9090 and a friendlier greeting",
        "Conflicts with master in config.toml and src/app.rs: resolve before merging.",
    )?;

    create(
        DEMO_HISTORY_REPO,
        DEMO_CONFLICT_BRANCH,
        "README rewrite for the first release",
        "Rewrites the README, which master changed meanwhile: GetMergeConflicts shows the conflict; resolve it to merge.",
    )?;

    // Merged for real (a three-way merge commit on release/1.0), by bob.
    let out = call(
        ops,
        None,
        "CreatePullRequest",
        json!({
            "title": "Release notes for 1.0",
            "description": "Notes for the 1.0 release branch. Merged.",
            "targets": [{ "repositoryName": DEMO_HISTORY_REPO, "sourceReference": "docs/release-notes",
                "destinationReference": "release/1.0" }],
        }),
    )?;
    let id = out["pullRequest"]["pullRequestId"].clone();
    call(
        ops,
        Some(BOB),
        "MergePullRequestByThreeWay",
        json!({ "pullRequestId": id, "repositoryName": DEMO_HISTORY_REPO,
            "commitMessage": "Merge release notes into release/1.0\n" }),
    )?;

    let (id, _, _, _) = create(
        DEMO_HISTORY_REPO,
        "hotfix/crash-on-start",
        "Hotfix for the crash on start",
        "Superseded by a fix on master; closed without merging.",
    )?;
    call(
        ops,
        None,
        "UpdatePullRequestStatus",
        json!({ "pullRequestId": id, "pullRequestStatus": "CLOSED" }),
    )?;
    Ok(())
}

/// Runs `git fast-import` in the repository, then lets the service pick the default branch.
fn import(ops: &Ops, id: &str, stream: &str) -> Result<(), ServeError> {
    let path = ops.store().repo_path(id);
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .env("GIT_DIR", &path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ServeError::Seed(format!("cannot run git fast-import: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(stream.as_bytes())
            .map_err(|e| ServeError::Seed(format!("git fast-import: {e}")))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| ServeError::Seed(format!("git fast-import: {e}")))?;
    if !output.status.success() {
        return Err(ServeError::Seed(format!(
            "git fast-import failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    ops.after_push(id).map_err(|e| ServeError::Seed(e.message))
}

const AUTHORS: [(&str, &str); 4] = [
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Linus Torvalds", "linus@example.com"),
    ("Margaret Hamilton", "margaret@example.com"),
];
const START: i64 = 1_672_531_200; // 2023-01-01T00:00:00Z

/// One fast-import commit: `files` are full file contents to write.
fn commit(
    out: &mut String,
    branch: &str,
    mark: usize,
    from: Option<usize>,
    n: usize,
    message: &str,
    files: &[(&str, &str)],
) {
    let (name, email) = AUTHORS[n % AUTHORS.len()];
    let when = START + (n as i64) * 3 * 3600;
    let _ = writeln!(out, "commit refs/heads/{branch}\nmark :{mark}");
    let _ = writeln!(
        out,
        "author {name} <{email}> {when} +0000\ncommitter {name} <{email}> {when} +0000"
    );
    let _ = writeln!(out, "data {}\n{message}", message.len());
    if let Some(from) = from {
        let _ = writeln!(out, "from :{from}");
    }
    for (path, content) in files {
        let _ = writeln!(
            out,
            "M 100644 inline {path}\ndata {}\n{content}",
            content.len()
        );
    }
    out.push('\n');
}

struct Tree {
    files: Vec<(String, Vec<String>)>,
}

impl Tree {
    fn content(&self, i: usize) -> String {
        let mut text = self.files[i].1.join("\n");
        text.push('\n');
        text
    }

    /// Edits file `i` deterministically: append a line, or rewrite one.
    fn touch(&mut self, i: usize, n: usize) -> (String, String) {
        let (path, lines) = &mut self.files[i];
        if n % 3 == 0 || lines.len() < 5 {
            lines.push(format!("// change {n}: extend {path}"));
        } else {
            let at = (n * 7) % lines.len();
            lines[at] = format!("// change {n}: rework line {at}");
        }
        let path = path.clone();
        (path, self.content(i))
    }
}

fn history_stream() -> String {
    let paths = [
        "README.md",
        "Cargo.toml",
        "src/main.rs",
        "src/lib.rs",
        "src/net/client.rs",
        "src/net/retry.rs",
        "src/ui/view.rs",
        "docs/guide.md",
        "tests/smoke.rs",
    ];
    let mut tree = Tree {
        files: paths
            .iter()
            .map(|p| {
                (
                    p.to_string(),
                    vec![format!("// {p}"), "".into(), "fn placeholder() {}".into()],
                )
            })
            .collect(),
    };
    let mut out = String::with_capacity(4 << 20);
    let subjects = ["Fix", "Add", "Refactor", "Document", "Test", "Tune"];
    let mut mark_of_commit = Vec::with_capacity(DEMO_HISTORY_COMMITS);
    for n in 0..DEMO_HISTORY_COMMITS {
        let mark = n + 1;
        let files: Vec<(String, String)> = if n == 0 {
            (0..tree.files.len())
                .map(|i| (tree.files[i].0.clone(), tree.content(i)))
                .collect()
        } else {
            let first = tree.touch(n % paths.len(), n);
            let mut files = vec![first];
            if n % 5 == 0 {
                files.push(tree.touch((n / 5) % paths.len(), n + 1));
            }
            files
        };
        let message = format!(
            "{} {} (#{n})\n\nChange number {n} of the demo history.\n",
            subjects[n % subjects.len()],
            files[0].0
        );
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        commit(&mut out, "master", mark, None, n, &message, &refs);
        mark_of_commit.push(mark);
    }
    // Side branches, forked from points of master's history.
    let mut next_mark = DEMO_HISTORY_COMMITS + 1;
    for (branch, fork, count) in [
        ("develop", 1100usize, 25usize),
        ("feature/login", 1150, 8),
        ("release/1.0", 800, 3),
        ("hotfix/crash-on-start", 1190, 1),
        // Merged into release/1.0 by the pull request seed (a real three-way merge).
        ("docs/release-notes", 800, 2),
    ] {
        let _ = writeln!(
            out,
            "reset refs/heads/{branch}\nfrom :{}\n",
            mark_of_commit[fork]
        );
        for k in 0..count {
            let path = format!("branches/{}.md", branch.replace('/', "-"));
            let content = format!("# {branch}\n\nWork item {k} on {branch}.\n");
            let message = format!("{branch}: step {k}\n");
            commit(
                &mut out,
                branch,
                next_mark,
                None,
                fork + k,
                &message,
                &[(&path, &content)],
            );
            next_mark += 1;
        }
    }
    // A branch that rewrites every line of the README master keeps changing after the fork:
    // its pull request conflicts line by line.
    let _ = writeln!(
        out,
        "reset refs/heads/{DEMO_CONFLICT_BRANCH}\nfrom :{}\n",
        mark_of_commit[1150]
    );
    commit(
        &mut out,
        DEMO_CONFLICT_BRANCH,
        next_mark,
        None,
        1150,
        "README: rewrite for the first release\n",
        &[(
            "README.md",
            "# cctui demo\n\nA project to try cctui on.\nThis README was rewritten on a branch while master changed it too.\n",
        )],
    );
    out
}

fn conflict_stream() -> String {
    let mut out = String::new();
    let config = "[server]\nport = 8080\nhost = \"localhost\"\nworkers = 4\n";
    let app = "fn main() {\n    let greeting = \"hello\";\n    let target = \"world\";\n    println!(\"{greeting}, {target}!\");\n}\n";
    commit(
        &mut out,
        "master",
        1,
        None,
        0,
        "Initial configuration and app\n",
        &[
            ("config.toml", config),
            ("src/app.rs", app),
            (
                "README.md",
                "# merge-conflict\n\nMerge feature/conflict into master to see a conflict.\n",
            ),
        ],
    );
    let _ = writeln!(out, "reset refs/heads/feature/conflict\nfrom :1\n");
    commit(
        &mut out,
        "feature/conflict",
        2,
        None,
        1,
        "Use port 9090 and greet the team\n",
        &[
            (
                "config.toml",
                "[server]\nport = 9090\nhost = \"0.0.0.0\"\nworkers = 4\n",
            ),
            (
                "src/app.rs",
                "fn main() {\n    let greeting = \"hi\";\n    let target = \"team\";\n    println!(\"{greeting}, {target}!\");\n}\n",
            ),
        ],
    );
    commit(
        &mut out,
        "master",
        3,
        Some(1),
        2,
        "Use port 8443 and greet everyone\n",
        &[
            (
                "config.toml",
                "[server]\nport = 8443\nhost = \"127.0.0.1\"\nworkers = 4\n",
            ),
            (
                "src/app.rs",
                "fn main() {\n    let greeting = \"good morning\";\n    let target = \"everyone\";\n    println!(\"{greeting}, {target}!\");\n}\n",
            ),
        ],
    );
    out
}

fn small_stream(name: &str, commits: usize) -> String {
    let mut out = String::new();
    let mut log = format!("# {name}\n");
    for n in 0..commits {
        let _ = writeln!(log, "- change {n}");
        commit(
            &mut out,
            "master",
            n + 1,
            None,
            n * 5,
            &format!("{name}: change {n}\n"),
            &[("README.md", &log), ("CHANGELOG.md", &format!("{n}\n"))],
        );
    }
    let _ = writeln!(out, "reset refs/heads/dev\nfrom :{commits}\n");
    out
}
