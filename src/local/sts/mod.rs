//! The STS part of the local service: GetCallerIdentity, over the AWS query protocol.

use crate::local::iam::UserRecord;
use crate::local::ops::ApiError;
use crate::local::query::Xml;

/// XML namespace of STS answers.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
/// API version STS requests carry.
pub const VERSION: &str = "2011-06-15";

/// Runs one STS action for the user who signed it; the XML inside `<…Result>`.
pub fn dispatch(caller: &UserRecord, account_id: &str, action: &str) -> Result<String, ApiError> {
    match action {
        "GetCallerIdentity" => {
            let mut xml = Xml::new();
            xml.field("Arn", &caller.arn(account_id))
                .field("UserId", &caller.user_id)
                .field("Account", account_id);
            Ok(xml.finish())
        }
        other => Err(ApiError::client(
            "InvalidAction",
            format!(
                "Could not find operation {other} for version {VERSION} (this local service serves GetCallerIdentity)."
            ),
        )),
    }
}
