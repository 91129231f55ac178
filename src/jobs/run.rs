//! Turns a [`JobRequest`] into work. Each arm calls a plain function of `aws/`, `git/` or
//! `config/`; this file only chooses the thread and maps errors for the user.

use super::{JobContext, JobFailure, JobOutput, JobRequest};

pub(super) async fn run(
    request: JobRequest,
    _context: JobContext,
) -> Result<JobOutput, JobFailure> {
    match request {
        JobRequest::LoadProfiles {
            config_file,
            credentials_file,
        } => {
            let read = tokio::task::spawn_blocking(move || {
                crate::aws::profiles::read_profiles(
                    config_file.as_deref(),
                    credentials_file.as_deref(),
                )
            })
            .await;
            match read {
                Ok(Ok(profiles)) => Ok(JobOutput::Profiles(profiles)),
                Ok(Err(e)) => Err(JobFailure {
                    message: e.to_string(),
                    hint: None,
                }),
                Err(e) => Err(JobFailure {
                    message: format!("reading profiles stopped: {e}"),
                    hint: None,
                }),
            }
        }
    }
}
