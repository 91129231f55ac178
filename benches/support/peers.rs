//! What the benches' peers (the AWS CLI, boto3) share: found on PATH, isolated from the
//! developer's AWS setup with the demo keys, pointed at the local service, JSON read back.
#![allow(dead_code)]

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

use cctui::local::{DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY};

use super::aws_local::AwsLocal;

/// A program on PATH.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Environment of a peer (AWS CLI, boto3): the demo keys, nothing of the developer's setup.
pub fn isolated(command: &mut Command, nowhere: &Path) {
    command
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_CA_BUNDLE")
        .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
        .env("AWS_DEFAULT_REGION", DEMO_REGION)
        .env("AWS_REGION", DEMO_REGION)
        .env("AWS_CONFIG_FILE", nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", nowhere)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "");
}

/// The AWS CLI, isolated from the developer's configuration, pointed at the local service.
pub fn aws_command(aws: &Path, local: &AwsLocal) -> Command {
    let mut command = Command::new(aws);
    isolated(&mut command, &local.data_dir().join("no-aws-config"));
    command
        .args([
            "--endpoint-url",
            &local.service.endpoint(),
            "--output",
            "json",
        ])
        .arg("codecommit");
    command
}

pub fn run_json(mut command: Command, what: &str) -> Result<serde_json::Value, Box<dyn Error>> {
    let output = command.output()?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}
