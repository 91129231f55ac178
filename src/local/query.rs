//! The AWS *query* protocol, as IAM and STS speak it: form-encoded requests
//! (`Action=…&Version=…&Name=value`, lists as `Name.member.N`) and XML answers and errors.
//!
//! Only parsing and writing live here; [`crate::local::query_api`] is the endpoint.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use percent_encoding::percent_decode_str;

use crate::local::ops::ApiError;

/// The parameters of one request, by name (`Action` and `Version` included).
#[derive(Debug, Default, Clone)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Parses an `application/x-www-form-urlencoded` body. A name given twice is refused: the
    /// query protocol never repeats a name (lists are numbered), so a repeat is a client bug.
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let text = std::str::from_utf8(body).map_err(|_| {
            ApiError::client("MalformedQueryString", "The request body is not UTF-8.")
        })?;
        let mut map = BTreeMap::new();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (name, value) = (decode(name)?, decode(value)?);
            if map.insert(name.clone(), value).is_some() {
                return Err(ApiError::client(
                    "MalformedQueryString",
                    format!("The parameter {name} is given more than once."),
                ));
            }
        }
        Ok(Self(map))
    }

    /// A parameter, if present (an empty value counts as present).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A parameter the operation requires.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| {
            ApiError::client(
                "MissingParameter",
                format!("The request must contain the parameter {name}."),
            )
        })
    }

    /// An optional integer parameter within `min..=max`.
    pub fn integer(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        match text.parse::<i64>() {
            Ok(value) if (min..=max).contains(&value) => Ok(Some(value)),
            _ => Err(validation(
                name,
                text,
                &format!("Member must have value between {min} and {max}"),
            )),
        }
    }

    /// An optional boolean parameter (`true`/`false`).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(validation(name, other, "Member must be true or false")),
        }
    }
}

fn decode(text: &str) -> Result<String, ApiError> {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            ApiError::client(
                "MalformedQueryString",
                "A parameter is not valid percent-encoded UTF-8.",
            )
        })
}

/// AWS's `ValidationError` for one parameter, worded as AWS words it.
pub fn validation(name: &str, value: &str, constraint: &str) -> ApiError {
    let mut field = name.to_string();
    // AWS names the member in lowerCamelCase in these messages (`userName`).
    if let Some(first) = field.get(..1) {
        field.replace_range(..1, &first.to_ascii_lowercase());
    }
    ApiError::client(
        "ValidationError",
        format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
        ),
    )
}

/// Escapes text for XML element content and (double-quoted) attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Attributes are written in double quotes, so `'` needs no escape anywhere.
            '"' => out.push_str("&quot;"),
            // Line breaks stay (SSH key bodies, PEM); other control characters cannot be in
            // XML 1.0 at all and are dropped rather than produce a document clients reject.
            '\n' | '\r' | '\t' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Builds the inside of a `<…Result>` element.
#[derive(Debug, Default)]
pub struct Xml(String);

impl Xml {
    /// An empty document fragment.
    pub fn new() -> Self {
        Self::default()
    }

    /// `<name>text</name>`, the text escaped.
    pub fn field(&mut self, name: &str, text: &str) -> &mut Self {
        let _ = write!(self.0, "<{name}>{}</{name}>", escape(text));
        self
    }

    /// `<name>…</name>` around what `inner` writes.
    pub fn nested(&mut self, name: &str, inner: impl FnOnce(&mut Xml)) -> &mut Self {
        let _ = write!(self.0, "<{name}>");
        inner(self);
        let _ = write!(self.0, "</{name}>");
        self
    }

    /// The fragment written so far.
    pub fn finish(self) -> String {
        self.0
    }
}

/// A successful answer: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`.
/// `result` is None for the operations AWS answers without a result element.
pub fn success(action: &str, namespace: &str, result: Option<&str>, request_id: &str) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{}\">",
        escape(namespace)
    );
    if let Some(result) = result {
        let _ = write!(out, "<{action}Result>{result}</{action}Result>");
    }
    let _ = writeln!(
        out,
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        escape(request_id)
    );
    out
}

/// An error answer: `<ErrorResponse><Error><Type>Sender</Type><Code>…`.
pub fn error(namespace: &str, error: &ApiError, request_id: &str) -> String {
    let kind = if error.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>\n",
        escape(namespace),
        escape(&error.code),
        escape(&error.message),
        escape(request_id)
    )
}

/// An ISO 8601 timestamp (`2026-01-31T12:00:00Z`), as query-protocol answers carry dates.
pub fn iso8601(unix_seconds: i64) -> String {
    // `format_amz_date` gives the basic form `20260131T120000Z`; add the separators.
    let basic = crate::sigv4::format_amz_date(unix_seconds);
    match (
        basic.get(0..4),
        basic.get(4..6),
        basic.get(6..8),
        basic.get(9..11),
        basic.get(11..13),
        basic.get(13..15),
    ) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) => {
            format!("{y}-{mo}-{d}T{h}:{mi}:{s}Z")
        }
        _ => basic,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn form_bodies_are_decoded_and_repeats_refused() {
        let params =
            Params::parse(b"Action=UploadSSHPublicKey&SSHPublicKeyBody=ssh-rsa+AAAA%2B%2F%3D+me")
                .unwrap();
        assert_eq!(params.get("Action"), Some("UploadSSHPublicKey"));
        assert_eq!(params.get("SSHPublicKeyBody"), Some("ssh-rsa AAAA+/= me"));
        assert_eq!(
            params.required("UserName").unwrap_err().code,
            "MissingParameter"
        );
        assert!(Params::parse(b"A=1&A=2").is_err());
        assert!(Params::parse(b"A=%FF").is_err());
        let params = Params::parse(b"MaxItems=0&AllUsers=yes").unwrap();
        assert_eq!(
            params.integer("MaxItems", 1, 1000).unwrap_err().code,
            "ValidationError"
        );
        assert!(params.boolean("AllUsers").is_err());
    }

    #[test]
    fn xml_is_escaped_and_shaped_like_aws() {
        let mut xml = Xml::new();
        xml.nested("User", |x| {
            x.field("UserName", "a<b>&\"c'");
        });
        let body = success("GetUser", "ns", Some(&xml.finish()), "rid");
        assert!(body.contains(
            "<GetUserResponse xmlns=\"ns\"><GetUserResult><User><UserName>a&lt;b&gt;&amp;&quot;c'</UserName></User></GetUserResult><ResponseMetadata><RequestId>rid</RequestId>"
        ));
        let body = error("ns", &ApiError::client("NoSuchEntity", "x < y"), "rid");
        assert!(body.contains(
            "<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>x &lt; y</Message></Error><RequestId>rid</RequestId>"
        ));
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
    }
}
