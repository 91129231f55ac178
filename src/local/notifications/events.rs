//! The CodeCommit event types a notification rule can name (the list AWS's ListEventTypes
//! gives for the service `CodeCommit`, resource type `Repository`).

/// `(EventTypeId, EventTypeName)`.
pub const CODECOMMIT: [(&str, &str); 11] = [
    (
        "codecommit-repository-comments-on-commits",
        "Comments on commits",
    ),
    (
        "codecommit-repository-comments-on-pull-requests",
        "Comments on pull requests",
    ),
    (
        "codecommit-repository-approvals-status-changed",
        "Approvals status changed",
    ),
    (
        "codecommit-repository-approvals-rule-override",
        "Approval rule override",
    ),
    (
        "codecommit-repository-pull-request-created",
        "Pull request created",
    ),
    (
        "codecommit-repository-pull-request-source-updated",
        "Pull request source updated",
    ),
    (
        "codecommit-repository-pull-request-status-changed",
        "Pull request status changed",
    ),
    (
        "codecommit-repository-pull-request-merged",
        "Pull request merged",
    ),
    (
        "codecommit-repository-branches-and-tags-created",
        "Branches and tags created",
    ),
    (
        "codecommit-repository-branches-and-tags-deleted",
        "Branches and tags deleted",
    ),
    (
        "codecommit-repository-branches-and-tags-updated",
        "Branches and tags updated",
    ),
];

/// The service name ListEventTypes reports.
pub const SERVICE_NAME: &str = "CodeCommit";
/// The resource type ListEventTypes reports.
pub const RESOURCE_TYPE: &str = "Repository";

/// The name of event type `id`, if it is a CodeCommit one.
pub fn name_of(id: &str) -> Option<&'static str> {
    CODECOMMIT
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, name)| *name)
}

/// The `EventTypeSummary` JSON of `id`.
pub fn summary(id: &str) -> serde_json::Value {
    serde_json::json!({
        "EventTypeId": id,
        "EventTypeName": name_of(id).unwrap_or(id),
        "ServiceName": SERVICE_NAME,
        "ResourceType": RESOURCE_TYPE,
    })
}
