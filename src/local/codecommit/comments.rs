//! Comments on pull requests: on the request, on a file or on a line (a location), replies,
//! edits by their author, deleted content, and emoji reactions.
//!
//! GetCommentsForPullRequest groups comments as AWS does (`commentsForPullRequestData`): one
//! entry per commit pair and location, holding its comments and their replies in posting
//! order; `maxResults` counts comments.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::state::{Comment, PullRequest, State};
use super::{
    Caller, OpResult, client_request_token, max_results, pull_request_id, required, validate_arn,
};
use crate::local::ops::{ApiError, Ops, opt_str, page, required_repository_name};
use crate::local::store::{new_id, now_epoch_seconds};

/// Longest comment, in characters.
pub const MAX_CONTENT: usize = 10240;
/// Most different users' reactions a comment keeps.
pub const MAX_REACTIONS: usize = 50;
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 500;

/// The reactions CodeCommit supports: (emoji, short code, unicode code point).
const REACTIONS: [(&str, &str, &str); 10] = [
    ("👍", ":thumbsup:", "U+1F44D"),
    ("👎", ":thumbsdown:", "U+1F44E"),
    ("😀", ":grinning:", "U+1F600"),
    ("😂", ":joy:", "U+1F602"),
    ("😕", ":confused:", "U+1F615"),
    ("😢", ":cry:", "U+1F622"),
    ("❤", ":heart:", "U+2764"),
    ("🎉", ":tada:", "U+1F389"),
    ("🚀", ":rocket:", "U+1F680"),
    ("👀", ":eyes:", "U+1F440"),
];

fn reaction_formats(unicode: &str) -> Option<(&'static str, &'static str, &'static str)> {
    REACTIONS.iter().copied().find(|r| r.2 == unicode)
}

/// The unicode code point of a reaction given in any of its forms; `None` removes.
fn parse_reaction(value: &str) -> Result<Option<&'static str>, ApiError> {
    let v = value.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let bare = v.trim_matches(':');
    REACTIONS
        .iter()
        .find(|(emoji, short, unicode)| {
            *emoji == v
                || short.trim_matches(':') == bare
                || unicode.eq_ignore_ascii_case(v)
                || emoji.trim_end_matches('\u{fe0f}') == v.trim_end_matches('\u{fe0f}')
        })
        .map(|r| Some(r.2))
        .ok_or_else(|| {
            ApiError::client(
                "InvalidReactionValueException",
                format!(
                    "The reaction {value} is not valid. Use one of {}.",
                    REACTIONS.iter().map(|r| r.1).collect::<Vec<_>>().join(" ")
                ),
            )
        })
}

fn validate_content(body: &Value) -> Result<String, ApiError> {
    let content = required(body, "content", "CommentContentRequiredException")?;
    if content.chars().count() > MAX_CONTENT {
        return Err(ApiError::client(
            "CommentContentSizeLimitExceededException",
            format!("The comment is too large. Comments are at most {MAX_CONTENT} characters."),
        ));
    }
    Ok(content.to_string())
}

fn comment_id(body: &Value, key: &str) -> Result<String, ApiError> {
    let id = required(body, key, "CommentIdRequiredException")?;
    let valid = id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(id.to_string())
    } else {
        Err(ApiError::client(
            "InvalidCommentIdException",
            format!("The comment ID {id} is not valid."),
        ))
    }
}

fn find<'s>(state: &'s mut State, id: &str) -> Result<&'s mut Comment, ApiError> {
    state.comments.get_mut(id).ok_or_else(|| {
        ApiError::client(
            "CommentDoesNotExistException",
            format!("No comment exists with the ID {id}."),
        )
    })
}

fn ensure_not_deleted(comment: &Comment) -> Result<(), ApiError> {
    if comment.deleted {
        Err(ApiError::client(
            "CommentDeletedException",
            format!("The comment {} has been deleted.", comment.id),
        ))
    } else {
        Ok(())
    }
}

/// The `Comment` shape, with the caller's own reactions.
fn comment_json(comment: &Comment, caller: &Caller) -> Value {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for unicode in comment.reactions.values() {
        if let Some((emoji, _, _)) = reaction_formats(unicode) {
            *counts.entry(emoji).or_default() += 1;
        }
    }
    let mine: Vec<&str> = comment
        .reactions
        .get(&caller.arn)
        .and_then(|u| reaction_formats(u))
        .map(|r| r.0)
        .into_iter()
        .collect();
    let mut m = Map::new();
    m.insert("commentId".into(), json!(comment.id));
    m.insert("content".into(), json!(comment.content));
    if let Some(parent) = &comment.in_reply_to {
        m.insert("inReplyTo".into(), json!(parent));
    }
    m.insert("creationDate".into(), json!(comment.creation_date));
    m.insert("lastModifiedDate".into(), json!(comment.last_modified_date));
    m.insert("authorArn".into(), json!(comment.author_arn));
    m.insert("deleted".into(), json!(comment.deleted));
    if let Some(token) = &comment.client_request_token {
        m.insert("clientRequestToken".into(), json!(token));
    }
    m.insert("callerReactions".into(), json!(mine));
    m.insert("reactionCounts".into(), json!(counts));
    Value::Object(m)
}

/// The fields a comment shares with its thread (`CommentsForPullRequest` without `comments`).
fn thread_fields(comment: &Comment) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "pullRequestId".into(),
        json!(comment.pull_request_id.to_string()),
    );
    m.insert("repositoryName".into(), json!(comment.repository_name));
    m.insert("beforeCommitId".into(), json!(comment.before_commit_id));
    m.insert("afterCommitId".into(), json!(comment.after_commit_id));
    if let Some(b) = &comment.before_blob_id {
        m.insert("beforeBlobId".into(), json!(b));
    }
    if let Some(a) = &comment.after_blob_id {
        m.insert("afterBlobId".into(), json!(a));
    }
    if let Some(location) = &comment.location {
        m.insert("location".into(), location.clone());
    }
    m
}

fn blob_at(repo: &git2::Repository, commit: &git2::Commit<'_>, path: &str) -> Option<git2::Oid> {
    let tree = commit.tree().ok()?;
    let entry = tree.get_path(std::path::Path::new(path)).ok()?;
    (entry.kind() == Some(git2::ObjectType::Blob))
        .then(|| entry.id())
        .filter(|id| repo.find_blob(*id).is_ok())
}

/// Checks a location against the commits; answers (location JSON, before blob, after blob).
fn check_location(
    repo: &git2::Repository,
    before: &git2::Commit<'_>,
    after: &git2::Commit<'_>,
    location: &Value,
) -> Result<(Value, Option<String>, Option<String>), ApiError> {
    if !location.is_object() {
        return Err(ApiError::client(
            "InvalidFileLocationException",
            "The location is not valid: give filePath, filePosition and relativeFileVersion.",
        ));
    }
    let path = required(location, "filePath", "PathRequiredException")?;
    let version = match opt_str(location, "relativeFileVersion")? {
        Some(v @ ("BEFORE" | "AFTER")) => v,
        other => {
            return Err(ApiError::client(
                "InvalidRelativeFileVersionEnumException",
                format!(
                    "The relative file version {} is not valid: use BEFORE or AFTER.",
                    other.unwrap_or("(none)")
                ),
            ));
        }
    };
    let before_blob = blob_at(repo, before, path);
    let after_blob = blob_at(repo, after, path);
    let side = if version == "BEFORE" {
        before_blob
    } else {
        after_blob
    };
    let Some(side) = side else {
        return Err(ApiError::client(
            "PathDoesNotExistException",
            format!("The file {path} does not exist in the {version} version of the pull request."),
        ));
    };
    let mut out = json!({ "filePath": path, "relativeFileVersion": version });
    match location.get("filePosition") {
        None | Some(Value::Null) => {}
        Some(position) => {
            let lines = repo
                .find_blob(side)
                .map(|b| {
                    let content = b.content();
                    let newlines = content.iter().filter(|c| **c == b'\n').count();
                    newlines + usize::from(!content.is_empty() && !content.ends_with(b"\n"))
                })
                .unwrap_or(0);
            match position.as_i64() {
                Some(n) if n >= 1 && n as usize <= lines => out["filePosition"] = json!(n),
                _ => {
                    return Err(ApiError::client(
                        "InvalidFilePositionException",
                        format!(
                            "The position is not valid. Make sure that the line number exists in the {version} version of {path} (1 to {lines})."
                        ),
                    ));
                }
            }
        }
    }
    Ok((
        out,
        before_blob.map(|o| o.to_string()),
        after_blob.map(|o| o.to_string()),
    ))
}

fn not_associated(name: &str, pr: &PullRequest) -> ApiError {
    ApiError::client(
        "RepositoryNotAssociatedWithPullRequestException",
        format!(
            "The repository {name} is not associated with pull request {}.",
            pr.id
        ),
    )
}

fn store_comment(state: &mut State, comment: Comment) {
    if let Ok(pr) = state.pull_mut(comment.pull_request_id) {
        pr.last_activity_date = comment.creation_date;
    }
    state.comment_order.push(comment.id.clone());
    state.comments.insert(comment.id.clone(), comment);
    state.dirty = true;
}

/// An earlier post with the same token: the same comment again, or a mismatch.
fn retried<'s>(
    state: &'s State,
    token: Option<&str>,
    same: impl Fn(&Comment) -> bool,
) -> Result<Option<&'s Comment>, ApiError> {
    let Some(token) = token else {
        return Ok(None);
    };
    match state
        .comments
        .values()
        .find(|c| c.client_request_token.as_deref() == Some(token))
    {
        Some(c) if same(c) => Ok(Some(c)),
        Some(_) => Err(ApiError::client(
            "IdempotencyParameterMismatchException",
            "The client request token was used before with different parameters; use a new token.",
        )),
        None => Ok(None),
    }
}

/// PostCommentForPullRequest.
pub fn post_for_pull_request(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let name = required_repository_name(body, "repositoryName")?;
    let before_id = required(body, "beforeCommitId", "CommitIdRequiredException")?;
    let after_id = required(body, "afterCommitId", "CommitIdRequiredException")?;
    let content = validate_content(body)?;
    let token = client_request_token(body)?;
    let meta = ops.existing(name)?;
    let repo = ops.open_git(&meta)?;
    let before = commit(&repo, before_id)?;
    let after = commit(&repo, after_id)?;
    if before.id() == after.id() {
        return Err(ApiError::client(
            "BeforeCommitIdAndAfterCommitIdAreSameException",
            "The before commit ID and the after commit ID are the same, which is not valid. Use the destination and source commits of the pull request.",
        ));
    }
    let (location, before_blob, after_blob) = match body.get("location") {
        None | Some(Value::Null) => (None, None, None),
        Some(location) => {
            let (l, b, a) = check_location(&repo, &before, &after, location)?;
            (Some(l), b, a)
        }
    };
    ops.pulls().with(|state| {
        let pr = super::pulls::current(ops, state, body)?;
        if pr.target.repository_id != meta.id {
            return Err(not_associated(name, pr));
        }
        let pr_id = pr.id;
        let same = |c: &Comment| {
            c.pull_request_id == pr_id
                && c.content == content
                && c.before_commit_id == before_id
                && c.after_commit_id == after_id
                && c.location == location
                && c.in_reply_to.is_none()
        };
        if let Some(existing) = retried(state, token.as_deref(), same)? {
            return Ok(answer_for(existing, caller));
        }
        let now = now_epoch_seconds();
        let comment = Comment {
            id: new_id(),
            pull_request_id: pr_id,
            repository_name: meta.name.clone(),
            before_commit_id: before_id.to_string(),
            after_commit_id: after_id.to_string(),
            before_blob_id: before_blob.clone(),
            after_blob_id: after_blob.clone(),
            location: location.clone(),
            content: content.clone(),
            in_reply_to: None,
            creation_date: now,
            last_modified_date: now,
            author_arn: caller.arn.clone(),
            deleted: false,
            client_request_token: token.clone(),
            reactions: BTreeMap::new(),
        };
        let answer = answer_for(&comment, caller);
        store_comment(state, comment);
        Ok(answer)
    })
}

fn commit<'r>(repo: &'r git2::Repository, id: &str) -> Result<git2::Commit<'r>, ApiError> {
    Ops::find_commit(repo, id, "CommitDoesNotExistException")
}

fn answer_for(comment: &Comment, caller: &Caller) -> Value {
    let mut m = thread_fields(comment);
    m.insert("comment".into(), comment_json(comment, caller));
    Value::Object(m)
}

/// PostCommentReply: in the thread (commits, location) of the comment it answers.
pub fn post_reply(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let parent_id = comment_id(body, "inReplyTo")?;
    let content = validate_content(body)?;
    let token = client_request_token(body)?;
    ops.pulls().with(|state| {
        let parent = find(state, &parent_id)?.clone();
        let same =
            |c: &Comment| c.in_reply_to.as_deref() == Some(&parent_id) && c.content == content;
        if let Some(existing) = retried(state, token.as_deref(), same)? {
            return Ok(json!({ "comment": comment_json(existing, caller) }));
        }
        let now = now_epoch_seconds();
        let reply = Comment {
            id: new_id(),
            content: content.clone(),
            in_reply_to: Some(parent_id.clone()),
            creation_date: now,
            last_modified_date: now,
            author_arn: caller.arn.clone(),
            deleted: false,
            client_request_token: token.clone(),
            reactions: BTreeMap::new(),
            ..parent
        };
        let answer = json!({ "comment": comment_json(&reply, caller) });
        store_comment(state, reply);
        Ok(answer)
    })
}

/// The thread a comment belongs to: its top comment.
fn root<'s>(state: &'s State, mut comment: &'s Comment) -> &'s Comment {
    let mut hops = 0;
    while let Some(parent) = comment
        .in_reply_to
        .as_ref()
        .and_then(|p| state.comments.get(p))
    {
        comment = parent;
        hops += 1;
        if hops > 10_000 {
            break;
        }
    }
    comment
}

/// GetCommentsForPullRequest.
pub fn get_for_pull_request(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let name = opt_str(body, "repositoryName")?.filter(|s| !s.is_empty());
    let before = opt_str(body, "beforeCommitId")?.filter(|s| !s.is_empty());
    let after = opt_str(body, "afterCommitId")?.filter(|s| !s.is_empty());
    if name.is_some() && (before.is_none() || after.is_none()) {
        return Err(ApiError::client(
            "CommitIdRequiredException",
            "beforeCommitId and afterCommitId are required when repositoryName is given.",
        ));
    }
    if name.is_none() && (before.is_some() || after.is_some()) {
        return Err(ApiError::client(
            "RepositoryNameRequiredException",
            "repositoryName is required when beforeCommitId or afterCommitId is given.",
        ));
    }
    let size = max_results(body, "maxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let token = opt_str(body, "nextToken")?;
    let meta = name
        .map(|n| {
            crate::local::ops::validate_repository_name(n)?;
            ops.existing(n)
        })
        .transpose()?;
    if let (Some(meta), Some(before), Some(after)) = (&meta, before, after) {
        let repo = ops.open_git(meta)?;
        commit(&repo, before)?;
        commit(&repo, after)?;
    }
    ops.pulls().with(|state| {
        let pr = super::pulls::current(ops, state, body)?;
        if let Some(meta) = &meta {
            if pr.target.repository_id != meta.id {
                return Err(not_associated(&meta.name, pr));
            }
        }
        let pr_id = pr.id;
        // Threads keyed by (commit pair, location), in the order their first comment came.
        let mut order: Vec<String> = Vec::new();
        let mut threads: BTreeMap<String, Vec<&Comment>> = BTreeMap::new();
        for id in &state.comment_order {
            let Some(c) = state.comments.get(id) else {
                continue;
            };
            if c.pull_request_id != pr_id
                || before.is_some_and(|b| b != c.before_commit_id)
                || after.is_some_and(|a| a != c.after_commit_id)
            {
                continue;
            }
            let top = root(state, c);
            let key = json!([top.before_commit_id, top.after_commit_id, top.location]).to_string();
            let entry = threads.entry(key.clone()).or_default();
            if entry.is_empty() {
                order.push(key);
            }
            entry.push(c);
        }
        let flat: Vec<(String, String)> = order
            .iter()
            .flat_map(|k| threads[k].iter().map(move |c| (k.clone(), c.id.clone())))
            .collect();
        let (items, next) = page(&flat, token, size)?;
        let mut groups: Vec<(String, Map<String, Value>, Vec<Value>)> = Vec::new();
        for (key, id) in items {
            let Some(c) = state.comments.get(&id) else {
                continue;
            };
            match groups.last_mut() {
                Some((k, _, comments)) if *k == key => comments.push(comment_json(c, caller)),
                _ => groups.push((
                    key,
                    thread_fields(root(state, c)),
                    vec![comment_json(c, caller)],
                )),
            }
        }
        let data: Vec<Value> = groups
            .into_iter()
            .map(|(_, mut fields, comments)| {
                fields.insert("comments".into(), json!(comments));
                Value::Object(fields)
            })
            .collect();
        let mut out = json!({ "commentsForPullRequestData": data });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok(out)
    })
}

/// GetComment.
pub fn get(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let id = comment_id(body, "commentId")?;
    ops.pulls().with(|state| {
        let comment = find(state, &id)?;
        ensure_not_deleted(comment)?;
        Ok(json!({ "comment": comment_json(comment, caller) }))
    })
}

/// UpdateComment: only its author may.
pub fn update(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let id = comment_id(body, "commentId")?;
    let content = validate_content(body)?;
    ops.pulls().with(|state| {
        let comment = find(state, &id)?;
        ensure_not_deleted(comment)?;
        if comment.author_arn != caller.arn {
            return Err(ApiError::client(
                "CommentNotCreatedByCallerException",
                "You cannot modify or delete this comment. Only comment authors can modify or delete their comments.",
            ));
        }
        comment.content = content;
        comment.last_modified_date = now_epoch_seconds();
        let answer = json!({ "comment": comment_json(comment, caller) });
        state.dirty = true;
        Ok(answer)
    })
}

/// DeleteCommentContent: the comment stays (replies keep their thread), its text goes.
pub fn delete_content(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let id = comment_id(body, "commentId")?;
    ops.pulls().with(|state| {
        let comment = find(state, &id)?;
        ensure_not_deleted(comment)?;
        comment.content = String::new();
        comment.deleted = true;
        comment.last_modified_date = now_epoch_seconds();
        let answer = json!({ "comment": comment_json(comment, caller) });
        state.dirty = true;
        Ok(answer)
    })
}

/// PutCommentReaction: one reaction per user; blank or `none` removes it.
pub fn put_reaction(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let id = comment_id(body, "commentId")?;
    let value = match opt_str(body, "reactionValue")? {
        Some(v) => v,
        None => {
            return Err(ApiError::client(
                "ReactionValueRequiredException",
                "A reaction value is required.",
            ));
        }
    };
    let reaction = parse_reaction(value)?;
    ops.pulls().with(|state| {
        let comment = find(state, &id)?;
        ensure_not_deleted(comment)?;
        match reaction {
            None => {
                comment.reactions.remove(&caller.arn);
            }
            Some(unicode) => {
                if !comment.reactions.contains_key(&caller.arn)
                    && comment.reactions.len() >= MAX_REACTIONS
                {
                    return Err(ApiError::client(
                        "ReactionLimitExceededException",
                        format!(
                            "The comment has the most reactions it can have ({MAX_REACTIONS})."
                        ),
                    ));
                }
                comment
                    .reactions
                    .insert(caller.arn.clone(), unicode.to_string());
            }
        }
        state.dirty = true;
        Ok(json!({}))
    })
}

/// GetCommentReactions: per reaction, the users who gave it.
pub fn get_reactions(ops: &Ops, body: &Value) -> OpResult {
    let id = comment_id(body, "commentId")?;
    let user = opt_str(body, "reactionUserArn")?;
    if let Some(user) = user {
        validate_arn(user, "InvalidReactionUserArnException")?;
    }
    let size = max_results(body, "maxResults", DEFAULT_PAGE, 1000)?;
    let token = opt_str(body, "nextToken")?;
    ops.pulls().with(|state| {
        let comment = find(state, &id)?;
        ensure_not_deleted(comment)?;
        let mut by_reaction: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (arn, unicode) in &comment.reactions {
            if user.is_some_and(|u| u != arn) {
                continue;
            }
            by_reaction.entry(unicode).or_default().push(arn);
        }
        let entries: Vec<Value> = REACTIONS
            .iter()
            .filter_map(|(emoji, short, unicode)| {
                let users = by_reaction.get(unicode)?;
                Some(json!({
                    "reaction": { "emoji": emoji, "shortCode": short, "unicode": unicode },
                    "reactionUsers": users,
                    "reactionsFromDeletedUsersCount": 0,
                }))
            })
            .collect();
        let (items, next) = page(&entries, token, size)?;
        let mut out = json!({ "reactionsForComment": items });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reactions_are_accepted_in_every_form_and_others_refused() {
        for form in ["👍", ":thumbsup:", "thumbsup", "U+1F44D", "u+1f44d"] {
            assert_eq!(parse_reaction(form).ok(), Some(Some("U+1F44D")), "{form}");
        }
        assert_eq!(parse_reaction("").ok(), Some(None));
        assert_eq!(parse_reaction("none").ok(), Some(None));
        assert_eq!(
            parse_reaction(":unicorn:").err().map(|e| e.code),
            Some("InvalidReactionValueException".to_string())
        );
    }
}
