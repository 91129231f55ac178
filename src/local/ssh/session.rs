//! One SSH connection: public key authentication through the [`SshAuthorizer`], then per
//! session channel one exec request served by real `git upload-pack` / `git receive-pack`.
//!
//! The git process runs in a process group of its own under a process slot shared with the
//! HTTP side ([`crate::local::cgi::CgiSlots`]); channel data goes to its stdin, its stdout
//! back as channel data and its stderr as extended data (stderr), then its exit status. When
//! the channel or the connection closes first, the group is killed (the guard's `Drop`).

use std::process::Stdio;
use std::sync::Arc;

use russh::keys::PublicKey;
use russh::server::{Auth, ChannelOpenHandle, Msg, Session};
use russh::{Channel, ChannelId, ChannelMsg, ChannelReadHalf, ChannelWriteHalf};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::SshAuthorizer;
use super::command::{self, GitCommand, GitService};
use crate::local::iam::git_access::{self, Parsed};
use crate::local::ops::validate_repository_name;
use crate::local::server::Shared;
use crate::local::stats::bump;

/// git's exit status for `fatal:` errors.
const FATAL: u32 = 128;

/// The handler of one connection.
pub(super) struct Connection {
    shared: Arc<Shared>,
    authorizer: SshAuthorizer,
    /// The SSH user (key ID) once its signed key was accepted.
    user: Option<String>,
}

impl Connection {
    pub(super) fn new(shared: Arc<Shared>, authorizer: SshAuthorizer) -> Self {
        Self {
            shared,
            authorizer,
            user: None,
        }
    }

    fn allows(&self, user: &str, key: &PublicKey) -> bool {
        let Ok(openssh) = key.to_openssh() else {
            return false;
        };
        let mut fields = openssh.split_whitespace();
        let (Some(key_type), Some(key_base64)) = (fields.next(), fields.next()) else {
            return false;
        };
        self.authorizer.allows(user, key_type, key_base64)
    }

    fn answer(&self, user: &str, key: &PublicKey, signed: bool) -> Auth {
        if self.allows(user, key) {
            return Auth::Accept;
        }
        if signed {
            bump(&self.shared.stats.git_auth_failures);
            // The key ID is no secret (it is the user name); the key itself is not logged.
            tracing::info!(
                user,
                "SSH public key refused: not an active key of this SSH key ID"
            );
        }
        Auth::reject()
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        public_key: &PublicKey,
    ) -> Result<Auth, Self::Error> {
        Ok(self.answer(user, public_key, false))
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        public_key: &PublicKey,
    ) -> Result<Auth, Self::Error> {
        let answer = self.answer(user, public_key, true);
        if answer == Auth::Accept {
            bump(&self.shared.stats.git_auth_successes);
            self.user = Some(user.to_string());
        }
        Ok(answer)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.accept().await;
        // The IAM user owning the key, whose policies judge fetches and pushes.
        let iam_user = self
            .user
            .as_deref()
            .and_then(|key_id| self.shared.iam.ssh_key_user(key_id));
        tokio::spawn(serve_channel(channel, Arc::clone(&self.shared), iam_user));
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Accepted whatever it says: the channel's task answers on stderr with an exit status,
        // which ssh shows, where a refused request only says "exec request failed".
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }
}

/// Waits for the channel's exec (or shell) request, answers it, and closes the channel.
async fn serve_channel(mut channel: Channel<Msg>, shared: Arc<Shared>, user: Option<String>) {
    let mut git_protocol = None;
    let request = loop {
        match channel.wait().await {
            Some(ChannelMsg::Exec { command, .. }) => {
                break String::from_utf8_lossy(&command).into_owned();
            }
            // git sends `GIT_PROTOCOL=version=2` this way when ssh is set up to pass it.
            Some(ChannelMsg::SetEnv {
                variable_name,
                variable_value,
                ..
            }) if variable_name == "GIT_PROTOCOL" => git_protocol = Some(variable_value),
            Some(ChannelMsg::RequestShell { .. }) => break String::new(),
            Some(_) => {}
            None => return,
        }
    };
    let (input, output) = channel.split();
    bump(&shared.stats.git_requests);
    let status = match command::parse(&request) {
        Ok(git) => run_git(&shared, git, git_protocol, user, input, &output).await,
        Err(message) => {
            tracing::info!(request = %request.chars().take(200).collect::<String>(), "SSH exec request refused");
            write_stderr(&output, &message).await;
            Some(1)
        }
    };
    // None: the client is gone; nothing to tell it.
    if let Some(status) = status {
        let _ = output.exit_status(status).await;
        let _ = output.eof().await;
        let _ = output.close().await;
    }
}

async fn write_stderr(output: &ChannelWriteHalf<Msg>, message: &str) {
    let mut stderr = output.make_writer_ext(Some(1));
    let _ = stderr.write_all(message.as_bytes()).await;
    let _ = stderr.flush().await;
}

/// Runs the git service on the repository; its exit status, or `None` when the client left
/// before it ended (the processes are killed then).
async fn run_git(
    shared: &Arc<Shared>,
    git: GitCommand,
    git_protocol: Option<String>,
    user: Option<String>,
    input: ChannelReadHalf,
    output: &ChannelWriteHalf<Msg>,
) -> Option<u32> {
    let meta = validate_repository_name(&git.repository)
        .ok()
        .and_then(|()| shared.ops.store().get(&git.repository));
    let Some(meta) = meta else {
        let message = format!(
            "fatal: repository '{}' does not exist\n",
            git.path.trim_end_matches('/')
        );
        write_stderr(output, &message).await;
        return Some(FATAL);
    };
    let is_push = git.service == GitService::ReceivePack;
    // The IAM user's policies: GitPull to fetch, GitPush to push (judged per ref below).
    let restricted = user.filter(|u| shared.iam.is_restricted(u));
    if let Some(user) = &restricted {
        let action = if is_push { "GitPush" } else { "GitPull" };
        if let Some(message) = shared
            .iam
            .git_denial(user, &shared.region, &meta.name, action, None)
        {
            tracing::info!(user = %user, repository = %meta.name, action, "SSH git request refused by IAM policy");
            write_stderr(output, &format!("fatal: {message}\n")).await;
            return Some(FATAL);
        }
    }
    let Ok(permit) = shared.cgi.acquire().await else {
        bump(&shared.stats.git_throttled);
        write_stderr(
            output,
            "fatal: Rate Exceeded: the service runs too many git processes at once; retry shortly\n",
        )
        .await;
        return Some(1);
    };
    let repository = shared.ops.store().repo_path(&meta.id);
    let mut command = Command::new("git");
    command
        .arg(git.service.subcommand())
        .arg(&repository)
        // The service's own git, untouched by the user's or system's configuration.
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(protocol) = &git_protocol {
        command.env("GIT_PROTOCOL", protocol);
    }
    let spawned = shared.cgi.spawn(
        &mut command,
        permit,
        is_push.then_some(repository.as_path()),
    );
    let mut process = match spawned {
        Ok(process) => process,
        Err(error) => {
            tracing::error!(%error, "cannot start git for an SSH request");
            write_stderr(
                output,
                "fatal: the service cannot run git; is git installed and on PATH?\n",
            )
            .await;
            return Some(1);
        }
    };
    let pipes = process
        .child_mut()
        .map(|child| (child.stdin.take(), child.stdout.take(), child.stderr.take()));
    let Some((Some(stdin), Some(mut stdout), Some(mut stderr))) = pipes else {
        write_stderr(output, "fatal: the git process has no pipes\n").await;
        return Some(1);
    };
    // Channel data → stdin in a task of its own, so a git that is busy writing never waits for
    // us to read (and the other way round). It also watches for the client going away.
    let gone = CancellationToken::new();
    let (refused_sender, refused) = tokio::sync::oneshot::channel::<Refusal>();
    let judge = restricted.filter(|_| is_push).map(|user| PushJudge {
        shared: Arc::clone(shared),
        user,
        repository: meta.name.clone(),
        refused: refused_sender,
    });
    let pump = tokio::spawn(pump_input(input, stdin, gone.clone(), judge));
    let mut data = output.make_writer();
    let mut errors = output.make_writer_ext(Some(1));
    let outputs = async {
        let (out, err) = tokio::join!(
            copy_out(&mut stdout, &mut data),
            copy_out(&mut stderr, &mut errors)
        );
        out && err
    };
    let refused = async {
        match refused.await {
            Ok(report) => report,
            // No judge, or the push was allowed: never.
            Err(_) => std::future::pending().await,
        }
    };
    let delivered = tokio::select! {
        delivered = outputs => delivered,
        () = gone.cancelled() => false,
        refusal = refused => {
            // Refused: git never saw the commands; end it and answer for it.
            pump.abort();
            drop(process);
            return Some(match refusal {
                Refusal::Report(report) => {
                    let _ = data.write_all(&report).await;
                    let _ = data.flush().await;
                    0
                }
                Refusal::Fatal(message) => {
                    drop(data);
                    write_stderr(output, &message).await;
                    FATAL
                }
            });
        }
    };
    if !delivered {
        pump.abort();
        drop(process); // kills the process group; a push leaves nothing half done behind
        tracing::info!(
            repository = %git.repository,
            "SSH client went away; its git process was killed"
        );
        return None;
    }
    let status = process.finish().await;
    pump.abort();
    if is_push {
        crate::local::git_http::after_push(shared, &meta.id).await;
    }
    Some(
        status
            .and_then(|s| s.code())
            .and_then(|code| u32::try_from(code).ok())
            .unwrap_or(1),
    )
}

/// Copies a git output pipe to the channel until it ends; false when the channel failed.
async fn copy_out(
    from: &mut (impl tokio::io::AsyncRead + Unpin),
    to: &mut (impl AsyncWrite + Unpin),
) -> bool {
    match tokio::io::copy(from, to).await {
        Ok(_) => to.flush().await.is_ok(),
        Err(_) => false,
    }
}

/// How a judged push is refused.
enum Refusal {
    /// receive-pack's report refusing every ref (IAM said no).
    Report(Vec<u8>),
    /// A `fatal:` line for stderr (the command list could not be read).
    Fatal(String),
}

/// Who judges a restricted user's push before git sees it.
struct PushJudge {
    shared: Arc<Shared>,
    user: String,
    repository: String,
    /// Gets receive-pack's refusal report when IAM refuses the push.
    refused: tokio::sync::oneshot::Sender<Refusal>,
}

/// Where a judged push stands.
enum Judging {
    /// Reading the command list (the bytes so far).
    Reading(PushJudge, Vec<u8>),
    /// Refused; the pack still arriving is dropped until the client's EOF, then the report
    /// (None: nothing follows the commands, sent at once).
    Refused(Option<(PushJudge, Vec<u8>)>),
    /// Allowed, or not judged: data goes to git.
    Open,
}

/// Channel data to git's stdin; the client's EOF closes stdin; a closed channel (or a lost
/// connection) cancels `gone`. With a `judge`, the push's command list is held back until
/// IAM allowed it; a refused push never reaches git.
async fn pump_input(
    mut input: ChannelReadHalf,
    stdin: tokio::process::ChildStdin,
    gone: CancellationToken,
    judge: Option<PushJudge>,
) {
    let mut stdin = Some(stdin);
    let mut judging = match judge {
        Some(judge) => Judging::Reading(judge, Vec::new()),
        None => Judging::Open,
    };
    loop {
        match input.wait().await {
            Some(ChannelMsg::Data { data }) => {
                let data: Vec<u8> = match std::mem::replace(&mut judging, Judging::Open) {
                    Judging::Open => data.to_vec(),
                    Judging::Refused(pending) => {
                        judging = Judging::Refused(pending);
                        continue;
                    }
                    Judging::Reading(judge, mut read) => {
                        read.extend_from_slice(&data);
                        match git_access::parse_commands(&read) {
                            Parsed::Incomplete => {
                                judging = Judging::Reading(judge, read);
                                continue;
                            }
                            Parsed::Empty => read,
                            Parsed::Invalid(reason) => {
                                tracing::info!(%reason, "SSH push refused: unreadable commands");
                                let _ = judge.refused.send(Refusal::Fatal(format!(
                                    "fatal: push refused: {reason}\n"
                                )));
                                judging = Judging::Refused(None);
                                continue;
                            }
                            Parsed::Commands(commands) => {
                                let refusal = judge.shared.iam.push_refusal(
                                    &judge.user,
                                    &judge.shared.region,
                                    &judge.repository,
                                    &commands,
                                );
                                match refusal {
                                    None => read,
                                    Some(report) if commands.pack_follows() => {
                                        judging = Judging::Refused(Some((judge, report)));
                                        continue;
                                    }
                                    Some(report) => {
                                        let _ = judge.refused.send(Refusal::Report(report));
                                        judging = Judging::Refused(None);
                                        continue;
                                    }
                                }
                            }
                        }
                    }
                };
                if let Some(pipe) = stdin.as_mut() {
                    if pipe.write_all(&data).await.is_err() {
                        stdin = None; // git stopped reading; its exit ends the request
                    }
                }
            }
            Some(ChannelMsg::Eof) => {
                if let Judging::Refused(pending) = &mut judging {
                    if let Some((judge, report)) = pending.take() {
                        let _ = judge.refused.send(Refusal::Report(report));
                    }
                    continue;
                }
                if let Some(mut pipe) = stdin.take() {
                    let _ = pipe.shutdown().await;
                }
            }
            Some(ChannelMsg::Close) | None => {
                gone.cancel();
                return;
            }
            Some(_) => {}
        }
    }
}
