//! A small table printer: aligned columns for people, RFC 4180 CSV for
//! scripts, from the same rows.

/// Cells wider than this are cut with `…` in tables for people; CSV and
/// JSON always carry the whole value.
const MAX_CELL: usize = 60;

/// How a null shows in a table for people.
pub const NULL_FOR_PEOPLE: &str = "NULL";
/// How a null is written in CSV: Domo's export convention, which its
/// upload reads back as null.
pub const NULL_IN_CSV: &str = "\\N";

/// Rows under a header. A cell is `None` when the value is null.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
}

impl Table {
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Table {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells print empty, extra cells are kept in CSV.
    pub fn push<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows
            .push(cells.into_iter().map(|c| Some(c.into())).collect());
    }

    /// Adds a row of JSON values: text as it is, numbers and booleans as
    /// JSON writes them, null as null.
    pub fn push_values<'a>(&mut self, cells: impl IntoIterator<Item = &'a serde_json::Value>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(s.clone()),
                    other => Some(other.to_string()),
                })
                .collect(),
        );
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Aligned columns separated by two spaces, the header underlined with
    /// dashes. Columns whose every value is a number are right-aligned.
    /// Control characters show as escapes so a value cannot break a line.
    pub fn render(&self) -> String {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.headers.len()])
            .max()
            .unwrap_or(0);
        let header: Vec<String> = (0..columns)
            .map(|i| {
                self.headers
                    .get(i)
                    .map(|h| for_people(h))
                    .unwrap_or_default()
            })
            .collect();
        let body: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                (0..columns)
                    .map(|i| match r.get(i) {
                        Some(Some(c)) => for_people(c),
                        Some(None) => NULL_FOR_PEOPLE.to_owned(),
                        None => String::new(),
                    })
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                body.iter()
                    .map(|r| width(&r[i]))
                    .chain([width(&header[i])])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..columns)
            .map(|i| {
                let mut values = body
                    .iter()
                    .map(|r| r[i].as_str())
                    .filter(|v| !v.is_empty() && *v != NULL_FOR_PEOPLE)
                    .peekable();
                values.peek().is_some() && values.all(looks_numeric)
            })
            .collect();

        let mut out = String::new();
        let line = |cells: &[String], out: &mut String| {
            let mut text = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                let pad = " ".repeat(widths[i] - width(c));
                if numeric[i] {
                    text.push_str(&pad);
                    text.push_str(c);
                } else {
                    text.push_str(c);
                    text.push_str(&pad);
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(&header, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, &mut out);
        for r in &body {
            line(r, &mut out);
        }
        out
    }

    /// RFC 4180: a header row, then one record per row, `\n` line ends;
    /// fields holding a comma, quote, CR or LF are quoted.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        write_csv_record(&mut out, self.headers.iter().map(String::as_str));
        for row in &self.rows {
            write_csv_record(
                &mut out,
                row.iter().map(|c| c.as_deref().unwrap_or(NULL_IN_CSV)),
            );
        }
        out
    }
}

/// Named values of one object: `name  value` lines for people, a header row
/// and one record as CSV.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    fields: Vec<(String, String)>,
}

impl Record {
    pub fn new() -> Record {
        Record::default()
    }

    pub fn field(mut self, name: &str, value: impl Into<String>) -> Record {
        self.fields.push((name.to_owned(), value.into()));
        self
    }

    /// Adds the field only when there is a value.
    pub fn maybe(self, name: &str, value: Option<impl Into<String>>) -> Record {
        match value {
            Some(v) => self.field(name, v),
            None => self,
        }
    }

    pub fn render(&self) -> String {
        let w = self.fields.iter().map(|(n, _)| width(n)).max().unwrap_or(0);
        let mut out = String::new();
        for (name, value) in &self.fields {
            let line = format!(
                "{name}{}  {}",
                " ".repeat(w - width(name)),
                for_people(value)
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        write_csv_record(&mut out, self.fields.iter().map(|(n, _)| n.as_str()));
        write_csv_record(&mut out, self.fields.iter().map(|(_, v)| v.as_str()));
        out
    }
}

/// Appends one CSV record (and its line feed) to `out`.
pub fn write_csv_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push('\n');
}

pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

pub(crate) fn looks_numeric(s: &str) -> bool {
    s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// One line, escapes for control characters, cut at [`MAX_CELL`] characters.
pub(crate) fn for_people(s: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    for c in s.chars() {
        let piece = match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        };
        count += piece.chars().count();
        if count > MAX_CELL {
            out.push('…');
            return out;
        }
        out.push_str(&piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_text_left_and_numbers_right() {
        let mut t = Table::new(["region", "n", "note"]);
        t.push(["east", "10", "ok"]);
        t.push(["north-west", "7.5", ""]);
        t.push_values(&[
            serde_json::json!("x"),
            serde_json::Value::Null,
            serde_json::json!("a\nb"),
        ]);
        assert_eq!(
            t.render(),
            "region         n  note\n\
             ----------  ----  ----\n\
             east          10  ok\n\
             north-west   7.5\n\
             x           NULL  a\\nb\n"
        );
    }

    #[test]
    fn empty_table_still_has_a_header() {
        let t = Table::new(["id", "status"]);
        assert!(t.is_empty());
        assert_eq!(t.render(), "id  status\n--  ------\n");
        assert_eq!(t.to_csv(), "id,status\n");
    }

    #[test]
    fn ragged_rows_and_unicode_widths() {
        let mut t = Table::new(["a"]);
        t.push(["été", "x"]);
        t.push(["b"]);
        assert_eq!(t.render(), "a\n---  -\nété  x\nb\n");
    }

    #[test]
    fn long_cells_are_cut_for_people_but_not_in_csv() {
        let long = "y".repeat(100);
        let mut t = Table::new(["v"]);
        t.push([long.clone()]);
        let shown = t.render();
        assert!(shown.lines().nth(2).unwrap().ends_with('…'));
        assert_eq!(shown.lines().nth(2).unwrap().chars().count(), MAX_CELL + 1);
        assert_eq!(t.to_csv(), format!("v\n{long}\n"));
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut t = Table::new(["name", "v"]);
        t.push(["comma, inside", "1"]);
        t.push(["say \"hi\"", "line\nbreak"]);
        t.push(["plain", ""]);
        t.push_values(&[serde_json::json!(3.5), serde_json::Value::Null]);
        assert_eq!(
            t.to_csv(),
            "name,v\n\"comma, inside\",1\n\"say \"\"hi\"\"\",\"line\nbreak\"\nplain,\n3.5,\\N\n"
        );
    }

    #[test]
    fn records_render_as_lines_and_as_csv() {
        let r = Record::new()
            .field("id", "abc")
            .maybe("rows", Some("12"))
            .maybe("owner", None::<String>)
            .field("description", "");
        assert_eq!(
            r.render(),
            "id           abc\nrows         12\ndescription\n"
        );
        assert_eq!(r.to_csv(), "id,rows,description\nabc,12,\n");
    }
}
