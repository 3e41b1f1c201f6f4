//! Accounts and sign-in bookkeeping: `UserStore`.
//!
//! Mounted by both dialect modules (`mount_areas!` in `lib.rs`, invoked by each), so this SQL is
//! compiled once per dialect against its concrete types: `This` (the store), `Conn` (one of its
//! connections) and the `json_texts!` table macro come from the mounting module (docs/adr/0002).

use super::This;
use crate::rows::{CredentialRow, UserRow};
use crate::{backend_error, conflict_or_backend};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use skriptoteket_domain::store::{StoreResult, UserStore};
use skriptoteket_domain::user::normalize_email;
use skriptoteket_domain::{NewUser, Page, PageRequest, User, UserPatch};
use uuid::Uuid;

fn to_users(rows: Vec<UserRow>) -> StoreResult<Vec<User>> {
    rows.into_iter().map(User::try_from).collect()
}

#[async_trait]
impl UserStore for This {
    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await.map_err(backend_error)?;
        Ok(n as u64)
    }

    async fn create_user(&self, new: NewUser) -> StoreResult<User> {
        let now = Utc::now();
        let sql = concat!(
            "INSERT INTO users (id, email, display_name, password_hash, role, disabled, \
             failed_logins, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, FALSE, 0, $6, $6) RETURNING ",
            user_columns!()
        );
        let row: UserRow = sqlx::query_as(sql)
            .bind(Uuid::now_v7().to_string())
            .bind(normalize_email(&new.email))
            .bind(new.display_name.trim())
            .bind(&new.password_hash)
            .bind(new.role.as_str())
            .bind(now)
            .fetch_one(&self.pool)
            .await
            .map_err(conflict_or_backend("email"))?;
        row.try_into()
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<User>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
        let row: Option<UserRow> =
            sqlx::query_as(sql).bind(id.to_string()).fetch_optional(&self.pool).await.map_err(backend_error)?;
        row.map(User::try_from).transpose()
    }

    async fn user_credentials(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let sql = concat!("SELECT ", user_columns!(), ", password_hash FROM users WHERE email = $1");
        let row: Option<CredentialRow> =
            sqlx::query_as(sql).bind(normalize_email(email)).fetch_optional(&self.pool).await.map_err(backend_error)?;
        row.map(|r| Ok((User::try_from(r.user)?, r.password_hash))).transpose()
    }

    async fn list_users(&self, page: PageRequest) -> StoreResult<Page<User>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users ORDER BY email LIMIT $1 OFFSET $2");
        let rows: Vec<UserRow> = sqlx::query_as(sql)
            .bind(i64::from(page.limit))
            .bind(page.offset as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(Page { items: to_users(rows)?, total: self.count_users().await?, limit: page.limit, offset: page.offset })
    }

    async fn update_user(&self, id: Uuid, patch: UserPatch) -> StoreResult<Option<User>> {
        let sql = concat!(
            "UPDATE users SET display_name = COALESCE($2, display_name), role = COALESCE($3, role), \
             disabled = COALESCE($4, disabled), password_hash = COALESCE($5, password_hash), \
             sessions_valid_after = CASE WHEN $5 IS NOT NULL OR $4 = TRUE THEN $6 ELSE sessions_valid_after END, \
             updated_at = $6 WHERE id = $1 RETURNING ",
            user_columns!()
        );
        let row: Option<UserRow> = sqlx::query_as(sql)
            .bind(id.to_string())
            .bind(patch.display_name.as_deref().map(str::trim))
            .bind(patch.role.map(|r| r.as_str()))
            .bind(patch.disabled)
            .bind(patch.password_hash)
            .bind(Utc::now())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(User::try_from).transpose()
    }

    async fn record_login_failure(
        &self,
        id: Uuid,
        threshold: i32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        // One statement, so concurrent failures cannot both read the old count.
        let sql = concat!(
            "UPDATE users SET failed_logins = failed_logins + 1, \
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END \
             WHERE id = $1 RETURNING ",
            user_columns!()
        );
        let row: Option<UserRow> = sqlx::query_as(sql)
            .bind(id.to_string())
            .bind(threshold)
            .bind(lock_until)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(User::try_from).transpose()
    }

    async fn record_login_success(&self, id: Uuid) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}
