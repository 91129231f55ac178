//! SSH public keys as IAM takes them: the OpenSSH one-line form (`ssh-rsa AAAA… comment`) or
//! PEM (`-----BEGIN PUBLIC KEY-----`, X.509 SubjectPublicKeyInfo, or `BEGIN RSA PUBLIC KEY`),
//! checked, fingerprinted (MD5, `ab:cd:…`) and written back in either encoding.
//!
//! IAM takes RSA keys of at least 2048 bits and nothing else ("The public key must be encoded
//! in ssh-rsa format or PEM format"): an ed25519 or ECDSA key is refused as `InvalidPublicKey`,
//! so a client that would fail against AWS fails here too.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::local::iam::md5::md5;

/// Largest RSA modulus accepted, in bits (OpenSSH's own limit).
const MAX_RSA_BITS: usize = 16384;
/// Smallest RSA modulus IAM accepts, in bits.
pub const MIN_RSA_BITS: usize = 2048;

const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const ED25519_OID: &[u8] = &[0x2b, 0x65, 0x70];

/// Key types OpenSSH knows: a body starting with one of these is in the SSH encoding, even if
/// its type is one IAM does not take.
const KNOWN_SSH_TYPES: [&str; 10] = [
    "ssh-rsa",
    "ssh-ed25519",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-ed448",
    "ssh-xmss@openssh.com",
];

/// Why a body was refused: the two IAM exceptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Neither the SSH nor the PEM encoding (`UnrecognizedPublicKeyEncoding`).
    Encoding(String),
    /// Encoded right but not a usable key (`InvalidPublicKey`).
    Invalid(String),
}

fn unsupported(key_type: &str) -> KeyError {
    KeyError::Invalid(format!(
        "The public key type {key_type} is not supported: IAM takes RSA keys of at least {MIN_RSA_BITS} bits (ssh-keygen -t rsa -b 4096)."
    ))
}

/// A checked public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// `ssh-rsa`.
    pub key_type: String,
    /// The SSH wire blob (what the base64 of the one-line form decodes to).
    pub blob: Vec<u8>,
}

impl PublicKey {
    /// Parses and checks a body as IAM's UploadSSHPublicKey receives it.
    pub fn parse(body: &str) -> Result<Self, KeyError> {
        let body = body.trim();
        if body.starts_with("-----BEGIN") {
            return parse_pem(body);
        }
        let mut words = body.split_whitespace();
        let key_type = words.next().unwrap_or("");
        if !KNOWN_SSH_TYPES.contains(&key_type) {
            return Err(KeyError::Encoding(
                "The public key encoding is not recognized: give an OpenSSH public key (the one line of a .pub file, 'ssh-rsa AAAA…') or a PEM public key.".into(),
            ));
        }
        if key_type != "ssh-rsa" {
            return Err(unsupported(key_type));
        }
        let blob = words
            .next()
            .and_then(|b64| STANDARD.decode(b64).ok())
            .ok_or_else(|| {
                KeyError::Invalid(
                    "The public key is not valid: its base64 part does not decode.".into(),
                )
            })?;
        let key = Self {
            key_type: key_type.to_string(),
            blob,
        };
        key.check()?;
        Ok(key)
    }

    /// Checks the blob: its type matches, its fields are complete, RSA is large enough.
    fn check(&self) -> Result<(), KeyError> {
        let invalid = |why: &str| KeyError::Invalid(format!("The public key is not valid: {why}."));
        let mut reader = Reader(&self.blob);
        let inner_type = reader.string().ok_or_else(|| invalid("it is truncated"))?;
        if inner_type != self.key_type.as_bytes() {
            return Err(invalid("its type and its contents disagree"));
        }
        match self.key_type.as_str() {
            "ssh-rsa" => {
                let exponent = reader.string().ok_or_else(|| invalid("it is truncated"))?;
                let modulus = reader.string().ok_or_else(|| invalid("it is truncated"))?;
                let bits = bit_length(modulus);
                if exponent.iter().all(|b| *b == 0) || bits == 0 {
                    return Err(invalid("its RSA numbers are zero"));
                }
                if bits < MIN_RSA_BITS {
                    return Err(KeyError::Invalid(format!(
                        "The public key is {bits} bits; RSA keys need at least {MIN_RSA_BITS} bits (ssh-keygen -t rsa -b 4096)."
                    )));
                }
                if bits > MAX_RSA_BITS {
                    return Err(invalid("its RSA modulus is longer than 16384 bits"));
                }
            }
            _ => {
                let point = reader.string().ok_or_else(|| invalid("it is truncated"))?;
                if point.len() != 32 {
                    return Err(invalid("an ed25519 key is 32 bytes"));
                }
            }
        }
        if !reader.0.is_empty() {
            return Err(invalid("it has trailing bytes"));
        }
        Ok(())
    }

    /// The MD5 fingerprint in IAM's form, `ab:cd:…` (16 hex pairs).
    pub fn fingerprint(&self) -> String {
        md5(&self.blob)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// The OpenSSH one-line form without a comment.
    pub fn to_ssh(&self) -> String {
        format!("{} {}", self.key_type, STANDARD.encode(&self.blob))
    }

    /// The PEM form (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo).
    pub fn to_pem(&self) -> String {
        let mut reader = Reader(&self.blob);
        let _ = reader.string();
        let der = if self.key_type == "ssh-rsa" {
            let exponent = reader.string().unwrap_or_default();
            let modulus = reader.string().unwrap_or_default();
            let rsa = der(
                0x30,
                &[der_integer(modulus), der_integer(exponent)].concat(),
            );
            spki(
                &der(0x30, &[der(0x06, RSA_OID), der(0x05, &[])].concat()),
                &rsa,
            )
        } else {
            let point = reader.string().unwrap_or_default();
            spki(&der(0x30, &der(0x06, ED25519_OID)), point)
        };
        let encoded = STANDARD.encode(der);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in encoded.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }
}

fn bit_length(number: &[u8]) -> usize {
    let trimmed: Vec<u8> = number.iter().copied().skip_while(|b| *b == 0).collect();
    match trimmed.first() {
        None => 0,
        Some(first) => trimmed.len() * 8 - first.leading_zeros() as usize,
    }
}

/// Reads SSH wire `string`s (u32 big-endian length, then bytes).
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn string(&mut self) -> Option<&'a [u8]> {
        let length = u32::from_be_bytes(self.0.get(..4)?.try_into().ok()?) as usize;
        let value = self.0.get(4..4 + length)?;
        self.0 = &self.0[4 + length..];
        Some(value)
    }
}

fn ssh_string(value: &[u8]) -> Vec<u8> {
    let mut out = (value.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(value);
    out
}

/// An SSH `mpint`: big-endian, no redundant leading zeros, a zero byte before a high bit.
fn ssh_mpint(value: &[u8]) -> Vec<u8> {
    let mut trimmed: Vec<u8> = value.iter().copied().skip_while(|b| *b == 0).collect();
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        trimmed.insert(0, 0);
    }
    ssh_string(&trimmed)
}

/// One DER element.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let length = content.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes: Vec<u8> = length
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn der_integer(value: &[u8]) -> Vec<u8> {
    let mut trimmed: Vec<u8> = value.iter().copied().skip_while(|b| *b == 0).collect();
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        trimmed.insert(0, 0);
    }
    der(0x02, &trimmed)
}

fn spki(algorithm: &[u8], key: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(key);
    der(0x30, &[algorithm.to_vec(), der(0x03, &bits)].concat())
}

/// Reads one DER element: (tag, content, rest).
fn read_der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)? as usize;
    let (length, start) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(2..2 + count)?;
        (
            bytes.iter().fold(0usize, |n, b| (n << 8) | *b as usize),
            2 + count,
        )
    };
    let content = input.get(start..start + length)?;
    Some((tag, content, &input[start + length..]))
}

fn parse_pem(body: &str) -> Result<PublicKey, KeyError> {
    let unrecognized = || {
        KeyError::Encoding(
            "The PEM public key is not recognized: give '-----BEGIN PUBLIC KEY-----' (or an OpenSSH public key line).".into(),
        )
    };
    let invalid = || KeyError::Invalid("The PEM public key is not a valid RSA key.".into());
    let mut lines = body.lines().map(str::trim);
    let label = lines
        .next()
        .and_then(|l| l.strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(unrecognized)?
        .to_string();
    if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
        return Err(unrecognized());
    }
    let end = format!("-----END {label}-----");
    let mut encoded = String::new();
    let mut ended = false;
    for line in lines {
        if line == end {
            ended = true;
            break;
        }
        encoded.push_str(line);
    }
    if !ended {
        return Err(unrecognized());
    }
    let der_bytes = STANDARD.decode(encoded).map_err(|_| unrecognized())?;
    let rsa_numbers = |sequence: &[u8]| -> Option<Vec<u8>> {
        let (0x30, content, _) = read_der(sequence)? else {
            return None;
        };
        let (0x02, modulus, rest) = read_der(content)? else {
            return None;
        };
        let (0x02, exponent, _) = read_der(rest)? else {
            return None;
        };
        Some(
            [
                ssh_string(b"ssh-rsa"),
                ssh_mpint(exponent),
                ssh_mpint(modulus),
            ]
            .concat(),
        )
    };
    let key = if label == "RSA PUBLIC KEY" {
        PublicKey {
            key_type: "ssh-rsa".into(),
            blob: rsa_numbers(&der_bytes).ok_or_else(invalid)?,
        }
    } else {
        let (0x30, info, _) = read_der(&der_bytes).ok_or_else(invalid)? else {
            return Err(invalid());
        };
        let (0x30, algorithm, rest) = read_der(info).ok_or_else(invalid)? else {
            return Err(invalid());
        };
        let (0x06, oid, _) = read_der(algorithm).ok_or_else(invalid)? else {
            return Err(invalid());
        };
        let (0x03, bits, _) = read_der(rest).ok_or_else(invalid)? else {
            return Err(invalid());
        };
        let key_bytes = bits.get(1..).ok_or_else(invalid)?;
        if oid == RSA_OID {
            PublicKey {
                key_type: "ssh-rsa".into(),
                blob: rsa_numbers(key_bytes).ok_or_else(invalid)?,
            }
        } else if oid == ED25519_OID {
            return Err(unsupported("ed25519"));
        } else {
            return Err(KeyError::Invalid(
                "The PEM public key is not RSA, the one type IAM accepts.".into(),
            ));
        }
    };
    key.check()?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// An RSA blob with a modulus of `bits` bits (not a real key: only the shape matters).
    fn rsa_blob(bits: usize) -> Vec<u8> {
        let mut modulus = vec![0xffu8; bits / 8];
        modulus[bits / 8 - 1] = 0x01;
        [
            ssh_string(b"ssh-rsa"),
            ssh_mpint(&[1, 0, 1]),
            ssh_mpint(&modulus),
        ]
        .concat()
    }

    #[test]
    fn ssh_keys_are_checked_like_iam() {
        let ed = [ssh_string(b"ssh-ed25519"), ssh_string(&[7u8; 32])].concat();
        // IAM takes RSA only: an ed25519 key is refused, as AWS refuses it.
        let ed_line = format!("ssh-ed25519 {} me@host\n", STANDARD.encode(&ed));
        assert!(
            matches!(PublicKey::parse(&ed_line), Err(KeyError::Invalid(m)) if m.contains("RSA"))
        );
        let line = format!("ssh-rsa {} me@host\n", STANDARD.encode(rsa_blob(2048)));
        let key = PublicKey::parse(&line).unwrap();
        assert_eq!(key.fingerprint().len(), 47);
        assert_eq!(key.to_ssh(), line.trim().trim_end_matches(" me@host"));
        let short = format!("ssh-rsa {}", STANDARD.encode(rsa_blob(1024)));
        assert!(
            matches!(PublicKey::parse(&short), Err(KeyError::Invalid(m)) if m.contains("1024"))
        );
        assert!(matches!(
            PublicKey::parse("hello world"),
            Err(KeyError::Encoding(_))
        ));
        assert!(matches!(
            PublicKey::parse("ssh-rsa !!!"),
            Err(KeyError::Invalid(_))
        ));
        assert!(matches!(
            PublicKey::parse(&format!("ssh-rsa {}", STANDARD.encode(&ed))),
            Err(KeyError::Invalid(_))
        ));
        assert!(matches!(
            PublicKey::parse("ssh-dss AAAA"),
            Err(KeyError::Invalid(_))
        ));
    }

    #[test]
    fn pem_round_trips_for_rsa() {
        for blob in [rsa_blob(2048), rsa_blob(4096)] {
            let key = PublicKey {
                key_type: String::from_utf8(Reader(&blob).string().unwrap().to_vec()).unwrap(),
                blob,
            };
            let pem = key.to_pem();
            assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
            assert_eq!(PublicKey::parse(&pem).unwrap(), key);
        }
        assert!(matches!(
            PublicKey::parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
            Err(KeyError::Encoding(_))
        ));
    }
}
