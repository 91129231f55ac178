//! Host names as git and the credential protocol give them, and what they are: loopback (by
//! parsed address, never by string prefix) or a CodeCommit endpoint of a region.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::UrlError;

/// A host and its port: `name`, `name:port`, `[v6]` or `[v6]:port`.
///
/// The name is lowercased (DNS names are case-insensitive; `Host` patterns and the CodeCommit
/// rules compare lowercase), without the brackets of an IPv6 literal and without the trailing
/// dot of a fully qualified name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Host {
    name: String,
    port: Option<u16>,
    ipv6: bool,
}

impl Host {
    /// Parses `host`, `host:port`, `[v6]`, `[v6]:port` (and a bare IPv6 literal such as `::1`).
    pub fn parse(text: &str) -> Result<Host, UrlError> {
        let bad = || UrlError::BadHost(text.to_string());
        if let Some(rest) = text.strip_prefix('[') {
            let (literal, tail) = rest.split_once(']').ok_or_else(bad)?;
            let address: Ipv6Addr = literal.parse().map_err(|_| bad())?;
            let port = match tail {
                "" => None,
                _ => parse_port(tail.strip_prefix(':').ok_or_else(bad)?, text)?,
            };
            return Ok(Host {
                name: address.to_string(),
                port,
                ipv6: true,
            });
        }
        // Two colons or more without brackets can only be an IPv6 literal with no port.
        if text.matches(':').count() > 1 {
            let address: Ipv6Addr = text.parse().map_err(|_| bad())?;
            return Ok(Host {
                name: address.to_string(),
                port: None,
                ipv6: true,
            });
        }
        let (name, port) = match text.split_once(':') {
            Some((name, port)) => (name, parse_port(port, text)?),
            None => (text, None),
        };
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        let valid = !name.is_empty()
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            });
        if !valid {
            return Err(bad());
        }
        Ok(Host {
            name,
            port,
            ipv6: false,
        })
    }

    /// The host of a URL authority, `[user[:password]@]host[:port]`: the user part is dropped.
    pub fn from_authority(authority: &str) -> Result<Host, UrlError> {
        Host::parse(split_userinfo(authority).1)
    }

    /// The name without port or brackets, lowercase: what `~/.ssh/config` `Host` patterns,
    /// known_hosts and the CodeCommit rules match.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The same host without its port.
    pub fn without_port(&self) -> Host {
        Host {
            port: None,
            ..self.clone()
        }
    }

    /// Where the local service listens: `localhost` (exactly, any case), an IPv4 address in
    /// 127.0.0.0/8 or `::1`. Decided on the parsed address, so `localhost.evil.com` and
    /// `127.0.0.1.nip.io` (names anyone can point anywhere) are not loopback.
    pub fn is_loopback(&self) -> bool {
        if self.ipv6 {
            return self.name.parse::<Ipv6Addr>().is_ok_and(|a| a.is_loopback());
        }
        self.name == "localhost" || self.name.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback())
    }

    /// The CodeCommit endpoint this host names, if it is one.
    pub fn codecommit(&self) -> Option<Endpoint> {
        Endpoint::parse(&self.name)
    }

    /// The region of a CodeCommit git host (regional, FIPS, China, VPC endpoint); `None` for
    /// other hosts, API endpoints included.
    pub fn git_region(&self) -> Option<String> {
        self.codecommit()
            .filter(|e| e.service == Service::Git)
            .map(|e| e.region)
    }
}

/// `host`, `host:port`, `[v6]:port`: the form git writes in a URL and in `host=`.
impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ipv6 {
            write!(f, "[{}]", self.name)?;
        } else {
            f.write_str(&self.name)?;
        }
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

fn parse_port(port: &str, text: &str) -> Result<Option<u16>, UrlError> {
    // RFC 3986 allows an empty port ("host:"): it means the scheme's default.
    if port.is_empty() {
        return Ok(None);
    }
    if !port.chars().all(|c| c.is_ascii_digit()) {
        return Err(UrlError::BadPort(text.to_string()));
    }
    port.parse::<u16>()
        .map(Some)
        .map_err(|_| UrlError::BadPort(text.to_string()))
}

/// Splits `user[:password]@host` into the user info and the rest. The last `@` separates them,
/// as in git: a user name may itself contain `@` (e-mail style HTTPS Git credentials).
pub(crate) fn split_userinfo(authority: &str) -> (Option<&str>, &str) {
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => (Some(userinfo), host),
        None => (None, authority),
    }
}

/// Which CodeCommit service an endpoint serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// `git-codecommit[-fips]`: git over HTTPS and SSH.
    Git,
    /// `codecommit[-fips]`: the CodeCommit API (the SDK's endpoint).
    Api,
}

/// A CodeCommit endpoint host name, taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Git or API.
    pub service: Service,
    /// The region in the name.
    pub region: String,
    /// The FIPS 140-2 endpoint (`…-fips`).
    pub fips: bool,
    /// An interface VPC endpoint name (`vpce-….vpce.amazonaws.com`), not the public one.
    pub vpc_endpoint: bool,
}

impl Endpoint {
    /// Reads a lowercase host name without port:
    ///
    /// - `<service>.<region>.amazonaws.com`, `.amazonaws.com.cn` in the China regions;
    /// - the interface VPC endpoint names AWS PrivateLink generates, regional
    ///   `vpce-<id>-<suffix>.<service>.<region>.vpce.amazonaws.com` and zonal
    ///   `vpce-<id>-<suffix>-<zone>.<service>.<region>.vpce.amazonaws.com` (`.com.cn` in China);
    ///   with private DNS on, the VPC uses the public name above instead.
    ///
    /// `<service>` is one of the endpoint services the CodeCommit guide lists: `git-codecommit`,
    /// `git-codecommit-fips`, `codecommit`, `codecommit-fips`. Anything else is `None`: the
    /// name must end in an AWS domain, so look-alikes under other domains never match.
    pub fn parse(name: &str) -> Option<Endpoint> {
        let (rest, china) = if let Some(rest) = name.strip_suffix(".amazonaws.com.cn") {
            (rest, true)
        } else {
            (name.strip_suffix(".amazonaws.com")?, false)
        };
        let labels: Vec<&str> = rest.split('.').collect();
        let (vpce, service, region) = match labels.as_slice() {
            [service, region] => (false, *service, *region),
            [endpoint, service, region, "vpce"] if is_vpc_endpoint_label(endpoint) => {
                (true, *service, *region)
            }
            _ => return None,
        };
        let (service, fips) = match service {
            "git-codecommit" => (Service::Git, false),
            "git-codecommit-fips" => (Service::Git, true),
            "codecommit" => (Service::Api, false),
            "codecommit-fips" => (Service::Api, true),
            _ => return None,
        };
        // The China partition has its own domain; a China region under `.com` (or the reverse)
        // is no endpoint AWS publishes.
        if !is_region(region) || region.starts_with("cn-") != china {
            return None;
        }
        Some(Endpoint {
            service,
            region: region.to_string(),
            fips,
            vpc_endpoint: vpce,
        })
    }
}

/// `vpce-<id>-<suffix>` or `vpce-<id>-<suffix>-<zone…>`: lowercase letters and digits in
/// dash-separated parts, at least the id and the suffix.
fn is_vpc_endpoint_label(label: &str) -> bool {
    let Some(rest) = label.strip_prefix("vpce-") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('-').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// An AWS region name: `<letters>(-<letters>)+-<digits>` (`us-east-1`, `us-gov-west-1`,
/// `cn-north-1`, `ap-southeast-2`). Empty, dotted or free-form names are refused.
pub fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
        && words
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
}

/// The public CodeCommit git host of `region`: `git-codecommit.<region>.amazonaws.com`, or
/// `.amazonaws.com.cn` in the China regions.
pub fn git_host(region: &str) -> String {
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("git-codecommit.{region}.{domain}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn host(text: &str) -> Host {
        Host::parse(text).unwrap()
    }

    #[test]
    fn host_forms_parse_into_name_and_port() {
        for (text, name, port) in [
            ("example.com", "example.com", None),
            ("Example.COM:8443", "example.com", Some(8443)),
            ("[::1]", "::1", None),
            ("[::1]:9000", "::1", Some(9000)),
            ("[0:0:0:0:0:0:0:1]:22", "::1", Some(22)),
            ("::1", "::1", None),
            ("127.0.0.1:5000", "127.0.0.1", Some(5000)),
            (
                "git-codecommit.eu-west-1.amazonaws.com.",
                "git-codecommit.eu-west-1.amazonaws.com",
                None,
            ),
            ("host:", "host", None),
        ] {
            let parsed = host(text);
            assert_eq!((parsed.name(), parsed.port()), (name, port), "{text}");
        }
        assert_eq!(host("[::1]:9000").to_string(), "[::1]:9000");
        assert_eq!(host("LOCALHOST:8080").to_string(), "localhost:8080");
        assert_eq!(host("[::1]:9000").without_port().to_string(), "[::1]");
    }

    #[test]
    fn authorities_drop_the_user_and_password() {
        for (authority, shown) in [
            (
                "APKAEIBAERJR2EXAMPLE@git-codecommit.us-east-2.amazonaws.com",
                "git-codecommit.us-east-2.amazonaws.com",
            ),
            ("me:secret@127.0.0.1:8080", "127.0.0.1:8080"),
            ("me@corp.example@[::1]:2222", "[::1]:2222"),
            ("host.example", "host.example"),
        ] {
            assert_eq!(Host::from_authority(authority).unwrap().to_string(), shown);
        }
    }

    #[test]
    fn bad_hosts_are_refused_with_what_was_typed() {
        for bad in [
            "", ":80", "[::1", "[::1]x", "[nope]:1", "a b", "a..b", "a/b", "a@b", "1:2:x",
        ] {
            let error = Host::parse(bad).unwrap_err();
            assert!(error.to_string().contains(bad), "{bad}: {error}");
        }
        for bad in ["host:http", "host:65536", "host:-1", "[::1]:x"] {
            assert!(
                matches!(Host::parse(bad), Err(UrlError::BadPort(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn loopback_is_decided_on_the_address() {
        for text in [
            "localhost",
            "LOCALHOST:8080",
            "localhost.",
            "127.0.0.1",
            "127.8.9.10",
            "127.255.255.254:1",
            "[::1]",
            "[::1]:9000",
            "::1",
        ] {
            assert!(host(text).is_loopback(), "{text} is loopback");
        }
        for text in [
            "localhost.evil.com",
            "127.0.0.1.nip.io",
            "127.0.0.1.evil.com",
            "evil-localhost",
            "128.0.0.1",
            "10.0.0.1",
            "0.0.0.0",
            "[::2]",
            "[::ffff:8.8.8.8]",
            "2130706433",
            "git-codecommit.us-east-1.amazonaws.com",
        ] {
            assert!(!host(text).is_loopback(), "{text} is not loopback");
        }
    }

    fn endpoint(
        service: Service,
        region: &str,
        fips: bool,
        vpc_endpoint: bool,
    ) -> Option<Endpoint> {
        Some(Endpoint {
            service,
            region: region.into(),
            fips,
            vpc_endpoint,
        })
    }

    #[test]
    fn codecommit_endpoints_give_their_region() {
        use Service::{Api, Git};
        for (name, expected) in [
            (
                "git-codecommit.eu-west-3.amazonaws.com",
                endpoint(Git, "eu-west-3", false, false),
            ),
            (
                "GIT-CODECOMMIT.EU-WEST-1.AMAZONAWS.COM:443",
                endpoint(Git, "eu-west-1", false, false),
            ),
            (
                "git-codecommit.cn-north-1.amazonaws.com.cn",
                endpoint(Git, "cn-north-1", false, false),
            ),
            (
                "git-codecommit-fips.us-gov-west-1.amazonaws.com",
                endpoint(Git, "us-gov-west-1", true, false),
            ),
            (
                "vpce-0b7d2ee1a9c64c43e-jjkw7nlu.git-codecommit.us-east-2.vpce.amazonaws.com",
                endpoint(Git, "us-east-2", false, true),
            ),
            (
                "vpce-0b7d2ee1a9c64c43e-jjkw7nlu-us-east-2a.git-codecommit.us-east-2.vpce.amazonaws.com",
                endpoint(Git, "us-east-2", false, true),
            ),
            (
                "vpce-1a2b3c4d-5e6f.git-codecommit-fips.us-east-1.vpce.amazonaws.com",
                endpoint(Git, "us-east-1", true, true),
            ),
            (
                "vpce-1a2b3c4d-5e6f.git-codecommit.cn-northwest-1.vpce.amazonaws.com.cn",
                endpoint(Git, "cn-northwest-1", false, true),
            ),
            (
                "codecommit.us-east-1.amazonaws.com",
                endpoint(Api, "us-east-1", false, false),
            ),
            (
                "codecommit-fips.ca-central-1.amazonaws.com",
                endpoint(Api, "ca-central-1", true, false),
            ),
            (
                "vpce-1a2b3c4d-5e6f.codecommit.eu-west-1.vpce.amazonaws.com",
                endpoint(Api, "eu-west-1", false, true),
            ),
        ] {
            assert_eq!(host(name).codecommit(), expected, "{name}");
        }
        assert_eq!(
            host("vpce-1a2b3c4d-5e6f.git-codecommit.us-east-2.vpce.amazonaws.com")
                .git_region()
                .as_deref(),
            Some("us-east-2")
        );
        assert_eq!(
            host("codecommit.us-east-1.amazonaws.com").git_region(),
            None,
            "API, not git"
        );
    }

    #[test]
    fn look_alikes_are_not_codecommit() {
        for name in [
            "git-codecommit.evil.example.com",
            "git-codecommit.us-east-1.amazonaws.com.evil.com",
            "git-codecommit.us-east-1.amazonaws.com.evil.example",
            "git-codecommit..amazonaws.com",
            "git-codecommit.amazonaws.com",
            "git-codecommit.us.east-1.amazonaws.com",
            "git-codecommit.evil.amazonaws.com",
            "git-codecommit.us-east-1x.amazonaws.com",
            "git-codecommit.eu_west_1.amazonaws.com",
            "git-codecommit.us-east-1.amazonaws.com.cn",
            "git-codecommit.cn-north-1.amazonaws.com",
            "evil.git-codecommit.us-east-1.amazonaws.com",
            "git-codecommit-evil.us-east-1.amazonaws.com",
            "s3.us-east-1.amazonaws.com",
            "vpce-x.git-codecommit.us-east-2.vpce.amazonaws.com",
            "vpce-abc-def.git-codecommit.us-east-2.amazonaws.com",
            "evil-abc-def.git-codecommit.us-east-2.vpce.amazonaws.com",
            "vpce-x.git-codecommit.us-east-2.amazonaws.com.example",
            "127.0.0.1",
        ] {
            // Some are not even host names; none is an endpoint either way.
            assert_eq!(
                Host::parse(name).ok().and_then(|h| h.codecommit()),
                None,
                "{name}"
            );
            assert_eq!(Endpoint::parse(name), None, "{name}");
        }
    }

    #[test]
    fn regions_and_git_hosts() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-2",
            "il-central-1",
        ] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "east-1",
            "us-east",
            "us-east-1.evil",
            "US-EAST-1",
            "us--east-1",
            "us-east-1-",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
        assert_eq!(
            git_host("eu-west-1"),
            "git-codecommit.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            git_host("cn-north-1"),
            "git-codecommit.cn-north-1.amazonaws.com.cn"
        );
        for region in ["eu-west-1", "cn-northwest-1", "us-gov-east-1"] {
            assert_eq!(
                host(&git_host(region)).git_region().as_deref(),
                Some(region)
            );
        }
    }
}
