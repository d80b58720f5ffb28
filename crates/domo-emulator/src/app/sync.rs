//! The AppDB export timer: every `--appdb-sync-interval` (15 minutes, as
//! Domo does) the `syncEnabled` collections that changed are exported to
//! their datasets, as `POST /domo/datastores/v1/export` does at once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::store::Store;

/// Domo's export interval.
pub(crate) const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// Exports every `every`, forever (the server aborts the task when it
/// stops). A tick that finds an export running skips it; a collection
/// that fails is tried again at the next tick (and a manual export's
/// answer says why). `ticks` counts the finished runs.
pub(crate) async fn export_timer(store: Arc<Store>, every: Duration, ticks: watch::Sender<u64>) {
    loop {
        tokio::time::sleep(every).await;
        let _ = store.run(|s| s.appdb_export()).await;
        ticks.send_modify(|n| *n += 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Manifest;
    use crate::store::ADMIN_USER;
    use crate::store::appdb::dataset_id_of;
    use serde_json::json;

    /// On tokio's paused clock: nothing before the interval, an export
    /// after it, and none again while nothing changes.
    #[tokio::test(start_paused = true)]
    async fn exports_when_the_interval_passes() {
        let store = Arc::new(Store::in_memory());
        let manifest = Manifest::parse(
            br#"{"collections": [{"name": "notes", "syncEnabled": true,
                 "schema": {"columns": [{"name": "text", "type": "STRING"}]}}]}"#,
        )
        .unwrap();
        store
            .appdb_install(&manifest.collections, ADMIN_USER)
            .unwrap();
        store
            .appdb_create_documents(ADMIN_USER, "notes", &[json!({"text": "hello"})], |_| {
                "content".into()
            })
            .unwrap();
        let (tx, mut rx) = watch::channel(0);
        let timer = tokio::spawn(export_timer(Arc::clone(&store), DEFAULT_SYNC_INTERVAL, tx));
        tokio::time::advance(DEFAULT_SYNC_INTERVAL - Duration::from_secs(1)).await;
        assert_eq!(store.appdb_collection("notes").unwrap().last_sync_ms, None);
        assert!(
            store
                .get_dataset(ADMIN_USER, &dataset_id_of("notes"))
                .is_err()
        );
        tokio::time::advance(Duration::from_secs(2)).await;
        rx.changed().await.unwrap();
        let c = store.appdb_collection("notes").unwrap();
        assert!(c.last_sync_ms.is_some() && !c.sync_required);
        let ds = store
            .get_dataset(ADMIN_USER, &dataset_id_of("notes"))
            .unwrap();
        assert_eq!((ds.name.as_str(), ds.row_count), ("notes", 1));
        timer.abort();
    }
}
