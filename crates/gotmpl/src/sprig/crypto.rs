//! Password and cipher functions: `bcrypt`, `htpasswd`, `derivePassword` (the Master
//! Password algorithm), `encryptAES`/`decryptAES` (AES-256-CBC, Sprig's format).
//! Keys and certificates live in `certs`.

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::func::{FuncError, FuncMap};
use crate::value::Value;

use super::args::{self, arity};

/// Go's x/crypto/bcrypt at its default cost, `$2a$` prefix.
fn bcrypt_hash(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(h) => h.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

const MASTER_PASSWORD_SEED: &str = "com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword`: scrypt(N=32768, r=8, p=2) of the master password salted
/// with the user, HMAC-SHA256 of the site and counter, then a character template.
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|p| {
            scrypt::scrypt(password.as_bytes(), &salt, &p, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return "failed to derive password: bad key".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()].as_bytes();
    template
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(*c);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

/// The password zero-padded (or cut) to an AES-256 key, as Sprig does.
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

fn encrypt_aes(password: &str, plaintext: &str) -> Result<String, FuncError> {
    if plaintext.is_empty() {
        return Ok(String::new());
    }
    let mut content = plaintext.as_bytes().to_vec();
    let pad = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let mut iv = [0u8; 16];
    rand::rng().fill_bytes(&mut iv);
    let cipher = Enc::new(&aes_key(password).into(), &iv.into());
    let len = content.len();
    let ct = cipher
        .encrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut content, len)
        .map_err(|e| FuncError::new(e.to_string()))?
        .to_vec();
    let mut out = iv.to_vec();
    out.extend(ct);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, FuncError> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = base64::engine::general_purpose::STANDARD
        .decode(crypt64)
        .map_err(|_| FuncError::new("illegal base64 data at input byte 0"))?;
    // Go panics on these; the template reports the panic text.
    if crypt.len() < 16 {
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        )));
    }
    if !crypt.len().is_multiple_of(16) {
        return Err(FuncError::new("crypto/cipher: input not full blocks"));
    }
    if crypt.len() == 16 {
        return Err(FuncError::new("runtime error: index out of range [-1]"));
    }
    let (iv, body) = crypt.split_at(16);
    let mut buf = body.to_vec();
    let mut iv_arr = [0u8; 16];
    iv_arr.copy_from_slice(iv);
    let plain = Dec::new(&aes_key(password).into(), &iv_arr.into())
        .decrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut buf)
        .map_err(|e| FuncError::new(e.to_string()))?;
    let pad = usize::from(plain[plain.len() - 1]);
    // Sprig trusts the padding byte; out of range it would panic in Go.
    let end = plain
        .len()
        .checked_sub(pad)
        .ok_or_else(|| FuncError::new("runtime error: slice bounds out of range"))?;
    Ok(String::from_utf8_lossy(&plain[..end]).into_owned())
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("bcrypt", |a| {
        arity("bcrypt", a, 1)?;
        Ok(Value::from(bcrypt_hash(args::string(&a[0])?)))
    });
    f.add("htpasswd", |a| {
        arity("htpasswd", a, 2)?;
        let user = args::string(&a[0])?;
        let pass = args::string(&a[1])?;
        if user.contains(':') {
            return Ok(Value::from(format!("invalid username: {user}")));
        }
        Ok(Value::from(format!("{user}:{}", bcrypt_hash(pass))))
    });
    f.add("derivePassword", |a| {
        arity("derivePassword", a, 5)?;
        let counter = args::int(&a[0])?;
        let counter = u32::try_from(counter).map_err(|_| {
            FuncError::new(format!(
                "wrong type for value; expected uint32; got {counter}"
            ))
        })?;
        let strs = a[1..]
            .iter()
            .map(args::string)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::from(derive_password(
            counter, strs[0], strs[1], strs[2], strs[3],
        )))
    });
    f.add("encryptAES", |a| {
        arity("encryptAES", a, 2)?;
        Ok(Value::from(encrypt_aes(
            args::string(&a[0])?,
            args::string(&a[1])?,
        )?))
    });
    f.add("decryptAES", |a| {
        arity("decryptAES", a, 2)?;
        Ok(Value::from(decrypt_aes(
            args::string(&a[0])?,
            args::string(&a[1])?,
        )?))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::call;

    #[test]
    fn derive_password_matches_sprig() {
        assert_eq!(
            call(
                "derivePassword",
                &[
                    Value::Int(1),
                    "long".into(),
                    "password".into(),
                    "user".into(),
                    "example.com".into()
                ]
            ),
            Value::str("ZedaFaxcZaso9*")
        );
        assert_eq!(
            call(
                "derivePassword",
                &[
                    Value::Int(1),
                    "nope".into(),
                    "p".into(),
                    "u".into(),
                    "s".into()
                ]
            ),
            Value::str("cannot find password template nope")
        );
    }

    #[test]
    fn bcrypt_and_htpasswd() {
        let h = call("htpasswd", &["admin".into(), "secret".into()]);
        let h = h.as_str().unwrap();
        let (user, hash) = h.split_once(':').unwrap();
        assert_eq!(user, "admin");
        assert!(hash.starts_with("$2a$10$"));
        assert!(bcrypt::verify("secret", hash).unwrap());
        assert_eq!(
            call("htpasswd", &["a:b".into(), "x".into()]),
            Value::str("invalid username: a:b")
        );
    }

    #[test]
    fn aes_round_trip() {
        let enc = call("encryptAES", &["secretkey".into(), "plaintext".into()]);
        assert_eq!(enc.as_str().unwrap().len(), 44);
        assert_eq!(
            call("decryptAES", &["secretkey".into(), enc]),
            Value::str("plaintext")
        );
        assert_eq!(call("encryptAES", &["k".into(), "".into()]), Value::str(""));
    }
}
