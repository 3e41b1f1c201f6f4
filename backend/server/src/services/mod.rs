//! Use cases between the HTTP handlers and the store: each function owns one rule set.

pub mod auth;
pub mod users;
