//! Domo's public API (`https://api.domo.com/v1`), the one Domo's own SDKs
//! use and OAuth client credentials reach ([`crate::oauth`]): datasets,
//! row policies, streams and their executions, users and groups, in the
//! forms pydomo and the Java and Node SDKs send (`shared/PUBLIC-API.md`).
//! One module per area, as for the product API; [`Listing`] pages any of
//! the `limit`/`offset` listings.

pub mod datasets;
pub mod people;
pub mod policies;
pub mod streams;

use crate::paging::PageCursor;

/// Why the public API's endpoints have no named method in the browser
/// package: its client credentials are a secret, which never belongs in a
/// web page, so the browser build refuses `clientId`/`clientSecret` and
/// leaves these declarations out (feature `public-api`). The package's
/// Node build takes client credentials and runs them by name
/// (`call("V1GetDataset", {datasetId})`); the Rust client and `domoctl`
/// speak them too.
pub const NO_BROWSER: &str = "the public API takes OAuth client credentials, a secret that never belongs in a web page: the browser build refuses them; from Node, call(\"V1...\", args) runs it, as do domo-native and domoctl";

/// A public-API listing request that pages with `limit` and `offset`.
pub trait PageRequest: Clone {
    /// The same request for `limit` items from `offset`.
    fn page(&self, limit: u32, offset: u32) -> Self;
}

/// Every item of a `limit`/`offset` listing of the public API, a page at a
/// time: a page shorter than asked (an empty one included: Domo answers
/// `[]` past the end) ends it; a server that keeps sending full pages past
/// ten million items is an error, not a loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<R> {
    request: R,
    cursor: PageCursor,
}

impl<R: PageRequest> Listing<R> {
    /// Page `request` by `page` items (at most what the listing serves).
    pub fn new(request: R, page: u32, what: &'static str) -> Listing<R> {
        Listing {
            request,
            cursor: PageCursor::new(page.into(), what).at_most(10_000_000),
        }
    }
}

#[cfg(feature = "typed")]
impl<R, T> crate::paging::Pages for Listing<R>
where
    R: PageRequest + crate::endpoint::Endpoint<Output = Vec<T>>,
{
    type Request = R;
    type Item = T;

    fn next_page(&self) -> Option<R> {
        let offset = self.cursor.next_offset()?;
        Some(self.request.page(
            crate::paging::as_u32(self.cursor.page_size()),
            crate::paging::as_u32(offset),
        ))
    }

    fn take(&mut self, page: Vec<T>) -> Result<Vec<T>, crate::error::Error> {
        self.cursor.received(page.len(), None)?;
        Ok(page)
    }
}

/// `impl PageRequest` for requests whose `limit` and `offset` fields page
/// them.
macro_rules! page_request {
    ($($t:ty),*) => {$(
        impl $crate::v1::PageRequest for $t {
            #[allow(clippy::needless_update)]
            fn page(&self, limit: u32, offset: u32) -> Self {
                Self { limit, offset, ..self.clone() }
            }
        }
    )*};
}
pub(crate) use page_request;

#[cfg(feature = "typed")]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Pages;
    use crate::v1::people::V1ListUsers;

    #[test]
    fn a_listing_pages_until_a_short_or_empty_page() {
        let first = V1ListUsers {
            limit: 500,
            offset: 0,
        };
        let mut users = Listing::new(first, 500, "users");
        assert_eq!(
            users.next_page(),
            Some(V1ListUsers {
                limit: 500,
                offset: 0
            })
        );
        let user: domo_model::v1::V1User = serde_json::from_str(r#"{"id":1}"#).unwrap();
        users.take(vec![user; 500]).unwrap();
        assert_eq!(users.next_page().unwrap().offset, 500);
        assert!(users.take(Vec::new()).unwrap().is_empty());
        assert_eq!(users.next_page(), None);
    }
}
