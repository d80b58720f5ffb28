//! The caller's own user (`WhoAmI`), from `lookup_user`.

use super::{Result, Store, User, UserId, lookup_user};

impl Store {
    /// The user a token belongs to.
    pub(crate) fn who_am_i(&self, user: UserId) -> Result<User> {
        Ok(lookup_user(user))
    }
}
