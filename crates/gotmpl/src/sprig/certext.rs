//! The X.509 extensions Go's `x509.CreateCertificate` writes for Sprig's certificate
//! templates, in Go's order and DER: key usage (critical), extended key usage, basic
//! constraints (critical; `CA:FALSE` as an empty sequence), subject key identifier
//! (CA certificates only: SHA-1 of the public key), authority key identifier (the
//! signer's subject key identifier, when the certificate is not self-signed and the
//! signer has one), then subject alternative names (DNS names before IP addresses).
//! rcgen writes its own set in another order and with other identifiers, so its
//! built-in extensions stay off and these are handed over as custom extensions.

use std::net::IpAddr;

use rcgen::CustomExtension;
use sha1::{Digest, Sha1};

const OID_KEY_USAGE: &[u64] = &[2, 5, 29, 15];
const OID_EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
const OID_BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
const OID_SUBJECT_KEY_ID: &[u64] = &[2, 5, 29, 14];
const OID_AUTHORITY_KEY_ID: &[u64] = &[2, 5, 29, 35];
const OID_SUBJECT_ALT_NAME: &[u64] = &[2, 5, 29, 17];

/// DER of `id-kp-serverAuth` and `id-kp-clientAuth` (1.3.6.1.5.5.7.3.1 and .2).
const SERVER_AUTH: [u8; 8] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const CLIENT_AUTH: [u8; 8] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];

/// What Sprig's template asks for beyond the fixed usages.
pub(super) struct Extensions<'a> {
    /// `genCA`: `IsCA` and `KeyUsageCertSign`.
    pub is_ca: bool,
    /// No common name: the alternative names are then critical (RFC 5280 4.2.1.6).
    pub subject_empty: bool,
    /// The subject's raw public key (the subjectPublicKey bit string's bytes).
    pub public_key: &'a [u8],
    /// The signer's subject key identifier, for a certificate signed by another.
    pub authority_key_id: Option<&'a [u8]>,
    pub dns_names: &'a [String],
    pub ip_addresses: &'a [IpAddr],
}

/// Go's subject key identifier: SHA-1 of the public key bytes (RFC 5280 method 1).
pub(super) fn subject_key_id(public_key: &[u8]) -> Vec<u8> {
    Sha1::digest(public_key).to_vec()
}

pub(super) fn extensions(e: &Extensions<'_>) -> Vec<CustomExtension> {
    let mut out = Vec::with_capacity(6);
    // KeyUsageDigitalSignature | KeyUsageKeyEncipherment (| KeyUsageCertSign), as
    // Go marshals it: bit n of the usage is bit n of the BIT STRING, trailing zero
    // bits dropped.
    let key_usage: &[u8] = if e.is_ca {
        &[0x03, 0x02, 0x02, 0xa4]
    } else {
        &[0x03, 0x02, 0x05, 0xa0]
    };
    out.push(critical(OID_KEY_USAGE, key_usage.to_vec()));
    let mut eku = tlv(0x06, &SERVER_AUTH);
    eku.extend(tlv(0x06, &CLIENT_AUTH));
    out.push(CustomExtension::from_oid_content(
        OID_EXT_KEY_USAGE,
        tlv(0x30, &eku),
    ));
    // `IsCA` is DEFAULT FALSE, so a leaf's constraints are an empty sequence; a
    // path length is never set by Sprig.
    let constraints = if e.is_ca {
        tlv(0x30, &[0x01, 0x01, 0xff])
    } else {
        tlv(0x30, &[])
    };
    out.push(critical(OID_BASIC_CONSTRAINTS, constraints));
    if e.is_ca {
        out.push(CustomExtension::from_oid_content(
            OID_SUBJECT_KEY_ID,
            tlv(0x04, &subject_key_id(e.public_key)),
        ));
    }
    if let Some(id) = e.authority_key_id {
        out.push(CustomExtension::from_oid_content(
            OID_AUTHORITY_KEY_ID,
            tlv(0x30, &tlv(0x80, id)),
        ));
    }
    if !e.dns_names.is_empty() || !e.ip_addresses.is_empty() {
        let mut names = Vec::new();
        for dns in e.dns_names {
            names.extend(tlv(0x82, dns.as_bytes()));
        }
        for ip in e.ip_addresses {
            match ip {
                IpAddr::V4(v4) => names.extend(tlv(0x87, &v4.octets())),
                // Go writes an IPv4-mapped IPv6 address in its 4-byte form.
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => names.extend(tlv(0x87, &v4.octets())),
                    None => names.extend(tlv(0x87, &v6.octets())),
                },
            }
        }
        let mut san = CustomExtension::from_oid_content(OID_SUBJECT_ALT_NAME, tlv(0x30, &names));
        san.set_criticality(e.subject_empty);
        out.push(san);
    }
    out
}

fn critical(oid: &[u64], content: Vec<u8>) -> CustomExtension {
    let mut ext = CustomExtension::from_oid_content(oid, content);
    ext.set_criticality(true);
    ext
}

/// One DER tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        // Short form: lengths below 128 fit the length byte itself.
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 0x02, 1, 2]);
        let long = tlv(0x30, &[0u8; 300]);
        assert_eq!(&long[..4], &[0x30, 0x82, 0x01, 0x2c]);
        assert_eq!(long.len(), 304);
    }

    #[test]
    fn go_order_and_identifiers() {
        let dns = vec!["a.example".to_string()];
        let ips = vec![
            "10.0.0.1".parse().unwrap(),
            "::ffff:1.2.3.4".parse().unwrap(),
        ];
        let leaf = extensions(&Extensions {
            is_ca: false,
            subject_empty: false,
            public_key: b"key",
            authority_key_id: Some(&[7; 20]),
            dns_names: &dns,
            ip_addresses: &ips,
        });
        let oids: Vec<_> = leaf
            .iter()
            .map(|e| e.oid_components().collect::<Vec<_>>())
            .collect();
        assert_eq!(
            oids,
            [
                OID_KEY_USAGE,
                OID_EXT_KEY_USAGE,
                OID_BASIC_CONSTRAINTS,
                OID_AUTHORITY_KEY_ID,
                OID_SUBJECT_ALT_NAME
            ]
        );
        assert_eq!(leaf[2].content(), &[0x30, 0x00]);
        let san = leaf[4].content();
        assert_eq!(&san[2..4], &[0x82, 9]);
        assert!(san.ends_with(&[0x87, 4, 1, 2, 3, 4]));
        let ca = extensions(&Extensions {
            is_ca: true,
            subject_empty: false,
            public_key: b"key",
            authority_key_id: None,
            dns_names: &[],
            ip_addresses: &[],
        });
        assert_eq!(ca.len(), 4);
        assert_eq!(ca[0].content(), &[0x03, 0x02, 0x02, 0xa4]);
        assert_eq!(ca[3].content()[..2], [0x04, 20]);
        assert!(ca[0].criticality() && !ca[1].criticality() && ca[2].criticality());
    }
}
