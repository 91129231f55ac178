//! The integrations screen's jobs: a repository's triggers and notification rules, the
//! trigger list replaced (add or delete one), the triggers tested, a notification rule created
//! or deleted. Each arm calls plain functions of `aws::triggers` and `aws::notifications`.

use crate::aws::client::Target;
use crate::aws::notifications::{self, NewRule, Rule};
use crate::aws::triggers::{self, TestReport, Trigger, Triggers};

use super::{JobContext, JobFailure, JobOutput, Services};

/// Work for the integrations screen.
#[derive(Debug, Clone, PartialEq)]
pub enum IntegrationsRequest {
    /// The repository's triggers and its notification rules.
    Load {
        /// Where.
        target: Target,
        /// The repository.
        repository: String,
        /// Its ARN (the rules' resource).
        arn: String,
    },
    /// Replace the repository's triggers with `triggers` (the screen adds or removes one).
    PutTriggers {
        /// Where.
        target: Target,
        /// The repository.
        repository: String,
        /// The whole new list.
        triggers: Vec<Trigger>,
        /// What the strip says ("Add trigger x", "Delete trigger y").
        what: String,
    },
    /// TestRepositoryTriggers with these triggers.
    TestTriggers {
        /// Where.
        target: Target,
        /// The repository.
        repository: String,
        /// The triggers to test.
        triggers: Vec<Trigger>,
    },
    /// Create a notification rule.
    CreateRule {
        /// Where.
        target: Target,
        /// The rule.
        rule: NewRule,
    },
    /// Delete a notification rule.
    DeleteRule {
        /// Where.
        target: Target,
        /// Its ARN.
        arn: String,
        /// Its name (for the strip).
        name: String,
    },
}

impl IntegrationsRequest {
    /// What the jobs strip calls it.
    pub fn title(&self) -> String {
        match self {
            IntegrationsRequest::Load { repository, .. } => {
                format!("Read the integrations of {repository}")
            }
            IntegrationsRequest::PutTriggers { what, .. } => what.clone(),
            IntegrationsRequest::TestTriggers { repository, .. } => {
                format!("Test the triggers of {repository}")
            }
            IntegrationsRequest::CreateRule { rule, .. } => {
                format!("Create notification rule {}", rule.name)
            }
            IntegrationsRequest::DeleteRule { name, .. } => {
                format!("Delete notification rule {name}")
            }
        }
    }

    /// Whether it only reads (a test sends test notifications but changes nothing).
    pub fn reads(&self) -> bool {
        matches!(
            self,
            IntegrationsRequest::Load { .. } | IntegrationsRequest::TestTriggers { .. }
        )
    }
}

/// Results for the integrations screen.
#[derive(Debug, Clone, PartialEq)]
pub enum IntegrationsOutput {
    /// The repository's triggers and rules.
    Loaded {
        /// The repository.
        repository: String,
        /// Its triggers.
        triggers: Triggers,
        /// Its notification rules (an error text when CodeStar Notifications refused:
        /// the triggers still show).
        rules: Result<Vec<Rule>, String>,
    },
    /// The trigger list was replaced.
    TriggersPut {
        /// The repository.
        repository: String,
        /// The new configuration id.
        configuration_id: String,
        /// The list as sent.
        triggers: Vec<Trigger>,
    },
    /// The test ran.
    Tested(TestReport),
    /// A rule was created.
    RuleCreated {
        /// Its ARN.
        arn: String,
    },
    /// A rule was deleted.
    RuleDeleted {
        /// Its ARN.
        arn: String,
    },
}

fn out(output: IntegrationsOutput) -> Result<JobOutput, JobFailure> {
    Ok(JobOutput::Integrations(output))
}

/// Runs one integrations request.
pub(super) async fn run(
    request: IntegrationsRequest,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let clients = &services.clients;
    match request {
        IntegrationsRequest::Load {
            target,
            repository,
            arn,
        } => {
            let found = triggers::get(clients, &target, &repository).await?;
            let rules = notifications::list_for(clients, &target, &arn)
                .await
                .map_err(|e| JobFailure::from(e).message);
            out(IntegrationsOutput::Loaded {
                repository,
                triggers: found,
                rules,
            })
        }
        IntegrationsRequest::PutTriggers {
            target,
            repository,
            triggers: list,
            ..
        } => {
            context.check_cancelled()?;
            context.finishing();
            let configuration_id = triggers::put(clients, &target, &repository, &list).await?;
            out(IntegrationsOutput::TriggersPut {
                repository,
                configuration_id,
                triggers: list,
            })
        }
        IntegrationsRequest::TestTriggers {
            target,
            repository,
            triggers: list,
        } => out(IntegrationsOutput::Tested(
            triggers::test(clients, &target, &repository, &list).await?,
        )),
        IntegrationsRequest::CreateRule { target, rule } => {
            context.check_cancelled()?;
            context.finishing();
            let arn = notifications::create(clients, &target, &rule).await?;
            out(IntegrationsOutput::RuleCreated { arn })
        }
        IntegrationsRequest::DeleteRule { target, arn, .. } => {
            context.check_cancelled()?;
            context.finishing();
            notifications::delete(clients, &target, &arn).await?;
            out(IntegrationsOutput::RuleDeleted { arn })
        }
    }
}
