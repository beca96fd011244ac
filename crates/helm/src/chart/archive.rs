//! Chart archives (`.tgz`) read in memory, as Helm's `LoadArchiveFiles`: the first
//! path component (the chart directory) is dropped, absolute and parent-escaping paths
//! are rejected, and both the whole chart and each file are size-bounded.

use std::io::Read;

use super::{BufferedFile, ChartError};

/// Helm's `MaxDecompressedChartSize` (100 MiB).
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's `MaxDecompressedFileSize` (5 MiB).
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) fn trim_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(UTF8_BOM) {
        data.drain(..UTF8_BOM.len());
    }
    data
}

/// Whether the bytes start with the gzip magic number.
pub fn is_gzip(data: &[u8]) -> bool {
    data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

/// `path.Clean` for `/`-separated relative paths.
fn clean(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(p) if *p != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

/// Read every regular entry of a gzipped tar into memory.
pub fn load_archive_files(data: &[u8]) -> Result<Vec<BufferedFile>, ChartError> {
    let archive_err = |m: String| ChartError::Archive(m);
    let gz = flate2::read::GzDecoder::new(data);
    let mut tar = tar::Archive::new(gz);
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    let entries = tar.entries().map_err(|e| archive_err(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| archive_err(e.to_string()))?;
        let header = entry.header();
        let kind = header.entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        // GNU long-name entries are folded into the next entry by the tar crate.
        if kind.is_gnu_longname() || kind.is_gnu_longlink() {
            continue;
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let delimiter = if raw_name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw_name.split(delimiter).collect();
        let joined = parts[1..].join("/");
        if joined.starts_with('/') {
            return Err(archive_err(
                "chart illegally contains absolute paths".into(),
            ));
        }
        let name = clean(&joined);
        if name == "." {
            return Err(archive_err(format!(
                "chart illegally contains content outside the base directory: {raw_name:?}"
            )));
        }
        if name.starts_with("..") {
            return Err(archive_err(
                "chart illegally references parent directory".into(),
            ));
        }
        let b = name.as_bytes();
        if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
            return Err(archive_err("chart contains illegally named files".into()));
        }
        if parts[0] == "Chart.yaml" {
            return Err(archive_err("chart yaml not in base directory".into()));
        }
        let size = entry.size();
        if size > remaining {
            return Err(archive_err(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(archive_err(format!(
                "decompressed chart file {raw_name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        // Never trust the header size: read at most what is left of the budget + 1.
        let mut buf = Vec::with_capacity(size as usize);
        (&mut entry)
            .take(remaining.min(MAX_DECOMPRESSED_FILE_SIZE) + 1)
            .read_to_end(&mut buf)
            .map_err(|e| archive_err(e.to_string()))?;
        let read = buf.len() as u64;
        if read > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(archive_err(format!(
                "decompressed chart file {raw_name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        if read >= remaining {
            return Err(archive_err(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        remaining -= read;
        files.push(BufferedFile {
            name,
            data: trim_bom(buf),
        });
    }
    if files.is_empty() {
        return Err(archive_err("no files in chart archive".into()));
    }
    Ok(files)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Build a .tgz in memory from (path, content) pairs, writing raw names so tests
    /// can include hostile paths the tar crate's safe API would refuse.
    pub(crate) fn make_tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            let name = path.as_bytes();
            header.as_old_mut().name[..name.len()].copy_from_slice(name);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn strips_top_directory() {
        let tgz = make_tgz(&[
            ("c/Chart.yaml", b"name: c"),
            ("c/templates/a.yaml", b"\xEF\xBB\xBFx"),
        ]);
        let files = load_archive_files(&tgz).unwrap();
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[1].name, "templates/a.yaml");
        assert_eq!(files[1].data, b"x");
    }

    #[test]
    fn rejects_traversal() {
        let tgz = make_tgz(&[("c/../../etc/passwd", b"x")]);
        assert_eq!(
            load_archive_files(&tgz).unwrap_err().to_string(),
            "chart illegally references parent directory"
        );
        let tgz = make_tgz(&[("Chart.yaml", b"x")]);
        assert!(load_archive_files(&tgz).is_err());
    }

    #[test]
    fn rejects_oversized_files() {
        let big = vec![b'a'; (MAX_DECOMPRESSED_FILE_SIZE + 1) as usize];
        let tgz = make_tgz(&[("c/big.txt", &big)]);
        assert!(
            load_archive_files(&tgz)
                .unwrap_err()
                .to_string()
                .contains("larger than the maximum file size")
        );
    }

    #[test]
    fn rejects_non_gzip() {
        assert!(load_archive_files(b"not gzip").is_err());
    }
}
