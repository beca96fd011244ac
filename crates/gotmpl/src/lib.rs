//! Go `text/template`, written from Go's lexer/parser/exec design, plus Sprig.

pub mod func;
pub mod sprig;
pub mod value;

pub use func::{Func, FuncError, FuncMap, Runtime};
pub use value::{List, Map, MapInner, Object, Value};
