//! The CodeCommit operations: validation rules and exception names as AWS documents them,
//! applied to the [`Store`] and the bare repositories.
//!
//! Every function here is blocking (file and git2 I/O); the HTTP layer runs them on the
//! blocking thread pool.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::local::store::{self, RepoMeta, Store, StoreError, new_id, now_epoch_seconds};

/// Page size of ListRepositories (as AWS).
pub const REPOSITORY_PAGE: usize = 1000;
/// Page size of ListBranches.
pub const BRANCH_PAGE: usize = 100;
/// Most names accepted by BatchGetRepositories.
pub const MAX_BATCH_NAMES: usize = 25;
/// Most tags per repository.
pub const MAX_TAGS: usize = 50;
/// Most triggers per repository.
pub const MAX_TRIGGERS: usize = crate::local::codecommit::triggers::MAX_TRIGGERS;
/// KMS key reported when the client gives none (the AWS managed key alias).
pub const DEFAULT_KMS_KEY: &str = "alias/aws/codecommit";

/// An AWS-style error: HTTP status, `__type` and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// AWS error code, e.g. `RepositoryDoesNotExistException`.
    pub code: String,
    /// Human message.
    pub message: String,
}

impl ApiError {
    /// A 400 client error.
    pub fn client(code: &str, message: impl Into<String>) -> Self {
        Self {
            status: 400,
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// A 500 error for a failure on our side (disk, git).
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: 500,
            code: "InternalFailure".into(),
            message: message.into(),
        }
    }

    /// The JSON body AWS JSON 1.1 clients parse.
    pub fn body(&self) -> Value {
        json!({ "__type": self.code, "message": self.message })
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NameExists(name) => ApiError::client(
                "RepositoryNameExistsException",
                format!("Repository named {name} already exists"),
            ),
            StoreError::NotFound(name) => not_found(&name),
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal("The service could not store the change.")
            }
        }
    }
}

pub(crate) fn not_found(name: &str) -> ApiError {
    ApiError::client(
        "RepositoryDoesNotExistException",
        format!("{name} does not exist"),
    )
}

pub(crate) fn git_error(error: git2::Error) -> ApiError {
    tracing::error!(%error, "git failure");
    ApiError::internal("The service could not read the repository.")
}

/// What the operations need to know about the running service.
pub struct Ops {
    store: Arc<Store>,
    region: String,
    account_id: String,
    port: u16,
    ssh_port: Option<u16>,
    /// Pull requests, comments and approvals (their own file in the data directory).
    pulls: crate::local::codecommit::Pulls,
}

/// Reads the string field `key`; absent or null gives `None`, another type is an error.
pub(crate) fn opt_str<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::client(
            "SerializationException",
            format!("{key} must be a string"),
        )),
    }
}

pub(crate) fn required_str<'a>(
    body: &'a Value,
    key: &str,
    missing_code: &str,
) -> Result<&'a str, ApiError> {
    match opt_str(body, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::client(
            missing_code,
            format!("{key} is required but was not specified"),
        )),
    }
}

fn string_map(body: &Value, key: &str) -> Result<Option<BTreeMap<String, String>>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(ApiError::client(
                    "InvalidTagsMapException",
                    format!("The value of tag {k} must be a string"),
                )),
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(ApiError::client(
            "SerializationException",
            format!("{key} must be a map of strings"),
        )),
    }
}

/// AWS repository names: 1–100 of `[A-Za-z0-9_.-]`, not ending in `.git`. This is also what
/// guarantees a name never reaches a file path in a harmful form (paths use ids anyway).
pub fn validate_repository_name(name: &str) -> Result<(), ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !name.to_ascii_lowercase().ends_with(".git")
        // "." and ".." would be rewritten by URL normalisation in clients (and proxies).
        && name != "."
        && name != "..";
    if valid {
        Ok(())
    } else {
        Err(ApiError::client(
            "InvalidRepositoryNameException",
            "The repository name is not valid. Repository names can be any valid combination of letters, numbers, periods, underscores, and dashes between 1 and 100 characters in length. Names are case sensitive. Repository names cannot end in .git.",
        ))
    }
}

pub(crate) fn required_repository_name<'a>(
    body: &'a Value,
    key: &str,
) -> Result<&'a str, ApiError> {
    let name = required_str(body, key, "RepositoryNameRequiredException")?;
    validate_repository_name(name)?;
    Ok(name)
}

fn validate_description(description: Option<&str>) -> Result<(), ApiError> {
    match description {
        // AWS accepts every character, HTML included (its docs warn clients to encode on display).
        Some(d) if d.chars().count() > 1000 => Err(ApiError::client(
            "InvalidRepositoryDescriptionException",
            "The repository description is not valid. Descriptions are at most 1,000 characters.",
        )),
        _ => Ok(()),
    }
}

fn validate_tags(tags: &BTreeMap<String, String>, existing: usize) -> Result<(), ApiError> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(ApiError::client(
                "InvalidTagsMapException",
                format!(
                    "The tag {key} is not valid: keys are 1-128 characters, values at most 256."
                ),
            ));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(ApiError::client(
                "InvalidSystemTagUsageException",
                "The tag key prefix aws: is reserved for AWS use.",
            ));
        }
    }
    if tags.len() + existing > MAX_TAGS {
        return Err(ApiError::client(
            "TooManyTagsException",
            format!("A repository can have at most {MAX_TAGS} tags."),
        ));
    }
    Ok(())
}

pub(crate) fn validate_branch_name(name: &str) -> Result<(), ApiError> {
    match crate::local::refname::branch_name_problem(name) {
        None => Ok(()),
        Some(problem) => Err(ApiError::client(
            "InvalidBranchNameException",
            format!("The specified reference name is not valid: {name} ({problem})."),
        )),
    }
}

/// Branches with a part longer than a file name can be (AWS takes names of up to 256
/// characters) cannot be loose ref files; they live in `packed-refs` only, which libgit2 and git
/// read, but libgit2's lookup by name fails on the loose path first, so the service reads and
/// edits `packed-refs` itself for them, under git's `packed-refs.lock`.
mod packed_refs {
    use std::path::Path;

    use git2::{Error, ErrorClass, ErrorCode, Oid};

    /// Longest file name on common file systems, in bytes.
    const NAME_MAX: usize = 255;

    pub fn too_long_for_a_file(branch: &str) -> bool {
        branch.split('/').any(|part| part.len() > NAME_MAX)
    }

    fn io(e: std::io::Error) -> Error {
        Error::from_str(&e.to_string())
    }

    fn read(git_dir: &Path) -> Result<String, Error> {
        match std::fs::read_to_string(git_dir.join("packed-refs")) {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(io(e)),
        }
    }

    /// (line index, oid) of `refname`.
    fn find(lines: &[&str], refname: &str) -> Option<(usize, Oid)> {
        lines.iter().enumerate().find_map(|(i, line)| {
            let (oid, name) = line.split_once(' ')?;
            (name == refname).then(|| Oid::from_str(oid).ok().map(|oid| (i, oid)))?
        })
    }

    pub fn lookup(git_dir: &Path, refname: &str) -> Result<Option<Oid>, Error> {
        let text = read(git_dir)?;
        let lines: Vec<&str> = text.lines().collect();
        Ok(find(&lines, refname).map(|(_, oid)| oid))
    }

    /// Rewrites packed-refs with `edit` applied to its lines (header dropped, so readers do not
    /// assume sorted entries).
    fn rewrite<T>(
        git_dir: &Path,
        edit: impl FnOnce(&mut Vec<String>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let lock = git_dir.join("packed-refs.lock");
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
            .map_err(|e| Error::new(ErrorCode::Locked, ErrorClass::Reference, e.to_string()))?;
        let result = (|| {
            let text = read(git_dir)?;
            let mut lines: Vec<String> = text
                .lines()
                .filter(|l| !l.starts_with("# pack-refs with:"))
                .map(str::to_string)
                .collect();
            let value = edit(&mut lines)?;
            let mut out = String::new();
            for line in lines {
                out.push_str(&line);
                out.push('\n');
            }
            std::io::Write::write_all(&mut file, out.as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            std::fs::rename(&lock, git_dir.join("packed-refs")).map_err(io)?;
            Ok(value)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&lock);
        }
        result
    }

    pub fn add(git_dir: &Path, refname: &str, oid: Oid) -> Result<(), Error> {
        rewrite(git_dir, |lines| {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            if find(&refs, refname).is_some() {
                return Err(Error::new(
                    ErrorCode::Exists,
                    ErrorClass::Reference,
                    "reference exists",
                ));
            }
            lines.push(format!("{oid} {refname}"));
            Ok(())
        })
    }

    /// Removes `refname` (and its peeled line); the oid it had, if it existed.
    pub fn remove(git_dir: &Path, refname: &str) -> Result<Option<Oid>, Error> {
        if lookup(git_dir, refname)?.is_none() {
            return Ok(None);
        }
        rewrite(git_dir, |lines| {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let Some((i, oid)) = find(&refs, refname) else {
                return Ok(None);
            };
            lines.remove(i);
            if lines.get(i).is_some_and(|l| l.starts_with('^')) {
                lines.remove(i);
            }
            Ok(Some(oid))
        })
    }
}

fn encode_token(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("cctui:{offset}"))
}

fn decode_token(token: &str) -> Result<usize, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("cctui:")?.parse().ok())
        .ok_or_else(invalid_token)
}

fn invalid_token() -> ApiError {
    ApiError::client(
        "InvalidContinuationTokenException",
        "The specified continuation token is not valid.",
    )
}

pub(crate) fn page<T: Clone>(
    items: &[T],
    token: Option<&str>,
    size: usize,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = token.map(decode_token).transpose()?.unwrap_or(0);
    if start > items.len() {
        return Err(invalid_token());
    }
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| encode_token(end));
    Ok((items[start..end].to_vec(), next))
}

fn user_info(sig: &git2::Signature<'_>) -> Value {
    let when = sig.when();
    let offset = when.offset_minutes();
    let sign = if offset < 0 { '-' } else { '+' };
    json!({
        "name": String::from_utf8_lossy(sig.name_bytes()),
        "email": String::from_utf8_lossy(sig.email_bytes()),
        "date": format!("{} {sign}{:02}{:02}", when.seconds(), offset.abs() / 60, offset.abs() % 60),
    })
}

impl Ops {
    /// Operations over `store`, reporting `port` in clone URLs.
    pub fn new(store: Arc<Store>, region: String, account_id: String, port: u16) -> Self {
        Self {
            pulls: crate::local::codecommit::Pulls::new(store.root()),
            store,
            region,
            account_id,
            port,
            ssh_port: None,
        }
    }

    /// Reports `ssh://127.0.0.1:<port>/v1/repos/<name>` as `cloneUrlSsh` (the service's SSH
    /// endpoint) instead of CodeCommit's host name.
    pub fn with_ssh_port(mut self, ssh_port: Option<u16>) -> Self {
        self.ssh_port = ssh_port;
        self
    }

    /// The pull request state.
    pub(crate) fn pulls(&self) -> &crate::local::codecommit::Pulls {
        &self.pulls
    }

    /// The region the service answers for.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// The account the service answers for.
    pub(crate) fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn arn(&self, name: &str) -> String {
        format!(
            "arn:aws:codecommit:{}:{}:{name}",
            self.region, self.account_id
        )
    }

    /// The repository metadata as AWS sends it (dates as epoch seconds).
    pub fn metadata_json(&self, meta: &RepoMeta) -> Value {
        let mut m = Map::new();
        m.insert("accountId".into(), json!(self.account_id));
        m.insert("repositoryId".into(), json!(meta.id));
        m.insert("repositoryName".into(), json!(meta.name));
        if let Some(d) = &meta.description {
            m.insert("repositoryDescription".into(), json!(d));
        }
        if let Some(b) = &meta.default_branch {
            m.insert("defaultBranch".into(), json!(b));
        }
        m.insert("lastModifiedDate".into(), json!(meta.last_modified_date));
        m.insert("creationDate".into(), json!(meta.creation_date));
        m.insert(
            "cloneUrlHttp".into(),
            json!(format!(
                "http://127.0.0.1:{}/v1/repos/{}",
                self.port, meta.name
            )),
        );
        let ssh = match self.ssh_port {
            Some(port) => format!("ssh://127.0.0.1:{port}/v1/repos/{}", meta.name),
            None => format!(
                "ssh://git-codecommit.{}.amazonaws.com/v1/repos/{}",
                self.region, meta.name
            ),
        };
        m.insert("cloneUrlSsh".into(), json!(ssh));
        m.insert("Arn".into(), json!(self.arn(&meta.name)));
        m.insert("kmsKeyId".into(), json!(meta.kms_key_id));
        Value::Object(m)
    }

    pub(crate) fn existing(&self, name: &str) -> Result<RepoMeta, ApiError> {
        self.store.get(name).ok_or_else(|| not_found(name))
    }

    pub(crate) fn open_git(&self, meta: &RepoMeta) -> Result<git2::Repository, ApiError> {
        git2::Repository::open_bare(self.store.repo_path(&meta.id)).map_err(git_error)
    }

    /// Runs operation `operation` (the part after `CodeCommit_20150413.`) on `body`, as the
    /// service's own user (the demo user): for the demo seed and tests.
    pub fn dispatch(&self, operation: &str, body: &Value) -> Result<Value, ApiError> {
        self.dispatch_as(None, operation, body)
    }

    /// Runs `operation` for the caller that signed with `access_key_id`.
    pub fn dispatch_as(
        &self,
        access_key_id: Option<&str>,
        operation: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let caller =
            crate::local::codecommit::Caller::from_access_key(&self.account_id, access_key_id);
        self.dispatch_for(&caller, operation, body)
    }

    /// Runs `operation` for `caller` (the IAM user the API found for the signing key).
    pub fn dispatch_for(
        &self,
        caller: &crate::local::codecommit::Caller,
        operation: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        use crate::local::codecommit as cc;
        match operation {
            "CreateRepository" => self.create_repository(body),
            "GetRepository" => self.get_repository(body),
            "BatchGetRepositories" => self.batch_get_repositories(body),
            "ListRepositories" => self.list_repositories(body),
            "DeleteRepository" => self.delete_repository(body),
            "UpdateRepositoryName" => self.update_repository_name(body),
            "UpdateRepositoryDescription" => self.update_repository_description(body),
            "ListBranches" => self.list_branches(body),
            "GetBranch" => self.get_branch(body),
            "CreateBranch" => self.create_branch(body),
            "DeleteBranch" => self.delete_branch(body),
            "UpdateDefaultBranch" => self.update_default_branch(body),
            "GetCommit" => self.get_commit(body),
            "TagResource" => self.tag_resource(body),
            "UntagResource" => self.untag_resource(body),
            "ListTagsForResource" => self.list_tags_for_resource(body),
            "GetRepositoryTriggers" => self.get_repository_triggers(body),
            "PutRepositoryTriggers" => self.put_repository_triggers(body),
            "TestRepositoryTriggers" => cc::triggers::test(self, body),
            "CreatePullRequest" => cc::pulls::create(self, caller, body),
            "GetPullRequest" => cc::pulls::get(self, body),
            "ListPullRequests" => cc::pulls::list(self, body),
            "UpdatePullRequestTitle" => cc::pulls::update_title(self, body),
            "UpdatePullRequestDescription" => cc::pulls::update_description(self, body),
            "UpdatePullRequestStatus" => cc::pulls::update_status(self, caller, body),
            "DescribePullRequestEvents" => cc::pulls::describe_events(self, body),
            "GetDifferences" => cc::differences::get_differences(self, body),
            "GetBlob" => cc::differences::get_blob(self, body),
            "PostCommentForPullRequest" => cc::comments::post_for_pull_request(self, caller, body),
            "PostCommentReply" => cc::comments::post_reply(self, caller, body),
            "GetCommentsForPullRequest" => cc::comments::get_for_pull_request(self, caller, body),
            "GetComment" => cc::comments::get(self, caller, body),
            "UpdateComment" => cc::comments::update(self, caller, body),
            "DeleteCommentContent" => cc::comments::delete_content(self, caller, body),
            "PutCommentReaction" => cc::comments::put_reaction(self, caller, body),
            "GetCommentReactions" => cc::comments::get_reactions(self, body),
            "UpdatePullRequestApprovalState" => cc::approvals::update_state(self, caller, body),
            "GetPullRequestApprovalStates" => cc::approvals::get_states(self, body),
            "CreatePullRequestApprovalRule" => cc::approvals::create_rule(self, caller, body),
            "UpdatePullRequestApprovalRuleContent" => {
                cc::approvals::update_rule_content(self, caller, body)
            }
            "DeletePullRequestApprovalRule" => cc::approvals::delete_rule(self, caller, body),
            "EvaluatePullRequestApprovalRules" => cc::approvals::evaluate(self, body),
            "OverridePullRequestApprovalRules" => cc::approvals::override_rules(self, caller, body),
            "GetPullRequestOverrideState" => cc::approvals::get_override_state(self, body),
            "GetMergeOptions" => cc::merges::get_merge_options(self, body),
            "MergePullRequestByFastForward" => cc::merges::by_fast_forward(self, caller, body),
            "MergePullRequestBySquash" => cc::merges::by_squash(self, caller, body),
            "MergePullRequestByThreeWay" => cc::merges::by_three_way(self, caller, body),
            "CreateApprovalRuleTemplate" => cc::templates::create(self, caller, body),
            "GetApprovalRuleTemplate" => cc::templates::get(self, body),
            "ListApprovalRuleTemplates" => cc::templates::list(self, body),
            "DeleteApprovalRuleTemplate" => cc::templates::delete(self, body),
            "UpdateApprovalRuleTemplateName" => cc::templates::update_name(self, caller, body),
            "UpdateApprovalRuleTemplateDescription" => {
                cc::templates::update_description(self, caller, body)
            }
            "UpdateApprovalRuleTemplateContent" => {
                cc::templates::update_content(self, caller, body)
            }
            "AssociateApprovalRuleTemplateWithRepository" => cc::templates::associate(self, body),
            "DisassociateApprovalRuleTemplateFromRepository" => {
                cc::templates::disassociate(self, body)
            }
            "BatchAssociateApprovalRuleTemplateWithRepositories" => {
                cc::templates::batch_associate(self, body)
            }
            "BatchDisassociateApprovalRuleTemplateFromRepositories" => {
                cc::templates::batch_disassociate(self, body)
            }
            "ListAssociatedApprovalRuleTemplatesForRepository" => {
                cc::templates::list_for_repository(self, body)
            }
            "ListRepositoriesForApprovalRuleTemplate" => {
                cc::templates::list_repositories(self, body)
            }
            "GetMergeConflicts" => cc::conflicts::get_merge_conflicts(self, body),
            "DescribeMergeConflicts" => cc::conflicts::describe_merge_conflicts(self, body),
            "MergeBranchesByFastForward" => {
                cc::merges::branches_by_fast_forward(self, caller, body)
            }
            "MergeBranchesBySquash" => cc::merges::branches_by_squash(self, caller, body),
            "MergeBranchesByThreeWay" => cc::merges::branches_by_three_way(self, caller, body),
            other => Err(ApiError::client(
                "UnknownOperationException",
                format!("The operation {other} is not supported by the cctui local service."),
            )),
        }
    }

    fn create_repository(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let description = opt_str(body, "repositoryDescription")?;
        validate_description(description)?;
        let tags = string_map(body, "tags")?.unwrap_or_default();
        validate_tags(&tags, 0)?;
        let kms_key_id = match opt_str(body, "kmsKeyId")? {
            Some(k) if k.is_empty() || k.len() > 2048 => {
                return Err(ApiError::client(
                    "EncryptionKeyInvalidIdException",
                    "The Key Management Service encryption key is not valid.",
                ));
            }
            Some(k) => k.to_string(),
            None => DEFAULT_KMS_KEY.to_string(),
        };
        let now = now_epoch_seconds();
        let meta = self.store.create(RepoMeta {
            id: new_id(),
            name: name.to_string(),
            description: description.map(str::to_string),
            creation_date: now,
            last_modified_date: now,
            default_branch: None,
            kms_key_id,
            tags,
            triggers: Vec::new(),
            triggers_configuration_id: new_id(),
        })?;
        Ok(json!({ "repositoryMetadata": self.metadata_json(&meta) }))
    }

    fn get_repository(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let meta = self.existing(name)?;
        Ok(json!({ "repositoryMetadata": self.metadata_json(&meta) }))
    }

    fn batch_get_repositories(&self, body: &Value) -> Result<Value, ApiError> {
        let names = match body.get("repositoryNames") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(Value::Array(_)) | None | Some(Value::Null) => {
                return Err(ApiError::client(
                    "RepositoryNamesRequiredException",
                    "At least one repository name is required.",
                ));
            }
            Some(_) => {
                return Err(ApiError::client(
                    "SerializationException",
                    "repositoryNames must be a list",
                ));
            }
        };
        if names.len() > MAX_BATCH_NAMES {
            return Err(ApiError::client(
                "MaximumRepositoryNamesExceededException",
                format!(
                    "The maximum number of allowed repository names ({MAX_BATCH_NAMES}) was exceeded."
                ),
            ));
        }
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for name in names {
            let name = name.as_str().ok_or_else(|| {
                ApiError::client("SerializationException", "repository names must be strings")
            })?;
            validate_repository_name(name)?;
            match self.store.get(name) {
                Some(meta) => found.push(self.metadata_json(&meta)),
                None => missing.push(json!(name)),
            }
        }
        Ok(json!({ "repositories": found, "repositoriesNotFound": missing, "errors": [] }))
    }

    fn list_repositories(&self, body: &Value) -> Result<Value, ApiError> {
        let sort_by = opt_str(body, "sortBy")?.unwrap_or("repositoryName");
        let descending = match opt_str(body, "order")?.unwrap_or("ascending") {
            "ascending" => false,
            "descending" => true,
            other => {
                return Err(ApiError::client(
                    "InvalidOrderException",
                    format!(
                        "The specified sort order {other} is not valid. Valid values are ascending and descending."
                    ),
                ));
            }
        };
        let mut all = self.store.all(); // sorted by name
        match sort_by {
            "repositoryName" => {}
            "lastModifiedDate" => all.sort_by(|a, b| {
                a.last_modified_date
                    .total_cmp(&b.last_modified_date)
                    .then_with(|| a.name.cmp(&b.name))
            }),
            other => {
                return Err(ApiError::client(
                    "InvalidSortByException",
                    format!(
                        "The specified sort criteria {other} is not valid. Valid values are repositoryName and lastModifiedDate."
                    ),
                ));
            }
        }
        if descending {
            all.reverse();
        }
        let pairs: Vec<Value> = all
            .iter()
            .map(|m| json!({ "repositoryName": m.name, "repositoryId": m.id }))
            .collect();
        let (items, next) = page(&pairs, opt_str(body, "nextToken")?, REPOSITORY_PAGE)?;
        let mut out = json!({ "repositories": items });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok(out)
    }

    fn delete_repository(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        // Like AWS: deleting a repository that does not exist succeeds without an id.
        Ok(match self.store.delete(name)? {
            Some(meta) => json!({ "repositoryId": meta.id }),
            None => json!({}),
        })
    }

    fn update_repository_name(&self, body: &Value) -> Result<Value, ApiError> {
        let old = required_repository_name(body, "oldName")?;
        let new = required_repository_name(body, "newName")?;
        self.existing(old)?;
        if old != new {
            let new_name = new.to_string();
            self.store.update(old, |m| {
                m.name = new_name;
                m.last_modified_date = now_epoch_seconds();
            })?;
        }
        Ok(json!({}))
    }

    fn update_repository_description(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let description = opt_str(body, "repositoryDescription")?;
        validate_description(description)?;
        self.existing(name)?;
        let description = description.map(str::to_string);
        self.store.update(name, |m| {
            m.description = description;
            m.last_modified_date = now_epoch_seconds();
        })?;
        Ok(json!({}))
    }

    fn branch_names(&self, meta: &RepoMeta) -> Result<Vec<String>, ApiError> {
        let repo = self.open_git(meta)?;
        let mut names = Vec::new();
        for reference in repo.references_glob("refs/heads/*").map_err(git_error)? {
            let reference = reference.map_err(git_error)?;
            if let Some(name) = reference
                .name()
                .ok()
                .and_then(|n| n.strip_prefix("refs/heads/"))
            {
                names.push(name.to_string());
            }
        }
        names.sort();
        Ok(names)
    }

    fn list_branches(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let meta = self.existing(name)?;
        let names = self.branch_names(&meta)?;
        let (items, next) = page(&names, opt_str(body, "nextToken")?, BRANCH_PAGE)?;
        let mut out = json!({ "branches": items });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok(out)
    }

    fn required_branch<'a>(body: &'a Value, key: &str) -> Result<&'a str, ApiError> {
        let branch = required_str(body, key, "BranchNameRequiredException")?;
        validate_branch_name(branch)?;
        Ok(branch)
    }

    fn branch_commit(repo: &git2::Repository, branch: &str) -> Result<String, ApiError> {
        if packed_refs::too_long_for_a_file(branch) {
            return match packed_refs::lookup(repo.path(), &format!("refs/heads/{branch}")) {
                Ok(Some(oid)) => Ok(oid.to_string()),
                Ok(None) => Err(ApiError::client(
                    "BranchDoesNotExistException",
                    format!("Branch {branch} does not exist"),
                )),
                Err(e) => Err(git_error(e)),
            };
        }
        match repo.find_reference(&format!("refs/heads/{branch}")) {
            Ok(reference) => reference
                .peel_to_commit()
                .map(|c| c.id().to_string())
                .map_err(git_error),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Err(ApiError::client(
                "BranchDoesNotExistException",
                format!("Branch {branch} does not exist"),
            )),
            Err(e) => Err(git_error(e)),
        }
    }

    fn get_branch(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let branch = Self::required_branch(body, "branchName")?;
        let meta = self.existing(name)?;
        let repo = self.open_git(&meta)?;
        let commit = Self::branch_commit(&repo, branch)?;
        Ok(json!({ "branch": { "branchName": branch, "commitId": commit } }))
    }

    pub(crate) fn find_commit<'r>(
        repo: &'r git2::Repository,
        commit_id: &str,
        missing_code: &str,
    ) -> Result<git2::Commit<'r>, ApiError> {
        let valid = commit_id.len() == 40 && commit_id.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid {
            return Err(ApiError::client(
                "InvalidCommitIdException",
                format!("The commit ID {commit_id} is not valid: use a full 40-character SHA-1."),
            ));
        }
        let oid = git2::Oid::from_str(commit_id).map_err(git_error)?;
        repo.find_commit(oid).map_err(|_| {
            ApiError::client(missing_code, format!("Commit {commit_id} does not exist"))
        })
    }

    fn create_branch(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let branch = Self::required_branch(body, "branchName")?;
        let commit_id = required_str(body, "commitId", "CommitIdRequiredException")?;
        let meta = self.existing(name)?;
        let repo = self.open_git(&meta)?;
        let commit = Self::find_commit(&repo, commit_id, "CommitDoesNotExistException")?;
        let refname = format!("refs/heads/{branch}");
        if repo.find_reference(&refname).is_ok() {
            return Err(ApiError::client(
                "BranchNameExistsException",
                format!("Branch {branch} already exists"),
            ));
        }
        // AWS takes up to 256 characters; a part longer than a file name can be cannot be a
        // loose ref file, so such a branch goes straight into packed-refs.
        let written = if packed_refs::too_long_for_a_file(branch) {
            packed_refs::add(repo.path(), &refname, commit.id())
        } else {
            repo.reference(&refname, commit.id(), false, "cctui: CreateBranch")
                .map(|_| ())
        };
        written.map_err(|e| match e.code() {
            git2::ErrorCode::Exists => ApiError::client(
                "BranchNameExistsException",
                format!("Branch {branch} already exists"),
            ),
            _ => git_error(e),
        })?;
        let branch = branch.to_string();
        let path = self.store.repo_path(&meta.id);
        self.store.update(name, |m| {
            if m.default_branch.is_none() {
                let _ = store::set_head(&path, &branch);
                m.default_branch = Some(branch);
            }
            m.last_modified_date = now_epoch_seconds();
        })?;
        Ok(json!({}))
    }

    fn delete_branch(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let branch = Self::required_branch(body, "branchName")?;
        let meta = self.existing(name)?;
        if meta.default_branch.as_deref() == Some(branch) {
            return Err(ApiError::client(
                "DefaultBranchCannotBeDeletedException",
                format!(
                    "The default branch {branch} cannot be deleted. Change the default branch first."
                ),
            ));
        }
        let repo = self.open_git(&meta)?;
        let refname = format!("refs/heads/{branch}");
        let commit = if packed_refs::too_long_for_a_file(branch) {
            packed_refs::remove(repo.path(), &refname)
                .map_err(git_error)?
                .map(|oid| oid.to_string())
        } else {
            match repo.find_reference(&refname) {
                Ok(mut reference) => {
                    let commit = reference
                        .peel_to_commit()
                        .map(|c| c.id().to_string())
                        .map_err(git_error)?;
                    reference.delete().map_err(git_error)?;
                    Some(commit)
                }
                Err(_) => None,
            }
        };
        // Like AWS, deleting a branch that does not exist succeeds with no deletedBranch.
        let Some(commit) = commit else {
            return Ok(json!({}));
        };
        self.store
            .update(name, |m| m.last_modified_date = now_epoch_seconds())?;
        Ok(json!({ "deletedBranch": { "branchName": branch, "commitId": commit } }))
    }

    fn update_default_branch(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let branch = Self::required_branch(body, "defaultBranchName")?;
        let meta = self.existing(name)?;
        let repo = self.open_git(&meta)?;
        Self::branch_commit(&repo, branch)?;
        store::set_head(&self.store.repo_path(&meta.id), branch)?;
        let branch = branch.to_string();
        self.store.update(name, |m| {
            m.default_branch = Some(branch);
            m.last_modified_date = now_epoch_seconds();
        })?;
        Ok(json!({}))
    }

    fn get_commit(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let commit_id = required_str(body, "commitId", "CommitIdRequiredException")?;
        let meta = self.existing(name)?;
        let repo = self.open_git(&meta)?;
        let commit = Self::find_commit(&repo, commit_id, "CommitIdDoesNotExistException")?;
        let parents: Vec<String> = commit.parent_ids().map(|p| p.to_string()).collect();
        Ok(json!({ "commit": {
            "commitId": commit.id().to_string(),
            "treeId": commit.tree_id().to_string(),
            "parents": parents,
            "message": String::from_utf8_lossy(commit.message_bytes()),
            "author": user_info(&commit.author()),
            "committer": user_info(&commit.committer()),
            "additionalData": "",
        }}))
    }

    /// Resolves an ARN to the repository name it designates.
    fn repository_from_arn(&self, body: &Value) -> Result<RepoMeta, ApiError> {
        let arn = required_str(body, "resourceArn", "ResourceArnRequiredException")?;
        let prefix = format!("arn:aws:codecommit:{}:{}:", self.region, self.account_id);
        let name = arn
            .strip_prefix(&prefix)
            .filter(|n| validate_repository_name(n).is_ok())
            .ok_or_else(|| {
                ApiError::client(
                    "InvalidResourceArnException",
                    format!("The value for the resource ARN is not valid: {arn}"),
                )
            })?;
        self.existing(name)
    }

    fn tag_resource(&self, body: &Value) -> Result<Value, ApiError> {
        let meta = self.repository_from_arn(body)?;
        let tags = string_map(body, "tags")?.ok_or_else(|| {
            ApiError::client("TagsMapRequiredException", "A map of tags is required.")
        })?;
        let new_keys = tags.keys().filter(|k| !meta.tags.contains_key(*k)).count();
        validate_tags(&tags, meta.tags.len() + new_keys - tags.len())?;
        self.store.update_by_id(&meta.id, |m| m.tags.extend(tags))?;
        Ok(json!({}))
    }

    fn untag_resource(&self, body: &Value) -> Result<Value, ApiError> {
        let meta = self.repository_from_arn(body)?;
        let keys: Vec<String> = match body.get("tagKeys") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|k| {
                    k.as_str().map(str::to_string).ok_or_else(|| {
                        ApiError::client("InvalidTagKeysListException", "Tag keys must be strings.")
                    })
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(ApiError::client(
                    "TagKeysListRequiredException",
                    "A list of tag keys is required.",
                ));
            }
        };
        if keys.iter().any(|k| k.is_empty() || k.chars().count() > 128) {
            return Err(ApiError::client(
                "InvalidTagKeysListException",
                "Tag keys are 1-128 characters.",
            ));
        }
        self.store.update_by_id(&meta.id, |m| {
            for key in &keys {
                m.tags.remove(key);
            }
        })?;
        Ok(json!({}))
    }

    fn list_tags_for_resource(&self, body: &Value) -> Result<Value, ApiError> {
        let meta = self.repository_from_arn(body)?;
        Ok(json!({ "tags": meta.tags }))
    }

    fn get_repository_triggers(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let meta = self.existing(name)?;
        Ok(json!({ "configurationId": meta.triggers_configuration_id, "triggers": meta.triggers }))
    }

    fn put_repository_triggers(&self, body: &Value) -> Result<Value, ApiError> {
        let name = required_repository_name(body, "repositoryName")?;
        let triggers = crate::local::codecommit::triggers::validate_list(body, &self.region)?;
        self.existing(name)?;
        let configuration_id = new_id();
        let id = configuration_id.clone();
        self.store.update(name, |m| {
            m.triggers = triggers;
            m.triggers_configuration_id = id;
            m.last_modified_date = now_epoch_seconds();
        })?;
        Ok(json!({ "configurationId": configuration_id }))
    }

    /// After a push: the first branch of an empty repository becomes the default branch (or a
    /// new one is chosen if the default was deleted), and the repository counts as modified.
    pub fn after_push(&self, repository_id: &str) -> Result<(), ApiError> {
        let Some(meta) = self.store.get_by_id(repository_id) else {
            return Ok(()); // deleted meanwhile
        };
        let branches = self.branch_names(&meta)?;
        let keep = meta
            .default_branch
            .as_ref()
            .filter(|b| branches.contains(b))
            .cloned();
        let default = keep.or_else(|| {
            ["main", "master"]
                .iter()
                .map(|s| s.to_string())
                .find(|b| branches.contains(b))
                .or_else(|| branches.first().cloned())
        });
        if default != meta.default_branch {
            if let Some(branch) = &default {
                store::set_head(&self.store.repo_path(&meta.id), branch)?;
            }
        }
        self.store.update_by_id(repository_id, |m| {
            m.default_branch = default;
            m.last_modified_date = now_epoch_seconds();
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names_follow_the_aws_rules() {
        for ok in ["a", "My_repo-1.0", &"x".repeat(100)] {
            assert!(validate_repository_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a/b",
            "..%2f",
            "repo.git",
            "REPO.GIT",
            &"x".repeat(101),
            "sp ace",
            "é",
        ] {
            assert!(validate_repository_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn continuation_tokens_round_trip_and_reject_garbage() {
        assert_eq!(decode_token(&encode_token(1000)).ok(), Some(1000));
        assert!(decode_token("garbage!").is_err());
    }
}
