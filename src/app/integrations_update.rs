//! The integrations screen (`T` on the repositories pane, palette `integrations`): the
//! selected repository's (or the open clone's) triggers and notification rules. `n` adds a
//! trigger or a rule through a form checked as one types, `D` deletes the selected one, `t`
//! tests the triggers. Every change shows what will be sent and asks first; `--readonly`
//! refuses the mutating commands before they get here (see `update::run_command`).
//!
//! CodeCommit has no call for one trigger: adding or deleting one sends the whole list
//! (PutRepositoryTriggers), built from the list last read, so only one change runs at a time
//! and the list is read again after each.

use super::action::Action;
use super::command::CommandId;
use super::effect::Effect;
use super::global::moved;
use super::integrations::{IntegrationsSection, Subject};
use super::overlay::{Form, FormField, FormKind, Overlay};
use super::state::State;
use crate::aws::notifications::{self, EVENT_TYPES, NewRule};
use crate::aws::triggers::{self, MAX_TRIGGERS, Trigger};
use crate::jobs::integrations_job::{IntegrationsOutput, IntegrationsRequest};
use crate::jobs::{JobFailure, JobId, JobRequest};

/// The prefix every CodeCommit event type id shares; forms take the rest.
const EVENT_PREFIX: &str = "codecommit-repository-";

fn error(state: &mut State, message: &str, hint: Option<&str>) -> Vec<Effect> {
    state.overlays.push(Overlay::Error {
        message: message.into(),
        hint: hint.map(str::to_string),
    });
    Vec::new()
}

/// `T`: opens the screen for the open clone's repository (when a clone pane has focus) or the
/// selected one, and reads what it shows.
pub fn open(state: &mut State) -> Vec<Effect> {
    use super::state::Pane;
    let clone_repo = state
        .open_repo
        .as_ref()
        .and_then(|r| r.codecommit.clone())
        .filter(|_| state.focus != Pane::Repositories);
    let Some(key) = clone_repo.or_else(|| state.repos.selected_row().map(|row| row.key())) else {
        return error(
            state,
            "No repository to show the integrations of.",
            Some("Select a repository on the repositories pane (r lists them), then press T."),
        );
    };
    let row = state.repos.rows.iter().find(|r| r.key() == key);
    let Some(arn) = row.map(|r| r.repo.arn.clone()) else {
        return error(
            state,
            &format!("{} is not in the repository list yet.", key.name),
            Some("List the repositories (r on the repositories pane), then press T again."),
        );
    };
    let target = super::repos_update::key_target(state, &key);
    state
        .overlays
        .retain(|o| !matches!(o, Overlay::Integrations));
    state.overlays.push(Overlay::Integrations);
    state.integrations = Default::default();
    state.integrations.subject = Some(Subject {
        target,
        name: key.name,
        arn,
    });
    load(state)
}

/// Reads the triggers and rules again (latest wins).
pub fn load(state: &mut State) -> Vec<Effect> {
    let Some(subject) = state.integrations.subject.clone() else {
        return Vec::new();
    };
    let (id, effect) = state.request(JobRequest::Integrations(IntegrationsRequest::Load {
        target: subject.target,
        repository: subject.name,
        arn: subject.arn,
    }));
    state.integrations.load = Some(id);
    vec![effect]
}

/// A command while the screen is on top.
pub fn command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let page = state.page_rows();
    let screen = &mut state.integrations;
    match id {
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => {
            screen.selected = moved(screen.selected, screen.rows(), id, page);
            Vec::new()
        }
        CommandId::IntegrationsNextSection => {
            screen.section = match screen.section {
                IntegrationsSection::Triggers => IntegrationsSection::Rules,
                IntegrationsSection::Rules => IntegrationsSection::Triggers,
            };
            screen.selected = 0;
            Vec::new()
        }
        CommandId::IntegrationsRefresh => load(state),
        CommandId::IntegrationsNew => new(state),
        CommandId::IntegrationsDelete => ask_delete(state),
        CommandId::IntegrationsTest => test(state),
        _ => Vec::new(),
    }
}

fn busy(state: &mut State) -> bool {
    if state.integrations.change.is_some() {
        error(
            state,
            "A change to this repository's integrations is still running.",
            Some("Wait for it to finish (the jobs strip shows it), then try again."),
        );
        return true;
    }
    false
}

fn field(label: &'static str, value: &str, help: &'static str) -> FormField {
    FormField {
        label,
        value: value.to_string(),
        error: None,
        help,
    }
}

/// `n`: the new trigger or new rule form, by section.
fn new(state: &mut State) -> Vec<Effect> {
    if state.integrations.subject.is_none() || busy(state) {
        return Vec::new();
    }
    let mut form = match state.integrations.section {
        IntegrationsSection::Triggers => {
            if state.integrations.trigger_rows().len() >= MAX_TRIGGERS {
                return error(
                    state,
                    &format!("A repository has at most {MAX_TRIGGERS} triggers."),
                    Some("Delete one (D) first."),
                );
            }
            Form {
                kind: FormKind::NewTrigger,
                title: "New trigger".into(),
                fields: vec![
                    field("Name", "", "Unique in the repository, up to 100 characters"),
                    field(
                        "Destination",
                        "",
                        "arn:aws:sns:REGION:ACCOUNT:TOPIC or arn:aws:lambda:REGION:ACCOUNT:function:NAME",
                    ),
                    field(
                        "Events",
                        "all",
                        "Comma-separated: all, updateReference, createReference, deleteReference",
                    ),
                    field("Branches", "", "Comma-separated; empty = every branch"),
                    field("Custom data", "", "Optional, sent with every notification"),
                ],
                focus: 0,
                pending: None,
            }
        }
        IntegrationsSection::Rules => Form {
            kind: FormKind::NewRule,
            title: "New notification rule".into(),
            fields: vec![
                field(
                    "Name",
                    "",
                    "Unique in the account: letters, digits, spaces, - _",
                ),
                field(
                    "Events",
                    "pull-request-created, pull-request-merged",
                    "Comma-separated: pull-request-created, pull-request-merged, pull-request-status-changed, pull-request-source-updated, comments-on-pull-requests, comments-on-commits, approvals-status-changed, approvals-rule-override, branches-and-tags-created, branches-and-tags-updated, branches-and-tags-deleted",
                ),
                field("SNS topic", "", "arn:aws:sns:REGION:ACCOUNT:TOPIC"),
                field("Detail", "FULL", "FULL or BASIC"),
            ],
            focus: 0,
            pending: None,
        },
    };
    validate(&mut form, state);
    state.overlays.push(Overlay::Form(form));
    Vec::new()
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The trigger a form describes.
fn trigger_of(form: &Form) -> Trigger {
    Trigger {
        name: form.fields[0].value.trim().to_string(),
        destination_arn: form.fields[1].value.trim().to_string(),
        events: list(&form.fields[2].value),
        branches: list(&form.fields[3].value),
        custom_data: form.fields[4].value.clone(),
    }
}

/// The event type ids a rule form names (short names or full ids), or the first unknown one.
fn event_ids(text: &str) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for name in list(text) {
        let id = if name.starts_with(EVENT_PREFIX) {
            name.clone()
        } else {
            format!("{EVENT_PREFIX}{name}")
        };
        if !EVENT_TYPES.iter().any(|(known, _)| *known == id) {
            return Err(format!("{name} is not a CodeCommit event (see below)."));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err("Pick at least one event.".into());
    }
    Ok(ids)
}

fn rule_of(form: &Form, resource: &str) -> NewRule {
    NewRule {
        name: form.fields[0].value.trim().to_string(),
        resource: resource.to_string(),
        events: event_ids(&form.fields[1].value).unwrap_or_default(),
        topic: form.fields[2].value.trim().to_string(),
        full_detail: !form.fields[3].value.trim().eq_ignore_ascii_case("BASIC"),
    }
}

/// Checks every field of the trigger or rule form, on every keystroke.
pub fn validate(form: &mut Form, state: &State) {
    match form.kind {
        FormKind::NewTrigger => {
            let trigger = trigger_of(form);
            let taken = state
                .integrations
                .trigger_rows()
                .iter()
                .any(|t| t.name == trigger.name);
            form.fields[0].error = if trigger.name.is_empty() {
                Some("Give the trigger a name.".into())
            } else if trigger.name.chars().count() > 100 {
                Some("Up to 100 characters.".into())
            } else if taken {
                Some(format!(
                    "The repository has a trigger named {} already.",
                    trigger.name
                ))
            } else {
                None
            };
            form.fields[1].error = triggers::destination_problem(&trigger.destination_arn);
            let only_events = Trigger {
                name: "x".into(),
                destination_arn: "arn:aws:sns:r:000000000000:t".into(),
                events: trigger.events.clone(),
                ..Trigger::default()
            };
            form.fields[2].error = triggers::problem(&only_events);
            let only_branches = Trigger {
                branches: trigger.branches.clone(),
                events: vec!["all".into()],
                ..only_events.clone()
            };
            form.fields[3].error = triggers::problem(&only_branches);
            form.fields[4].error = (trigger.custom_data.chars().count() > 1000)
                .then(|| "Up to 1000 characters.".to_string());
        }
        FormKind::NewRule => {
            let rule = rule_of(form, "");
            let whole = notifications::problem(&NewRule {
                events: vec!["x".into()],
                ..rule.clone()
            });
            form.fields[0].error = whole.filter(|w| w.starts_with("Names"));
            form.fields[1].error = event_ids(&form.fields[1].value).err();
            let topic = notifications::problem(&NewRule {
                name: "x".into(),
                events: vec!["x".into()],
                ..rule
            });
            form.fields[2].error = topic;
            let detail = form.fields[3].value.trim().to_ascii_uppercase();
            form.fields[3].error =
                (detail != "FULL" && detail != "BASIC").then(|| "FULL or BASIC.".to_string());
        }
        _ => {}
    }
}

/// Enter in a valid trigger or rule form: closes it and shows what will be sent.
pub fn submit(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        return Vec::new();
    };
    let form = form.clone();
    let Some(subject) = state.integrations.subject.clone() else {
        return Vec::new();
    };
    let (title, message, request) = match form.kind {
        FormKind::NewTrigger => {
            let trigger = trigger_of(&form);
            let mut all = state.integrations.trigger_rows().to_vec();
            all.push(trigger.clone());
            (
                "Add this trigger?".to_string(),
                format!(
                    "PutRepositoryTriggers on {} with {} trigger(s), this one added:\n  name: {}\n  destination: {}\n  events: {}\n  branches: {}\n  custom data: {}",
                    subject.name,
                    all.len(),
                    trigger.name,
                    trigger.destination_arn,
                    trigger.events.join(", "),
                    if trigger.branches.is_empty() {
                        "(every branch)".to_string()
                    } else {
                        trigger.branches.join(", ")
                    },
                    if trigger.custom_data.is_empty() {
                        "(none)"
                    } else {
                        &trigger.custom_data
                    },
                ),
                IntegrationsRequest::PutTriggers {
                    target: subject.target.clone(),
                    repository: subject.name.clone(),
                    what: format!("Add trigger {}", trigger.name),
                    triggers: all,
                },
            )
        }
        FormKind::NewRule => {
            let rule = rule_of(&form, &subject.arn);
            (
                "Create this notification rule?".to_string(),
                format!(
                    "CreateNotificationRule:\n  name: {}\n  resource: {}\n  events: {}\n  target: SNS {}\n  detail: {}",
                    rule.name,
                    rule.resource,
                    rule.events.join(", "),
                    rule.topic,
                    if rule.full_detail { "FULL" } else { "BASIC" },
                ),
                IntegrationsRequest::CreateRule {
                    target: subject.target.clone(),
                    rule,
                },
            )
        }
        _ => return Vec::new(),
    };
    state.overlays.pop();
    state.overlays.push(Overlay::Confirm {
        title,
        message,
        on_yes: Box::new(Action::IntegrationsChange(Box::new(
            JobRequest::Integrations(request),
        ))),
    });
    Vec::new()
}

/// `D`: asks before deleting the selected trigger or rule.
fn ask_delete(state: &mut State) -> Vec<Effect> {
    if busy(state) {
        return Vec::new();
    }
    let Some(subject) = state.integrations.subject.clone() else {
        return Vec::new();
    };
    let selected = state.integrations.selected;
    let (title, message, request) = match state.integrations.section {
        IntegrationsSection::Triggers => {
            let rows = state.integrations.trigger_rows();
            let Some(gone) = rows.get(selected).cloned() else {
                return Vec::new();
            };
            let rest: Vec<Trigger> = rows
                .iter()
                .filter(|t| t.name != gone.name)
                .cloned()
                .collect();
            (
                format!("Delete trigger {}?", gone.name),
                format!(
                    "PutRepositoryTriggers on {} with the {} other trigger(s): {} ({}) stops firing.",
                    subject.name,
                    rest.len(),
                    gone.name,
                    gone.destination_arn
                ),
                IntegrationsRequest::PutTriggers {
                    target: subject.target,
                    repository: subject.name,
                    what: format!("Delete trigger {}", gone.name),
                    triggers: rest,
                },
            )
        }
        IntegrationsSection::Rules => {
            let Some(rule) = state.integrations.rule_rows().get(selected).cloned() else {
                return Vec::new();
            };
            (
                format!("Delete notification rule {}?", rule.name),
                format!(
                    "DeleteNotificationRule {}: its targets ({}) get no more notifications.",
                    rule.arn,
                    rule.targets.join(", ")
                ),
                IntegrationsRequest::DeleteRule {
                    target: subject.target,
                    arn: rule.arn,
                    name: rule.name,
                },
            )
        }
    };
    state.overlays.push(Overlay::Confirm {
        title,
        message,
        on_yes: Box::new(Action::IntegrationsChange(Box::new(
            JobRequest::Integrations(request),
        ))),
    });
    Vec::new()
}

/// `t`: tests the repository's triggers.
fn test(state: &mut State) -> Vec<Effect> {
    if busy(state) {
        return Vec::new();
    }
    let Some(subject) = state.integrations.subject.clone() else {
        return Vec::new();
    };
    let triggers = state.integrations.trigger_rows().to_vec();
    if triggers.is_empty() {
        return error(
            state,
            "This repository has no triggers to test.",
            Some("Add one with n in the triggers list."),
        );
    }
    change(
        state,
        JobRequest::Integrations(IntegrationsRequest::TestTriggers {
            target: subject.target,
            repository: subject.name,
            triggers,
        }),
    )
}

/// Starts a change (a confirmation's yes, or a test); the screen waits for its answer.
pub fn change(state: &mut State, request: JobRequest) -> Vec<Effect> {
    let (id, effect) = state.request(request);
    state.integrations.change = Some(id);
    state.integrations.report = None;
    vec![effect]
}

/// A result for the screen.
pub fn on_output(state: &mut State, id: JobId, output: IntegrationsOutput) -> Vec<Effect> {
    let screen = &mut state.integrations;
    match output {
        IntegrationsOutput::Loaded {
            repository,
            triggers,
            rules,
        } => {
            if screen.load != Some(id) {
                return Vec::new();
            }
            screen.load = None;
            if screen.subject.as_ref().map(|s| &s.name) != Some(&repository) {
                return Vec::new();
            }
            screen.triggers = Some(Ok(triggers));
            screen.rules = Some(rules);
            screen.selected = screen.selected.min(screen.rows().saturating_sub(1));
            Vec::new()
        }
        other => {
            if screen.change != Some(id) {
                return Vec::new();
            }
            screen.change = None;
            let message = match other {
                IntegrationsOutput::TriggersPut { triggers, .. } => {
                    format!("Triggers saved: {} in all.", triggers.len())
                }
                IntegrationsOutput::Tested(report) => {
                    // A test changes nothing: no need to read the lists again.
                    screen.message = Some(format!(
                        "Test: {} succeeded, {} failed.",
                        report.succeeded.len(),
                        report.failed.len()
                    ));
                    screen.report = Some(report);
                    return Vec::new();
                }
                IntegrationsOutput::RuleCreated { arn } => {
                    format!("Notification rule created: {arn}")
                }
                IntegrationsOutput::RuleDeleted { arn } => {
                    format!("Notification rule deleted: {arn}")
                }
                IntegrationsOutput::Loaded { .. } => String::new(),
            };
            screen.message = Some(message);
            load(state)
        }
    }
}

/// A failure of one of the screen's jobs.
pub fn on_failure(state: &mut State, id: JobId, failure: JobFailure) -> Vec<Effect> {
    let screen = &mut state.integrations;
    if screen.load == Some(id) {
        screen.load = None;
        screen.triggers = Some(Err(failure.message));
        return Vec::new();
    }
    if screen.change == Some(id) {
        screen.change = None;
        state.overlays.push(Overlay::Error {
            message: failure.message,
            hint: failure.hint,
        });
        // What is on the server may differ from the list shown: read it again.
        return load(state);
    }
    Vec::new()
}
