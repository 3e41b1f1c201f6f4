//! Row structs private to the store, and their conversion into domain types. The same
//! structs decode from both dialects because the schemas use compatible column types.

use chrono::{DateTime, Utc};
use skriptoteket_domain::{StoreError, User};
use uuid::Uuid;

#[macro_use]
mod tools;
#[macro_use]
mod runs;
mod batches;
mod privacy;

pub(crate) use batches::{BatchItemRow, BatchRow};
pub(crate) use privacy::{PrivacyEventRow, SettingsRecordRow};
pub(crate) use runs::{ArtifactRow, CountRow, RunRow, SettingsRow, SummaryRow, parse_status};
pub(crate) use tools::{CatalogRow, EventRow, MaintainerRow, TaxonRow, ToolRow, ToolTaxonRow, VersionRow};

/// The user columns in `UserRow` order, as a macro so queries stay `&'static str`.
macro_rules! user_columns {
    () => {
        "id, email, display_name, role, disabled, failed_logins, locked_until, sessions_valid_after, created_at, \
         updated_at"
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    email: String,
    display_name: String,
    role: String,
    disabled: bool,
    failed_logins: i32,
    locked_until: Option<DateTime<Utc>>,
    sessions_valid_after: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CredentialRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub password_hash: String,
}

pub(crate) fn parse_id(id: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(id).map_err(|e| StoreError::Backend(format!("corrupt id `{id}`: {e}")))
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(r: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: parse_id(&r.id)?,
            email: r.email,
            display_name: r.display_name,
            role: r.role.parse().map_err(|e| StoreError::Backend(format!("{e}")))?,
            disabled: r.disabled,
            failed_logins: r.failed_logins,
            locked_until: r.locked_until,
            sessions_valid_after: r.sessions_valid_after,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}
