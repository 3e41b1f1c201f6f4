//! The persistence port. One implementation per SQL dialect lives in `skriptoteket-store`.

use crate::{NewUser, Page, PageRequest, User, UserPatch};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint said no; the string names what collided (e.g. "email").
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Cheap round trip used by readiness checks.
    async fn ping(&self) -> StoreResult<()>;
    /// Which dialect this is ("sqlite" or "postgres"), for logs and readiness.
    fn dialect(&self) -> &'static str;

    async fn count_users(&self) -> StoreResult<u64>;
    async fn create_user(&self, new: NewUser) -> StoreResult<User>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<User>>;
    /// The user and their password hash, by normalised email.
    async fn user_credentials(&self, email: &str) -> StoreResult<Option<(User, String)>>;
    async fn list_users(&self, page: PageRequest) -> StoreResult<Page<User>>;
    async fn update_user(&self, id: Uuid, patch: UserPatch) -> StoreResult<Option<User>>;
    /// Counts a failed sign-in and locks the account until `lock_until` once it reaches
    /// `threshold` failures. Returns the updated user.
    async fn record_login_failure(
        &self,
        id: Uuid,
        threshold: i32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;
    async fn record_login_success(&self, id: Uuid) -> StoreResult<()>;
}
