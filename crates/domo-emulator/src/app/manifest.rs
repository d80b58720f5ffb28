//! The app's `manifest.json`: which datasets it maps (`datasetsMapping`,
//! and the older `mapping`), under which field names, and which AppDB
//! collections it declares. Checked whole at startup: a bad manifest is
//! refused with the key path of the first problem and what was expected.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::csvio::ColumnType;
use crate::store::is_stored_table;

/// One field of a mapping: the app's name for a dataset column.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FieldAlias {
    pub alias: String,
    pub column_name: String,
}

/// A dataset the app reaches as `/data/v1|v2/{alias}` and `/sql/v1/{alias}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Mapping {
    pub alias: String,
    pub data_set_id: String,
    /// Empty (or missing): every column, under its own name.
    #[serde(default)]
    pub fields: Vec<FieldAlias>,
}

/// A column of an AppDB collection's schema (what a sync writes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SchemaColumn {
    pub name: String,
    pub ty: ColumnType,
}

/// An AppDB collection the manifest declares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CollectionDecl {
    pub name: String,
    /// `None`: no schema (the collection cannot sync).
    pub schema: Option<Vec<SchemaColumn>>,
    pub sync_enabled: bool,
}

/// `{name, type}` of a schema column as sent, its type still text.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ColumnSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// `{"columns": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SchemaSpec {
    pub columns: Vec<ColumnSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCollection {
    name: String,
    #[serde(default)]
    schema: Option<SchemaSpec>,
    #[serde(default)]
    sync_enabled: bool,
}

/// What the emulator reads; other keys (version, size, fullpage, id,
/// collection `filters`, ...) are accepted and not acted on.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    datasets_mapping: Vec<Mapping>,
    #[serde(default)]
    mapping: Vec<Mapping>,
    #[serde(default)]
    collections: Vec<RawCollection>,
    #[serde(default)]
    flags: Map<String, Value>,
}

/// The checked manifest.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    /// The app's `name` (the host page's title).
    pub name: String,
    /// `datasetsMapping` then `mapping`; aliases are unique ignoring case.
    pub mapping: Vec<Mapping>,
    pub collections: Vec<CollectionDecl>,
    /// `flags."authentication-cookies-disabled"`: no `ryuu_sid` cookie is
    /// set or read, so a request must carry the session id itself.
    pub cookies_disabled: bool,
}

/// A name an app puts in a URL path segment.
fn check_path_name(at: &str, what: &str, name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.trim() != name {
        return Err(format!(
            "`{at}`: expected a non-empty {what} without surrounding spaces, got `{name}`"
        ));
    }
    if name.contains(['/', '\\', '?', '#', '%']) {
        return Err(format!(
            "`{at}`: expected a {what} without / \\ ? # or %, got `{name}`"
        ));
    }
    Ok(())
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let raw: RawManifest = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." || path.is_empty() {
                inner.to_string()
            } else {
                format!("`{path}`: {inner}")
            }
        })?;
        let mut mapping = Vec::new();
        let mut aliases = HashSet::new();
        for (key, list) in [
            ("datasetsMapping", raw.datasets_mapping),
            ("mapping", raw.mapping),
        ] {
            for (i, m) in list.into_iter().enumerate() {
                check_mapping(&format!("{key}[{i}]"), &m, &mut aliases)?;
                mapping.push(m);
            }
        }
        let mut collections = Vec::new();
        let mut names = HashSet::new();
        for (i, c) in raw.collections.into_iter().enumerate() {
            let at = format!("collections[{i}]");
            collections.push(check_collection(&at, c, &mut names)?);
        }
        let cookies_disabled = match raw.flags.get("authentication-cookies-disabled") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(format!(
                    "`flags.authentication-cookies-disabled`: expected true or false, got {other}"
                ));
            }
        };
        Ok(Manifest {
            name: raw.name.unwrap_or_else(|| "Custom app".to_owned()),
            mapping,
            collections,
            cookies_disabled,
        })
    }

    pub fn mapping(&self, alias: &str) -> Option<&Mapping> {
        self.mapping.iter().find(|m| m.alias == alias)
    }

    /// The aliases, for messages.
    pub fn aliases(&self) -> String {
        if self.mapping.is_empty() {
            return "none".to_owned();
        }
        self.mapping
            .iter()
            .map(|m| m.alias.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Aliases must be unique and usable as a path segment and as an SQL
/// name that cannot shadow one of the emulator's own tables.
fn check_mapping(at: &str, m: &Mapping, aliases: &mut HashSet<String>) -> Result<(), String> {
    check_path_name(&format!("{at}.alias"), "dataset alias", &m.alias)?;
    if is_stored_table(&m.alias) {
        return Err(format!(
            "`{at}.alias`: `{}` is reserved (it names one of the emulator's tables); expected another alias",
            m.alias
        ));
    }
    if !aliases.insert(m.alias.to_ascii_lowercase()) {
        return Err(format!(
            "`{at}.alias`: `{}` is used twice (aliases are compared ignoring case, as SQL names are); expected a unique alias",
            m.alias
        ));
    }
    if m.data_set_id.trim().is_empty() {
        return Err(format!("`{at}.dataSetId`: expected a dataset id, got \"\""));
    }
    let mut fields = HashSet::new();
    for (j, f) in m.fields.iter().enumerate() {
        if f.alias.trim().is_empty() {
            return Err(format!(
                "`{at}.fields[{j}].alias`: expected a non-empty field alias"
            ));
        }
        if f.column_name.is_empty() {
            return Err(format!(
                "`{at}.fields[{j}].columnName`: expected the name of a column of dataset {}",
                m.data_set_id
            ));
        }
        if !fields.insert(f.alias.as_str()) {
            return Err(format!(
                "`{at}.fields[{j}].alias`: `{}` is used twice in alias `{}`; expected unique field aliases",
                f.alias, m.alias
            ));
        }
    }
    Ok(())
}

fn check_collection(
    at: &str,
    c: RawCollection,
    names: &mut HashSet<String>,
) -> Result<CollectionDecl, String> {
    check_path_name(&format!("{at}.name"), "collection name", &c.name)?;
    if !names.insert(c.name.clone()) {
        return Err(format!(
            "`{at}.name`: `{}` is declared twice; expected unique collection names",
            c.name
        ));
    }
    let schema = match c.schema {
        None => None,
        Some(s) => Some(check_schema(&format!("{at}.schema"), s.columns)?),
    };
    if c.sync_enabled && schema.as_ref().is_none_or(Vec::is_empty) {
        return Err(format!(
            "`{at}.schema.columns`: collection `{}` has syncEnabled, so it needs a schema with at least one column",
            c.name
        ));
    }
    Ok(CollectionDecl {
        name: c.name,
        schema,
        sync_enabled: c.sync_enabled,
    })
}

/// A collection schema's columns, as the manifest and `POST
/// /domo/datastores/v1/collections` give them.
pub(crate) fn check_schema(
    at: &str,
    columns: Vec<ColumnSpec>,
) -> Result<Vec<SchemaColumn>, String> {
    let mut seen = HashSet::new();
    columns
        .into_iter()
        .enumerate()
        .map(|(k, col)| {
            if col.name.trim().is_empty() {
                return Err(format!("`{at}.columns[{k}].name`: expected a column name"));
            }
            if !seen.insert(col.name.to_ascii_lowercase()) {
                return Err(format!(
                    "`{at}.columns[{k}].name`: `{}` is used twice (column names are compared ignoring case)",
                    col.name
                ));
            }
            let ty = ColumnType::parse(&col.ty.to_ascii_uppercase()).ok_or_else(|| {
                format!(
                    "`{at}.columns[{k}].type`: expected one of STRING, LONG, DECIMAL, DOUBLE, DATE, DATETIME, got `{}`",
                    col.ty
                )
            })?;
            Ok(SchemaColumn { name: col.name, ty })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_mapping_keys_collections_and_flags() {
        let m = Manifest::parse(
            br#"{"name":"A","version":"1.0.0","size":{"width":2,"height":2},
                "datasetsMapping":[{"alias":"sales","dataSetId":"x","fields":[{"alias":"r","columnName":"Region"}]}],
                "mapping":[{"alias":"all","dataSetId":"y"}],
                "collections":[{"name":"notes","schema":{"columns":[{"name":"n","type":"LONG"},{"name":"when","type":"date"}]},"syncEnabled":true},
                               {"name":"scratch"}],
                "flags":{"authentication-cookies-disabled":true}}"#,
        )
        .unwrap();
        assert_eq!(m.name, "A");
        assert_eq!(m.mapping("sales").unwrap().fields[0].column_name, "Region");
        assert!(m.mapping("all").unwrap().fields.is_empty());
        assert!(m.mapping("ALL").is_none());
        assert_eq!(m.aliases(), "sales, all");
        assert_eq!(
            m.collections[0].schema.as_deref().unwrap(),
            [
                SchemaColumn {
                    name: "n".into(),
                    ty: ColumnType::Long
                },
                SchemaColumn {
                    name: "when".into(),
                    ty: ColumnType::Date
                }
            ]
        );
        assert!(m.collections[0].sync_enabled);
        assert_eq!(m.collections[1].schema, None);
        assert!(m.cookies_disabled);
    }

    #[test]
    fn rejects_bad_manifests_with_the_key_path_and_what_was_expected() {
        for (json, needles) in [
            (
                r#"{"mapping": 3}"#,
                &["`mapping`", "expected a sequence"][..],
            ),
            (
                r#"{"datasetsMapping":[{"alias":"a"}]}"#,
                &["`datasetsMapping[0]`", "dataSetId"],
            ),
            (
                r#"{"datasetsMapping":[{"alias":"a","dataSetId":"x"}],"mapping":[{"alias":"A","dataSetId":"y"}]}"#,
                &["`mapping[0].alias`", "used twice"],
            ),
            (
                r#"{"mapping":[{"alias":"datasets","dataSetId":"x"}]}"#,
                &["`mapping[0].alias`", "reserved"],
            ),
            (
                r#"{"datasetsMapping":[{"alias":"sqlite_master","dataSetId":"x"}]}"#,
                &["reserved"],
            ),
            (
                r#"{"datasetsMapping":[{"alias":"a/b","dataSetId":"x"}]}"#,
                &["`datasetsMapping[0].alias`", "without /"],
            ),
            (
                r#"{"datasetsMapping":[{"alias":"a","dataSetId":" "}]}"#,
                &["`datasetsMapping[0].dataSetId`", "expected a dataset id"],
            ),
            (
                r#"{"mapping":[{"alias":"a","dataSetId":"x","fields":[{"alias":"f","columnName":"A"},{"alias":"f","columnName":"B"}]}]}"#,
                &["`mapping[0].fields[1].alias`", "used twice"],
            ),
            (
                r#"{"datasetsMapping":[{"alias":"a","dataSetId":"x","fields":[{"alias":"f"}]}]}"#,
                &["`datasetsMapping[0].fields[0]`", "columnName"],
            ),
            (
                r#"{"collections":[{"name":"c","schema":{"columns":[{"name":"n","type":"NUMBER"}]}}]}"#,
                &[
                    "`collections[0].schema.columns[0].type`",
                    "expected one of STRING, LONG, DECIMAL, DOUBLE, DATE, DATETIME, got `NUMBER`",
                ],
            ),
            (
                r#"{"collections":[{"name":"c","syncEnabled":true}]}"#,
                &["`collections[0].schema.columns`", "syncEnabled"],
            ),
            (
                r#"{"collections":[{"name":"c"},{"name":"c"}]}"#,
                &["`collections[1].name`", "declared twice"],
            ),
            (
                r#"{"collections":[{"schema":{"columns":[]}}]}"#,
                &["`collections[0]`", "name"],
            ),
            (
                r#"{"collections":[{"name":"c","syncEnabled":"yes"}]}"#,
                &["`collections[0].syncEnabled`", "expected a boolean"],
            ),
            (
                r#"{"flags":{"authentication-cookies-disabled":"yes"}}"#,
                &[
                    "`flags.authentication-cookies-disabled`",
                    "expected true or false",
                ],
            ),
            ("{", &["EOF"]),
        ] {
            let e = Manifest::parse(json.as_bytes()).unwrap_err();
            for needle in needles {
                assert!(e.contains(needle), "{json}: {e}");
            }
        }
    }
}
