//! Encodings and checksums: `b64enc`/`b64dec`, `b32enc`/`b32dec`, `sha1sum`,
//! `sha256sum`, `sha512sum`, `adler32sum`.

use base64::Engine as _;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::func::FuncMap;
use crate::value::Value;

use super::args::{self, arity};

/// A `func(string) string` that reads its argument's bytes: a Go string need not be
/// UTF-8 (`.Files.Get` of a binary file), and these encode or hash the bytes.
fn bytes_fn(f: &mut FuncMap, name: &'static str, op: fn(&[u8]) -> String) {
    f.add(name, move |a| {
        arity(name, a, 1)?;
        let bytes = match a[0].go_string_bytes() {
            Some(b) => b,
            None => args::string(&a[0])?.as_bytes(),
        };
        Ok(Value::from(op(bytes)))
    });
}

/// A decoder: `func(string) string` whose result is whatever bytes the text held,
/// or Go's error text in their place (Sprig returns it as the string).
fn decode_fn(f: &mut FuncMap, name: &'static str, op: fn(&str) -> Result<Vec<u8>, String>) {
    f.add(name, move |a| {
        arity(name, a, 1)?;
        Ok(match op(args::string(&a[0])?) {
            Ok(b) => Value::from_go_bytes(&b),
            Err(e) => Value::from(e),
        })
    });
}

pub(super) fn register(f: &mut FuncMap) {
    bytes_fn(f, "b64enc", |b| {
        base64::engine::general_purpose::STANDARD.encode(b)
    });
    decode_fn(f, "b64dec", b64_decode);
    bytes_fn(f, "b32enc", b32_encode);
    decode_fn(f, "b32dec", b32_decode);
    bytes_fn(f, "sha1sum", |b| hex(&Sha1::digest(b)));
    bytes_fn(f, "sha256sum", |b| hex(&Sha256::digest(b)));
    bytes_fn(f, "sha512sum", |b| hex(&Sha512::digest(b)));
    bytes_fn(f, "adler32sum", |b| adler32(b).to_string());
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// `base64.StdEncoding.DecodeString`, quantum by quantum as Go decodes: padding
/// required, CR and LF skipped anywhere, and Go's error text, whose offset counts
/// the input as given (newlines included).
fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    go_b64_decode(s.as_bytes()).map_err(|at| format!("illegal base64 data at input byte {at}"))
}

/// The value of a standard base64 symbol.
fn b64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Go's `decodeQuantum` loop; the error is the offset Go reports.
fn go_b64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let is_newline = |c: u8| c == b'\n' || c == b'\r';
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let mut quantum = [0u8; 4];
        let mut len = 4;
        let mut j = 0;
        let mut trailing = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // Missing padding.
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = b64_value(c) {
                quantum[j] = v;
                j += 1;
                continue;
            }
            if is_newline(c) {
                continue;
            }
            if c != b'=' || j < 2 {
                return Err(si - 1);
            }
            if j == 2 {
                // "==" is expected; the first '=' is read.
                while si < src.len() && is_newline(src[si]) {
                    si += 1;
                }
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != b'=' {
                    return Err(si - 1);
                }
                si += 1;
            }
            while si < src.len() && is_newline(src[si]) {
                si += 1;
            }
            if si < src.len() {
                trailing = Some(si);
            }
            len = j;
            break;
        }
        let v = (u32::from(quantum[0]) << 18)
            | (u32::from(quantum[1]) << 12)
            | (u32::from(quantum[2]) << 6)
            | u32::from(quantum[3]);
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if let Some(at) = trailing {
            return Err(at);
        }
    }
    Ok(out)
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `base32.StdEncoding.EncodeToString` (RFC 4648, padded).
fn b32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(char::from(B32[((bits >> (35 - 5 * i)) & 31) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base32.StdEncoding.DecodeString` as Go decodes: CR and LF are stripped first
/// (offsets count the rest), padding is read only within the last eight bytes and
/// ends the decoding (anything after it is ignored), and Go's error offsets.
fn b32_decode(s: &str) -> Result<Vec<u8>, String> {
    let src: Vec<u8> = s.bytes().filter(|c| *c != b'\r' && *c != b'\n').collect();
    go_b32_decode(&src).map_err(|at| format!("illegal base32 data at input byte {at}"))
}

/// Go's base32 `decode` loop over 8-symbol quanta; the error is Go's offset.
fn go_b32_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let total = src.len();
    let mut rest = src;
    let mut out = Vec::with_capacity(total / 8 * 5);
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut quantum = [0u8; 8];
        let mut len = 8;
        let mut j = 0;
        while j < 8 {
            let Some((&c, after)) = rest.split_first() else {
                // The input ended without its padding.
                return Err(total - j);
            };
            rest = after;
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(total);
                }
                for k in 0..7 - j {
                    if rest.len() > k && rest[k] != b'=' {
                        return Err(total - rest.len() + k - 1);
                    }
                }
                len = j;
                end = true;
                // 1, 3 and 6 symbols do not make a whole byte.
                if matches!(len, 1 | 3 | 6) {
                    return Err(total - rest.len() - 1);
                }
                break;
            }
            let Some(v) = B32.iter().position(|x| *x == c) else {
                return Err(total - rest.len() - 1);
            };
            quantum[j] = v as u8;
            j += 1;
        }
        let bits = quantum
            .iter()
            .fold(0u64, |acc, &v| (acc << 5) | u64::from(v));
        let bytes = match len {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            _ => 1,
        };
        for i in 0..bytes {
            out.push((bits >> (32 - 8 * i)) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::call;

    /// Offsets as Go's decoders report them (checked against Helm, case 335).
    #[test]
    fn decoders_fail_where_go_does() {
        assert_eq!(go_b64_decode(b"ONZHE2LOM4======"), Err(12));
        assert_eq!(go_b64_decode(b"aGVs\nbG8="), Ok(b"hello".to_vec()));
        assert_eq!(go_b64_decode(b"ab="), Err(3));
        assert_eq!(go_b64_decode(b"a==="), Err(1));
        assert_eq!(go_b32_decode(b"MZXW6===x"), Ok(b"foo".to_vec()));
        assert_eq!(go_b32_decode(b"MZXW6YTBOI====="), Err(15));
        assert_eq!(go_b32_decode(b"MZXW6===MZXW6==="), Err(5));
        assert_eq!(go_b32_decode(b"MZXW6"), Err(0));
    }

    #[test]
    fn strings_that_are_not_utf8_keep_their_bytes() {
        // "/+A=" is the bytes ff e0: b64dec gives a Go string that is not UTF-8.
        let raw = call("b64dec", &["/+A=".into()]);
        assert!(matches!(raw, Value::RawString(_)));
        assert_eq!(raw.as_str(), Some("\u{fffd}\u{fffd}"));
        assert_eq!(
            call("b64enc", std::slice::from_ref(&raw)),
            Value::str("/+A=")
        );
        assert_eq!(
            call("sha1sum", std::slice::from_ref(&raw)),
            Value::from(hex(&Sha1::digest([0xff, 0xe0])))
        );
        assert_eq!(call("b32enc", &[raw]), Value::str("77QA===="));
    }

    #[test]
    fn base_encodings() {
        assert_eq!(call("b64enc", &["hello".into()]), Value::str("aGVsbG8="));
        assert_eq!(call("b64dec", &["aGVsbG8=".into()]), Value::str("hello"));
        assert_eq!(
            call("b64dec", &["aGVsbG8".into()]),
            Value::str("illegal base64 data at input byte 4")
        );
        assert_eq!(
            call("b64dec", &["a!".into()])
                .as_str()
                .map(|s| s.starts_with("illegal base64")),
            Some(true)
        );
        for (plain, enc) in [
            ("", ""),
            ("f", "MY======"),
            ("fo", "MZXQ===="),
            ("foo", "MZXW6==="),
            ("foob", "MZXW6YQ="),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI======"),
        ] {
            assert_eq!(call("b32enc", &[plain.into()]), Value::str(enc));
            assert_eq!(call("b32dec", &[enc.into()]), Value::str(plain));
        }
        assert_eq!(
            call("b32dec", &["MZX".into()])
                .as_str()
                .map(|s| s.starts_with("illegal base32")),
            Some(true)
        );
    }

    #[test]
    fn checksums() {
        assert_eq!(
            call("sha1sum", &["foo".into()]),
            Value::str("0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33")
        );
        assert_eq!(
            call("sha256sum", &["foo".into()]),
            Value::str("2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")
        );
        assert!(
            call("sha512sum", &["foo".into()])
                .as_str()
                .unwrap()
                .starts_with("f7fbba6e0636f890e56fbbf3283e524c")
        );
        assert_eq!(
            call("adler32sum", &["Wikipedia".into()]),
            Value::str("300286872")
        );
    }
}
