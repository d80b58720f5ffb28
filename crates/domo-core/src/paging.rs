//! Reading a listing page by page: [`PageCursor`] holds the one rule every
//! pager follows (count what arrived; a short page, an empty page or the
//! reported total ends it; a server that keeps sending full pages past a
//! bound is an error, not a loop), and [`Pages`] is what a transport runs:
//! ask for [`Pages::next_page`], send it, hand the reply to [`Pages::take`],
//! repeat until `next_page` says `None`.

use crate::error::{Error, ErrorKind};

/// Where a paged listing is: items seen so far, and whether it has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    page: u64,
    seen: u64,
    done: bool,
    short_page_ends: bool,
    max: u64,
    what: &'static str,
}

impl PageCursor {
    /// A cursor asking for `page` items at a time (at least 1), where a
    /// page shorter than that means the listing is complete. `what` names
    /// the items in the error of a server that never stops ("datasets").
    pub fn new(page: u64, what: &'static str) -> PageCursor {
        PageCursor {
            page: page.max(1),
            seen: 0,
            done: false,
            short_page_ends: true,
            max: u64::MAX,
            what,
        }
    }

    /// Only an empty page (or the total) ends the listing: for servers that
    /// may cap a page below what was asked (Domo's search service).
    pub fn until_empty(mut self) -> PageCursor {
        self.short_page_ends = false;
        self
    }

    /// More than `max` items in full pages is an error: far past any real
    /// listing, the server is not honouring the offset.
    pub fn at_most(mut self, max: u64) -> PageCursor {
        self.max = max;
        self
    }

    /// Items asked for per page.
    pub fn page_size(&self) -> u64 {
        self.page
    }

    /// Items received so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The offset of the next page, or `None` once the listing has ended.
    pub fn next_offset(&self) -> Option<u64> {
        (!self.done).then_some(self.seen)
    }

    /// Record that the page last asked for held `len` items, and the total
    /// the server reported with it, if any.
    pub fn received(&mut self, len: usize, total: Option<u64>) -> Result<(), Error> {
        let len = len as u64;
        self.seen = self.seen.saturating_add(len);
        let short = if self.short_page_ends {
            len < self.page
        } else {
            len == 0
        };
        self.done = short || total.is_some_and(|total| self.seen >= total);
        if !self.done && self.seen >= self.max {
            self.done = true;
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "the server sent more than {} {} in full pages; is it ignoring the offset?",
                    self.max, self.what
                ),
            ));
        }
        Ok(())
    }
}

/// A listing read page by page: the transport sends each
/// [`Pages::next_page`] and hands its reply to [`Pages::take`], which
/// returns the page's items, until `next_page` is `None`.
#[cfg(feature = "typed")]
pub trait Pages {
    /// The endpoint one page is read with.
    type Request: crate::endpoint::Endpoint;
    /// What the listing yields.
    type Item;
    /// The request for the next page, or `None` once the listing is complete.
    fn next_page(&self) -> Option<Self::Request>;
    /// The items of the page last asked for; records how many arrived.
    fn take(
        &mut self,
        reply: <Self::Request as crate::endpoint::Endpoint>::Output,
    ) -> Result<Vec<Self::Item>, Error>;
}

/// Clamp a count to the `u32` a page request sends.
#[cfg(feature = "typed")]
pub(crate) fn as_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_means_more_and_a_short_one_ends_it() {
        let mut c = PageCursor::new(50, "datasets");
        assert_eq!(c.next_offset(), Some(0));
        c.received(50, None).unwrap();
        assert_eq!(c.next_offset(), Some(50));
        c.received(3, None).unwrap();
        assert_eq!(c.next_offset(), None);

        // Exactly the total in full pages: no request for an empty page.
        let mut c = PageCursor::new(50, "datasets");
        c.received(50, Some(100)).unwrap();
        assert!(c.next_offset().is_some());
        c.received(50, Some(100)).unwrap();
        assert_eq!(c.next_offset(), None);
    }

    #[test]
    fn until_empty_reads_past_short_pages() {
        let mut c = PageCursor::new(100, "hits").until_empty();
        c.received(40, None).unwrap();
        assert_eq!(c.next_offset(), Some(40));
        c.received(0, None).unwrap();
        assert_eq!(c.next_offset(), None);
    }

    #[test]
    fn a_server_that_never_stops_is_an_error_not_a_loop() {
        let mut c = PageCursor::new(10, "partitions").at_most(30);
        c.received(10, None).unwrap();
        c.received(10, None).unwrap();
        let e = c.received(10, None).unwrap_err();
        assert!(e.message().contains("more than 30 partitions"), "{e}");
        assert_eq!(c.next_offset(), None);
    }
}
