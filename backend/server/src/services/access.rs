//! Object-level permission rules (SPEC §1): who may edit a tool, see a run, see stderr.
//!
//! Someone else's run is reported as missing, never as forbidden. A tool is different: to a
//! user (who cannot author) a tool they may not edit does not exist (404), while a contributor
//! who is not its maintainer is told so (403 `not_a_maintainer`), so that they can ask to
//! be added; tool ids are unguessable and the published ones are public anyway.

use crate::auth::CurrentUser;
use crate::error::ApiError;
use skriptoteket_domain::Role;
use skriptoteket_domain::run::Run;
use skriptoteket_domain::tool::Tool;
use uuid::Uuid;

/// Admins edit every tool; contributors the tools they maintain.
pub fn can_edit(user: &CurrentUser, tool: &Tool) -> bool {
    user.role() >= Role::Admin || (user.role() >= Role::Contributor && tool.is_maintainer(user.user.id))
}

pub fn require_edit(user: &CurrentUser, tool: &Tool) -> Result<(), ApiError> {
    if can_edit(user, tool) {
        Ok(())
    } else if user.role() >= Role::Contributor {
        Err(ApiError::forbidden("not_a_maintainer", "Only the tool's maintainers and admins may do this."))
    } else {
        Err(ApiError::not_found("The tool"))
    }
}

/// Owners and admins see a run; to everyone else it does not exist.
pub fn require_view_run(user: &CurrentUser, run: &Run) -> Result<(), ApiError> {
    require_owner_or_admin(user, run.user_id, "The run")
}

/// Owners and admins see a run, a batch or a person's data; to everyone else it does not exist.
pub fn require_owner_or_admin(user: &CurrentUser, owner: Uuid, what: &'static str) -> Result<(), ApiError> {
    if owner == user.user.id || user.role() >= Role::Admin { Ok(()) } else { Err(ApiError::not_found(what)) }
}
