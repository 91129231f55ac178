//! A realistic repository for the clone benches: thousands of commits that edit a few hundred
//! source-like text files, so most file versions are stored as deltas (resolving them is the
//! phase where git's threaded index-pack works hardest), over 50 MB packed.
//!
//! Generated once (deterministically, by a Python script fed to `git fast-import`, then
//! `git repack`) and cached under `target/bench-fixtures/`, so reruns start at once. The
//! generation is never part of a timed figure.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Bump when the generator changes, so a stale cached fixture is not reused.
const VERSION: u32 = 1;
/// Commits of the history.
pub const COMMITS: usize = 5_000;
/// The branch the fixture is on (the service's bare repositories' HEAD).
pub const BRANCH: &str = "master";

/// What the generator made.
pub struct Fixture {
    /// The bare repository.
    pub bare: PathBuf,
    /// Bytes of its packs.
    pub packed_bytes: u64,
    /// Objects stored as deltas.
    pub deltas: usize,
    /// Objects in all.
    pub objects: usize,
    /// The branch tip.
    pub head: String,
}

/// 300 files of Rust-like lines: each commit edits 8 of them, dropping and inserting ~20
/// lines that carry a hex digest (like lock files, test vectors and generated tables do), so
/// the history grows by a few kB of deltas per commit.
const GENERATOR: &str = r#"
import random, sys
COMMITS = int(sys.argv[1])
rng = random.Random(20261201)
out = sys.stdout.buffer
words = ("parse render fetch commit index status branch remote clone delta tree blob "
         "config signal region profile buffer cursor frame layout scroll filter merge").split()
def line():
    kind = rng.random()
    a, b = rng.choice(words), rng.choice(words)
    digest = "%032x" % rng.getrandbits(128)
    if kind < 0.4:
        return f'    let {a}_{b} = {a}::{b}("{digest}", {rng.randrange(1 << 16)});'
    if kind < 0.7:
        return f'    // {a} the {b} before checking {digest[:20]}'
    if kind < 0.9:
        return f'    assert_eq!({a}.{b}(), 0x{digest[:16]});'
    return f'fn {a}_{b}_{digest[:8]}() -> Result<(), Error> {{'
files = {}
for d in range(30):
    for f in range(10):
        files[f"src/{rng.choice(words)}_{d:02}/{rng.choice(words)}_{f}.rs"] = \
            [line() for _ in range(rng.randrange(80, 220))]
paths = sorted(files)
def write_commit(n, changed, message):
    data = message.encode()
    out.write(b"commit refs/heads/master\n")
    out.write(f"committer Bench <bench@example.com> {1600000000 + n * 600} +0000\n".encode())
    out.write(b"data %d\n%s\n" % (len(data), data))
    for p in changed:
        body = ("\n".join(files[p]) + "\n").encode()
        out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (p.encode(), len(body), body))
    out.write(b"\n")
write_commit(0, paths, "initial import")
for n in range(1, COMMITS):
    changed = rng.sample(paths, 8)
    for p in changed:
        lines = files[p]
        for _ in range(rng.randrange(10, 30)):
            if len(lines) > 40:
                del lines[rng.randrange(len(lines))]
        for _ in range(rng.randrange(10, 30)):
            lines.insert(rng.randrange(len(lines) + 1), line())
    write_commit(n, sorted(changed), f"{rng.choice(words)}: change {n}")
"#;

/// Where fixtures are cached: `$CARGO_TARGET_DIR` or the crate's `target/`.
fn cache_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("bench-fixtures")
}

fn git(bare: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .env("GIT_DIR", bare)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    command
}

fn git_out(bare: &Path, args: &[&str]) -> String {
    let out = git(bare).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The cached fixture, generated first when missing.
pub fn realistic() -> Fixture {
    let bare = cache_dir().join(format!("realistic-v{VERSION}-{COMMITS}.git"));
    if !bare.join("refs/heads").join(BRANCH).is_file() {
        let started = std::time::Instant::now();
        eprintln!(
            "generating the realistic fixture ({COMMITS} commits), cached in {}",
            bare.display()
        );
        let building = bare.with_extension("building");
        let _ = std::fs::remove_dir_all(&building);
        std::fs::create_dir_all(&building).unwrap();
        assert!(
            git(&building)
                .args(["init", "-q", "--bare"])
                .status()
                .unwrap()
                .success()
        );
        let mut fast_import = git(&building)
            .args(["fast-import", "--quiet"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = fast_import.stdin.take().unwrap();
        let generator = Command::new("python3")
            .args(["-c", GENERATOR, &COMMITS.to_string()])
            .stdout(stdin)
            .status()
            .unwrap();
        assert!(generator.success(), "the fixture generator failed");
        assert!(
            fast_import.wait().unwrap().success(),
            "git fast-import failed"
        );
        // One pack, deltas as git would choose them for a server (fast-import's are only
        // against each path's previous version).
        assert!(
            git(&building)
                .args([
                    "repack",
                    "-a",
                    "-d",
                    "-f",
                    "-q",
                    "--window=10",
                    "--depth=50"
                ])
                .status()
                .unwrap()
                .success()
        );
        std::fs::rename(&building, &bare).unwrap();
        eprintln!(
            "fixture generated in {:.0}s",
            started.elapsed().as_secs_f64()
        );
    }
    let packed_bytes = std::fs::read_dir(bare.join("objects/pack"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let bases = git_out(
        &bare,
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(deltabase)",
        ],
    );
    let objects = bases.lines().count();
    let deltas = bases
        .lines()
        .filter(|l| !l.bytes().all(|b| b == b'0'))
        .count();
    let head = git_out(&bare, &["rev-parse", BRANCH]).trim().to_string();
    Fixture {
        bare,
        packed_bytes,
        deltas,
        objects,
        head,
    }
}

/// The service's clone URL of `name` with a fresh IAM git password in it, for `git` itself
/// (the credential helper's cost is not what the benches measure). Never printed.
pub fn login_url(service: &cctui::local::RunningService, name: &str) -> String {
    use cctui::aws::git_password::{AwsKeys, git_login};
    use cctui::local::{DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY};
    let keys = AwsKeys {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        secret_access_key: cctui::secret::SecretString::new(DEMO_SECRET_ACCESS_KEY.into()),
        session_token: None,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let host = format!("127.0.0.1:{}", service.port());
    let path = format!("/v1/repos/{name}");
    let login = git_login(&keys, &host, &path, DEMO_REGION, now);
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "http://{}:{}@{host}{path}",
        enc(login.username.expose()),
        enc(login.password.expose())
    )
}

/// Pushes the fixture's branch to `url` (setup, not timed).
pub fn push(fixture: &Fixture, url: &str) {
    let status = git(&fixture.bare)
        .args(["push", "-q", url, &format!("{BRANCH}:refs/heads/{BRANCH}")])
        .env("GIT_TERMINAL_PROMPT", "0")
        .status()
        .unwrap();
    assert!(status.success(), "pushing the fixture failed");
}

/// `git clone` as a user runs it (default protocol, checkout, git's own object checks), of
/// `url` into `target`; checks the tip.
pub fn git_clone(url: &str, target: &Path, head: &str) -> std::time::Duration {
    let started = std::time::Instant::now();
    let status = Command::new("git")
        .args(["clone", "-q", url])
        .arg(target)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .status()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(status.success(), "git clone failed");
    let tip = git_out(&target.join(".git"), &["rev-parse", "HEAD"]);
    assert_eq!(tip.trim(), head, "git clone checked out the wrong commit");
    elapsed
}
