//! Pure types and rules of Skriptoteket. No HTTP, no SQL, no Docker: those live in the
//! adapter crates and depend on this one.

pub mod batch;
pub mod bundle;
pub mod contract;
pub mod execution;
pub mod names;
pub mod page;
pub mod privacy;
pub mod role;
pub mod run;
pub mod run_error;
pub mod schema;
pub mod store;
pub mod tool;
pub mod user;

pub use page::{Page, PageRequest};
pub use role::Role;
pub use store::{
    BatchStore, FavoriteStore, InstanceStore, PrivacyStore, RunStore, SettingsStore, SignalListener, Signals,
    StorageStore, Store, StoreError, ThrottleStore, ToolStore, UserStore, VersionStore,
};
pub use user::{NewUser, User, UserPatch};
