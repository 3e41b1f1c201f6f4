//! Use cases between the HTTP handlers and the store: each function owns one rule set.

pub mod access;
pub mod auth;
pub mod runs;
pub mod settings;
pub mod tools;
pub mod users;
pub mod versions;
