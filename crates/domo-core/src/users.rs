//! Users: who the token belongs to.

use domo_model::users::User;

declare! {
    /// `GET /api/content/v2/users/me`.
    WhoAmI => json User {
        GET "/api/content/v2/users/me";
        js: js![whoami()],
    } fields {}
}
