//! Administration and authoring endpoints under `/api/admin` (and `/api/my-tools`).

pub mod bundles;
pub mod reviews;
pub mod tools;
pub mod users;
pub mod versions;
