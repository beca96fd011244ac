//! `getHostByName`, `urlParse` and `urlJoin` (Go's net and net/url semantics).

use std::net::ToSocketAddrs;

use rand::seq::IndexedRandom;

use crate::func::{FuncError, FuncMap};
use crate::value::{MapInner, Value};

use super::args::{self, arity};

pub(super) fn register(f: &mut FuncMap) {
    f.add("getHostByName", |a| {
        arity("getHostByName", a, 1)?;
        let name = args::string(&a[0])?;
        // net.LookupHost; Sprig then indexes a random address, which panics on an
        // empty result (rand.Intn(0)): a failed lookup fails the render.
        let addrs: Vec<String> = (name, 0u16)
            .to_socket_addrs()
            .map(|it| it.map(|sa| sa.ip().to_string()).collect())
            .unwrap_or_default();
        let mut uniq: Vec<String> = Vec::new();
        for a in addrs {
            if !uniq.contains(&a) {
                uniq.push(a);
            }
        }
        uniq.choose(&mut rand::rng())
            .cloned()
            .map(Value::from)
            .ok_or_else(|| FuncError::new("invalid argument to Intn"))
    });
    f.add("urlParse", |a| {
        arity("urlParse", a, 1)?;
        let u = parse_url(args::string(&a[0])?)
            .map_err(|e| FuncError::new(format!("unable to parse url: {e}")))?;
        let mut m = MapInner::new();
        m.insert("scheme".into(), Value::from(u.scheme));
        m.insert("hostname".into(), Value::from(hostname(&u.host)));
        m.insert("host".into(), Value::from(u.host));
        m.insert("path".into(), Value::from(u.path));
        m.insert("query".into(), Value::from(u.raw_query));
        m.insert("opaque".into(), Value::from(u.opaque));
        m.insert("fragment".into(), Value::from(u.fragment));
        m.insert(
            "userinfo".into(),
            Value::from(u.userinfo.unwrap_or_default()),
        );
        Ok(Value::map(m))
    });
    f.add("urlJoin", |a| {
        arity("urlJoin", a, 1)?;
        let d = args::map(&a[0])?;
        let get = |key: &str| -> Result<String, FuncError> {
            match d.and_then(|m| m.get(key)) {
                None => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.to_string()),
                Some(other) => Err(FuncError::new(format!(
                    "unable to parse {key} key, must be of type string, but {} found",
                    other.kind_name()
                ))),
            }
        };
        let userinfo = get("userinfo")?;
        let u = Url {
            scheme: get("scheme")?,
            host: get("host")?,
            path: get("path")?,
            raw_query: get("query")?,
            opaque: get("opaque")?,
            fragment: get("fragment")?,
            userinfo: if userinfo.is_empty() {
                None
            } else {
                Some(userinfo)
            },
        };
        Ok(Value::from(u.to_string()))
    });
}

/// The parts of Go's `url.URL` that Sprig exposes.
#[derive(Debug, Default)]
struct Url {
    scheme: String,
    opaque: String,
    userinfo: Option<String>,
    host: String,
    path: String,
    raw_query: String,
    fragment: String,
}

/// Go's `url.Parse` (RFC 3986 reference parsing with Go's leniencies).
fn parse_url(raw: &str) -> Result<Url, String> {
    let mut u = Url::default();
    let (rest, frag) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    if let Some(f) = frag {
        u.fragment = unescape(f).map_err(|e| format!("parse {raw:?}: {e}"))?;
    }
    if rest.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(format!(
            "parse {raw:?}: net/url: invalid control character in URL"
        ));
    }
    let mut rest = rest;
    // Scheme: letter followed by letters, digits, '+', '-', '.', then ':'.
    for (i, c) in rest.char_indices() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if c.is_ascii_digit() || c == '+' || c == '-' || c == '.' {
            if i == 0 {
                break;
            }
            continue;
        }
        if c == ':' {
            if i == 0 {
                return Err(format!("parse {raw:?}: missing protocol scheme"));
            }
            u.scheme = rest[..i].to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
        break;
    }
    if let Some((r, q)) = rest.split_once('?') {
        u.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') && !u.scheme.is_empty() {
        u.opaque = rest.to_string();
        return Ok(u);
    }
    if u.scheme.is_empty()
        && let Some(colon) = rest.find(':')
        && rest.find('/').is_none_or(|s| colon < s)
    {
        return Err(format!(
            "parse {raw:?}: first path segment in URL cannot contain colon"
        ));
    }
    if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        u.userinfo = userinfo.map(str::to_string);
        u.host = unescape(host).map_err(|e| format!("parse {raw:?}: {e}"))?;
        rest = path;
    }
    u.path = unescape(rest).map_err(|e| format!("parse {raw:?}: {e}"))?;
    Ok(u)
}

/// `URL.Hostname()`: the host without port, IPv6 brackets removed.
fn hostname(host: &str) -> String {
    if let Some(stripped) = host.strip_prefix('[') {
        return stripped.split(']').next().unwrap_or("").to_string();
    }
    host.rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(host)
        .to_string()
}

/// Percent-decoding with Go's "invalid URL escape" error.
fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            let Some(hex) = hex else {
                let end = (i + 3).min(b.len());
                return Err(format!(
                    "invalid URL escape {:?}",
                    String::from_utf8_lossy(&b[i..end])
                ));
            };
            let v = u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("00"), 16).unwrap_or(0);
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Host,
    Fragment,
}

/// Go's `shouldEscape` for the modes `URL.String` uses.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host {
        return !(c >= 0x80 || b"!$&'()*+,;=:[]<>\"-_.~".contains(&c));
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            mode == Mode::Path && c == b'?'
        }
        b'!' | b'(' | b')' | b'*' if mode == Mode::Fragment => false,
        _ => true,
    }
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(char::from(c));
        }
    }
    // Only ASCII was pushed as chars; non-ASCII bytes (host mode) need re-assembly.
    if mode == Mode::Host && !s.is_ascii() {
        let mut bytes = Vec::with_capacity(s.len());
        for &c in s.as_bytes() {
            if should_escape(c, mode) {
                bytes.extend_from_slice(format!("%{c:02X}").as_bytes());
            } else {
                bytes.push(c);
            }
        }
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    out
}

/// Go's `URL.String`.
impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.userinfo.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.userinfo.is_some() {
                    buf.push_str("//");
                }
                if let Some(ui) = &self.userinfo {
                    buf.push_str(ui);
                    buf.push('@');
                }
                if !self.host.is_empty() {
                    buf.push_str(&escape(&self.host, Mode::Host));
                }
            }
            let path = escape(&self.path, Mode::Path);
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() {
                let first = path.split('/').next().unwrap_or("");
                if first.contains(':') {
                    buf.push_str("./");
                }
            }
            buf.push_str(&path);
        }
        if !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        f.write_str(&buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    #[test]
    fn parse_and_join_round_trip() {
        let m = call(
            "urlParse",
            &["proto://auth@host:80/path%20x?query#fragment".into()],
        );
        let m = m.as_map().unwrap();
        assert_eq!(m.get("scheme"), Some(Value::str("proto")));
        assert_eq!(m.get("host"), Some(Value::str("host:80")));
        assert_eq!(m.get("hostname"), Some(Value::str("host")));
        assert_eq!(m.get("path"), Some(Value::str("/path x")));
        assert_eq!(m.get("query"), Some(Value::str("query")));
        assert_eq!(m.get("fragment"), Some(Value::str("fragment")));
        assert_eq!(m.get("userinfo"), Some(Value::str("auth")));
        assert_eq!(m.get("opaque"), Some(Value::str("")));
        let joined = call("urlJoin", &[Value::Map(m.clone())]);
        assert_eq!(
            joined,
            Value::str("proto://auth@host:80/path%20x?query#fragment")
        );
        let d = Value::map(
            [
                ("host".to_string(), Value::str("host:80")),
                ("path".to_string(), Value::str("/path")),
                ("query".to_string(), Value::str("query")),
                ("scheme".to_string(), Value::str("http")),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            call("urlJoin", &[d]),
            Value::str("http://host:80/path?query")
        );
        assert_eq!(
            call("urlParse", &["mailto:a@b.c".into()])
                .as_map()
                .unwrap()
                .get("opaque"),
            Some(Value::str("a@b.c"))
        );
        assert!(try_call(&crate::sprig::funcs(), "urlParse", &[":x".into()]).is_err());
        let bad = Value::map([("host".to_string(), Value::Int(1))].into_iter().collect());
        assert!(try_call(&crate::sprig::funcs(), "urlJoin", &[bad]).is_err());
    }

    #[test]
    fn host_lookup_of_localhost() {
        let v = call("getHostByName", &["localhost".into()]);
        let ip = v.as_str().unwrap();
        assert!(ip == "127.0.0.1" || ip == "::1", "got {ip}");
    }
}
