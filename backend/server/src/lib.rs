//! The Skriptoteket server: HTTP API, services and the `skriptoteket` command.

pub mod api;
pub mod archive;
pub mod auth;
pub mod blobs;
pub mod cache;
pub mod cli;
pub mod config;
pub mod error;
pub mod execution;
pub mod extract;
pub mod middleware;
pub mod seed;
pub mod serve;
pub mod services;
pub mod spa;
pub mod state;
pub mod telemetry;
