//! Accounts: who someone is, what role they hold and whether they may sign in.

use crate::Role;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Failed sign-ins that lock an account (SPEC §1).
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: chrono::Duration = chrono::Duration::minutes(15);
/// Minimum password length (SPEC §1).
pub const MIN_PASSWORD_LEN: usize = 8;

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    /// Tokens issued before this are refused (set by a password change or disabling).
    pub sessions_valid_after: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// Whether a token issued at `issued_at` (whole seconds, as JWT `iat`) is still honoured.
    pub fn accepts_session_issued_at(&self, issued_at: i64) -> bool {
        self.sessions_valid_after.is_none_or(|after| issued_at >= after.timestamp())
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// A partial update; `None` leaves the field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
}

/// Emails compare case-insensitively; we store them trimmed and lower-cased so one unique
/// index covers it on every database.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_for_comparison() {
        assert_eq!(normalize_email("  Anna.Berg@Skola.SE "), "anna.berg@skola.se");
    }
}
