//! Administration endpoints under `/api/admin`.

pub mod users;
