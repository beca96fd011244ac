//! Random values: `randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii`,
//! `randBytes`, `uuidv4`, all from the OS CSPRNG as Sprig's crypto-backed versions.

use base64::Engine as _;
use rand::{Rng, RngCore};

use crate::func::FuncMap;
use crate::value::Value;

use super::args::{self, MAX_OUTPUT_BYTES, arity, too_large};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn random_from(charset: &[u8], n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(charset[rng.random_range(0..charset.len())]))
        .collect()
}

pub(super) fn register(f: &mut FuncMap) {
    let sets: [(&'static str, &'static [u8]); 4] = [
        ("randAlphaNum", ALNUM),
        ("randAlpha", &ALNUM[..52]),
        ("randNumeric", &ALNUM[52..]),
        ("randAscii", b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"),
    ];
    for (name, charset) in sets {
        f.add(name, move |a| {
            arity(name, a, 1)?;
            let n = args::int(&a[0])?;
            // goutils refuses negative counts; Sprig ignores the error: "".
            if n <= 0 {
                return Ok(Value::str(""));
            }
            if n as u64 > MAX_OUTPUT_BYTES as u64 {
                return Err(too_large(name, "length", n));
            }
            Ok(Value::from(random_from(charset, n as usize)))
        });
    }
    f.add("randBytes", |a| {
        arity("randBytes", a, 1)?;
        let n = args::int(&a[0])?;
        if n < 0 {
            return Err("runtime error: makeslice: len out of range".into());
        }
        if n as u64 > (MAX_OUTPUT_BYTES / 2) as u64 {
            return Err(too_large("randBytes", "length", n));
        }
        let mut buf = vec![0u8; n as usize];
        rand::rng().fill_bytes(&mut buf);
        Ok(Value::from(
            base64::engine::general_purpose::STANDARD.encode(buf),
        ))
    });
    f.add("uuidv4", |a| {
        arity("uuidv4", a, 0)?;
        Ok(Value::from(uuid_v4()))
    });
}

/// A random (version 4, RFC 4122 variant) UUID in its canonical text form.
fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = super::encoding::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    #[test]
    fn random_strings_have_the_right_alphabet() {
        let s = call("randAlphaNum", &[Value::Int(64)]);
        let s = s.as_str().unwrap();
        assert_eq!(s.len(), 64);
        assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert!(
            call("randAlpha", &[Value::Int(20)])
                .as_str()
                .unwrap()
                .bytes()
                .all(|c| c.is_ascii_alphabetic())
        );
        assert!(
            call("randNumeric", &[Value::Int(20)])
                .as_str()
                .unwrap()
                .bytes()
                .all(|c| c.is_ascii_digit())
        );
        assert!(
            call("randAscii", &[Value::Int(20)])
                .as_str()
                .unwrap()
                .bytes()
                .all(|c| (32..127).contains(&c))
        );
        assert_eq!(call("randAlpha", &[Value::Int(-1)]), Value::str(""));
        assert!(try_call(&crate::sprig::funcs(), "randAlpha", &[Value::Int(1 << 40)]).is_err());
        let b = call("randBytes", &[Value::Int(12)]);
        assert_eq!(b.as_str().unwrap().len(), 16);
    }

    #[test]
    fn uuid_shape() {
        let u = call("uuidv4", &[]);
        let u = u.as_str().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(call("uuidv4", &[]), call("uuidv4", &[]));
    }
}
