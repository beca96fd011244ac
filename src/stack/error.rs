//! Errors from loading a stack file. Every error names the file, and where
//! known the line and the field, as `file:line: field: message`.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Something wrong at a place in a file: bad YAML, unknown key, bad
    /// value, template error.
    #[error("{0}")]
    At(Box<Located>),
    /// `-e NAME` names an environment the stack does not define.
    #[error("{}: unknown environment {name:?}; known environments: {}", path.display(), list_or_none(known))]
    UnknownEnvironment {
        path: PathBuf,
        name: String,
        known: Vec<String>,
    },
    /// A selector that does not parse.
    #[error("invalid selector {selector:?}: {message}")]
    Selector { selector: String, message: String },
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(", ")
    }
}

/// An error at a place in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub file: PathBuf,
    pub line: Option<usize>,
    /// Field path such as `releases[4].needs`, when known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl StackError {
    pub(crate) fn at(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        field: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        StackError::At(Box::new(Located {
            file: file.into(),
            line,
            field,
            message: message.into(),
        }))
    }

    /// The place of a located error, for callers that want to point at it.
    pub fn location(&self) -> Option<&Located> {
        match self {
            StackError::At(loc) => Some(loc),
            _ => None,
        }
    }
}
