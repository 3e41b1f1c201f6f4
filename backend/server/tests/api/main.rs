//! HTTP-level tests through the real router, on SQLite and PostgreSQL. One binary, so the
//! crate links once.

mod admin_users;
mod auth;
mod authz_matrix;
mod batches;
mod bundles;
mod e2e_docker;
mod engines_docker;
mod errors;
mod fake_runner;
mod headers;
mod housekeeping;
mod openapi;
mod privacy;
mod runs;
mod s3;
mod servers;
mod shared_storage;
mod storage;
mod support;
mod teachers;
mod tools;
mod uploads;
