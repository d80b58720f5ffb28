//! `domoctl dataset alter` (and `domoctl mcp`'s `alter_schema`): the edits
//! turned into the whole new column list the API takes. Every edit names a
//! column that must exist (or, for an addition, must not), so a typo is an
//! error here, before anything is sent. Messages name the edit as the
//! caller spelled it ([`Labels`]): a flag, or a tool argument.

use domo_native::model::schema::{Column, ColumnType};

/// What the messages call each kind of edit.
#[derive(Debug, Clone, Copy)]
pub struct Labels {
    pub drop: &'static str,
    pub rename: &'static str,
    pub retype: &'static str,
    pub add: &'static str,
    pub key: &'static str,
    pub no_key: &'static str,
}

/// `dataset alter`'s flags.
pub const FLAGS: Labels = Labels {
    drop: "--drop",
    rename: "--rename",
    retype: "--type",
    add: "--add",
    key: "--key",
    no_key: "--no-key",
};

/// The flags of `dataset alter`, in the order they apply.
#[derive(Debug, Default, Clone)]
pub struct Edits {
    pub drop: Vec<String>,
    pub rename: Vec<(String, String)>,
    pub retype: Vec<(String, ColumnType)>,
    pub add: Vec<Column>,
    pub key: Vec<String>,
    pub no_key: Vec<String>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.drop.is_empty()
            && self.rename.is_empty()
            && self.retype.is_empty()
            && self.add.is_empty()
            && self.key.is_empty()
            && self.no_key.is_empty()
    }

    /// The new column list: drops, renames, type changes, additions (at
    /// the end, in the order given), then key changes.
    pub fn apply(&self, current: &[Column]) -> Result<Vec<Column>, String> {
        self.apply_as(current, &FLAGS)
    }

    /// [`Edits::apply`], its messages naming the edits as `labels` do.
    pub fn apply_as(&self, current: &[Column], labels: &Labels) -> Result<Vec<Column>, String> {
        if self.is_empty() {
            return Err(format!(
                "nothing to change: give {}, {}, {}, {}, {} or {}",
                labels.add, labels.rename, labels.retype, labels.drop, labels.key, labels.no_key
            ));
        }
        let mut columns = current.to_vec();
        for name in &self.drop {
            let i = position(&columns, name, labels.drop)?;
            columns.remove(i);
        }
        for (old, new) in &self.rename {
            let i = position(&columns, old, labels.rename)?;
            if old != new && columns.iter().any(|c| &c.name == new) {
                return Err(format!(
                    "{} {old}={new}: a column named `{new}` exists already",
                    labels.rename
                ));
            }
            columns[i].name = new.clone();
        }
        for (name, kind) in &self.retype {
            let i = position(&columns, name, labels.retype)?;
            columns[i].kind = kind.clone();
        }
        for column in &self.add {
            if columns.iter().any(|c| c.name == column.name) {
                return Err(format!(
                    "{} {}:{}: a column named `{}` exists already",
                    labels.add, column.name, column.kind, column.name
                ));
            }
            columns.push(column.clone());
        }
        for name in &self.key {
            let i = position(&columns, name, labels.key)?;
            columns[i].upsert_key = Some(true);
        }
        for name in &self.no_key {
            let i = position(&columns, name, labels.no_key)?;
            columns[i].upsert_key = None;
        }
        if columns.is_empty() {
            return Err("the dataset would have no columns left".into());
        }
        Ok(columns)
    }
}

fn position(columns: &[Column], name: &str, flag: &str) -> Result<usize, String> {
    columns.iter().position(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        format!(
            "{flag} {name}: the dataset has no column `{name}` (its columns: {})",
            names.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        vec![
            Column::new("id", ColumnType::Long),
            Column::new("region", ColumnType::String),
            Column::new("amt", ColumnType::String),
        ]
    }

    fn names(c: &[Column]) -> Vec<&str> {
        c.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn edits_apply_in_order_and_keep_the_other_columns() {
        let edits = Edits {
            rename: vec![("amt".into(), "amount".into())],
            retype: vec![("amount".into(), ColumnType::Double)],
            add: vec![Column::new("day", ColumnType::Date)],
            key: vec!["id".into()],
            ..Edits::default()
        };
        let new = edits.apply(&columns()).unwrap();
        assert_eq!(names(&new), ["id", "region", "amount", "day"]);
        assert_eq!(new[2].kind, ColumnType::Double);
        assert_eq!(new[0].upsert_key, Some(true));
        assert_eq!(new[1].upsert_key, None);
        assert_eq!(new[3].kind, ColumnType::Date);
    }

    #[test]
    fn a_missing_or_clashing_name_is_refused_naming_the_flag() {
        let e = Edits {
            key: vec!["idd".into()],
            ..Edits::default()
        }
        .apply(&columns())
        .unwrap_err();
        assert!(
            e.contains("--key idd") && e.contains("id, region, amt"),
            "{e}"
        );
        let e = Edits {
            rename: vec![("amt".into(), "region".into())],
            ..Edits::default()
        }
        .apply(&columns())
        .unwrap_err();
        assert!(e.contains("`region` exists already"), "{e}");
        let e = Edits {
            add: vec![Column::new("id", ColumnType::String)],
            ..Edits::default()
        }
        .apply(&columns())
        .unwrap_err();
        assert!(e.contains("--add id:STRING"), "{e}");
        assert!(Edits::default().apply(&columns()).is_err());
    }

    #[test]
    fn dropping_every_column_is_refused() {
        let e = Edits {
            drop: vec!["id".into(), "region".into(), "amt".into()],
            ..Edits::default()
        }
        .apply(&columns())
        .unwrap_err();
        assert!(e.contains("no columns left"), "{e}");
    }

    #[test]
    fn no_key_clears_a_key() {
        let mut current = columns();
        current[0].upsert_key = Some(true);
        let new = Edits {
            no_key: vec!["id".into()],
            ..Edits::default()
        }
        .apply(&current)
        .unwrap();
        assert_eq!(new[0].upsert_key, None);
    }
}
