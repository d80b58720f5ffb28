//! The dataset life cycle through domo-native against the emulator over a
//! socket: list, search, create without a stream, rename, describe, alter,
//! upsert with verified counts, stream-execution loads (under faults, and
//! aborted when a part cannot be sent), delete (also during an upload),
//! whoami.

use domo_integration_tests::*;
use domo_native::model::schema::{Column, ColumnType, Schema};
use domo_native::model::streams::StreamRequest;
use domo_native::{
    DatasetSearch, ErrorKind, HeaderMode, UploadAction, UploadOptions, UploadSource,
};
use futures_util::TryStreamExt;

fn kv_columns() -> Vec<Column> {
    vec![
        Column::new("id", ColumnType::Long),
        Column::new("v", ColumnType::String),
    ]
}

fn opts(action: UploadAction, part_size: usize) -> UploadOptions {
    UploadOptions::new(action)
        .part_size(part_size)
        .concurrency(3)
        .header(HeaderMode::Absent)
}

async fn sorted_rows(c: &domo_native::Client, id: &str) -> Vec<String> {
    let csv = export_rows_csv(c, id).await;
    let mut rows: Vec<String> = String::from_utf8(csv.to_vec())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn list_search_create_rename_describe_whoami_delete() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let created = c
        .create_dataset({
            let mut n = NewDataset::new("Lifecycle Sales", kv_columns()).without_stream();
            if let Some(d) = Some("first") {
                n = n.description(d);
            }
            n
        })
        .await
        .unwrap();
    let id = created.dataset_id.into_string();
    for i in 0..3 {
        c.create_dataset(NewDataset::new(format!("Other {i}"), kv_columns()).without_stream())
            .await
            .unwrap();
    }
    let all: Vec<_> = c.datasets().try_collect().await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.iter().any(|d| d.id == id));

    let hits: Vec<_> = c
        .search_datasets(DatasetSearch::text("SALES"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].dataset_id(), id);
    let others: Vec<_> = c
        .search_datasets(DatasetSearch {
            page_size: 1,
            ..DatasetSearch::text("other")
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(others.len(), 3, "pages of one until an empty page");
    let mine: Vec<_> = c
        .search_datasets(DatasetSearch::default().owner("1"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(mine.len(), 4);
    let nobody: Vec<_> = c
        .search_datasets(DatasetSearch::default().owner("999"))
        .try_collect()
        .await
        .unwrap();
    assert!(nobody.is_empty());

    c.rename_dataset(&id, "Renamed").await.unwrap();
    c.describe_dataset(&id, "second").await.unwrap();
    let d = c.dataset(&id).await.unwrap();
    assert_eq!(d.name.as_deref(), Some("Renamed"));
    assert_eq!(d.description.as_deref(), Some("second"));

    let me = c.whoami().await.unwrap();
    assert_eq!(me.id.as_u64(), Some(1));

    c.delete_dataset(&id).await.unwrap();
    let e = c.dataset(&id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let all: Vec<_> = c.datasets().try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn upsert_replaces_by_key_within_and_across_parts_with_a_verified_count() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = c
        .create_dataset(NewDataset::new("Upserts", kv_columns()).without_stream())
        .await
        .unwrap()
        .dataset_id
        .into_string();

    // No keys yet: refused before anything is sent.
    let e = c
        .upload(
            &id,
            UploadSource::bytes("1,a\n"),
            &opts(UploadAction::Upsert, 1 << 20),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string().contains(&id) && e.to_string().contains("upsert key"),
        "{e}"
    );
    assert!(c.data_versions(&id).await.unwrap().is_empty());

    let report = c
        .upload(
            &id,
            UploadSource::bytes("1,a\n2,b\n3,c\n"),
            &opts(UploadAction::Replace, 1 << 20),
        )
        .await
        .unwrap();
    assert_eq!(report.verified_rows, Some(3));
    assert!(report.version_id.is_some());

    let mut schema = c
        .send(&domo_native::core::schema::GetLatestSchema {
            dataset_id: (&id).into(),
        })
        .await
        .unwrap()
        .schema;
    schema.columns[0].upsert_key = Some(true);
    c.alter_schema(&id, &schema).await.unwrap();
    let keys: Vec<String> = c
        .send(&domo_native::core::schema::GetLatestSchema {
            dataset_id: (&id).into(),
        })
        .await
        .unwrap()
        .schema
        .upsert_keys()
        .map(str::to_owned)
        .collect();
    assert_eq!(keys, ["id"]);

    // Key 2 twice in one part, key 3 in two parts (tiny parts: 4 bytes
    // each row), key 4 new: the last row with a key wins.
    let csv = "2,b1\n2,b2\n3,c1\n4,d\n3,c2\n";
    let report = c
        .upload(
            &id,
            UploadSource::bytes(csv),
            &opts(UploadAction::Upsert, 6),
        )
        .await
        .unwrap();
    assert!(report.parts > 1, "{} parts", report.parts);
    assert_eq!(report.rows, 5);
    assert_eq!(
        report.verified_rows,
        Some(5),
        "the version counts the rows received"
    );
    assert_eq!(sorted_rows(&c, &id).await, ["1,a", "2,b2", "3,c2", "4,d"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_schema_change_that_would_lose_a_value_is_refused_and_nothing_changes() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = c
        .create_dataset(NewDataset::new("Alter", kv_columns()).without_stream())
        .await
        .unwrap()
        .dataset_id
        .into_string();
    c.upload(
        &id,
        UploadSource::bytes("1,7\n2,x\n"),
        &opts(UploadAction::Replace, 1 << 20),
    )
    .await
    .unwrap();
    let before = c
        .send(&domo_native::core::schema::GetLatestSchema {
            dataset_id: (&id).into(),
        })
        .await
        .unwrap()
        .schema;
    let lossy = Schema::new(vec![
        Column::new("id", ColumnType::Long),
        Column::new("v", ColumnType::Long),
    ]);
    let e = c.alter_schema(&id, &lossy).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest, "{e}");
    assert!(
        e.to_string().contains('v') && e.to_string().contains('x'),
        "{e}"
    );
    assert_eq!(
        c.send(&domo_native::core::schema::GetLatestSchema {
            dataset_id: (&id).into()
        })
        .await
        .unwrap()
        .schema
        .columns
        .len(),
        before.columns.len()
    );
    assert_eq!(sorted_rows(&c, &id).await, ["1,7", "2,x"]);

    // An added column is null in the old rows.
    let mut wider = before.clone();
    wider.columns.push(Column::new("w", ColumnType::Double));
    c.alter_schema(&id, &wider).await.unwrap();
    assert_eq!(
        c.send(&domo_native::core::schema::GetLatestSchema {
            dataset_id: (&id).into()
        })
        .await
        .unwrap()
        .schema
        .columns
        .len(),
        3
    );
    assert_eq!(
        c.query(&id, "SELECT COUNT(*) FROM table WHERE w IS NULL")
            .await
            .unwrap()
            .rows[0][0],
        2
    );
    emu.shutdown().await;
}

async fn append_stream(c: &domo_native::Client, name: &str) -> (String, String) {
    let request = StreamRequest {
        update_method: Some("APPEND".into()),
        ..StreamRequest::api_dataset(name, "", kv_columns())
    };
    let stream = c.create_stream(request).await.unwrap();
    (
        stream.id.to_string(),
        stream.dataset_id().unwrap().to_owned(),
    )
}

fn kv_rows(from: u64, n: u64) -> String {
    (from..from + n)
        .map(|i| format!("{i},\"v, {i}\"\n"))
        .collect()
}

#[tokio::test]
async fn a_stream_execution_load_under_faults_lands_exactly_once() {
    let mut cfg = config();
    cfg.faults = "429=0.1,503=0.05,reset=0.02,retry-after=0".parse().unwrap();
    cfg.fault_seed = 11;
    let emu = start(cfg).await;
    let c = client(&emu, ADMIN);
    let (sid, id) = append_stream(&c, "Stream loads").await;
    let csv = kv_rows(0, 2000);
    let report = c
        .upload_via_stream(
            &sid,
            UploadSource::bytes(csv.clone()),
            &opts(UploadAction::Append, 2000),
        )
        .await
        .unwrap();
    assert!(report.parts > 10, "{} parts", report.parts);
    assert_eq!(report.rows, 2000);
    assert_eq!(report.verified_rows, Some(2000));
    let mut want: Vec<String> = csv.lines().map(str::to_owned).collect();
    want.sort();
    let export = export_rows_csv(&c, &id).await;
    let mut got: Vec<String> = String::from_utf8(export.to_vec())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    got.sort();
    assert_eq!(got.len(), 2000, "exactly once");
    assert_eq!(got, want);

    // The stream's action is the stream's: a REPLACE is refused up front.
    let e = c
        .upload_via_stream(
            &sid,
            UploadSource::bytes("1,a\n"),
            &opts(UploadAction::Replace, 2000),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_stream_load_whose_part_cannot_be_sent_is_aborted() {
    let mut cfg = config();
    cfg.max_body_bytes = 4096;
    let emu = start(cfg).await;
    let c = client(&emu, ADMIN);
    let (sid, id) = append_stream(&c, "Aborted").await;
    // One part larger than the server accepts: 413, not retried.
    let e = c
        .upload_via_stream(
            &sid,
            UploadSource::bytes(kv_rows(0, 1000)),
            &opts(UploadAction::Append, 1 << 20),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PayloadTooLarge, "{e}");
    assert!(e.to_string().contains("aborted"), "{e}");
    let history = c.stream_history(&sid).await.unwrap();
    let last = history
        .iter()
        .max_by_key(|x| x.execution_id.as_ref().and_then(|i| i.as_u64()))
        .unwrap();
    assert_eq!(
        last.current_state.as_deref(),
        Some("ABORTED"),
        "{history:?}"
    );
    assert!(
        history
            .iter()
            .all(|x| x.current_state.as_deref() != Some("ACTIVE")),
        "no execution left open: {history:?}"
    );
    assert_eq!(c.dataset(&id).await.unwrap().row_count().unwrap_or(0), 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn deleting_a_dataset_during_an_upload_makes_the_commit_a_clear_404() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = c
        .create_dataset(NewDataset::new("Doomed", kv_columns()).without_stream())
        .await
        .unwrap()
        .dataset_id
        .into_string();
    let session = start_upload(&c, &id).await.unwrap();
    let upload_id = session.upload_id.to_string();
    upload_part(&c, &id, &upload_id, 1, "1,a\n").await.unwrap();
    c.delete_dataset(&id).await.unwrap();
    let e = commit_upload(&c, &id, &upload_id, UploadAction::Append)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(
        e.to_string().contains(&id) || e.path().is_some_and(|p| p.contains(&id)),
        "{e}"
    );
    assert_eq!(
        c.dataset(&id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let all: Vec<_> = c.datasets().try_collect().await.unwrap();
    assert!(all.iter().all(|d| d.id != id), "nothing reappears");
    // The whole-upload path says the same.
    let e = c
        .upload(
            &id,
            UploadSource::bytes("1,a\n"),
            &opts(UploadAction::Append, 1 << 20),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    emu.shutdown().await;
}
