//! Quitting while a clone runs, as a user would: the real binary in a pseudo-terminal against
//! `cctui serve --latency-ms 1500`, a clone started from the list, then `q` and `y`. The clone
//! is cancelled cooperatively and awaited: cctui exits with status 0 and leaves no partial
//! directory behind.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/pty.rs"]
mod pty;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const DEMO_KEY: &str = "AKIACCTUIDEMO0000001";
const DEMO_SECRET: &str = "cctuiDemoSecretKey/OnlyForTheLocalService00";

/// `cctui serve` on an ephemeral port; killed when dropped.
struct Serve(std::process::Child, u16);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &std::path::Path) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cctui"))
        .args([
            "serve",
            "--seed",
            "demo",
            "--latency-ms",
            "1500",
            "--data-dir",
        ])
        .arg(data)
        .env("XDG_STATE_HOME", data.join("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let port = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("READY ")
                .map(|p| p.trim().parse().unwrap())
        })
        .expect("the service says READY <port>");
    Serve(child, port)
}

#[test]
fn quitting_during_a_slow_clone_waits_for_it_to_stop_and_leaves_no_directory() {
    let service_dir = tempfile::tempdir().unwrap();
    let service = serve(service_dir.path());
    let home = tempfile::tempdir().unwrap();
    let workspace = home.path().join("workspace");
    let config = home.path().join("cctui.toml");
    std::fs::write(
        &config,
        format!("[workspace]\nroot = \"{}\"\n", workspace.display()),
    )
    .unwrap();
    let mut env = pty::bare_env(home.path());
    env.extend([
        ("AWS_ACCESS_KEY_ID".to_string(), DEMO_KEY.to_string()),
        ("AWS_SECRET_ACCESS_KEY".to_string(), DEMO_SECRET.to_string()),
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
    ]);
    let endpoint = format!("http://127.0.0.1:{}", service.1);
    let config = config.display().to_string();
    let mut pty = pty::spawn_with(
        home,
        &env,
        &["--endpoint-url", &endpoint, "--config", &config],
        120,
    );
    // The list arrives (slowly); the first row by name is the demo's history repository.
    pty.wait_for_screen("cctui-demo");
    pty.send(b"c");
    pty.wait_for_screen("Clone cctui-demo");
    pty.send(b"\r");
    pty.wait_for_screen("Clone cctui-demo (https-iam)");
    // Quit once the clone has started writing its directory: that is what must not be left.
    let target = workspace.join("cctui-demo");
    let deadline = std::time::Instant::now() + pty::PATIENCE;
    while !target.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the clone never created {}",
            target.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    pty.send(b"q");
    pty.wait_for_screen("Quit cctui?");
    pty.send(b"y");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}\n{}", pty.screen());
    pty.assert_restored();
    assert!(
        !target.exists(),
        "the cancelled clone left {}",
        target.display()
    );
}
