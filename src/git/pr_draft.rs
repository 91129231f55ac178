//! A pull request's first draft from the commits it brings: the title is the oldest commit's
//! summary (as CodeCommit's console and most hosts do), the description its body, followed by
//! the other commits' summaries when there are several.

use std::path::Path;

use super::GitError;
use super::repo::{open, other};

/// Title and description for a request from `source` (a local branch) into `destination`
/// (compared with `origin/<destination>`, else a local branch of that name).
pub fn draft(repo: &Path, source: &str, destination: &str) -> Result<(String, String), GitError> {
    let repo = open(repo)?;
    let head = repo
        .revparse_single(&format!("refs/heads/{source}"))
        .map_err(other)?
        .peel_to_commit()
        .map_err(other)?;
    let mut walk = repo.revwalk().map_err(other)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .map_err(other)?;
    walk.push(head.id()).map_err(other)?;
    for base in [
        format!("refs/remotes/origin/{destination}"),
        format!("refs/heads/{destination}"),
    ] {
        if let Ok(base) = repo.revparse_single(&base) {
            walk.hide(base.id()).map_err(other)?;
            break;
        }
    }
    let mut commits = Vec::new();
    for id in walk.take(200) {
        let commit = repo.find_commit(id.map_err(other)?).map_err(other)?;
        commits.push((
            String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
            String::from_utf8_lossy(commit.body_bytes().unwrap_or_default())
                .trim()
                .to_string(),
        ));
    }
    let Some((title, body)) = commits.first().cloned() else {
        return Ok((source.to_string(), String::new()));
    };
    let mut description = body;
    if commits.len() > 1 {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str("Commits:");
        for (summary, _) in &commits {
            description.push_str("\n- ");
            description.push_str(summary);
        }
    }
    Ok((title, description))
}
