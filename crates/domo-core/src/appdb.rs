//! AppDB, a custom app's document store (`/domo/datastores/v1`): the
//! documents of the collections the app's manifest declares, which Domo
//! syncs into datasets (`syncEnabled`). In the browser package these are
//! the methods of `domo.appDb(collection)` ([`APP_COLLECTION`]).

use domo_model::app::{
    BulkResult, Content, Document, DocumentFilter, DocumentRequest, UpdateOperation,
};

use crate::app::Row;
use crate::spec::{BodyShape, Check, Fixup, JsHandle, ReplyShape};

/// The browser package's handle on one collection:
/// `domo.appDb("orders")` returns an `AppCollection` whose methods send
/// `collection: "orders"`.
pub const APP_COLLECTION: JsHandle = JsHandle {
    factory: "appDb",
    class: "AppCollection",
    arg: "collection",
    doc: "One AppDB collection of the app (declared in manifest.json's `collections`): its documents \
          as `{id, content, ...}`, queried with MongoDB filters over `content.*` paths.",
};

declare! {
    /// `GET .../collections/{collection}/documents/`: every document, in
    /// creation order.
    ListDocuments => json Vec<Document> {
        GET "/domo/datastores/v1/collections/{collection}/documents/";
        js: js![@APP_COLLECTION; list()],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
    }

    /// `POST .../documents/` `{"content": {...}}`: a new document. Not
    /// idempotent: each call stores one.
    CreateDocument => json Document {
        POST "/domo/datastores/v1/collections/{collection}/documents/";
        body: BodyShape::Json(r#"{"content":$content}"#),
        js: js![@APP_COLLECTION; create(content)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// What to store: fields the collection's schema names must have
        /// their column's type.
        object content "content": Content,
    }

    /// `GET .../documents/{documentId}`.
    GetDocument => json Document {
        GET "/domo/datastores/v1/collections/{collection}/documents/{documentId}";
        js: js![@APP_COLLECTION; get(documentId)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// The document's id.
        arg document_id "documentId": String,
    }

    /// `PUT .../documents/{documentId}` `{"content": {...}}`: the
    /// document's content replaced.
    UpdateDocument => json Document {
        PUT "/domo/datastores/v1/collections/{collection}/documents/{documentId}";
        body: BodyShape::Json(r#"{"content":$content}"#),
        js: js![@APP_COLLECTION; update(documentId, content)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// The document's id.
        arg document_id "documentId": String,
        /// The new content.
        object content "content": Content,
    }

    /// `PUT .../documents/update` `{query, operation}`: every document the
    /// query matches changed by the operation (`{"$set": {"content.done":
    /// true}}`, `$unset`, `$inc`, `$push`, ...); answers how many changed.
    PartialUpdateDocuments => json u64 {
        PUT "/domo/datastores/v1/collections/{collection}/documents/update";
        body: BodyShape::Json(r#"{"query":$query,"operation":$operation}"#),
        js: js![@APP_COLLECTION; partialUpdate(query, operation)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// Which documents (a MongoDB filter; `{}` for all).
        object query "query": DocumentFilter,
        /// What to change in each (MongoDB update operators).
        object operation "operation": UpdateOperation,
    }

    /// `DELETE .../documents/{documentId}`.
    DeleteDocument => empty {
        DELETE "/domo/datastores/v1/collections/{collection}/documents/{documentId}";
        js: js![@APP_COLLECTION; delete(documentId)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// The document's id.
        arg document_id "documentId": String,
    }

    /// `POST .../documents/query` with a MongoDB `find()` filter: the
    /// documents it matches (`{}`, the default, matches all), at most
    /// `limit` (AppDB's default: 10,000). A query reads; sending it twice is
    /// harmless.
    QueryDocuments => json Vec<Document> {
        POST "/domo/datastores/v1/collections/{collection}/documents/query";
        query: "orderby={orderBy}&limit={limit}&offset={offset}",
        body: BodyShape::Json("$query"),
        idempotent: true,
        checks: &[Check::OnlyArguments],
        js: js![@APP_COLLECTION; query(query, ...)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// Which documents: `{"content.units": {"$gte": 2}}`, `$or`, `$in`,
        /// dates as `{"$date": "..."}`.
        object query "query": DocumentFilter = "{}",
        /// `content.units descending`, `createdOn`: the order.
        arg order_by "orderBy": Vec<String>,
        /// Documents at most.
        arg limit "limit": Option<u64>,
        /// Documents to skip.
        arg offset "offset": Option<u64>,
    }

    /// `POST .../documents/query` with the aggregation parameters: the
    /// matching documents grouped and folded into rows (`groupBy`
    /// `content.region`, `sum` `content.units units`), each group key
    /// under its path's last segment.
    AggregateDocuments => json Vec<Row> {
        POST "/domo/datastores/v1/collections/{collection}/documents/query";
        query: "groupby={groupBy}&count={count}&sum={sum}&avg={avg}&min={min}&max={max}\
                &unwind={unwind}&orderby={orderBy}&limit={limit}&offset={offset}",
        body: BodyShape::Json("$query"),
        idempotent: true,
        reply: ReplyShape::Json(&[Fixup::ArrayOfObjects]),
        checks: &[Check::OnlyArguments],
        js: js![@APP_COLLECTION; aggregate(...)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// Which documents (a MongoDB filter; default all).
        object query "query": DocumentFilter = "{}",
        /// Paths to group by (`content.region`); without, one row over
        /// every document.
        arg group_by "groupBy": Vec<String>,
        /// The name of a count of each group's documents.
        arg count "count": Option<String>,
        /// `content.units units`: a path to sum, and the name to give it.
        arg sum "sum": Vec<String>,
        /// Paths to average, each with a name.
        arg avg "avg": Vec<String>,
        /// Paths whose smallest value to return, each with a name.
        arg min "min": Vec<String>,
        /// Paths whose largest value to return, each with a name.
        arg max "max": Vec<String>,
        /// An array path: one row per element.
        arg unwind "unwind": Vec<String>,
        /// `units descending`: by a group key or an aggregate's name.
        arg order_by "orderBy": Vec<String>,
        /// Rows at most.
        arg limit "limit": Option<u64>,
        /// Rows to skip.
        arg offset "offset": Option<u64>,
    }

    /// `POST .../documents/bulk` with a list of `{"content": {...}}`:
    /// every document stored, or none.
    BulkCreateDocuments => json BulkResult {
        POST "/domo/datastores/v1/collections/{collection}/documents/bulk";
        body: BodyShape::Json("$documents"),
        checks: &[Check::NotEmptyList("documents", "bulkCreate: no documents given")],
        js: js![@APP_COLLECTION; bulkCreate(documents)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// The documents (`{content}` each).
        array documents "documents": Vec<DocumentRequest>,
    }

    /// `PUT .../documents/bulk` with a list of `{"id"?, "content"}`: a
    /// document with the `id` of a stored one replaces it; the others are
    /// created.
    BulkUpsertDocuments => json BulkResult {
        PUT "/domo/datastores/v1/collections/{collection}/documents/bulk";
        body: BodyShape::Json("$documents"),
        checks: &[Check::NotEmptyList("documents", "bulkUpsert: no documents given")],
        js: js![@APP_COLLECTION; bulkUpsert(documents)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// The documents (`{id?, content}` each).
        array documents "documents": Vec<DocumentRequest>,
    }

    /// `DELETE .../documents/bulk?ids=a,b`.
    BulkDeleteDocuments => json BulkResult {
        DELETE "/domo/datastores/v1/collections/{collection}/documents/bulk";
        query: "ids={ids}",
        checks: &[Check::AnyOf(&["ids"], "bulkDelete: no document ids given")],
        js: js![@APP_COLLECTION; bulkDelete(ids)],
    } fields {
        /// The collection's name.
        arg collection "collection": String,
        /// The ids of the documents to delete.
        arg ids "ids": Vec<String>,
    }

    /// `POST /domo/datastores/v1/export`: sync every `syncEnabled`
    /// collection into its dataset now (Domo also does it on a timer, about
    /// every 15 minutes). A 423 means an export is running.
    SyncAppDb => empty {
        POST "/domo/datastores/v1/export";
        idempotent: true,
        js: js![syncAppDb()],
    } fields {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{Endpoint, Reply};
    use crate::{BaseUrl, Config, Credentials, ErrorKind};
    use serde_json::json;

    fn in_app() -> Config {
        Config::new(
            BaseUrl::relative(),
            Credentials::RyuuSession(crate::Secret::new("sid-1")),
        )
    }

    fn object(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn documents_are_sent_and_read_as_appdb_has_them() {
        let create = CreateDocument {
            collection: "orders".into(),
            content: object(json!({"region": "East", "units": 3})),
        };
        let p = in_app().prepare(&create).unwrap();
        assert_eq!(p.uri, "/domo/datastores/v1/collections/orders/documents/");
        assert_eq!(&p.body[..], br#"{"content":{"region":"East","units":3}}"#);
        assert!(!p.idempotent);
        let reply = Reply::new(
            200,
            &br#"{"id":"d1","owner":1,"createdOn":"2024-01-01T00:00:00.000+0000","content":{"units":3},"syncRequired":true}"#[..],
        );
        let doc = create.handle(&p, reply).unwrap();
        assert_eq!(doc.id, "d1");
        assert_eq!(doc.sync_required, Some(true));

        let q = QueryDocuments {
            collection: "orders".into(),
            query: object(json!({"content.units": {"$gte": 2}})),
            order_by: vec!["content.units descending".into()],
            limit: Some(5),
            offset: None,
        };
        let p = in_app().prepare(&q).unwrap();
        assert_eq!(
            p.uri,
            "/domo/datastores/v1/collections/orders/documents/query?orderby=content.units%20descending&limit=5"
        );
        assert_eq!(&p.body[..], br#"{"content.units":{"$gte":2}}"#);
        assert!(p.idempotent);

        let agg = AggregateDocuments {
            collection: "orders".into(),
            query: Default::default(),
            group_by: vec!["content.region".into()],
            count: Some("n".into()),
            sum: vec!["content.units units".into()],
            avg: vec![],
            min: vec![],
            max: vec![],
            unwind: vec![],
            order_by: vec!["units descending".into()],
            limit: None,
            offset: None,
        };
        let p = in_app().prepare(&agg).unwrap();
        assert_eq!(
            p.uri,
            "/domo/datastores/v1/collections/orders/documents/query?groupby=content.region&count=n\
             &sum=content.units%20units&orderby=units%20descending"
        );
        assert_eq!(&p.body[..], b"{}");
        let rows = agg
            .handle(
                &p,
                Reply::new(200, &br#"[{"region":"East","n":2,"units":5}]"#[..]),
            )
            .unwrap();
        assert_eq!(rows[0]["units"], 5);

        let del = BulkDeleteDocuments {
            collection: "orders".into(),
            ids: vec!["a".into(), "b".into()],
        };
        let p = in_app().prepare(&del).unwrap();
        assert_eq!(
            p.uri,
            "/domo/datastores/v1/collections/orders/documents/bulk?ids=a%2Cb"
        );
        let r = del
            .handle(&p, Reply::new(200, &br#"{"Deleted":2}"#[..]))
            .unwrap();
        assert_eq!(r.deleted, Some(2));
        let none = BulkDeleteDocuments {
            collection: "orders".into(),
            ids: vec![],
        };
        assert_eq!(
            in_app().prepare(&none).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn collection_names_and_document_ids_are_path_segments() {
        let get = GetDocument {
            collection: "a/b".into(),
            document_id: "..".into(),
        };
        let e = in_app().prepare(&get).unwrap_err();
        assert!(e.to_string().contains("document id"), "{e}");
        let get = GetDocument {
            collection: "a/b".into(),
            document_id: "x y".into(),
        };
        assert_eq!(
            in_app().prepare(&get).unwrap().uri,
            "/domo/datastores/v1/collections/a%2Fb/documents/x%20y"
        );
    }
}
