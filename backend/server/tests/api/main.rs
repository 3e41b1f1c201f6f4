//! HTTP-level tests through the real router, on SQLite and PostgreSQL. One binary, so the
//! crate links once.

mod admin_users;
mod auth;
mod errors;
mod openapi;
mod support;
