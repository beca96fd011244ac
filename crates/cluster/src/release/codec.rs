//! `data.release` of a release Secret: base64(gzip(JSON)), like Helm's encodeRelease
//! (pkg/storage/driver/util.go). The Secret's data is base64-encoded once more on the
//! wire, as for any Secret.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use thiserror::Error;

use super::record::Release;

/// Largest decompressed record accepted: Secrets hold at most 1 MiB, and release JSON
/// compresses maybe 10-20 times; this bounds a gzip bomb.
const MAX_DECODED: u64 = 128 * 1024 * 1024;

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

#[derive(Debug, Error)]
pub enum CodecError {
    #[error("release data is not base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("release data is not gzip: {0}")]
    Gzip(#[source] std::io::Error),
    #[error("release data is larger than {MAX_DECODED} bytes once decompressed")]
    TooLarge,
    #[error("release JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The release JSON exactly as Go's encoding/json writes it (same field order, and
/// `<`, `>`, `&`, U+2028, U+2029 escaped as `\u003c`...), so records are byte-identical
/// to Helm's.
pub fn release_json(release: &Release) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    serde::Serialize::serialize(release, &mut ser)?;
    Ok(out)
}

/// serde_json's compact output plus Go's HTML-safe string escaping.
struct GoFormatter;

impl serde_json::ser::Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escaped = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escaped.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Encodes a release as Helm does: JSON, gzip at best compression, standard base64.
pub fn encode_release(release: &Release) -> Result<String, CodecError> {
    let json = release_json(release)?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&json).map_err(CodecError::Gzip)?;
    let bytes = gz.finish().map_err(CodecError::Gzip)?;
    Ok(STANDARD.encode(bytes))
}

/// Decodes `data.release` (already un-base64'd once by the Secret API). Records stored
/// before Helm compressed them (no gzip magic) are read as plain JSON.
pub fn decode_release(data: &[u8]) -> Result<Release, CodecError> {
    decode_with_limit(data, MAX_DECODED)
}

fn decode_with_limit(data: &[u8], limit: u64) -> Result<Release, CodecError> {
    let bytes = STANDARD.decode(trim_ascii(data))?;
    let json = if bytes.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(CodecError::Gzip)?;
        if out.len() as u64 > limit {
            return Err(CodecError::TooLarge);
        }
        out
    } else {
        bytes
    };
    Ok(serde_json::from_slice(&json)?)
}

fn trim_ascii(data: &[u8]) -> &[u8] {
    let start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    let end = data
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &data[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::{Info, ReleaseStatus};
    use serde_json::json;

    fn sample() -> Release {
        Release {
            name: "mariadb".into(),
            info: Info {
                status: ReleaseStatus::Deployed,
                description: "Install complete".into(),
                ..Default::default()
            },
            chart: json!({"metadata": {"name": "mariadb", "version": "1.0.0"}}),
            config: json!({"pod": {"replicas": {"server": 1}}}),
            manifest: "---\n# Source: mariadb/templates/sts.yaml\n".into(),
            version: 2,
            namespace: "openstack".into(),
            ..Default::default()
        }
    }

    #[test]
    fn round_trip() {
        let encoded = encode_release(&sample()).unwrap();
        let raw = STANDARD.decode(&encoded).unwrap();
        assert_eq!(&raw[..3], &GZIP_MAGIC);
        assert_eq!(decode_release(encoded.as_bytes()).unwrap(), sample());
    }

    #[test]
    fn json_escapes_like_go() {
        let mut r = sample();
        r.manifest = "a && b <c> \u{2028}é".into();
        let json = String::from_utf8(release_json(&r).unwrap()).unwrap();
        assert!(
            json.contains(r#""manifest":"a \u0026\u0026 b \u003cc\u003e \u2028é""#),
            "{json}"
        );
        assert_eq!(
            decode_release(encode_release(&r).unwrap().as_bytes()).unwrap(),
            r
        );
    }

    #[test]
    fn uncompressed_legacy_records_decode() {
        let plain = STANDARD.encode(serde_json::to_vec(&sample()).unwrap());
        assert_eq!(decode_release(plain.as_bytes()).unwrap(), sample());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(decode_release(b"!!!"), Err(CodecError::Base64(_))));
        let bad_gzip = STANDARD.encode([0x1f, 0x8b, 0x08, 0, 1, 2]);
        assert!(matches!(
            decode_release(bad_gzip.as_bytes()),
            Err(CodecError::Gzip(_))
        ));
    }

    #[test]
    fn gzip_bombs_are_bounded() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&vec![b' '; 4 * 1024 * 1024]).unwrap();
        let bomb = STANDARD.encode(gz.finish().unwrap());
        assert!(bomb.len() < 16 * 1024);
        let limit = 1024 * 1024;
        assert!(matches!(
            decode_with_limit(bomb.as_bytes(), limit),
            Err(CodecError::TooLarge)
        ));
    }
}
