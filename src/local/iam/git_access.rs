//! What IAM decides for git over HTTPS and SSH, as CodeCommit decides it: fetch and clone
//! are `codecommit:GitPull`, a push is `codecommit:GitPush` with `codecommit:References` set
//! to the refs it updates, on the repository's ARN.
//!
//! A push is judged on its command list (the pkt-lines `<old> <new> <ref>` before the pack),
//! read here before git sees any of it; a refused push reaches no git process, so nothing is
//! updated. The refusal goes back to git as receive-pack's own report (`ng <ref> <reason>` for
//! every ref of the push, inside side-band 1 when the client asked for side-band, with the
//! AWS message on side-band 2), so `git push` prints `! [remote rejected] master -> master
//! (…)` and exits non-zero as it does against CodeCommit.

use super::policy::{Request, denied_message};
use super::{Iam, UserRecord};

/// The reason git shows after `[remote rejected]` for a ref IAM refuses.
pub const PUSH_REFUSED: &str = "You don't have permission to push changes to this branch.";

/// One update of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// Old object id (zeros: create).
    pub old: String,
    /// New object id (zeros: delete).
    pub new: String,
    /// Full ref name.
    pub name: String,
}

impl RefUpdate {
    /// True when it deletes the ref (no objects follow for it).
    pub fn is_delete(&self) -> bool {
        self.new.bytes().all(|b| b == b'0')
    }
}

/// The command list of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushCommands {
    /// The updates, in order.
    pub updates: Vec<RefUpdate>,
    /// Capabilities of the first line.
    pub capabilities: Vec<String>,
    /// Bytes of the input the list took (up to and including its flush packet).
    pub length: usize,
}

impl PushCommands {
    /// True when a pack follows the list (some update is not a delete).
    pub fn pack_follows(&self) -> bool {
        self.updates.iter().any(|u| !u.is_delete())
    }

    fn has(&self, capability: &str) -> bool {
        self.capabilities.iter().any(|c| c == capability)
    }
}

/// What the start of a receive-pack request says so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// More bytes are needed.
    Incomplete,
    /// The whole command list.
    Commands(PushCommands),
    /// A flush packet alone: no update (git's probe before a large HTTP push, or a push with
    /// nothing to send). Nothing to judge; git answers it.
    Empty,
    /// Not a command list this service can judge (the push is refused).
    Invalid(String),
}

/// Longest command list accepted (a push of thousands of refs fits).
const MAX_COMMANDS_BYTES: usize = 4 * 1024 * 1024;

/// Reads the command list at the start of `input`.
pub fn parse_commands(input: &[u8]) -> Parsed {
    let mut at = 0usize;
    let mut updates = Vec::new();
    let mut capabilities = Vec::new();
    loop {
        if at > MAX_COMMANDS_BYTES {
            return Parsed::Invalid("the push's command list is too long".into());
        }
        let Some(header) = input.get(at..at + 4) else {
            return Parsed::Incomplete;
        };
        let Some(length) = std::str::from_utf8(header)
            .ok()
            .and_then(|h| usize::from_str_radix(h, 16).ok())
        else {
            return Parsed::Invalid("the push does not start with pkt-lines".into());
        };
        if length == 0 {
            if updates.is_empty() {
                return Parsed::Empty;
            }
            return Parsed::Commands(PushCommands {
                updates,
                capabilities,
                length: at + 4,
            });
        }
        if length < 4 {
            return Parsed::Invalid("the push has a malformed pkt-line".into());
        }
        let Some(payload) = input.get(at + 4..at + length) else {
            return Parsed::Incomplete;
        };
        at += length;
        let payload = payload.strip_suffix(b"\n").unwrap_or(payload);
        let (line, caps) = match payload.iter().position(|b| *b == 0) {
            Some(nul) => (&payload[..nul], Some(&payload[nul + 1..])),
            None => (payload, None),
        };
        if let Some(caps) = caps {
            capabilities = String::from_utf8_lossy(caps)
                .split(' ')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with("shallow ") {
            continue;
        }
        let mut fields = line.splitn(3, ' ');
        match (fields.next(), fields.next(), fields.next()) {
            (Some(old), Some(new), Some(name))
                if old.len() >= 40 && new.len() >= 40 && name.starts_with("refs/") =>
            {
                updates.push(RefUpdate {
                    old: old.to_string(),
                    new: new.to_string(),
                    name: name.to_string(),
                });
            }
            _ => {
                return Parsed::Invalid(format!(
                    "the push sent a command this service does not judge: {}",
                    line.chars().take(80).collect::<String>()
                ));
            }
        }
    }
}

/// `arn:aws:codecommit:<region>:<account>:<repository>`.
pub fn repository_arn(region: &str, account_id: &str, repository: &str) -> String {
    format!("arn:aws:codecommit:{region}:{account_id}:{repository}")
}

impl Iam {
    /// The AccessDenied message when `user_name` may not run `action` (GitPull, GitPush) on the
    /// repository with these refs in `codecommit:References`; `None` when allowed.
    pub fn git_denial(
        &self,
        user_name: &str,
        region: &str,
        repository: &str,
        action: &str,
        refs: Option<Vec<String>>,
    ) -> Option<String> {
        let mut request = Request::new(
            format!("codecommit:{action}"),
            repository_arn(region, &self.account_id, repository),
        );
        if let Some(refs) = refs {
            request = request.with_context("codecommit:References", refs);
        }
        let evaluation = self.authorize(user_name, &request)?;
        if evaluation.allowed() {
            return None;
        }
        let user = self
            .lock()
            .users
            .iter()
            .find(|u| u.name == user_name)
            .cloned()
            .unwrap_or_else(|| UserRecord::new(user_name));
        Some(denied_message(
            &user.arn(&self.account_id),
            &request,
            evaluation.decision,
        ))
    }

    /// The refusal of `commands` when the user may not push them; `None` when allowed.
    pub fn push_refusal(
        &self,
        user_name: &str,
        region: &str,
        repository: &str,
        commands: &PushCommands,
    ) -> Option<Vec<u8>> {
        let refs = commands.updates.iter().map(|u| u.name.clone()).collect();
        let message = self.git_denial(user_name, region, repository, "GitPush", Some(refs))?;
        tracing::info!(user = user_name, repository, "push refused by IAM policy");
        Some(refusal_report(commands, &message))
    }
}

/// One pkt-line.
fn pkt(payload: &[u8]) -> Vec<u8> {
    let mut out = format!("{:04x}", payload.len() + 4).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// receive-pack's answer refusing every update of `commands`, with `message` for the user.
pub fn refusal_report(commands: &PushCommands, message: &str) -> Vec<u8> {
    let mut report = Vec::new();
    if commands.has("report-status") || commands.has("report-status-v2") {
        report.extend(pkt(b"unpack ok\n"));
        for update in &commands.updates {
            report.extend(pkt(
                format!("ng {} {PUSH_REFUSED}\n", update.name).as_bytes()
            ));
        }
        report.extend_from_slice(b"0000");
    }
    let sideband = commands.has("side-band-64k") || commands.has("side-band");
    if !sideband {
        return report;
    }
    let max = if commands.has("side-band-64k") {
        65515
    } else {
        995
    };
    let mut out = Vec::new();
    let text = format!("error: {message}\n");
    for chunk in text.as_bytes().chunks(max) {
        out.extend(pkt(&[&[2u8][..], chunk].concat()));
    }
    for chunk in report.chunks(max) {
        out.extend(pkt(&[&[1u8][..], chunk].concat()));
    }
    out.extend_from_slice(b"0000");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ZERO: &str = "0000000000000000000000000000000000000000";
    const ONE: &str = "1111111111111111111111111111111111111111";

    fn commands(lines: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        for line in lines {
            out.extend(pkt(line.as_bytes()));
        }
        out.extend_from_slice(b"0000PACK...");
        out
    }

    fn commands_of(input: &[u8]) -> Option<PushCommands> {
        match parse_commands(input) {
            Parsed::Commands(commands) => Some(commands),
            _ => None,
        }
    }

    #[test]
    fn the_command_list_is_read_up_to_its_flush() {
        let input = commands(&[
            format!("{ZERO} {ONE} refs/heads/master\0report-status side-band-64k agent=git/2\n"),
            format!("{ONE} {ZERO} refs/heads/old\n"),
        ]);
        let parsed = commands_of(&input).unwrap();
        assert_eq!(parsed.updates.len(), 2);
        assert_eq!(parsed.updates[0].name, "refs/heads/master");
        assert!(parsed.updates[1].is_delete());
        assert!(parsed.pack_follows());
        assert_eq!(&input[parsed.length..], b"PACK...");
        assert_eq!(parse_commands(&input[..10]), Parsed::Incomplete);
        assert!(matches!(parse_commands(b"zzzz"), Parsed::Invalid(_)));
        assert_eq!(parse_commands(b"0000"), Parsed::Empty);
    }

    #[test]
    fn the_refusal_is_receive_packs_report_in_side_band() {
        let input = commands(&[format!(
            "{ZERO} {ONE} refs/heads/master\0report-status side-band-64k\n"
        )]);
        let parsed = commands_of(&input).unwrap();
        let report = refusal_report(&parsed, "User: u is not authorized");
        let text = String::from_utf8_lossy(&report);
        assert!(
            text.contains("\u{2}error: User: u is not authorized\n"),
            "{text}"
        );
        assert!(text.contains("\u{1}000eunpack ok\n"), "{text}");
        assert!(text.contains(&format!("ng refs/heads/master {PUSH_REFUSED}\n")));
        assert!(text.ends_with("00000000"));
    }
}
