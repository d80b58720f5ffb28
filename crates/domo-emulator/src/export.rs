//! The streamed CSV export, shared by `GET .../data?format=csv` and
//! `GET /api/data/v2/datasources/{id}/dataversions/latest`: chunks read by
//! `Store::export_chunk` go out through `stream`'s sender, so memory stays
//! flat however large the dataset, the reply stops at `--max-reply-bytes`,
//! and a client that stops reading for `--query-timeout` is let go.

use std::sync::Arc;

use axum::response::Response;

use crate::csvio;
use crate::error::ApiError;
use crate::row_reply::{self, ChunkSender, TimeLimit, stream_with};
use crate::store::rows::ExportRequest;
use crate::store::{self, Store, UserId};

/// Starts the export (refusals are ordinary error answers), then streams
/// it. An error before the first chunk is sent (the dataset changed) is an
/// error answer too; after it, the body ends abruptly, which the client
/// sees as a broken transfer rather than a short file.
pub(crate) async fn stream_csv(
    store: &Arc<Store>,
    max_reply_bytes: u64,
    user: UserId,
    id: String,
    req: ExportRequest,
    header: bool,
) -> Result<Response, ApiError> {
    let mut export = store.run(move |s| s.start_export(user, &id, req)).await?;
    stream_with(
        store,
        max_reply_bytes,
        TimeLimit::Stall,
        row_reply::CSV,
        move |store, mut out| {
            if header {
                csvio::write_header(&mut out.buf, export.column_names());
            }
            let result = write_rows(store, &mut export, &mut out);
            out.end(result);
        },
    )
    .await
}

fn write_rows(
    store: &Store,
    export: &mut store::rows::Export,
    out: &mut ChunkSender,
) -> store::Result<()> {
    let mut rows = 0u64;
    // Each read is its own short transaction, before any wait for the
    // client: a slow reader never holds a connection.
    while let Some(n) = store.export_chunk(export, &mut out.buf)? {
        rows += n;
        out.check_limit(0, rows)?;
        out.flush_if_full()?;
    }
    Ok(())
}
