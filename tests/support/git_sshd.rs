//! A throwaway `sshd` on 127.0.0.1 serving one bare repository through a forced command, with
//! host and client keys made by `ssh-keygen`. Panics (fails the test) when sshd is missing or
//! does not come up: SSH tests never pass silently.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::local_support::{git_ok, work_tree};

pub const SSHD: &str = "/usr/sbin/sshd";

/// Makes an ed25519 key pair at `path` (and `path.pub`); `passphrase` "" for none.
pub fn keygen(path: &Path, passphrase: &str) {
    let out = Command::new("ssh-keygen")
        .args([
            "-q",
            // RSA: the one key type IAM (and so the local service) takes for CodeCommit.
            "-t",
            "rsa",
            "-b",
            "2048",
            "-N",
            passphrase,
            "-C",
            "cctui-test",
            "-f",
        ])
        .arg(path)
        .output()
        .expect("ssh-keygen must be installed (openssh-client)");
    assert!(
        out.status.success(),
        "ssh-keygen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `SHA256:…` of a public key file, as ssh-keygen prints it.
pub fn ssh_keygen_fingerprint(pub_file: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(pub_file)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string()
}

/// The current user's name (sshd logs in as this user).
pub fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub struct Sshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub host_pub: PathBuf,
    pub head: String,
    pub log: PathBuf,
    child: Child,
}

impl Sshd {
    /// Starts sshd accepting the public keys `authorized` (paths of `.pub` files), serving a
    /// bare repository with `commits` commits on master.
    pub fn start(authorized: &[PathBuf], commits: usize) -> Sshd {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} is missing: install openssh-server (.ci/run does). SSH tests cannot run without it."
        );
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let host_key = d.join("host_key");
        keygen(&host_key, "");

        let work = d.join("work");
        std::fs::create_dir(&work).unwrap();
        work_tree(&work, "master", commits);
        let head = git_ok(&work, &["rev-parse", "HEAD"]);
        let bare = d.join("repo.git");
        git_ok(
            d,
            &[
                "clone",
                "-q",
                "--bare",
                work.to_str().unwrap(),
                bare.to_str().unwrap(),
            ],
        );

        let serve = d.join("serve.sh");
        std::fs::write(
            &serve,
            format!(
                "#!/bin/sh\nexport GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null\ncase \"$SSH_ORIGINAL_COMMAND\" in\n  \"git-upload-pack \"*) exec git upload-pack '{0}' ;;\n  \"git-receive-pack \"*) exec git receive-pack '{0}' ;;\n  *) echo \"unsupported command: $SSH_ORIGINAL_COMMAND\" >&2; exit 1 ;;\nesac\n",
                bare.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&serve, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut keys = String::new();
        for public in authorized {
            let line = std::fs::read_to_string(public).unwrap();
            keys.push_str(&format!(
                "command=\"{}\",no-port-forwarding,no-pty,no-agent-forwarding,no-X11-forwarding {}\n",
                serve.display(),
                line.trim()
            ));
        }
        std::fs::write(d.join("authorized_keys"), keys).unwrap();

        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = d.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\nStrictModes no\nUsePAM no\nPermitRootLogin yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nLogLevel VERBOSE\n",
                host_key.display(),
                d.join("sshd.pid").display(),
                d.join("authorized_keys").display()
            ),
        )
        .unwrap();
        // Running as root, sshd wants its privilege separation directory.
        if whoami() == "root" {
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let log = d.join("sshd.log");
        let mut child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {SSHD}: {e}"));
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "sshd exited ({status}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "sshd did not listen on {port}: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Sshd {
            host_pub: host_key.with_extension("pub"),
            dir,
            port,
            head,
            log,
            child,
        }
    }

    pub fn url(&self) -> String {
        format!("ssh://127.0.0.1:{}/v1/repos/served", self.port)
    }

    /// A known_hosts line for this server.
    pub fn known_hosts_line(&self) -> String {
        let public = std::fs::read_to_string(&self.host_pub).unwrap();
        let mut fields = public.split_whitespace();
        format!(
            "[127.0.0.1]:{} {} {}\n",
            self.port,
            fields.next().unwrap(),
            fields.next().unwrap()
        )
    }

    /// How many public key authentications sshd refused so far.
    pub fn failed_publickey(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("Failed publickey")
            .count()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
