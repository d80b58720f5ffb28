//! The browser package's model declarations (`crates/domo-wasm/src/model.d.ts`)
//! are generated from domo-model, so TypeScript sees exactly the Rust types'
//! field names, optionality and shapes. This test fails when the file is not
//! what the model generates today; `UPDATE_TS=1` rewrites it.

use std::path::Path;

#[test]
fn model_declarations_are_generated_from_the_model() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/domo-wasm/src/model.d.ts");
    let generated = domo_model::typescript::declarations();
    if std::env::var_os("UPDATE_TS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is not what domo-model generates; run `UPDATE_TS=1 cargo test -p \
         domo-integration-tests --test typescript` and commit the result",
        path.display()
    );
}

/// Spot checks of the generated text: serde's names and optional fields
/// carry over, and the extra (flattened) fields are open.
#[test]
fn generated_declarations_follow_serde() {
    let d = domo_model::typescript::declarations();
    assert!(d.contains("export type Dataset = {"), "{d}");
    assert!(d.contains("rowCount?: number | null"), "{d}");
    assert!(d.contains("tags?: Array<string> | null"), "{d}");
    assert!(d.contains("type: ColumnType"), "{d}");
    assert!(d.contains("export type StreamTransport = {"), "{d}");
    assert!(d.contains("indexId?: Id | null"), "{d}");
    assert!(d.contains("upsertKey?: boolean | null"), "{d}");
    assert!(d.contains("_metaData?: ListMeta | null"), "{d}");
    assert!(d.contains("databaseId: DatasetId"), "{d}");
    assert!(d.contains("export type DatasetId = string;"), "{d}");
    assert!(
        d.contains("export type UploadAction = \"APPEND\" | \"REPLACE\" | \"UPSERT\";"),
        "{d}"
    );
}
