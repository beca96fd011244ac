//! Decoding of the Kubernetes protobuf wire format for the request bodies typed Go clients
//! send as `application/vnd.kubernetes.protobuf`: Helm's release storage (Secrets,
//! ConfigMaps), `kubectl create namespace|configmap|secret`, and DeleteOptions.
//! Other kinds answer 415; responses are always JSON (clients decode by content type).
//!
//! Envelope: the magic `k8s\0`, then a `runtime.Unknown` message
//! {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw message bytes, 3: contentEncoding,
//! 4: contentType}. Field numbers follow k8s.io/api's generated.proto files.

use serde_json::{Map, Value, json};

const MAGIC: &[u8] = b"k8s\0";

/// One decoded field: number and value.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or("truncated varint")?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn next(&mut self) -> Result<Option<(u64, Field<'a>)>, String> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let tag = self.varint()?;
        let (num, wire) = (tag >> 3, tag & 7);
        let f = match wire {
            0 => Field::Varint(self.varint()?),
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| "length overflow")?;
                let end = self
                    .pos
                    .checked_add(len)
                    .filter(|e| *e <= self.buf.len())
                    .ok_or("truncated field")?;
                let b = &self.buf[self.pos..end];
                self.pos = end;
                Field::Bytes(b)
            }
            1 => {
                self.pos = self
                    .pos
                    .checked_add(8)
                    .filter(|e| *e <= self.buf.len())
                    .ok_or("truncated fixed64")?;
                Field::Varint(0)
            }
            5 => {
                self.pos = self
                    .pos
                    .checked_add(4)
                    .filter(|e| *e <= self.buf.len())
                    .ok_or("truncated fixed32")?;
                Field::Varint(0)
            }
            w => return Err(format!("unsupported wire type {w}")),
        };
        Ok(Some((num, f)))
    }
}

fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
    let mut r = Reader::new(buf);
    let mut out = Vec::new();
    while let Some(f) = r.next()? {
        out.push(f);
    }
    Ok(out)
}

fn string(b: &[u8]) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| "invalid UTF-8 in string field".to_string())
}

/// A map entry {1: key, 2: value}; `bytes_value` base64-encodes the value (map<string,bytes>).
fn map_entry(b: &[u8], bytes_value: bool) -> Result<(String, Value), String> {
    let mut k = String::new();
    let mut v = Value::String(String::new());
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(x)) => k = string(x)?,
            (2, Field::Bytes(x)) => {
                v = if bytes_value {
                    json!(base64::Engine::encode(
                        &base64::engine::general_purpose::STANDARD,
                        x
                    ))
                } else {
                    json!(string(x)?)
                }
            }
            _ => {}
        }
    }
    Ok((k, v))
}

fn time(b: &[u8]) -> Result<Value, String> {
    let mut secs = 0i64;
    for (n, f) in fields(b)? {
        if let (1, Field::Varint(v)) = (n, f) {
            secs = v as i64;
        }
    }
    Ok(json!(crate::time::format_rfc3339(secs)))
}

fn owner_ref(b: &[u8]) -> Result<Value, String> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(x)) => {
                o.insert("kind".into(), json!(string(x)?));
            }
            (3, Field::Bytes(x)) => {
                o.insert("name".into(), json!(string(x)?));
            }
            (4, Field::Bytes(x)) => {
                o.insert("uid".into(), json!(string(x)?));
            }
            (5, Field::Bytes(x)) => {
                o.insert("apiVersion".into(), json!(string(x)?));
            }
            (6, Field::Varint(v)) => {
                o.insert("controller".into(), json!(v != 0));
            }
            (7, Field::Varint(v)) => {
                o.insert("blockOwnerDeletion".into(), json!(v != 0));
            }
            _ => {}
        }
    }
    Ok(Value::Object(o))
}

fn object_meta(b: &[u8]) -> Result<Value, String> {
    let mut md = Map::new();
    let mut labels = Map::new();
    let mut annotations = Map::new();
    let mut owners = Vec::new();
    let mut finalizers = Vec::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(x)) => {
                md.insert("name".into(), json!(string(x)?));
            }
            (2, Field::Bytes(x)) => {
                md.insert("generateName".into(), json!(string(x)?));
            }
            (3, Field::Bytes(x)) => {
                md.insert("namespace".into(), json!(string(x)?));
            }
            (5, Field::Bytes(x)) => {
                md.insert("uid".into(), json!(string(x)?));
            }
            (6, Field::Bytes(x)) => {
                md.insert("resourceVersion".into(), json!(string(x)?));
            }
            (7, Field::Varint(v)) => {
                md.insert("generation".into(), json!(v as i64));
            }
            (8, Field::Bytes(x)) => {
                md.insert("creationTimestamp".into(), time(x)?);
            }
            (11, Field::Bytes(x)) => {
                let (k, v) = map_entry(x, false)?;
                labels.insert(k, v);
            }
            (12, Field::Bytes(x)) => {
                let (k, v) = map_entry(x, false)?;
                annotations.insert(k, v);
            }
            (13, Field::Bytes(x)) => owners.push(owner_ref(x)?),
            (14, Field::Bytes(x)) => finalizers.push(json!(string(x)?)),
            _ => {}
        }
    }
    if !labels.is_empty() {
        md.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        md.insert("annotations".into(), Value::Object(annotations));
    }
    if !owners.is_empty() {
        md.insert("ownerReferences".into(), Value::Array(owners));
    }
    if !finalizers.is_empty() {
        md.insert("finalizers".into(), Value::Array(finalizers));
    }
    Ok(Value::Object(md))
}

/// Decodes a protobuf request body into JSON, if its kind is supported.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or("missing protobuf magic prefix")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (n, f) in fields(rest)? {
        match (n, f) {
            (1, Field::Bytes(tm)) => {
                for (tn, tf) in fields(tm)? {
                    match (tn, tf) {
                        (1, Field::Bytes(x)) => api_version = string(x)?,
                        (2, Field::Bytes(x)) => kind = string(x)?,
                        _ => {}
                    }
                }
            }
            (2, Field::Bytes(x)) => raw = x,
            _ => {}
        }
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!(api_version));
    obj.insert("kind".into(), json!(kind));
    let mut data = Map::new();
    let mut other = Map::new();
    match kind.as_str() {
        "Secret" => {
            let mut string_data = Map::new();
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Bytes(x)) => {
                        obj.insert("metadata".into(), object_meta(x)?);
                    }
                    (2, Field::Bytes(x)) => {
                        let (k, v) = map_entry(x, true)?;
                        data.insert(k, v);
                    }
                    (3, Field::Bytes(x)) => {
                        obj.insert("type".into(), json!(string(x)?));
                    }
                    (4, Field::Bytes(x)) => {
                        let (k, v) = map_entry(x, false)?;
                        string_data.insert(k, v);
                    }
                    (5, Field::Varint(v)) => {
                        obj.insert("immutable".into(), json!(v != 0));
                    }
                    _ => {}
                }
            }
            if !string_data.is_empty() {
                obj.insert("stringData".into(), Value::Object(string_data));
            }
        }
        "ConfigMap" => {
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Bytes(x)) => {
                        obj.insert("metadata".into(), object_meta(x)?);
                    }
                    (2, Field::Bytes(x)) => {
                        let (k, v) = map_entry(x, false)?;
                        data.insert(k, v);
                    }
                    (3, Field::Bytes(x)) => {
                        let (k, v) = map_entry(x, true)?;
                        other.insert(k, v);
                    }
                    (4, Field::Varint(v)) => {
                        obj.insert("immutable".into(), json!(v != 0));
                    }
                    _ => {}
                }
            }
            if !other.is_empty() {
                obj.insert(
                    "binaryData".into(),
                    Value::Object(std::mem::take(&mut other)),
                );
            }
        }
        "Namespace" => {
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Bytes(x)) => {
                        obj.insert("metadata".into(), object_meta(x)?);
                    }
                    (2, Field::Bytes(x)) => {
                        let mut fin = Vec::new();
                        for (sn, sf) in fields(x)? {
                            if let (1, Field::Bytes(s)) = (sn, sf) {
                                fin.push(json!(string(s)?));
                            }
                        }
                        obj.insert("spec".into(), json!({"finalizers": fin}));
                    }
                    _ => {}
                }
            }
        }
        "DeleteOptions" => {
            let mut dry = Vec::new();
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Varint(v)) => {
                        obj.insert("gracePeriodSeconds".into(), json!(v as i64));
                    }
                    (2, Field::Bytes(x)) => {
                        let mut pre = Map::new();
                        for (pn, pf) in fields(x)? {
                            match (pn, pf) {
                                (1, Field::Bytes(s)) => {
                                    pre.insert("uid".into(), json!(string(s)?));
                                }
                                (2, Field::Bytes(s)) => {
                                    pre.insert("resourceVersion".into(), json!(string(s)?));
                                }
                                _ => {}
                            }
                        }
                        obj.insert("preconditions".into(), Value::Object(pre));
                    }
                    (3, Field::Varint(v)) => {
                        obj.insert("orphanDependents".into(), json!(v != 0));
                    }
                    (4, Field::Bytes(x)) => {
                        obj.insert("propagationPolicy".into(), json!(string(x)?));
                    }
                    (5, Field::Bytes(x)) => dry.push(json!(string(x)?)),
                    _ => {}
                }
            }
            if !dry.is_empty() {
                obj.insert("dryRun".into(), Value::Array(dry));
            }
        }
        other => {
            return Err(format!(
                "protobuf bodies of kind {other:?} are not supported; send JSON"
            ));
        }
    }
    if !data.is_empty() {
        obj.insert("data".into(), Value::Object(data));
    }
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(num: u64, b: &[u8]) -> Vec<u8> {
        let mut out = vec![((num << 3) | 2) as u8];
        out.push(b.len() as u8);
        out.extend_from_slice(b);
        out
    }

    #[test]
    fn decodes_a_secret() {
        let md = [
            ld(1, b"sh.helm.release.v1.a.v1"),
            ld(11, &[ld(1, b"owner"), ld(2, b"helm")].concat()),
        ]
        .concat();
        let secret = [
            ld(1, &md),
            ld(2, &[ld(1, b"release"), ld(2, b"\x01\x02")].concat()),
            ld(3, b"helm.sh/release.v1"),
        ]
        .concat();
        let tm = [ld(1, b"v1"), ld(2, b"Secret")].concat();
        let body = [MAGIC.to_vec(), ld(1, &tm), ld(2, &secret)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(v["kind"], "Secret");
        assert_eq!(v["metadata"]["name"], "sh.helm.release.v1.a.v1");
        assert_eq!(v["metadata"]["labels"]["owner"], "helm");
        assert_eq!(v["data"]["release"], "AQI=");
        assert_eq!(v["type"], "helm.sh/release.v1");
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode(b"nope").is_err());
        assert!(decode(b"k8s\0\x0a\xff").is_err());
        let tm = [ld(1, b"apps/v1"), ld(2, b"Deployment")].concat();
        assert!(decode(&[MAGIC.to_vec(), ld(1, &tm)].concat()).is_err());
    }
}
