//! Who may see and change a dataset.

use bytes::Bytes;
use domo_model::permissions::{Permission, PermissionList, PrincipalRef, ShareRequest};
use http::{Method, Response};
use serde::Serialize;

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json};
use crate::error::Error;
use crate::path::segment;

fn base(dataset_id: &str) -> Result<String, Error> {
    Ok(format!(
        "/api/data/v3/datasources/{}",
        segment("dataset id", dataset_id)?
    ))
}

/// `GET .../{id}/permissions`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPermissions {
    pub dataset_id: String,
}

impl Endpoint for ListPermissions {
    type Output = PermissionList;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/permissions", base(&self.dataset_id)?))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<PermissionList, Error> {
        json(response)
    }
}

impl JsonEndpoint for ListPermissions {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        json(response).map(PermissionList::normalize_json)
    }
}

/// `POST .../{id}/share`. Sharing the same grant twice leaves one grant, so
/// this is safe to retry.
#[derive(Debug, Clone, PartialEq)]
pub struct Share<P = Permission> {
    pub dataset_id: String,
    pub request: ShareRequest<P>,
}

impl<P: Serialize> Endpoint for Share<P> {
    type Output = ();
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/share", base(&self.dataset_id)?))
    }
    fn body(&self) -> Result<Body, Error> {
        if self.request.permissions.is_empty() {
            return Err(Error::invalid_input("share: no permissions given"));
        }
        Body::json(&self.request)
    }
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// `DELETE .../{id}/permissions/USER/{userId}`.
#[derive(Debug, Clone, PartialEq)]
pub struct RevokeUser {
    pub dataset_id: String,
    pub user_id: String,
}

impl Endpoint for RevokeUser {
    type Output = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/permissions/USER/{}",
            base(&self.dataset_id)?,
            segment("user id", &self.user_id)?
        ))
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// `DELETE .../{id}/USERS/{userId}`.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoveUser {
    pub dataset_id: String,
    pub user_id: String,
}

impl Endpoint for RemoveUser {
    type Output = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/USERS/{}",
            base(&self.dataset_id)?,
            segment("user id", &self.user_id)?
        ))
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// `DELETE .../{id}/users` with a JSON array body: a DELETE with a body,
/// which every transport must carry.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoveUsers<U = PrincipalRef> {
    pub dataset_id: String,
    /// [`PrincipalRef`]s, or any serializable form of them.
    pub users: Vec<U>,
}

impl<U: Serialize> Endpoint for RemoveUsers<U> {
    type Output = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/users", base(&self.dataset_id)?))
    }
    fn body(&self) -> Result<Body, Error> {
        if self.users.is_empty() {
            return Err(Error::invalid_input("remove users: no users given"));
        }
        Body::json(&self.users)
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}
