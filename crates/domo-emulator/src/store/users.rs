//! The caller's own user (`GetMe`), from `lookup_user`.

use super::{Result, Store, User, UserId, lookup_user};

impl Store {
    /// The user a token belongs to.
    pub(crate) fn get_me(&self, user: UserId) -> Result<User> {
        Ok(lookup_user(user))
    }
}
