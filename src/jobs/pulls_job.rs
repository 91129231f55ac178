//! The pull requests screen's jobs: listings (one repository or the account's, rows as they
//! arrive), a request's review state and details, a file's diff (both blobs, diffed here),
//! and the reviewer's changes. Each arm calls plain functions of `aws::pulls` (and
//! `git::blob_diff` for the diff).

use crate::aws::client::Target;
use crate::aws::pulls::{
    self, Anchor, ChangedFile, Conflict, Event, ListStatus, MergeRequest, MergeStrategy,
    NewPullRequest, PullRequest, Review, Thread,
};
use crate::git::diff::FileDiff;

use super::{JobContext, JobFailure, JobOutput, Services};

/// Work for the pull requests screen.
#[derive(Debug, Clone, PartialEq)]
pub enum PullsRequest {
    /// List the requests of these repositories (rows stream as [`PullsOutput::Rows`]).
    List {
        /// Where.
        target: Target,
        /// The repositories (one, or the account's).
        repositories: Vec<String>,
        /// Open or closed ones.
        status: ListStatus,
        /// Only this author's (an ARN).
        author: Option<String>,
    },
    /// Approvals, rules and merge options of a listed request.
    Review {
        /// Where.
        target: Target,
        /// The request as listed.
        pr: Box<PullRequest>,
    },
    /// Everything the request view shows: the request again, its review, activity, changed
    /// files and comment threads.
    Open {
        /// Where.
        target: Target,
        /// The request's id.
        id: String,
    },
    /// One changed file's diff.
    FileDiff {
        /// Where.
        target: Target,
        /// The repository.
        repository: String,
        /// The file.
        file: Box<ChangedFile>,
    },
    /// A comment on the request, a file or a line.
    Comment {
        /// Where.
        target: Target,
        /// The request (its commits anchor the comment).
        pr: Box<PullRequest>,
        /// Where in it.
        at: Anchor,
        /// The text.
        content: String,
    },
    /// A reply to a comment.
    Reply {
        /// Where.
        target: Target,
        /// The request it belongs to (to read it again after).
        id: String,
        /// The comment answered.
        in_reply_to: String,
        /// The text.
        content: String,
    },
    /// A new text for the caller's own comment.
    EditComment {
        /// Where.
        target: Target,
        /// The request.
        id: String,
        /// The comment.
        comment: String,
        /// The new text.
        content: String,
    },
    /// Delete the caller's own comment (its content; the thread stays).
    DeleteComment {
        /// Where.
        target: Target,
        /// The request.
        id: String,
        /// The comment.
        comment: String,
    },
    /// React to a comment.
    React {
        /// Where.
        target: Target,
        /// The request.
        id: String,
        /// The comment.
        comment: String,
        /// The emoji.
        reaction: String,
    },
    /// Approve (`true`) or revoke the current revision.
    Approve {
        /// Where.
        target: Target,
        /// The request.
        pr: Box<PullRequest>,
        /// Approve or revoke.
        approve: bool,
    },
    /// Close (`false`) or reopen.
    SetOpen {
        /// Where.
        target: Target,
        /// The request.
        id: String,
        /// Reopen or close.
        open: bool,
    },
    /// The files that conflict for a strategy.
    Conflicts {
        /// Where.
        target: Target,
        /// The request.
        pr: Box<PullRequest>,
        /// The strategy.
        strategy: MergeStrategy,
    },
    /// A conflicting file's text with git's conflict markers, to edit as the resolution.
    ConflictText {
        /// Where.
        target: Target,
        /// The request.
        pr: Box<PullRequest>,
        /// The file.
        path: String,
    },
    /// Merge.
    Merge {
        /// Where.
        target: Target,
        /// What.
        merge: Box<MergeRequest>,
    },
    /// A first title and description from the commits a branch brings (the open clone).
    Draft {
        /// The clone.
        repo: std::path::PathBuf,
        /// Source branch.
        source: String,
        /// Destination branch.
        destination: String,
    },
    /// Write a text being composed to a file for the user's editor.
    PrepareText {
        /// Where the file goes: the open clone's `.git`; `None`: the temporary directory
        /// (looked up here, not in `update`, which reads no environment).
        dir: Option<std::path::PathBuf>,
        /// The text so far.
        draft: String,
        /// What it is for (the file's comment block).
        what: String,
    },
    /// Read back what the editor left (and remove the file).
    ReadText {
        /// The file.
        path: std::path::PathBuf,
    },
    /// Create a request.
    Create {
        /// Where.
        target: Target,
        /// What.
        new: Box<NewPullRequest>,
    },
}

impl PullsRequest {
    /// What the jobs strip calls it.
    pub fn title(&self) -> String {
        match self {
            PullsRequest::List { repositories, .. } if repositories.len() == 1 => {
                format!("List pull requests of {}", repositories[0])
            }
            PullsRequest::List { repositories, .. } => {
                format!("List pull requests of {} repositories", repositories.len())
            }
            PullsRequest::Review { pr, .. } => format!("Read the review state of #{}", pr.id),
            PullsRequest::Open { id, .. } => format!("Read pull request #{id}"),
            PullsRequest::FileDiff { file, .. } => format!("Read the diff of {}", file.path),
            PullsRequest::Comment { pr, .. } => format!("Comment on #{}", pr.id),
            PullsRequest::Reply { id, .. } => format!("Reply on #{id}"),
            PullsRequest::EditComment { id, .. } => format!("Edit a comment on #{id}"),
            PullsRequest::DeleteComment { id, .. } => format!("Delete a comment on #{id}"),
            PullsRequest::React { id, reaction, .. } => format!("React {reaction} on #{id}"),
            PullsRequest::Approve {
                pr, approve: true, ..
            } => format!("Approve #{}", pr.id),
            PullsRequest::Approve { pr, .. } => format!("Revoke the approval of #{}", pr.id),
            PullsRequest::SetOpen { id, open: true, .. } => format!("Reopen #{id}"),
            PullsRequest::SetOpen { id, .. } => format!("Close #{id}"),
            PullsRequest::Conflicts { pr, strategy, .. } => {
                format!("Find the conflicts of #{} ({})", pr.id, strategy.label())
            }
            PullsRequest::ConflictText { path, .. } => format!("Read the conflicts of {path}"),
            PullsRequest::Merge { merge, .. } => {
                format!("Merge #{} ({})", merge.id, merge.strategy.label())
            }
            PullsRequest::PrepareText { .. } => "Prepare the text for the editor".into(),
            PullsRequest::ReadText { .. } => "Read the text the editor left".into(),
            PullsRequest::Draft { source, .. } => {
                format!("Draft a pull request from {source}")
            }
            PullsRequest::Create { new, .. } => {
                format!("Create a pull request {} → {}", new.source, new.destination)
            }
        }
    }

    /// Reads: quiet, dropped on cancel, run again after an SSO login.
    pub fn reads(&self) -> bool {
        matches!(
            self,
            PullsRequest::List { .. }
                | PullsRequest::Review { .. }
                | PullsRequest::Open { .. }
                | PullsRequest::FileDiff { .. }
                | PullsRequest::Conflicts { .. }
                | PullsRequest::Draft { .. }
                | PullsRequest::ConflictText { .. }
                | PullsRequest::PrepareText { .. }
                | PullsRequest::ReadText { .. }
        )
    }
}

/// Everything the request view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullDetail {
    /// The request.
    pub pr: PullRequest,
    /// Approvals, rules, merge options.
    pub review: Review,
    /// Activity, oldest first.
    pub events: Vec<Event>,
    /// Changed files.
    pub files: Vec<ChangedFile>,
    /// Comment threads.
    pub threads: Vec<Thread>,
}

/// Results for the pull requests screen.
#[derive(Debug, Clone, PartialEq)]
pub enum PullsOutput {
    /// Requests of the listing, as they arrive.
    Rows(Vec<PullRequest>),
    /// A repository's listing failed (the others go on).
    RepositoryFailed {
        /// Which.
        repository: String,
        /// Why.
        message: String,
    },
    /// The listing ended.
    Listed {
        /// Requests listed.
        count: usize,
    },
    /// A listed request's review state.
    Reviewed {
        /// The request.
        id: String,
        /// Its state.
        review: Review,
    },
    /// The request view's content.
    Opened(Box<PullDetail>),
    /// A file's diff.
    FileDiff {
        /// The file.
        path: String,
        /// The diff (binary and large files summarised).
        diff: Box<FileDiff>,
    },
    /// A change was made to request `id` ("Approved #3"); the view reads it again.
    Changed {
        /// The request.
        id: String,
        /// What happened, in words.
        what: String,
    },
    /// The conflicting files for a strategy.
    Conflicts {
        /// The request.
        id: String,
        /// The strategy.
        strategy: MergeStrategy,
        /// The files (empty: it merges cleanly).
        conflicts: Vec<Conflict>,
    },
    /// Merged; the request as it is now.
    Merged(Box<PullRequest>),
    /// A new request.
    Created(Box<PullRequest>),
    /// A conflicting file's text with conflict markers.
    ConflictText {
        /// The request.
        id: String,
        /// The file.
        path: String,
        /// Its merged text, conflicts marked.
        text: String,
    },
    /// The text is in a file for the editor.
    TextFileReady(crate::git::message_file::MessageFile),
    /// What the editor left (comment lines removed).
    TextEdited(String),
    /// A draft's title and description.
    Drafted {
        /// Title.
        title: String,
        /// Description.
        description: String,
    },
}

fn out(output: PullsOutput) -> Result<JobOutput, JobFailure> {
    Ok(JobOutput::Pulls(output))
}

fn changed(id: &str, what: String) -> Result<JobOutput, JobFailure> {
    out(PullsOutput::Changed {
        id: id.to_string(),
        what,
    })
}

/// A blob's bytes; nothing for a side that does not exist.
async fn read_blob(
    client: &aws_sdk_codecommit::Client,
    target: &Target,
    repository: &str,
    blob: Option<&str>,
) -> Result<Vec<u8>, crate::aws::error::AwsError> {
    match blob {
        Some(blob) => pulls::blob(client, target, repository, blob).await,
        None => Ok(Vec::new()),
    }
}

/// Runs one request.
pub(super) async fn run(
    request: PullsRequest,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    match request {
        PullsRequest::List {
            target,
            repositories,
            status,
            author,
        } => {
            let client = services.clients.get(&target).await;
            let single = repositories.len() == 1;
            let mut first_failure = None;
            let count = pulls::list_with_details(
                &client,
                &target,
                &repositories,
                status,
                author.as_deref(),
                |rows| context.output(JobOutput::Pulls(PullsOutput::Rows(rows))),
                |repository, error| {
                    context.output(JobOutput::Pulls(PullsOutput::RepositoryFailed {
                        repository: repository.to_string(),
                        message: error.to_string(),
                    }));
                    first_failure.get_or_insert(error);
                },
            )
            .await;
            // The listing of one repository that failed is the job's failure (with its hint).
            if let (true, Some(error)) = (single && count == 0, first_failure) {
                return Err(error.into());
            }
            out(PullsOutput::Listed { count })
        }
        PullsRequest::Review { target, pr } => {
            let client = services.clients.get(&target).await;
            let review = pulls::review(&client, &target, &pr).await?;
            out(PullsOutput::Reviewed { id: pr.id, review })
        }
        PullsRequest::Open { target, id } => {
            let client = services.clients.get(&target).await;
            let pr = pulls::get(&client, &target, &id).await?;
            let before = pr
                .merge_base
                .clone()
                .unwrap_or_else(|| pr.destination_commit.clone());
            let (review, events, files, threads) = tokio::join!(
                pulls::review(&client, &target, &pr),
                pulls::events(&client, &target, &id),
                pulls::changed_files(&client, &target, &pr.repository, &before, &pr.source_commit),
                pulls::comments(&client, &target, &pr),
            );
            out(PullsOutput::Opened(Box::new(PullDetail {
                review: review?,
                events: events?,
                files: files?,
                threads: threads?,
                pr,
            })))
        }
        PullsRequest::FileDiff {
            target,
            repository,
            file,
        } => {
            let client = services.clients.get(&target).await;
            let (before, after) = tokio::join!(
                read_blob(&client, &target, &repository, file.before_blob.as_deref()),
                read_blob(&client, &target, &repository, file.after_blob.as_deref())
            );
            let (before, after) = (before?, after?);
            let path = file.path.clone();
            let diff = tokio::task::spawn_blocking(move || {
                crate::git::blob_diff::diff_blobs(&file.path, &before, &after)
            })
            .await
            .map_err(|e| JobFailure::new(format!("the diff stopped unexpectedly: {e}"), None))?
            .map_err(|e| JobFailure::new(e.to_string(), None))?;
            out(PullsOutput::FileDiff {
                path,
                diff: Box::new(diff),
            })
        }
        PullsRequest::Comment {
            target,
            pr,
            at,
            content,
        } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            pulls::post_comment(&client, &target, &pr, &at, &content).await?;
            let place = match &at {
                Anchor::Request => "the request".to_string(),
                Anchor::File(path) => path.clone(),
                Anchor::Line { path, line, .. } => format!("{path}:{line}"),
            };
            changed(&pr.id, format!("Commented on {place}"))
        }
        PullsRequest::Reply {
            target,
            id,
            in_reply_to,
            content,
        } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            pulls::reply(&client, &target, &in_reply_to, &content).await?;
            changed(&id, "Replied".into())
        }
        PullsRequest::EditComment {
            target,
            id,
            comment,
            content,
        } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            pulls::edit_comment(&client, &target, &comment, &content).await?;
            changed(&id, "Comment edited".into())
        }
        PullsRequest::DeleteComment {
            target,
            id,
            comment,
        } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            pulls::delete_comment(&client, &target, &comment).await?;
            changed(&id, "Comment deleted".into())
        }
        PullsRequest::React {
            target,
            id,
            comment,
            reaction,
        } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            pulls::react(&client, &target, &comment, &reaction).await?;
            changed(&id, format!("Reacted {reaction}"))
        }
        PullsRequest::Approve {
            target,
            pr,
            approve,
        } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            pulls::set_approval(&client, &target, &pr, approve).await?;
            let what = if approve {
                format!("Approved #{}", pr.id)
            } else {
                format!("Approval of #{} revoked", pr.id)
            };
            changed(&pr.id, what)
        }
        PullsRequest::SetOpen { target, id, open } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            pulls::set_open(&client, &target, &id, open).await?;
            let what = if open {
                format!("Reopened #{id}")
            } else {
                format!("Closed #{id}")
            };
            changed(&id, what)
        }
        PullsRequest::Conflicts {
            target,
            pr,
            strategy,
        } => {
            let client = services.clients.get(&target).await;
            let conflicts = pulls::conflicts(&client, &target, &pr, strategy).await?;
            out(PullsOutput::Conflicts {
                id: pr.id,
                strategy,
                conflicts,
            })
        }
        PullsRequest::ConflictText { target, pr, path } => {
            let client = services.clients.get(&target).await;
            let [base, destination, source] =
                pulls::conflict_versions(&client, &target, &pr, &path).await?;
            let merged = tokio::task::spawn_blocking(move || {
                crate::git::blob_diff::merge_with_markers(&base, &destination, &source)
            })
            .await
            .map_err(|e| JobFailure::new(format!("the merge stopped unexpectedly: {e}"), None))?
            .map_err(|e| JobFailure::new(e.to_string(), None))?;
            let text = String::from_utf8(merged).map_err(|_| {
                JobFailure::new(
                    format!("{path} is not text: take the source's or the destination's version."),
                    None,
                )
            })?;
            out(PullsOutput::ConflictText {
                id: pr.id,
                path,
                text,
            })
        }
        PullsRequest::Merge { target, merge } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            let pr = pulls::merge(&client, &target, &merge).await?;
            out(PullsOutput::Merged(Box::new(pr)))
        }
        PullsRequest::Draft {
            repo,
            source,
            destination,
        } => {
            let (title, description) = tokio::task::spawn_blocking(move || {
                crate::git::pr_draft::draft(&repo, &source, &destination)
            })
            .await
            .map_err(|e| JobFailure::new(format!("the git work stopped unexpectedly: {e}"), None))?
            .map_err(|e| JobFailure::new(e.to_string(), None))?;
            out(PullsOutput::Drafted { title, description })
        }
        PullsRequest::PrepareText { dir, draft, what } => {
            let dir = dir.unwrap_or_else(std::env::temp_dir);
            let file = tokio::task::spawn_blocking(move || {
                crate::git::message_file::prepare_text(&dir, "PULLREQ_EDITMSG", &draft, &what)
            })
            .await
            .map_err(|e| JobFailure::new(format!("the work stopped unexpectedly: {e}"), None))?
            .map_err(|e| JobFailure::new(e.to_string(), None))?;
            out(PullsOutput::TextFileReady(file))
        }
        PullsRequest::ReadText { path } => {
            let text = tokio::task::spawn_blocking(move || {
                let text = crate::git::message_file::read_text(&path);
                let _ = std::fs::remove_file(&path);
                text
            })
            .await
            .map_err(|e| JobFailure::new(format!("the work stopped unexpectedly: {e}"), None))?
            .map_err(|e| JobFailure::new(e.to_string(), None))?;
            out(PullsOutput::TextEdited(text))
        }
        PullsRequest::Create { target, new } => {
            let client = services.clients.get(&target).await;
            context.finishing();
            let pr = pulls::create(&client, &target, &new).await?;
            out(PullsOutput::Created(Box::new(pr)))
        }
    }
}
