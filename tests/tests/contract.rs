//! The contract suite: every domo-native method against the real emulator
//! over real sockets, with values round-tripped.

use domo_integration_tests::*;
use domo_native::DataWindow;
use domo_native::model::permissions::{AccessLevel, Permission, PrincipalRef};
use domo_native::model::schema::ColumnType;
use domo_native::model::streams::StreamRequest;
use domo_native::{ErrorKind, UploadAction};
use serde_json::json;

const HEADER: &str = "id,name,score,price,day,at\n";

#[tokio::test]
async fn every_method_round_trips_against_the_emulator() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);

    // Create through a stream, then read it back every way.
    let created = c
        .create_dataset(NewDataset::new("Contract", all_types()).description("round trip"))
        .await
        .unwrap();
    let id = created.dataset_id.to_string();
    let sid = created.stream_id.clone().unwrap().to_string();
    assert_eq!(
        c.stream(&sid).await.unwrap().dataset_id(),
        Some(id.as_str())
    );
    let found = c.search_streams(&id).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(Some(found[0].id.clone()), created.stream_id);

    let ds = c.dataset(&id).await.unwrap();
    assert_eq!(ds.name.as_deref(), Some("Contract"));
    assert_eq!(ds.row_count(), Some(0));
    assert_eq!(ds.column_count(), Some(6));
    let meta = c
        .send(&domo_native::core::datasets::GetDataset {
            requested_parts: ["core", "permission"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ..domo_native::core::datasets::GetDataset::new(&id)
        })
        .await
        .unwrap();
    assert_eq!(meta.id, id);

    let names = |cols: &[domo_native::model::schema::Column]| {
        cols.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
    };
    let expected = ["id", "name", "score", "price", "day", "at"];
    assert_eq!(names(&c.schema(&id).await.unwrap().columns), expected);
    let latest = c
        .send(&domo_native::core::schema::GetLatestSchema {
            dataset_id: (&id).into(),
        })
        .await
        .unwrap();
    assert_eq!(names(&latest.schema.columns), expected);
    assert_eq!(latest.schema.columns[4].kind, ColumnType::Date);
    let indexed = c
        .send(&domo_native::core::schema::GetIndexedSchema {
            dataset_id: (&id).into(),
            include_hidden: false,
        })
        .await
        .unwrap()
        .into_schema();
    assert_eq!(names(&indexed.columns), expected);
    assert_eq!(indexed.columns[5].kind, ColumnType::DateTime);

    // Upload in several parts, then every read path returns what went in.
    let csv = rows(0, 250);
    let opts = UploadOptions::new(UploadAction::Replace)
        .part_size(2_000)
        .concurrency(3);
    c.upload(&id, UploadSource::bytes(csv.clone()), &opts)
        .await
        .unwrap();
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(250));

    let export = export_csv(&c, &id).await;
    assert_eq!(
        String::from_utf8(export.to_vec()).unwrap(),
        format!("{HEADER}{csv}"),
        "export is byte for byte"
    );
    let export = export_rows_csv(&c, &id).await;
    assert_eq!(String::from_utf8(export.to_vec()).unwrap(), csv);
    let mut streamed = Vec::new();
    c.export_to(&id, &mut streamed, &ExportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(streamed).unwrap(),
        format!("{HEADER}{csv}")
    );
    let data_csv = c.data_csv(&id, &DataWindow::all()).await.unwrap();
    assert_eq!(
        String::from_utf8(data_csv.to_vec()).unwrap(),
        format!("{HEADER}{csv}")
    );

    let page = c
        .data(&id, &DataWindow::all().offset(10).limit(5))
        .await
        .unwrap();
    assert_eq!(page.columns, expected);
    assert_eq!(page.rows.len(), 5);
    assert_eq!(page.rows[0][0], 10);
    assert_eq!(page.rows[0][1], "quote \"10\"");
    assert_eq!(page.rows[1][1], "line\nbreak 11");
    assert_eq!(page.rows[2][1], "plain 12");
    assert_eq!(page.rows[3][1], "comma, 13");
    assert_eq!(page.rows[0][4], "2024-11-11");
    let seventeen = c
        .data(&id, &DataWindow::all().offset(17).limit(1))
        .await
        .unwrap();
    assert_eq!(seventeen.rows[0][2], serde_json::Value::Null, "\\N is null");

    // SQL: filters, aggregates, GROUP BY, ORDER BY, LIMIT/OFFSET.
    let q = c
        .query(
            &id,
            "SELECT COUNT(*) AS n, SUM(id) AS total FROM table WHERE id >= 100",
        )
        .await
        .unwrap();
    assert_eq!(q.columns, ["n", "total"]);
    assert_eq!(q.rows[0][0], 150);
    assert_eq!(q.rows[0][1], (100..250).sum::<u64>());
    let q = c
        .query(&id, "SELECT id % 4 AS k, COUNT(*) AS n FROM table GROUP BY id % 4 ORDER BY k DESC LIMIT 2 OFFSET 1")
        .await
        .unwrap();
    assert_eq!(
        q.rows,
        vec![vec![json!(2), json!(62)], vec![json!(1), json!(63)]]
    );
    let q = c
        .query(&id, "SELECT name, score FROM table WHERE id = 3")
        .await
        .unwrap();
    assert_eq!(q.rows[0][0], "line\nbreak 3");
    assert_eq!(q.rows[0][1], 3.5);
    assert_eq!(q.column_type(0), Some(&ColumnType::String));
    assert_eq!(q.column_type(1), Some(&ColumnType::Double));
    assert_eq!(q.num_rows, 1);

    // Append a row; tags; versions; indexes.
    c.append_row(
        &id,
        "1000,appended,1.5,2.25,2024-05-06,2024-05-06T07:08:09",
        ',',
    )
    .await
    .unwrap();
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(251));
    c.set_tags(&id, vec!["finance".into(), "daily".into()])
        .await
        .unwrap();
    c.set_tags(&id, vec!["only".into()]).await.unwrap();
    assert_eq!(
        c.dataset(&id).await.unwrap().tags,
        Some(vec!["only".to_owned()]),
        "tags replace"
    );
    let versions = c.data_versions(&id).await.unwrap();
    assert!(!versions.is_empty());
    assert_eq!(versions[0].row_count, Some(250));
    let job = c.start_index(&id).await.unwrap();
    let index_id = job.index_id.expect("index id").to_string();
    assert!(c.index_status(&id, &index_id).await.unwrap().is_done());

    // Streams: update, run, history.
    let update = StreamRequest {
        update_method: Some("APPEND".into()),
        ..StreamRequest::default()
    };
    let updated = c.update_stream(&sid, update).await.unwrap();
    assert_eq!(updated.update_method.as_deref(), Some("APPEND"));
    let run = c.run_stream(&sid).await.unwrap();
    assert!(run.execution_id.is_some());
    let history = c.stream_history(&sid).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].execution_id, run.execution_id);

    // Permissions.
    c.share(
        &id,
        vec![
            Permission::user(2u64, AccessLevel::CanShare),
            Permission::user(3u64, AccessLevel::CanEdit),
        ],
        &ShareOptions::default(),
    )
    .await
    .unwrap();
    let perms = c.permissions(&id).await.unwrap();
    let level = |user: &str| {
        perms
            .list
            .iter()
            .find(|p| p.id.to_string() == user)
            .map(|p| p.access_level.clone())
    };
    assert_eq!(level("1"), Some(AccessLevel::Owner));
    assert_eq!(level("2"), Some(AccessLevel::CanShare));
    assert_eq!(level("3"), Some(AccessLevel::CanEdit));
    c.revoke_user(&id, "2").await.unwrap();
    c.share(
        &id,
        vec![
            Permission::user(2u64, AccessLevel::CanEdit),
            Permission::user(4u64, AccessLevel::CanEdit),
        ],
        &ShareOptions::default(),
    )
    .await
    .unwrap();
    c.remove_user(&id, "3").await.unwrap();
    c.remove_users(&id, vec![PrincipalRef::user("2"), PrincipalRef::user("4")])
        .await
        .unwrap();
    let perms = c.permissions(&id).await.unwrap();
    assert_eq!(perms.list.len(), 1, "{perms:?}");

    emu.shutdown().await;
}

#[tokio::test]
async fn append_and_replace_counts_and_versions() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Counts").await;

    c.upload(
        &id,
        UploadSource::bytes(rows(0, 10)),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    c.upload(
        &id,
        UploadSource::bytes(rows(10, 15)),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(25));
    c.upload(
        &id,
        UploadSource::bytes(rows(100, 7)),
        &UploadOptions::new(UploadAction::Replace),
    )
    .await
    .unwrap();
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(7));
    let q = c
        .query(&id, "SELECT MIN(id), MAX(id) FROM table")
        .await
        .unwrap();
    assert_eq!(q.rows[0], vec![json!(100), json!(106)]);

    let versions = c.data_versions(&id).await.unwrap();
    let counts: Vec<_> = versions.iter().map(|v| v.row_count).collect();
    assert_eq!(counts, [Some(10), Some(15), Some(7)]);
    let ids: Vec<_> = versions
        .iter()
        .map(|v| v.data_version_id.clone().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] != w[1]));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_failed_commit_changes_nothing() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Atomic").await;
    c.upload(
        &id,
        UploadSource::bytes(rows(0, 20)),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    let before = export_csv(&c, &id).await;
    let versions_before = c.data_versions(&id).await.unwrap().len();

    // Part 2, row 2 has a text where a LONG belongs.
    let mut bad = rows(20, 3);
    bad.push_str("not-a-number,x,1.5,1.25,2024-01-01,2024-01-01T00:00:00\n");
    let good = rows(30, 3);
    let session = start_upload(&c, &id).await.unwrap();
    let up = session.upload_id.to_string();
    upload_part(&c, &id, &up, 1, good).await.unwrap();
    upload_part(&c, &id, &up, 2, bad).await.unwrap();
    let e = commit_upload(&c, &id, &up, UploadAction::Replace)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    let msg = e.message().to_lowercase();
    assert!(
        msg.contains("part 2") && msg.contains("row 4") && msg.contains("id"),
        "{e}"
    );

    assert_eq!(
        export_csv(&c, &id).await,
        before,
        "the dataset is exactly as it was"
    );
    assert_eq!(c.data_versions(&id).await.unwrap().len(), versions_before);
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(20));

    // A wrong column count is caught before sending when the header is
    // checked, and by the server when the caller declares no header.
    let e = c
        .upload(
            &id,
            UploadSource::bytes("1,2,3\n"),
            &UploadOptions::new(UploadAction::Append),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.message()
            .contains("has 3 fields but the dataset has 6 columns"),
        "{e}"
    );
    let declared = UploadOptions::new(UploadAction::Append).header(domo_native::HeaderMode::Absent);
    let e = c
        .upload(&id, UploadSource::bytes("1,2,3\n"), &declared)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.message().contains("part 1"), "{e}");
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(20));

    // Committing twice never applies twice.
    let session = start_upload(&c, &id).await.unwrap();
    let up = session.upload_id.to_string();
    upload_part(&c, &id, &up, 1, rows(50, 2)).await.unwrap();
    let commit = UploadAction::Append;
    commit_upload(&c, &id, &up, commit).await.unwrap();
    let e = commit_upload(&c, &id, &up, commit).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(22));
    emu.shutdown().await;
}

#[tokio::test]
async fn permissions_are_enforced_per_access_level() {
    let emu = emulator().await;
    let admin = client(&emu, ADMIN);
    let alice = client(&emu, ALICE); // will be CAN_SHARE
    let bob = client(&emu, BOB); // will be CAN_EDIT
    let carol = client(&emu, CAROL); // no access
    let id = new_dataset(&admin, "Guarded").await;
    admin
        .upload(
            &id,
            UploadSource::bytes(rows(0, 3)),
            &UploadOptions::new(UploadAction::Append),
        )
        .await
        .unwrap();

    // No access: 403 on every endpoint of the dataset.
    for e in [
        carol.dataset(&id).await.err(),
        carol.schema(&id).await.err(),
        carol.query(&id, "SELECT * FROM table").await.err(),
        carol
            .send(&ExportCsv {
                dataset_id: (&id).into(),
                include_header: true,
            })
            .await
            .err(),
        carol.permissions(&id).await.err(),
        carol.data_versions(&id).await.err(),
        carol
            .upload(
                &id,
                UploadSource::bytes(rows(9, 1)),
                &UploadOptions::new(UploadAction::Append),
            )
            .await
            .err(),
        carol.set_tags(&id, vec!["x".into()]).await.err(),
    ] {
        let e = e.expect("refused");
        assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    }

    admin
        .share(
            &id,
            vec![
                Permission::user(2u64, AccessLevel::CanShare),
                Permission::user(3u64, AccessLevel::CanEdit),
            ],
            &ShareOptions::default(),
        )
        .await
        .unwrap();
    // CAN_SHARE reads and shares, but does not edit.
    alice
        .query(&id, "SELECT COUNT(*) FROM table")
        .await
        .unwrap();
    assert_eq!(
        alice
            .upload(
                &id,
                UploadSource::bytes(rows(9, 1)),
                &UploadOptions::new(UploadAction::Append)
            )
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    alice
        .share(
            &id,
            vec![Permission::user(4u64, AccessLevel::CanShare)],
            &ShareOptions::default(),
        )
        .await
        .unwrap();
    carol.dataset(&id).await.unwrap();
    // CAN_EDIT edits, but does not share.
    bob.upload(
        &id,
        UploadSource::bytes(rows(10, 2)),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    bob.set_tags(&id, vec!["edited".into()]).await.unwrap();
    assert_eq!(
        bob.share(
            &id,
            vec![Permission::user(5u64, AccessLevel::CanEdit)],
            &ShareOptions::default()
        )
        .await
        .unwrap_err()
        .kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(admin.dataset(&id).await.unwrap().row_count(), Some(5));

    // Revocation takes effect on the next request.
    admin.revoke_user(&id, "4").await.unwrap();
    assert_eq!(
        carol.dataset(&id).await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );

    // Unknown or missing token: 401.
    let stranger = client(&emu, "no-such-token");
    assert_eq!(
        stranger.dataset(&id).await.unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    let anonymous = domo_native::Client::builder()
        .base_url(emu.url())
        .credentials(domo_core::Credentials::None)
        .build()
        .unwrap();
    assert_eq!(
        anonymous.dataset(&id).await.unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn partitions_from_data_tags() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Partitioned").await;
    for (tag, from, n) in [("2024-01", 0, 4), ("2024-02", 10, 6), ("2024-01", 20, 2)] {
        let opts = UploadOptions::new(UploadAction::Append).partition(tag);
        c.upload(&id, UploadSource::bytes(rows(from, n)), &opts)
            .await
            .unwrap();
    }
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(12));
    let all = c.partitions(&id).await.unwrap();
    assert_eq!(all.len(), 2);
    let jan = all
        .iter()
        .find(|p| p.partition_id.to_string() == "2024-01")
        .unwrap();
    assert_eq!(jan.row_count, Some(6));
    assert_eq!(c.partitions(&id).await.unwrap().len(), 2);
    let page = |limit, offset| domo_native::core::partitions::ListPartitionsPage {
        dataset_id: id.as_str().into(),
        limit,
        offset,
    };
    assert_eq!(c.send(&page(1, 1)).await.unwrap().len(), 1);
    assert!(c.send(&page(10, 2)).await.unwrap().is_empty());
    let found = c
        .search_partitions(&id, json!({"partitionId": "2024-02"}))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);

    c.delete_partition(&id, "2024-01").await.unwrap();
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(6));
    let left = c.partitions(&id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(
        c.delete_partition_tag(&id, "2024-01")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn sql_is_confined_to_its_dataset() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Confined").await;
    let other = new_dataset(&c, "Other").await;
    c.upload(
        &other,
        UploadSource::bytes(rows(0, 3)),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    for sql in [
        "SELECT * FROM sqlite_master".to_owned(),
        "SELECT name FROM sqlite_schema".to_owned(),
        format!("SELECT * FROM \"{other}\""),
        format!("SELECT * FROM table UNION SELECT * FROM \"{other}\""),
        "PRAGMA table_info(table)".to_owned(),
        "ATTACH DATABASE ':memory:' AS x".to_owned(),
        "DELETE FROM table".to_owned(),
        "SELECT 1; DELETE FROM table".to_owned(),
    ] {
        let e = c.query(&id, &sql).await.unwrap_err();
        assert_eq!(e.status(), Some(400), "{sql}: {e}");
    }
    let e = c.query(&id, "SELEC * FROM table").await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.message().to_lowercase().contains("syntax"), "{e}");
    assert_eq!(c.dataset(&other).await.unwrap().row_count(), Some(3));
    emu.shutdown().await;
}

#[tokio::test]
async fn restart_with_data_dir_keeps_committed_data() {
    let dir = std::env::temp_dir().join(format!("domo-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut cfg = config();
    cfg.data_dir = Some(dir.clone());

    let emu = start(cfg.clone()).await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Durable").await;
    c.upload(
        &id,
        UploadSource::bytes(rows(0, 40)),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    c.set_tags(&id, vec!["kept".into()]).await.unwrap();
    let before = export_csv(&c, &id).await;
    emu.shutdown().await;

    let emu = start(cfg).await;
    let c = client(&emu, ADMIN);
    assert_eq!(export_csv(&c, &id).await, before);
    let ds = c.dataset(&id).await.unwrap();
    assert_eq!(ds.row_count(), Some(40));
    assert_eq!(ds.tags, Some(vec!["kept".to_owned()]));
    assert_eq!(c.data_versions(&id).await.unwrap().len(), 1);
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
