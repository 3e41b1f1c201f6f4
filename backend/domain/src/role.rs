//! The ordered roles of SPEC §1: each role can do everything the roles below it can.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role. The derive order *is* the privilege order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Contributor,
    Admin,
    Superuser,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::User, Role::Contributor, Role::Admin, Role::Superuser];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Contributor => "contributor",
            Role::Admin => "admin",
            Role::Superuser => "superuser",
        }
    }

    /// Whether `self` may grant `target` or manage someone who holds it (SPEC §1): admins
    /// manage users and contributors, only superusers manage admins and superusers.
    pub fn can_manage(self, target: Role) -> bool {
        match self {
            Role::Superuser => true,
            Role::Admin => target < Role::Admin,
            _ => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}` (expected user, contributor, admin or superuser)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_privilege() {
        assert!(Role::User < Role::Contributor);
        assert!(Role::Contributor < Role::Admin);
        assert!(Role::Admin < Role::Superuser);
    }

    #[test]
    fn only_superusers_manage_admins() {
        assert!(Role::Admin.can_manage(Role::Contributor));
        assert!(!Role::Admin.can_manage(Role::Admin));
        assert!(!Role::Admin.can_manage(Role::Superuser));
        assert!(Role::Superuser.can_manage(Role::Superuser));
        assert!(!Role::Contributor.can_manage(Role::User));
    }

    #[test]
    fn parses_its_own_names_only() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
