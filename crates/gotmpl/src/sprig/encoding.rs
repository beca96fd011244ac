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

/// `base64.StdEncoding.DecodeString`: padding required, CR/LF ignored, Go's error text.
fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    base64::engine::general_purpose::STANDARD
        .decode(&cleaned)
        .map_err(|e| {
            let at = match e {
                base64::DecodeError::InvalidByte(off, _) => off,
                base64::DecodeError::InvalidLastSymbol(off, _) => off,
                _ => cleaned.len() - cleaned.len() % 4,
            };
            format!("illegal base64 data at input byte {at}")
        })
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

/// `base32.StdEncoding.DecodeString`: padded 8-character blocks, CR/LF ignored.
fn b32_decode(s: &str) -> Result<Vec<u8>, String> {
    let input: Vec<u8> = s.bytes().filter(|c| *c != b'\r' && *c != b'\n').collect();
    let err = |at: usize| Err(format!("illegal base32 data at input byte {at}"));
    let mut out = Vec::with_capacity(input.len() / 8 * 5);
    if !input.len().is_multiple_of(8) {
        return err(input.len() / 8 * 8);
    }
    for (bi, block) in input.chunks(8).enumerate() {
        let mut bits = 0u64;
        let mut n = 0;
        let mut padded = false;
        for (i, &c) in block.iter().enumerate() {
            if c == b'=' {
                padded = true;
                continue;
            }
            if padded {
                return err(bi * 8 + i);
            }
            let Some(v) = B32.iter().position(|x| *x == c) else {
                return err(bi * 8 + i);
            };
            bits = (bits << 5) | v as u64;
            n += 1;
        }
        if padded && bi * 8 + 8 != input.len() {
            return err(bi * 8 + 8);
        }
        let bytes = match n {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            0 => 0,
            _ => return err(bi * 8 + n),
        };
        bits <<= 5 * (8 - n);
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
