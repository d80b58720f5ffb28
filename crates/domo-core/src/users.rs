//! Users: who the token belongs to.

use bytes::Bytes;
use domo_model::users::User;
use http::{Method, Response};

use crate::endpoint::{Endpoint, JsonEndpoint, json};
use crate::error::Error;

/// `GET /api/content/v2/users/me`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WhoAmI;

impl Endpoint for WhoAmI {
    type Output = User;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok("/api/content/v2/users/me".to_owned())
    }
    fn parse(&self, response: Response<Bytes>) -> Result<User, Error> {
        json(response)
    }
}

impl JsonEndpoint for WhoAmI {}
