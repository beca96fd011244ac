//! Chart directories, as Helm's `LoadDir`: `.helmignore` (plus the default
//! `templates/.?*` rule) filters a lexical walk that follows symlinks; irregular
//! files are refused and each file is size-bounded.

use std::fs;
use std::path::{Path, PathBuf};

use super::archive::{MAX_DECOMPRESSED_CHART_SIZE, MAX_DECOMPRESSED_FILE_SIZE, trim_bom};
use super::ignore::{HELM_IGNORE, Rules};
use super::{BufferedFile, ChartError};

/// Symlinked directories may form cycles; Go's sympath has no guard, we do.
const MAX_DEPTH: usize = 64;

pub fn load_dir_files(dir: &Path) -> Result<Vec<BufferedFile>, ChartError> {
    let io_err = |p: &Path, e: std::io::Error| ChartError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let mut rules = Rules::empty();
    let ignore_file = dir.join(HELM_IGNORE);
    if ignore_file.is_file() {
        let text = fs::read_to_string(&ignore_file).map_err(|e| io_err(&ignore_file, e))?;
        rules = Rules::parse(&text).map_err(|e| ChartError::Ignore {
            file: ignore_file.display().to_string(),
            message: e.to_string(),
        })?;
    }
    rules.add_defaults();
    let mut walker = Walker {
        rules,
        files: Vec::new(),
        total: 0,
        stack: Vec::new(),
    };
    walker.walk_dir(dir, "", 0)?;
    Ok(walker.files)
}

struct Walker {
    rules: Rules,
    files: Vec<BufferedFile>,
    total: u64,
    /// Canonical directories on the current path, to stop symlink cycles.
    stack: Vec<PathBuf>,
}

impl Walker {
    fn walk_dir(&mut self, dir: &Path, rel: &str, depth: usize) -> Result<(), ChartError> {
        let io_err = |p: &Path, e: std::io::Error| ChartError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        if depth > MAX_DEPTH {
            return Err(ChartError::Io {
                path: dir.display().to_string(),
                message: "directory nesting too deep (symlink loop?)".into(),
            });
        }
        let canonical = fs::canonicalize(dir).map_err(|e| io_err(dir, e))?;
        if self.stack.contains(&canonical) {
            return Err(ChartError::Io {
                path: dir.display().to_string(),
                message: "symlink loop".into(),
            });
        }
        self.stack.push(canonical);
        let mut names: Vec<String> = fs::read_dir(dir)
            .map_err(|e| io_err(dir, e))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let path = dir.join(&name);
            let rel_name = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            // Follow symlinks, as Helm's sympath.Walk does.
            let meta = fs::metadata(&path).map_err(|e| io_err(&path, e))?;
            if meta.is_dir() {
                if self.rules.ignore(&rel_name, true) {
                    continue;
                }
                self.walk_dir(&path, &rel_name, depth + 1)?;
                continue;
            }
            if self.rules.ignore(&rel_name, false) {
                continue;
            }
            if !meta.is_file() {
                return Err(ChartError::Io {
                    path: path.display().to_string(),
                    message: format!(
                        "cannot load irregular file {} as it has file mode type bits set",
                        path.display()
                    ),
                });
            }
            if meta.len() > MAX_DECOMPRESSED_FILE_SIZE {
                return Err(ChartError::Io {
                    path: path.display().to_string(),
                    message: format!(
                        "chart file {name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
                    ),
                });
            }
            self.total += meta.len();
            if self.total > MAX_DECOMPRESSED_CHART_SIZE {
                return Err(ChartError::Io {
                    path: path.display().to_string(),
                    message: format!(
                        "chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
                    ),
                });
            }
            let data = fs::read(&path).map_err(|e| ChartError::Io {
                path: rel_name.clone(),
                message: format!("error reading {rel_name}: {e}"),
            })?;
            self.files.push(BufferedFile {
                name: rel_name,
                data: trim_bom(data),
            });
        }
        self.stack.pop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let names: Vec<String> = load_dir_files(&d)
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, [".helmignore", "Chart.yaml", "templates/a.yaml"]);
        let _ = fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_refused() {
        let d = scratch("loop");
        std::os::unix::fs::symlink(&d, d.join("templates/loop")).unwrap();
        let err = load_dir_files(&d).unwrap_err();
        assert!(err.to_string().contains("symlink loop"), "{err}");
        let _ = fs::remove_dir_all(&d);
    }
}
