//! Keys and X.509 certificates: `genPrivateKey`, `genCA`, `genCAWithKey`,
//! `genSelfSignedCert`, `genSelfSignedCertWithKey`, `genSignedCert`,
//! `genSignedCertWithKey`, `buildCustomCert`. Keys print as Go's `pem` blocks do
//! ("RSA PRIVATE KEY" PKCS#1, "EC PRIVATE KEY" SEC1, "PRIVATE KEY" PKCS#8 for
//! ed25519); certificates carry Sprig's subject, usages and validity.

use std::net::IpAddr;
use std::sync::Arc;

use aws_lc_rs::rsa::KeySize;
use base64::Engine as _;
use rand::RngCore;
use rcgen::{
    CertificateParams, DistinguishedName, DnType, DnValue, IsCa, KeyIdMethod, KeyPair,
    PrintableString, SerialNumber,
};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};

use crate::func::{FuncError, FuncMap};
use crate::value::{MapInner, Object, Value};

use super::args::{self, arity};
use super::certext;

/// A private key of one of the kinds Sprig handles.
enum PrivKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(p256::SecretKey),
    Ed(ed25519_dalek::SigningKey),
}

fn err(msg: impl std::fmt::Display) -> FuncError {
    FuncError::new(msg.to_string())
}

impl PrivKey {
    /// AWS-LC finds the primes (~2.7x less CPU than the `rsa` crate's search,
    /// docs/architecture.md); the key is then read into the `rsa` crate, which
    /// writes Sprig's PKCS#1 PEM and signs like keys parsed from templates.
    fn rsa(size: aws_lc_rs::rsa::KeySize) -> Result<PrivKey, FuncError> {
        use aws_lc_rs::encoding::AsDer;
        let generated = aws_lc_rs::rsa::KeyPair::generate(size)
            .map_err(|e| err(format!("error generating rsa key: {e}")))?;
        let pkcs8 = generated
            .as_der()
            .map_err(|e| err(format!("error generating rsa key: {e}")))?;
        let key = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8.as_ref())
            .map_err(|e| err(format!("error generating rsa key: {e}")))?;
        Ok(PrivKey::Rsa(Box::new(key)))
    }

    /// Go's `pemBlockForKey` encoding.
    fn pem(&self) -> Result<String, FuncError> {
        Ok(match self {
            PrivKey::Rsa(k) => k.to_pkcs1_pem(LineEnding::LF).map_err(err)?.to_string(),
            PrivKey::Ec(k) => k.to_sec1_pem(LineEnding::LF).map_err(err)?.to_string(),
            PrivKey::Ed(k) => k.to_pkcs8_pem(LineEnding::LF).map_err(err)?.to_string(),
        })
    }

    /// Sprig's `parsePrivateKeyPEM`: PKCS#1 RSA, SEC1 EC or PKCS#8 keys.
    fn parse(pem_text: &str) -> Result<PrivKey, FuncError> {
        let block = pem::parse(pem_text).map_err(|_| err("no PEM data in input"))?;
        let der = block.contents();
        match block.tag() {
            "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(der)
                .map(|k| PrivKey::Rsa(Box::new(k)))
                .map_err(|e| err(format!("error decoding RSA private key: {e}"))),
            "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(der)
                .map(PrivKey::Ec)
                .map_err(|e| err(format!("error decoding EC private key: {e}"))),
            "PRIVATE KEY" => {
                if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
                    return Ok(PrivKey::Rsa(Box::new(k)));
                }
                if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
                    return Ok(PrivKey::Ec(k));
                }
                ed25519_dalek::SigningKey::from_pkcs8_der(der)
                    .map(PrivKey::Ed)
                    .map_err(|_| err("error decoding PKCS#8 private key: unsupported key type"))
            }
            other => Err(err(format!(
                "no PEM data in input: unsupported block type {other}"
            ))),
        }
    }

    /// The key as rcgen's signer.
    fn key_pair(&self) -> Result<KeyPair, FuncError> {
        let (der, alg) = match self {
            PrivKey::Rsa(k) => (
                k.to_pkcs8_der().map_err(err)?.as_bytes().to_vec(),
                &rcgen::PKCS_RSA_SHA256,
            ),
            PrivKey::Ec(k) => (
                k.to_pkcs8_der().map_err(err)?.as_bytes().to_vec(),
                &rcgen::PKCS_ECDSA_P256_SHA256,
            ),
            PrivKey::Ed(k) => (
                k.to_pkcs8_der().map_err(err)?.as_bytes().to_vec(),
                &rcgen::PKCS_ED25519,
            ),
        };
        KeyPair::from_pkcs8_der_and_sign_algo(&der.as_slice().into(), alg).map_err(err)
    }
}

/// Sprig's `certificate{Cert, Key}` value.
struct Certificate {
    cert: String,
    key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::from(self.cert.clone())),
            "Key" => Some(Value::from(self.key.clone())),
            _ => None,
        }
    }
    fn display(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn to_value(&self) -> Option<Value> {
        let mut m = MapInner::new();
        m.insert("Cert".into(), Value::from(self.cert.clone()));
        m.insert("Key".into(), Value::from(self.key.clone()));
        Some(Value::map(m))
    }
    fn go_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(vec![
            ("Cert".into(), Value::from(self.cert.clone())),
            ("Key".into(), Value::from(self.key.clone())),
        ])
    }
}

fn cert_value(cert: String, key: String) -> Value {
    Value::Object(Arc::new(Certificate { cert, key }))
}

/// The `Cert` and `Key` of a certificate argument (our object, or a dict with them).
fn cert_parts(v: &Value) -> Result<(String, String), FuncError> {
    let get = |name: &str| -> Option<String> {
        match v {
            Value::Object(o) => o.field(name).and_then(|x| x.as_str().map(str::to_string)),
            Value::Map(m) => m.get(name).and_then(|x| x.as_str().map(str::to_string)),
            _ => None,
        }
    };
    match (get("Cert"), get("Key")) {
        (Some(c), Some(k)) => Ok((c, k)),
        _ => Err(err(format!(
            "wrong type for value; expected sprig.certificate; got {}",
            v.type_name()
        ))),
    }
}

/// Sprig's `getBaseCertTemplate`: CN subject, SANs, a random 128-bit serial,
/// valid from now for `days`; the usages and constraints are written by
/// `certext` (key encipherment + digital signature, server and client auth).
struct Template {
    params: CertificateParams,
    dns: Vec<String>,
    ips: Vec<IpAddr>,
}

impl Template {
    /// Sign with Go's extensions for this template: `issuer` is the signer's
    /// certificate and key, `None` for a self-signed certificate.
    fn sign(
        mut self,
        is_ca: bool,
        key: &KeyPair,
        issuer: Option<(&rcgen::Certificate, &KeyPair, Option<&[u8]>)>,
    ) -> Result<rcgen::Certificate, FuncError> {
        let subject_empty = self.params.distinguished_name.iter().next().is_none();
        self.params.custom_extensions = certext::extensions(&certext::Extensions {
            is_ca,
            subject_empty,
            public_key: key.public_key_raw(),
            authority_key_id: issuer.and_then(|(_, _, id)| id),
            dns_names: &self.dns,
            ip_addresses: &self.ips,
        });
        let signed = match issuer {
            Some((cert, issuer_key, _)) => self.params.signed_by(key, cert, issuer_key),
            None => self.params.self_signed(key),
        };
        signed.map_err(|e| err(format!("error creating certificate: {e}")))
    }
}

/// A subject attribute as encoding/asn1 marshals a Go string: PrintableString when
/// every character allows it (not `*` or `&`), else UTF8String.
fn go_dn_string(s: &str) -> DnValue {
    match PrintableString::try_from(s) {
        Ok(p) => DnValue::PrintableString(p),
        Err(_) => DnValue::Utf8String(s.to_string()),
    }
}

fn base_params(cn: &str, ips: &[Value], dns: &[Value], days: i64) -> Result<Template, FuncError> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    // pkix.Name leaves out an empty common name: the subject is then empty.
    if !cn.is_empty() {
        dn.push(DnType::CommonName, go_dn_string(cn));
    }
    params.distinguished_name = dn;
    let mut ip_addresses = Vec::with_capacity(ips.len());
    let mut dns_names = Vec::with_capacity(dns.len());
    for ip in ips {
        let s = ip.as_str().ok_or_else(|| {
            err(format!(
                "error parsing ip: {} is not a string",
                super::conv::go_v(ip)
            ))
        })?;
        let addr: IpAddr = s
            .parse()
            .map_err(|_| err(format!("error parsing ip: {s}")))?;
        ip_addresses.push(addr);
    }
    for name in dns {
        let s = name.as_str().ok_or_else(|| {
            err(format!(
                "error processing alternate dns name: {} is not a string",
                super::conv::go_v(name)
            ))
        })?;
        if !s.is_ascii() {
            return Err(err(format!("invalid dns name: {s}")));
        }
        dns_names.push(s.to_string());
    }
    // Go's `rand.Int(rand.Reader, 2^128)`: any 128-bit value, written as a positive
    // DER integer (a leading zero byte when the top bit is set).
    let mut serial = [0u8; 16];
    rand::rng().fill_bytes(&mut serial);
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now;
    params.not_after = now
        .checked_add(time::Duration::days(days))
        .ok_or_else(|| err("certificate validity out of range"))?;
    // Every extension comes from `certext`, in Go's order.
    params.is_ca = IsCa::NoCa;
    Ok(Template {
        params,
        dns: dns_names,
        ips: ip_addresses,
    })
}

fn ca(cn: &str, days: i64, key: PrivKey) -> Result<Value, FuncError> {
    let kp = key.key_pair()?;
    let cert = base_params(cn, &[], &[], days)?.sign(true, &kp, None)?;
    Ok(cert_value(cert.pem(), key.pem()?))
}

fn self_signed(
    cn: &str,
    ips: &[Value],
    dns: &[Value],
    days: i64,
    key: PrivKey,
) -> Result<Value, FuncError> {
    let kp = key.key_pair()?;
    let cert = base_params(cn, ips, dns, days)?.sign(false, &kp, None)?;
    Ok(cert_value(cert.pem(), key.pem()?))
}

fn signed(
    cn: &str,
    ips: &[Value],
    dns: &[Value],
    days: i64,
    ca: &Value,
    key: PrivKey,
) -> Result<Value, FuncError> {
    let (ca_cert, ca_key) = cert_parts(ca)?;
    let ca_params = CertificateParams::from_ca_cert_pem(&ca_cert)
        .map_err(|e| err(format!("error parsing ca cert: {e}")))?;
    let ca_kp = PrivKey::parse(&ca_key)
        .map_err(|e| err(format!("error parsing ca key: {}", e.message)))?
        .key_pair()?;
    // Go's authority key identifier is the signer's subject key identifier, which
    // rcgen reads back as a pre-specified key identifier (absent: none to copy).
    let authority_key_id = match &ca_params.key_identifier_method {
        KeyIdMethod::PreSpecified(id) if !id.is_empty() => Some(id.clone()),
        _ => None,
    };
    let issuer = ca_params
        .self_signed(&ca_kp)
        .map_err(|e| err(format!("error parsing ca cert: {e}")))?;
    let kp = key.key_pair()?;
    let cert = base_params(cn, ips, dns, days)?.sign(
        false,
        &kp,
        Some((&issuer, &ca_kp, authority_key_id.as_deref())),
    )?;
    Ok(cert_value(cert.pem(), key.pem()?))
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("genPrivateKey", |a| {
        arity("genPrivateKey", a, 1)?;
        let typ = args::string(&a[0])?;
        let key = match typ {
            "rsa" => PrivKey::rsa(KeySize::Rsa4096),
            "ecdsa" => Ok(PrivKey::Ec(p256::SecretKey::random(
                &mut p256::elliptic_curve::rand_core::OsRng,
            ))),
            "ed25519" => Ok(PrivKey::Ed(ed25519_dalek::SigningKey::generate(
                &mut rsa::rand_core::OsRng,
            ))),
            "dsa" => {
                return Ok(Value::str(
                    "failed to generate private key: DSA keys are not supported by this renderer",
                ));
            }
            other => return Ok(Value::from(format!("Unknown type {other}"))),
        };
        Ok(Value::from(match key.and_then(|k| k.pem()) {
            Ok(p) => p,
            Err(e) => format!("failed to generate private key: {}", e.message),
        }))
    });
    f.add("genCA", |a| {
        arity("genCA", a, 2)?;
        ca(
            args::string(&a[0])?,
            args::int(&a[1])?,
            PrivKey::rsa(KeySize::Rsa2048)?,
        )
    });
    f.add("genCAWithKey", |a| {
        arity("genCAWithKey", a, 3)?;
        let key = PrivKey::parse(args::string(&a[2])?)
            .map_err(|e| err(format!("parsing private key: {}", e.message)))?;
        ca(args::string(&a[0])?, args::int(&a[1])?, key)
    });
    f.add("genSelfSignedCert", |a| {
        arity("genSelfSignedCert", a, 4)?;
        let (ips, dns) = (args::list(&a[1])?, args::list(&a[2])?);
        self_signed(
            args::string(&a[0])?,
            &ips,
            &dns,
            args::int(&a[3])?,
            PrivKey::rsa(KeySize::Rsa2048)?,
        )
    });
    f.add("genSelfSignedCertWithKey", |a| {
        arity("genSelfSignedCertWithKey", a, 5)?;
        let (ips, dns) = (args::list(&a[1])?, args::list(&a[2])?);
        let key = PrivKey::parse(args::string(&a[4])?)
            .map_err(|e| err(format!("parsing private key: {}", e.message)))?;
        self_signed(args::string(&a[0])?, &ips, &dns, args::int(&a[3])?, key)
    });
    f.add("genSignedCert", |a| {
        arity("genSignedCert", a, 5)?;
        let (ips, dns) = (args::list(&a[1])?, args::list(&a[2])?);
        signed(
            args::string(&a[0])?,
            &ips,
            &dns,
            args::int(&a[3])?,
            &a[4],
            PrivKey::rsa(KeySize::Rsa2048)?,
        )
    });
    f.add("genSignedCertWithKey", |a| {
        arity("genSignedCertWithKey", a, 6)?;
        let (ips, dns) = (args::list(&a[1])?, args::list(&a[2])?);
        let key = PrivKey::parse(args::string(&a[5])?)
            .map_err(|e| err(format!("parsing private key: {}", e.message)))?;
        signed(
            args::string(&a[0])?,
            &ips,
            &dns,
            args::int(&a[3])?,
            &a[4],
            key,
        )
    });
    f.add("buildCustomCert", |a| {
        arity("buildCustomCert", a, 2)?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let cert = b64
            .decode(args::string(&a[0])?)
            .map_err(|_| err("unable to decode base64 certificate"))?;
        let key = b64
            .decode(args::string(&a[1])?)
            .map_err(|_| err("unable to decode base64 private key"))?;
        let cert = String::from_utf8_lossy(&cert).into_owned();
        let key = String::from_utf8_lossy(&key).into_owned();
        let block = pem::parse(&cert).map_err(|_| err("unable to decode certificate"))?;
        if block.tag() != "CERTIFICATE" {
            return Err(err("unable to decode certificate"));
        }
        PrivKey::parse(&key)
            .map_err(|e| err(format!("unable to parse private key: {}", e.message)))?;
        Ok(cert_value(cert, key))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    fn field(v: &Value, name: &str) -> String {
        let Value::Object(o) = v else {
            panic!("not an object: {v:?}")
        };
        o.field(name)
            .and_then(|x| x.as_str().map(str::to_string))
            .unwrap()
    }

    #[test]
    fn private_keys() {
        let ec = call("genPrivateKey", &["ecdsa".into()]);
        assert!(
            ec.as_str()
                .unwrap()
                .starts_with("-----BEGIN EC PRIVATE KEY-----")
        );
        let ed = call("genPrivateKey", &["ed25519".into()]);
        assert!(
            ed.as_str()
                .unwrap()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert_eq!(
            call("genPrivateKey", &["foo".into()]),
            Value::str("Unknown type foo")
        );
    }

    /// Go's 4096-bit RSA key (AWS-LC generates it in well under a second even
    /// in test builds, so it runs with the rest).
    #[test]
    fn rsa_private_key() {
        let k = call("genPrivateKey", &["rsa".into()]);
        let pem = pem::parse(k.as_str().unwrap()).unwrap();
        assert_eq!(pem.tag(), "RSA PRIVATE KEY");
        let key = rsa::RsaPrivateKey::from_pkcs1_der(pem.contents()).unwrap();
        assert_eq!(rsa::traits::PublicKeyParts::size(&key) * 8, 4096);
    }

    /// The extensions' OIDs in the order a certificate's DER holds them.
    fn extension_order(cert_pem: &str) -> Vec<&'static str> {
        let der = pem::parse(cert_pem).unwrap().contents().to_vec();
        let names = [
            ([0x55, 0x1d, 0x0f], "keyUsage"),
            ([0x55, 0x1d, 0x25], "extKeyUsage"),
            ([0x55, 0x1d, 0x13], "basicConstraints"),
            ([0x55, 0x1d, 0x0e], "subjectKeyId"),
            ([0x55, 0x1d, 0x23], "authorityKeyId"),
            ([0x55, 0x1d, 0x11], "subjectAltName"),
        ];
        let mut found: Vec<(usize, &'static str)> = names
            .iter()
            .filter_map(|(oid, name)| {
                let tag = [0x06, 0x03, oid[0], oid[1], oid[2]];
                der.windows(5).position(|w| w == tag).map(|at| (at, *name))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, n)| n).collect()
    }

    #[test]
    fn extensions_in_go_order() {
        let ca = call("genCA", &["ca".into(), Value::Int(1)]);
        assert_eq!(
            extension_order(&field(&ca, "Cert")),
            [
                "keyUsage",
                "extKeyUsage",
                "basicConstraints",
                "subjectKeyId"
            ]
        );
        let dns = Value::list(vec!["a.example".into()]);
        let leaf = call(
            "genSignedCert",
            &["leaf".into(), Value::Nil, dns.clone(), Value::Int(1), ca],
        );
        assert_eq!(
            extension_order(&field(&leaf, "Cert")),
            [
                "keyUsage",
                "extKeyUsage",
                "basicConstraints",
                "authorityKeyId",
                "subjectAltName"
            ]
        );
        let ss = call(
            "genSelfSignedCert",
            &["ss".into(), Value::Nil, dns, Value::Int(1)],
        );
        assert_eq!(
            extension_order(&field(&ss, "Cert")),
            [
                "keyUsage",
                "extKeyUsage",
                "basicConstraints",
                "subjectAltName"
            ]
        );
    }

    #[test]
    fn ca_and_signed_certificates() {
        let ca = call("genCA", &["my-ca".into(), Value::Int(365)]);
        assert!(field(&ca, "Cert").starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(field(&ca, "Key").starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let ca_key = pem::parse(field(&ca, "Key")).unwrap();
        let ca_key = rsa::RsaPrivateKey::from_pkcs1_der(ca_key.contents()).unwrap();
        assert_eq!(rsa::traits::PublicKeyParts::size(&ca_key) * 8, 2048);
        ca_key.validate().unwrap();
        let ips = Value::list(vec!["10.0.0.1".into()]);
        let dns = Value::list(vec!["svc.ns.svc".into()]);
        let leaf = call(
            "genSignedCert",
            &[
                "svc".into(),
                ips.clone(),
                dns.clone(),
                Value::Int(30),
                ca.clone(),
            ],
        );
        let der = pem::parse(field(&leaf, "Cert")).unwrap();
        let params = CertificateParams::from_ca_cert_der(&der.contents().to_vec().into()).unwrap();
        assert_eq!(
            params.distinguished_name.get(&DnType::CommonName),
            Some(&DnValue::PrintableString(
                PrintableString::try_from("svc").unwrap()
            ))
        );
        assert_eq!(params.subject_alt_names.len(), 2);
        let ec_key = call("genPrivateKey", &["ecdsa".into()]);
        let ss = call(
            "genSelfSignedCertWithKey",
            &["x".into(), Value::Nil, dns, Value::Int(1), ec_key.clone()],
        );
        assert_eq!(field(&ss, "Key"), ec_key.as_str().unwrap());
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "genSelfSignedCert",
                &[
                    "x".into(),
                    Value::list(vec!["nope".into()]),
                    Value::Nil,
                    Value::Int(1)
                ]
            )
            .is_err()
        );
        let b64 = |s: String| Value::from(base64::engine::general_purpose::STANDARD.encode(s));
        let custom = call(
            "buildCustomCert",
            &[b64(field(&ca, "Cert")), b64(field(&ca, "Key"))],
        );
        assert_eq!(field(&custom, "Cert"), field(&ca, "Cert"));
        let json = call("toJson", &[custom]);
        assert!(
            json.as_str()
                .unwrap()
                .starts_with("{\"Cert\":\"-----BEGIN CERTIFICATE-----")
        );
    }
}
