//! Use cases between the HTTP handlers and the store.
//!
//! The rule of this floor: **a handler parses the request, calls exactly one service function
//! and shapes its answer; a service function takes `(&AppState, &CurrentUser, …)`, checks every
//! permission itself and is the only code that talks to the store.** Handlers never see the
//! store. The two account functions without an acting user (the CLI and the bootstrap
//! superuser) take the store directly; they are marked where they live.

pub mod access;
pub mod auth;
pub mod bundles;
pub mod catalog;
pub mod content;
pub mod health;
pub mod privacy;
pub mod runs;
pub mod settings;
pub mod storage;
pub mod tools;
pub mod users;
pub mod versions;
