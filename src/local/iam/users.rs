//! IAM users: records, ARNs, GetUser, and the access keys of `cctui serve --user NAME`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::local::config::Credential;
use crate::local::iam::{Iam, random_bytes, random_id};
use crate::local::ops::ApiError;
use crate::local::query::{Params, Xml, iso8601, validation};
use crate::local::store::StoreError;
use crate::sigv4::sha256_hex;

/// Name of the file holding the generated keys of `--user` users, in the data directory.
pub const USER_KEYS_FILE: &str = "users.credentials";

/// One IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// User name.
    pub name: String,
    /// `AIDA…`, stable for the life of the data directory.
    pub user_id: String,
    /// Seconds since the epoch.
    pub create_date: i64,
}

impl UserRecord {
    /// A new user created now. The id only needs to be unique, so it is derived from the name
    /// and the clock rather than drawn from the kernel (this cannot fail).
    pub fn new(name: &str) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let hash = sha256_hex(format!("{name}\n{}", now.as_nanos()).as_bytes());
        let user_id = format!("AIDA{}", hash[..17].to_ascii_uppercase());
        Self {
            name: name.to_string(),
            user_id,
            create_date: now.as_secs() as i64,
        }
    }

    /// `arn:aws:iam::<account>:user/<name>`.
    pub fn arn(&self, account_id: &str) -> String {
        format!("arn:aws:iam::{account_id}:user/{}", self.name)
    }
}

/// IAM's user name rule: 1–64 characters of letters, digits and `_+=,.@-`.
pub fn validate_user_name(name: &str) -> Result<(), ApiError> {
    let ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_+=,.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(validation(
            "UserName",
            name,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 64",
        ))
    }
}

impl Iam {
    /// GetUser: the named user, or the caller when `UserName` is omitted.
    pub(crate) fn get_user(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.target_user(caller, params, "GetUser", false)?;
        let mut xml = Xml::new();
        xml.nested("User", |x| {
            x.field("Path", "/")
                .field("UserName", &user.name)
                .field("UserId", &user.user_id)
                .field("Arn", &user.arn(&self.account_id))
                .field("CreateDate", &iso8601(user.create_date));
        });
        Ok(xml.finish())
    }
}

/// The access keys of the `--user` users, kept in `<data dir>/users.credentials` (an AWS
/// shared-credentials file, one profile per user, mode 0600). Keys are generated the first
/// time a name is seen and kept, so they stay valid across restarts like real IAM keys.
/// Answers the credentials (in `names` order) and the file's path.
pub fn user_keys(
    data_dir: &Path,
    names: &[String],
) -> Result<(Vec<(String, Credential)>, PathBuf), StoreError> {
    let path = data_dir.join(USER_KEYS_FILE);
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io {
            action,
            path,
            source,
        }
    };
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(io("read", &path)(source)),
    };
    let mut known = parse_profiles(&text);
    let mut changed = false;
    for name in names {
        if known.iter().any(|(n, _, _)| n == name) {
            continue;
        }
        let generated = random_id("AKIA", 16)
            .and_then(|key| random_bytes(30).map(|secret| (key, secret)))
            .map_err(|e| io("generate keys for", &path)(std::io::Error::other(e.message)))?;
        let (key, secret) = generated;
        use base64::Engine;
        let secret = base64::engine::general_purpose::STANDARD.encode(secret);
        known.push((name.clone(), key, secret));
        changed = true;
    }
    if changed {
        let mut out = String::from(
            "# Access keys of the IAM users of `cctui serve --user NAME`, generated once.\n# Use: AWS_SHARED_CREDENTIALS_FILE=<this file> aws --profile NAME ...\n",
        );
        for (name, key, secret) in &known {
            out.push_str(&format!(
                "[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
            ));
        }
        fs::create_dir_all(data_dir).map_err(io("create", data_dir))?;
        let tmp = data_dir.join(format!("{USER_KEYS_FILE}.tmp"));
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(io("create", &tmp))?;
        file.write_all(out.as_bytes()).map_err(io("write", &tmp))?;
        file.sync_all().map_err(io("sync", &tmp))?;
        fs::rename(&tmp, &path).map_err(io("rename", &tmp))?;
    }
    let credentials = names
        .iter()
        .filter_map(|name| {
            known
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(n, key, secret)| (n.clone(), Credential::new(key, secret)))
        })
        .collect();
    Ok((credentials, path))
}

/// `(profile, key id, secret)` of every complete profile.
fn parse_profiles(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, Option<String>, Option<String>)> = None;
    let mut flush = |current: &mut Option<(String, Option<String>, Option<String>)>| {
        if let Some((name, Some(key), Some(secret))) = current.take() {
            out.push((name, key, secret));
        }
    };
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            flush(&mut current);
            current = Some((section.trim().to_string(), None, None));
        } else if let (Some((_, key, secret)), Some((k, v))) =
            (current.as_mut(), line.split_once('='))
        {
            match k.trim() {
                "aws_access_key_id" => *key = Some(v.trim().to_string()),
                "aws_secret_access_key" => *secret = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    flush(&mut current);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn user_keys_are_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let names = vec!["bob".to_string(), "carol".to_string()];
        let (first, path) = user_keys(dir.path(), &names).unwrap();
        assert_eq!(first.len(), 2);
        assert!(first[0].1.access_key_id.starts_with("AKIA"));
        assert_eq!(first[0].1.access_key_id.len(), 20);
        let (again, _) = user_keys(dir.path(), &names[..1]).unwrap();
        assert_eq!(again[0].1.access_key_id, first[0].1.access_key_id);
        assert_eq!(
            again[0].1.secret_access_key.expose(),
            first[0].1.secret_access_key.expose()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the owner may read the keys");
        }
    }

    #[test]
    fn user_names_follow_the_iam_rule() {
        assert!(validate_user_name("alice.b+c@d=e,f_g-h").is_ok());
        assert_eq!(validate_user_name("").unwrap_err().code, "ValidationError");
        assert!(validate_user_name("a b").is_err());
        assert!(validate_user_name(&"a".repeat(65)).is_err());
    }
}
