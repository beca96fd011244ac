//! Helm-compatible release records: the record itself, its encoding, and the Secret store.

pub mod codec;
pub mod gotime;
pub mod record;
pub mod store;

pub use codec::{CodecError, decode_release, encode_release};
pub use gotime::GoTime;
pub use record::{Hook, HookExecution, Info, Release, ReleaseStatus, secret_name};
pub use store::{RELEASE_SECRET_TYPE, ReleaseStore, StoreError};
