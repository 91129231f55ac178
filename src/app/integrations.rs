//! The integrations area's slice of the state: one repository's triggers (CodeCommit) and
//! notification rules (CodeStar Notifications), the last test's report, and the requests in
//! flight.

use crate::aws::client::Target;
use crate::aws::notifications::Rule;
use crate::aws::triggers::{TestReport, Triggers};
use crate::jobs::JobId;

/// The two lists of the screen (`tab` moves between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntegrationsSection {
    /// Repository triggers.
    #[default]
    Triggers,
    /// Notification rules.
    Rules,
}

/// The repository the screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Where it is reached.
    pub target: Target,
    /// Its name.
    pub name: String,
    /// Its ARN (the notification rules' resource).
    pub arn: String,
}

/// The integrations area's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntegrationsState {
    /// The repository shown.
    pub subject: Option<Subject>,
    /// The read in flight (latest wins).
    pub load: Option<JobId>,
    /// A change or a test in flight (one at a time: a trigger list replaced from a stale
    /// one would drop a trigger).
    pub change: Option<JobId>,
    /// The triggers, once read (or why not).
    pub triggers: Option<Result<Triggers, String>>,
    /// The rules, once read (or why not).
    pub rules: Option<Result<Vec<Rule>, String>>,
    /// The last test's report.
    pub report: Option<TestReport>,
    /// The focused list.
    pub section: IntegrationsSection,
    /// The selected row of the focused list.
    pub selected: usize,
    /// The last thing that happened.
    pub message: Option<String>,
}

impl IntegrationsState {
    /// The triggers read (none otherwise).
    pub fn trigger_rows(&self) -> &[crate::aws::triggers::Trigger] {
        match &self.triggers {
            Some(Ok(t)) => &t.triggers,
            _ => &[],
        }
    }

    /// The rules read (none otherwise).
    pub fn rule_rows(&self) -> &[Rule] {
        match &self.rules {
            Some(Ok(r)) => r,
            _ => &[],
        }
    }

    /// Rows of the focused list.
    pub fn rows(&self) -> usize {
        match self.section {
            IntegrationsSection::Triggers => self.trigger_rows().len(),
            IntegrationsSection::Rules => self.rule_rows().len(),
        }
    }
}
