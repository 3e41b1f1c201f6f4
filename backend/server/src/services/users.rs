//! Account management rules: who may list, create or change whom; my own account; and the
//! first superuser.

use crate::auth::jwt::Claims;
use crate::auth::{CurrentUser, password, rate_limit};
use crate::error::{ApiError, ApiResult};
use crate::services::auth::{argon2, too_many};
use crate::services::storage::{self, StorageUsage};
use crate::state::AppState;
use skriptoteket_domain::user::MIN_PASSWORD_LEN;
use skriptoteket_domain::{NewUser, Page, PageRequest, Role, Store, User, UserPatch};
use uuid::Uuid;

pub struct CreateUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

#[derive(Default)]
pub struct ChangeUser {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

fn may_not_manage(role: Role) -> ApiError {
    ApiError::forbidden("forbidden", format!("You may not manage accounts with the {role} role."))
}

/// Accounts, a page at a time (admins).
pub async fn list(state: &AppState, user: &CurrentUser, page: PageRequest) -> ApiResult<Page<User>> {
    user.require(Role::Admin)?;
    Ok(state.store.list_users(page).await?)
}

/// One account (admins).
pub async fn get(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<User> {
    user.require(Role::Admin)?;
    state.store.user_by_id(id).await?.ok_or_else(|| ApiError::not_found("The user"))
}

/// Admins create users and contributors; superusers any role.
pub async fn create(state: &AppState, user: &CurrentUser, new: CreateUser) -> ApiResult<User> {
    user.require(Role::Admin)?;
    if !user.role().can_manage(new.role) {
        return Err(may_not_manage(new.role));
    }
    create_unchecked(state.store.as_ref(), new).await
}

/// Creates an account without an acting user: the CLI and the bootstrap superuser (which have
/// no `AppState`, hence the store).
pub async fn create_unchecked(store: &dyn Store, new: CreateUser) -> ApiResult<User> {
    if !validator::ValidateEmail::validate_email(&new.email.trim()) {
        return Err(ApiError::field("email", "must be a valid email address"));
    }
    check_password(&new.password)?;
    let password = new.password;
    let password_hash = argon2(move || password::hash(&password)).await??;
    Ok(store
        .create_user(NewUser { email: new.email, display_name: new.display_name, role: new.role, password_hash })
        .await?)
}

pub async fn change(state: &AppState, user: &CurrentUser, id: Uuid, change: ChangeUser) -> ApiResult<User> {
    user.require(Role::Admin)?;
    let (store, actor) = (state.store.as_ref(), &user.user);
    let target = store.user_by_id(id).await?.ok_or_else(|| ApiError::not_found("The user"))?;
    if !actor.role.can_manage(target.role) {
        return Err(may_not_manage(target.role));
    }
    if let Some(role) = change.role.filter(|r| !actor.role.can_manage(*r)) {
        return Err(may_not_manage(role));
    }
    if actor.id == id && (change.role.is_some_and(|r| r != actor.role) || change.disabled == Some(true)) {
        return Err(ApiError::conflict("cannot_change_self", "You cannot change your own role or disable yourself."));
    }
    let password_hash = match change.password {
        Some(password) => {
            check_password(&password)?;
            Some(argon2(move || password::hash(&password)).await??)
        }
        None => None,
    };
    let patch =
        UserPatch { display_name: change.display_name, role: change.role, disabled: change.disabled, password_hash };
    let changed = store.update_user(id, patch).await?.ok_or_else(|| ApiError::not_found("The user"))?;
    // A disabled account or a new password must take effect on the very next request.
    state.user_changed(id);
    Ok(changed)
}

fn check_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ApiError::field("password", format!("must be at least {MIN_PASSWORD_LEN} characters")));
    }
    Ok(())
}

/// The account that owns what the installation itself adds (the examples, `tools import`
/// without `--owner`): the highest-ranked active admin or superuser among the first 100 accounts.
/// Like `bootstrap_superuser`, it runs without an `AppState`, hence the store.
pub async fn installation_owner(store: &dyn Store) -> ApiResult<Option<User>> {
    let users = store.list_users(PageRequest::new(Some(100), None)).await?;
    Ok(users.items.into_iter().filter(|u| u.role >= Role::Admin && !u.disabled).max_by_key(|u| u.role))
}

/// Creates the first superuser from the environment when the database has no users yet
/// (at start-up, before there is an `AppState`).
pub async fn bootstrap_superuser(store: &dyn Store, email: &str, password: &str) -> ApiResult<Option<User>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let display_name = email.split('@').next().unwrap_or(email).to_owned();
    let new =
        CreateUser { email: email.to_owned(), display_name, role: Role::Superuser, password: password.to_owned() };
    create_unchecked(store, new).await.map(Some)
}

/// My account after a change; a new password ends every earlier session, this one included,
/// so it comes with a fresh token.
pub struct SelfChange {
    pub user: User,
    pub session: Option<(String, Claims)>,
    /// My storage, as `GET /api/auth/me` shows it.
    pub storage: StorageUsage,
}

/// A user changes their own name or password; the password needs the current one.
pub async fn change_self(
    state: &AppState,
    me: &CurrentUser,
    display_name: Option<String>,
    current_password: Option<String>,
    new_password: Option<String>,
) -> ApiResult<SelfChange> {
    let password_hash = match new_password {
        Some(new) => {
            check_password(&new)?;
            let current = current_password
                .ok_or_else(|| ApiError::field("current_password", "is needed to set a new password"))?;
            // The same per-account limit as sign-in: a stolen session cannot guess the password.
            let store = state.store.as_ref();
            rate_limit::check(store, None, &me.user.email, chrono::Utc::now())
                .await?
                .map_err(|wait| too_many(wait.as_secs()))?;
            let (_, stored) =
                state.store.user_credentials(&me.user.email).await?.ok_or_else(|| ApiError::not_found("The user"))?;
            if !argon2(move || password::verify(&current, &stored)).await? {
                return Err(ApiError::field("current_password", "is not your current password"));
            }
            rate_limit::record_success(store, &me.user.email).await?;
            Some(argon2(move || password::hash(&new)).await??)
        }
        None => None,
    };
    let changed_password = password_hash.is_some();
    let patch = UserPatch { display_name, password_hash, ..Default::default() };
    let user = state.store.update_user(me.user.id, patch).await?.ok_or_else(|| ApiError::not_found("The user"))?;
    state.user_changed(me.user.id);
    let session = changed_password.then(|| state.keys.issue(user.id, chrono::Utc::now(), state.sessions.ttl));
    let storage = storage::usage_of(state, user.id).await?;
    Ok(SelfChange { user, session, storage })
}
