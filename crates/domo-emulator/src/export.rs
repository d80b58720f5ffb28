//! The streamed CSV export, shared by `GET .../data?format=csv` and
//! `GET /api/data/v2/datasources/{id}/dataversions/latest`: chunks read by
//! `Store::export_chunk` go through a small channel into the response
//! body, so memory stays flat however large the dataset.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;

use crate::csvio;
use crate::error::ApiError;
use crate::reply::csv_ok;
use crate::store::rows::ExportRequest;
use crate::store::{Store, UserId};

/// Starts the export (refusals are ordinary error answers), then streams
/// it; an error mid-stream (the dataset changed) ends the body abruptly,
/// which the client sees as a broken transfer rather than a short file.
pub(crate) async fn stream_csv(
    store: &Arc<Store>,
    user: UserId,
    id: String,
    req: ExportRequest,
    header: bool,
) -> Result<Response, ApiError> {
    let mut export = store.run(move |s| s.start_export(user, &id, req)).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || {
        if header {
            let mut line = Vec::new();
            for (i, name) in export.column_names().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                csvio::write_text_field(&mut line, name);
            }
            line.push(b'\n');
            if tx.blocking_send(Ok(Bytes::from(line))).is_err() {
                return;
            }
        }
        loop {
            let item = match store.export_chunk(&mut export) {
                Ok(Some(chunk)) => Ok(Bytes::from(chunk)),
                Ok(None) => return,
                Err(e) => Err(std::io::Error::other(e.message)),
            };
            let failed = item.is_err();
            // A closed channel means the client went away: stop reading.
            if tx.blocking_send(item).is_err() || failed {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(csv_ok(Body::from_stream(stream)))
}
