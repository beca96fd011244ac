//! Chart directories, as Helm's `LoadDir`: `.helmignore` (plus the default
//! `templates/.?*` rule) filters a lexical walk that follows symlinks; irregular
//! files are refused and each file is size-bounded.

use std::fs;
use std::io::Read;
use std::path::Path;
#[cfg(not(unix))]
use std::path::PathBuf;

use super::archive::{MAX_DECOMPRESSED_CHART_SIZE, MAX_DECOMPRESSED_FILE_SIZE, trim_bom};
use super::ignore::{HELM_IGNORE, Rules};
use super::{BufferedFile, ChartError};

/// Symlinked directories may form cycles; Go's sympath has no guard, we do.
const MAX_DEPTH: usize = 64;

/// Loads the files of chart directory `dir`, whose metadata (following symlinks) the
/// caller already has.
pub fn load_dir_files(
    dir: &Path,
    root_meta: &fs::Metadata,
) -> Result<Vec<BufferedFile>, ChartError> {
    let root_entries = list_dir(dir)?;
    let mut rules = Rules::empty();
    let mut walker = Walker {
        rules: Rules::empty(),
        files: Vec::new(),
        total: 0,
        stack: Vec::new(),
        helmignore: None,
    };
    // The root listing says whether there is a .helmignore (and, unless it is a
    // symlink, that it is a file): no extra lookup. Its bytes are kept for the walk,
    // which loads it as a chart file too.
    if let Some(entry) = root_entries.iter().find(|e| e.name == HELM_IGNORE) {
        let ignore_file = dir.join(HELM_IGNORE);
        let is_file = match entry.known_kind() {
            Some(kind) => kind == Kind::File,
            None => metadata_following(&ignore_file)?.is_file(),
        };
        if is_file {
            let data = walker.read_bounded(&ignore_file, HELM_IGNORE, HELM_IGNORE)?;
            let text = std::str::from_utf8(&data).map_err(|_| {
                let e = std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                );
                io_err(&ignore_file, e)
            })?;
            rules = Rules::parse(text).map_err(|e| ChartError::Ignore {
                file: ignore_file.display().to_string(),
                message: e.to_string(),
            })?;
            walker.helmignore = Some(data);
        }
    }
    rules.add_defaults();
    walker.rules = rules;
    walker.walk_dir(dir, "", root_entries, root_meta, 0)?;
    Ok(walker.files)
}

fn io_err(p: &Path, e: std::io::Error) -> ChartError {
    ChartError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    }
}

/// A directory entry: its name and the type the listing itself reports (`d_type` on
/// Linux), which spares a `stat` per entry for everything but symlinks.
struct Entry {
    name: String,
    file_type: Option<fs::FileType>,
}

/// `path`'s metadata, following symlinks as Helm's sympath.Walk does.
fn metadata_following(path: &Path) -> Result<fs::Metadata, ChartError> {
    fs::metadata(path).map_err(|e| io_err(path, e))
}

impl Entry {
    /// Whether the listing already proves this is a plain (non-symlink) directory
    /// or file, so no `stat` is needed to classify it.
    fn known_kind(&self) -> Option<Kind> {
        let t = self.file_type?;
        if t.is_dir() {
            Some(Kind::Dir)
        } else if t.is_file() {
            Some(Kind::File)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
}

/// The entries of `dir`, sorted by name (Helm walks in lexical order).
fn list_dir(dir: &Path) -> Result<Vec<Entry>, ChartError> {
    let mut entries: Vec<Entry> = fs::read_dir(dir)
        .map_err(|e| io_err(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| Entry {
            name: e.file_name().to_string_lossy().into_owned(),
            file_type: e.file_type().ok(),
        })
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// What identifies a directory on the current walk path, to stop symlink cycles: the
/// device and inode where the platform has them (a `stat` the walk needs anyway),
/// else the canonical path.
#[derive(PartialEq, Eq)]
enum DirId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

fn dir_id(path: &Path, meta: &fs::Metadata) -> Result<DirId, ChartError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        Ok(DirId::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok(DirId::Path(
            fs::canonicalize(path).map_err(|e| io_err(path, e))?,
        ))
    }
}

struct Walker {
    rules: Rules,
    files: Vec<BufferedFile>,
    total: u64,
    /// Directories on the current path, to stop symlink cycles.
    stack: Vec<DirId>,
    /// The root `.helmignore`, read once for the rules, until the walk takes it.
    helmignore: Option<Vec<u8>>,
}

impl Walker {
    fn walk_dir(
        &mut self,
        dir: &Path,
        rel: &str,
        entries: Vec<Entry>,
        meta: &fs::Metadata,
        depth: usize,
    ) -> Result<(), ChartError> {
        if depth > MAX_DEPTH {
            return Err(ChartError::Io {
                path: dir.display().to_string(),
                message: "directory nesting too deep (symlink loop?)".into(),
            });
        }
        let id = dir_id(dir, meta)?;
        if self.stack.contains(&id) {
            return Err(ChartError::Io {
                path: dir.display().to_string(),
                message: "symlink loop".into(),
            });
        }
        self.stack.push(id);
        for entry in entries {
            let path = dir.join(&entry.name);
            let rel_name = if rel.is_empty() {
                entry.name.clone()
            } else {
                format!("{rel}/{}", entry.name)
            };
            match entry.known_kind() {
                Some(Kind::File) => {
                    if self.rules.ignore(&rel_name, false) {
                        continue;
                    }
                    if depth == 0
                        && entry.name == HELM_IGNORE
                        && let Some(data) = self.helmignore.take()
                    {
                        self.push_file(rel_name, data);
                        continue;
                    }
                    self.read_file(&path, &entry.name, rel_name)?;
                }
                Some(Kind::Dir) => {
                    if self.rules.ignore(&rel_name, true) {
                        continue;
                    }
                    let sub_meta = metadata_following(&path)?;
                    let sub_entries = list_dir(&path)?;
                    self.walk_dir(&path, &rel_name, sub_entries, &sub_meta, depth + 1)?;
                }
                None => {
                    // A symlink (or a type the listing did not give): follow it.
                    let target = metadata_following(&path)?;
                    if target.is_dir() {
                        if self.rules.ignore(&rel_name, true) {
                            continue;
                        }
                        let sub_entries = list_dir(&path)?;
                        self.walk_dir(&path, &rel_name, sub_entries, &target, depth + 1)?;
                        continue;
                    }
                    if self.rules.ignore(&rel_name, false) {
                        continue;
                    }
                    if !target.is_file() {
                        return Err(ChartError::Io {
                            path: path.display().to_string(),
                            message: format!(
                                "cannot load irregular file {} as it has file mode type bits set",
                                path.display()
                            ),
                        });
                    }
                    self.read_file(&path, &entry.name, rel_name)?;
                }
            }
        }
        self.stack.pop();
        Ok(())
    }

    /// Reads one regular file into the chart's files.
    fn read_file(&mut self, path: &Path, name: &str, rel_name: String) -> Result<(), ChartError> {
        let data = self.read_bounded(path, name, &rel_name)?;
        self.push_file(rel_name, data);
        Ok(())
    }

    fn push_file(&mut self, name: String, data: Vec<u8>) {
        self.files.push(BufferedFile {
            name,
            data: trim_bom(data),
        });
    }

    /// The bytes of one regular file, bounded per file and per chart. The size comes
    /// from the open handle, so a file is opened, measured and read without a separate
    /// lookup by path, and read in one call for the size it has (no read to find the
    /// end: a file that grows meanwhile is taken as it was measured). A file that
    /// reports no size is read to its end, within the bound.
    fn read_bounded(
        &mut self,
        path: &Path,
        name: &str,
        rel_name: &str,
    ) -> Result<Vec<u8>, ChartError> {
        let read_err = |e: std::io::Error| ChartError::Io {
            path: rel_name.to_string(),
            message: format!("error reading {rel_name}: {e}"),
        };
        let too_large = || ChartError::Io {
            path: path.display().to_string(),
            message: format!(
                "chart file {name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            ),
        };
        let mut file = fs::File::open(path).map_err(read_err)?;
        let len = file.metadata().map_err(read_err)?.len();
        if len > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(too_large());
        }
        let limit = if len == 0 {
            MAX_DECOMPRESSED_FILE_SIZE + 1
        } else {
            len
        };
        let mut data = Vec::with_capacity(len as usize);
        (&mut file)
            .take(limit)
            .read_to_end(&mut data)
            .map_err(read_err)?;
        if data.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(too_large());
        }
        self.total += data.len() as u64;
        if self.total > MAX_DECOMPRESSED_CHART_SIZE {
            return Err(ChartError::Io {
                path: path.display().to_string(),
                message: format!(
                    "chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
                ),
            });
        }
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("capstan-helm-dir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(d.join("templates")).unwrap();
        fs::write(
            d.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        d
    }

    #[test]
    fn helmignore_and_template_dotfiles() {
        let d = scratch("ignore");
        fs::write(d.join(".helmignore"), "*.bak\ndocs/\n").unwrap();
        fs::write(d.join("templates/a.yaml"), "a").unwrap();
        fs::write(d.join("templates/.a.yaml.swp"), "x").unwrap();
        fs::write(d.join("x.bak"), "x").unwrap();
        fs::create_dir_all(d.join("docs")).unwrap();
        fs::write(d.join("docs/readme.md"), "x").unwrap();
        let names: Vec<String> = load_dir_files(&d, &fs::metadata(&d).unwrap())
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, [".helmignore", "Chart.yaml", "templates/a.yaml"]);
        let _ = fs::remove_dir_all(&d);
    }

    /// The `.helmignore` read for the rules is the chart file the walk loads (BOM
    /// trimmed like every file's; for the rules it stays part of the first line, as
    /// in Helm's reader, so `*.bak` ignores nothing), and every file keeps its bytes,
    /// empty ones too.
    #[test]
    fn files_keep_their_bytes_and_helmignore_is_read_once_for_both_uses() {
        let d = scratch("bytes");
        fs::write(d.join(".helmignore"), "\u{feff}*.bak\n").unwrap();
        fs::write(d.join("empty.txt"), "").unwrap();
        fs::write(d.join("x.bak"), "x").unwrap();
        fs::write(d.join("templates/a.yaml"), "a: 1\n".repeat(5000)).unwrap();
        let files = load_dir_files(&d, &fs::metadata(&d).unwrap()).unwrap();
        let got: Vec<(&str, usize)> = files
            .iter()
            .map(|f| (f.name.as_str(), f.data.len()))
            .collect();
        assert_eq!(
            got,
            [
                (".helmignore", 6),
                ("Chart.yaml", 38),
                ("empty.txt", 0),
                ("templates/a.yaml", 25000),
                ("x.bak", 1)
            ]
        );
        assert_eq!(&files[0].data[..], b"*.bak\n");
        let _ = fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_refused() {
        let d = scratch("loop");
        std::os::unix::fs::symlink(&d, d.join("templates/loop")).unwrap();
        let err = load_dir_files(&d, &fs::metadata(&d).unwrap()).unwrap_err();
        assert!(err.to_string().contains("symlink loop"), "{err}");
        let _ = fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_to_files_and_directories_are_followed() {
        let d = scratch("follow");
        let outside = d.with_extension("outside");
        let _ = fs::remove_dir_all(&outside);
        fs::create_dir_all(outside.join("lib")).unwrap();
        fs::write(outside.join("lib/_x.tpl"), "lib").unwrap();
        fs::write(outside.join("file.yaml"), "file").unwrap();
        std::os::unix::fs::symlink(outside.join("lib"), d.join("templates/lib")).unwrap();
        std::os::unix::fs::symlink(outside.join("file.yaml"), d.join("templates/f.yaml")).unwrap();
        let files = load_dir_files(&d, &fs::metadata(&d).unwrap()).unwrap();
        let got: Vec<(&str, &[u8])> = files
            .iter()
            .map(|f| (f.name.as_str(), f.data.as_ref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Chart.yaml",
                    &b"apiVersion: v2\nname: c\nversion: 0.1.0\n"[..]
                ),
                ("templates/f.yaml", &b"file"[..]),
                ("templates/lib/_x.tpl", &b"lib"[..]),
            ]
        );
        let _ = fs::remove_dir_all(&d);
        let _ = fs::remove_dir_all(&outside);
    }

    #[cfg(unix)]
    #[test]
    fn irregular_files_are_refused() {
        let d = scratch("socket");
        // A Unix socket is a file that is neither regular nor a directory.
        let _socket = std::os::unix::net::UnixListener::bind(d.join("templates/sock")).unwrap();
        let err = load_dir_files(&d, &fs::metadata(&d).unwrap()).unwrap_err();
        assert!(err.to_string().contains("irregular file"), "{err}");
        let _ = fs::remove_dir_all(&d);
    }
}
