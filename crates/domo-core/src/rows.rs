//! Rows written out as they arrive: CSV in the dialect of Domo's export and
//! JSON Lines. Pure: the writers append to a `Vec<u8>` the caller flushes.

use serde_json::Value;

/// How streamed rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// RFC 4180 with a header row, as the v2 export writes it: `\n` line
    /// ends, `\N` for null, `""` for an empty string, a literal `\N` quoted.
    Csv,
    /// One JSON object a line, keys in column order.
    JsonLines,
}

/// Null in the export's CSV (Domo's upload reads it back as null).
pub const CSV_NULL: &str = "\\N";

/// Appends one text field the way the export does: quoted when it holds a
/// comma, quote, CR or LF, when it is empty (so it is not read back as
/// null) or when it is literally `\N`.
pub fn csv_text(out: &mut Vec<u8>, s: &str) {
    let needs_quotes = s.is_empty()
        || s == CSV_NULL
        || s.bytes().any(|c| matches!(c, b',' | b'"' | b'\r' | b'\n'));
    if !needs_quotes {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    for part in s.split_inclusive('"') {
        out.extend_from_slice(part.as_bytes());
        if part.ends_with('"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Appends one JSON value as a CSV field: numbers as the export writes the
/// stored value (`3` for `3.0`, no exponent), text as [`csv_text`], null as
/// `\N`, nested values as their JSON text.
pub fn csv_value(out: &mut Vec<u8>, v: &Value) {
    use std::io::Write;
    match v {
        Value::Null => out.extend_from_slice(CSV_NULL.as_bytes()),
        Value::String(s) => csv_text(out, s),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(f) = n.as_f64() {
                let _ = write!(out, "{f}");
            }
        }
        nested => csv_text(out, &nested.to_string()),
    }
}

/// One CSV record (and its line feed) from a row's JSON text (`[...]`, as
/// [`crate::query_stream::QueryEvent::RawRow`] carries it), written exactly
/// as [`csv_row`] writes the same values. `serde_json` checks the row and
/// splits it into cells without converting them; text without escapes and
/// numbers already in the export's form are copied as they are. Building a
/// `Value` per cell and formatting every double was most of the cost of
/// writing a large result. On an error nothing is written.
pub fn csv_row_json(out: &mut Vec<u8>, row_json: &[u8]) -> Result<(), serde_json::Error> {
    let start = out.len();
    let mut de = serde_json::Deserializer::from_slice(row_json);
    let written =
        serde::Deserializer::deserialize_seq(&mut de, CsvCells { out }).and_then(|()| de.end());
    if let Err(e) = written {
        out.truncate(start);
        return Err(e);
    }
    out.push(b'\n');
    Ok(())
}

/// Writes each cell of a row's array as it is split off, so no list of
/// cells is built.
struct CsvCells<'a> {
    out: &'a mut Vec<u8>,
}

impl<'de> serde::de::Visitor<'de> for CsvCells<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a row: an array of values")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut first = true;
        while let Some(cell) = seq.next_element::<&'de serde_json::value::RawValue>()? {
            if !first {
                self.out.push(b',');
            }
            first = false;
            csv_cell(self.out, cell.get()).map_err(serde::de::Error::custom)?;
        }
        Ok(())
    }
}

/// One cell's JSON text as a CSV field.
fn csv_cell(out: &mut Vec<u8>, text: &str) -> Result<(), serde_json::Error> {
    match text.as_bytes().first() {
        Some(b'"') => {
            let inner = &text[1..text.len() - 1];
            if inner.contains('\\') {
                serde_json::from_str::<String>(text).map(|s| csv_text(out, &s))
            } else {
                csv_text(out, inner);
                Ok(())
            }
        }
        Some(b'n') => {
            out.extend_from_slice(CSV_NULL.as_bytes());
            Ok(())
        }
        Some(b't' | b'f') => {
            out.extend_from_slice(text.as_bytes());
            Ok(())
        }
        Some(b'[' | b'{') => serde_json::from_str::<Value>(text).map(|v| csv_value(out, &v)),
        _ => csv_number(out, text),
    }
}

/// A number (valid JSON number text) as [`csv_value`] writes it: the text
/// itself when that is already the form integer/`f64` display gives (an
/// integer that fits 64 bits; a decimal without exponent or trailing zero
/// and at most 15 significant digits, which a double keeps exactly), else
/// the parsed value formatted.
fn csv_number(out: &mut Vec<u8>, text: &str) -> Result<(), serde_json::Error> {
    let b = text.as_bytes();
    let integer = !b.iter().any(|c| matches!(c, b'.' | b'e' | b'E'));
    let copy = if integer {
        text != "-0" && (text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok())
    } else {
        let digits = text.trim_start_matches('-');
        !b.iter().any(|c| matches!(c, b'e' | b'E'))
            && !digits.ends_with('0')
            && digits
                .bytes()
                .filter(u8::is_ascii_digit)
                .skip_while(|d| *d == b'0')
                .count()
                <= 15
    };
    if copy {
        out.extend_from_slice(b);
    } else {
        csv_value(out, &serde_json::from_str::<Value>(text)?);
    }
    Ok(())
}

/// One CSV record of names (the header row) and its line feed.
pub fn csv_header(out: &mut Vec<u8>, columns: &[String]) {
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_text(out, c);
    }
    out.push(b'\n');
}

/// One CSV record of values and its line feed.
pub fn csv_row(out: &mut Vec<u8>, row: &[Value]) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_value(out, v);
    }
    out.push(b'\n');
}

/// One JSON Lines record: `{"column": value, ...}` in column order (written
/// by hand so the order holds and repeated names are all kept). Cells past
/// the named columns are keyed by position (`"4"`).
pub fn json_line(out: &mut Vec<u8>, columns: &[String], row: &[Value]) {
    out.push(b'{');
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let key = match columns.get(i) {
            Some(c) => serde_json::to_vec(c),
            None => serde_json::to_vec(&i.to_string()),
        };
        // Serialising a string or a `Value` cannot fail.
        out.extend_from_slice(&key.unwrap_or_default());
        out.push(b':');
        let _ = serde_json::to_writer(&mut *out, v);
    }
    out.extend_from_slice(b"}\n");
}

/// Writes rows in one [`RowFormat`] under one header.
#[derive(Debug, Clone)]
pub struct RowWriter {
    format: RowFormat,
    columns: Vec<String>,
}

impl RowWriter {
    /// A writer of rows in `format` under `columns`.
    pub fn new(format: RowFormat, columns: Vec<String>) -> RowWriter {
        RowWriter { format, columns }
    }

    /// The column names rows are written under.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The CSV header row; nothing for JSON Lines.
    pub fn header(&self, out: &mut Vec<u8>) {
        if self.format == RowFormat::Csv {
            csv_header(out, &self.columns);
        }
    }

    /// Append `row` to `out` in the writer's format.
    pub fn row(&self, out: &mut Vec<u8>, row: &[Value]) {
        match self.format {
            RowFormat::Csv => csv_row(out, row),
            RowFormat::JsonLines => json_line(out, &self.columns, row),
        }
    }
}

/// Counts CSV records in a body fed in pieces: line feeds outside quoted
/// fields (a doubled quote toggles twice, so it needs no special case).
#[derive(Debug, Clone, Default)]
pub struct CsvRecordCounter {
    records: u64,
    in_quotes: bool,
    /// Bytes since the last record ended.
    open: bool,
}

impl CsvRecordCounter {
    /// Count the records that end in `data` (the next bytes of the CSV).
    pub fn feed(&mut self, data: &[u8]) {
        for &b in data {
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' if !self.in_quotes => {
                    self.records += 1;
                    self.open = false;
                    continue;
                }
                _ => {}
            }
            self.open = true;
        }
    }

    /// Records ended by a line feed so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Every record, a last one without a line feed included.
    pub fn finish(&self) -> u64 {
        self.records + u64::from(self.open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn csv(row: &[Value]) -> String {
        let mut out = Vec::new();
        csv_row(&mut out, row);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_matches_the_export_dialect() {
        assert_eq!(
            csv(&[
                json!("plain"),
                json!(""),
                json!("\\N"),
                Value::Null,
                json!("a,\"b\""),
                json!("line\nbreak"),
                json!("cr\r")
            ]),
            "plain,\"\",\"\\N\",\\N,\"a,\"\"b\"\"\",\"line\nbreak\",\"cr\r\"\n"
        );
        assert_eq!(
            csv(&[
                json!(3.0),
                json!(2.5),
                json!(-7),
                json!(u64::MAX),
                json!(1e21),
                json!(true)
            ]),
            "3,2.5,-7,18446744073709551615,1000000000000000000000,true\n"
        );
        assert_eq!(
            csv(&[json!("été 🚀"), json!([1, "x"])]),
            "été 🚀,\"[1,\"\"x\"\"]\"\n"
        );
        let mut h = Vec::new();
        csv_header(&mut h, &["a b".into(), "c,d".into()]);
        assert_eq!(h, b"a b,\"c,d\"\n");
    }

    #[test]
    fn csv_from_row_json_equals_csv_from_values() {
        let rows = [
            r#"["plain","",null,"\\N","a,\"b\"","line\nbreak","cr\r","\u00e9t\u00e9 🚀"]"#,
            r#"[3.0,2.5,-7,18446744073709551615,1e21,true,false,0.1,-2.5e3,1e-7]"#,
            r#"[-0,-0.0,0.5,-0.0001234,123456789012345.5,1234567890.123456789,100,12.50,99999999999999999999,0.30000000000000004]"#,
            r#"[[1,"x"],{"k":[null]},  12 , "Zürich"]"#,
        ];
        for r in rows {
            let values: Vec<Value> = serde_json::from_str(r).unwrap();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            csv_row(&mut a, &values);
            csv_row_json(&mut b, r.as_bytes()).unwrap();
            assert_eq!(
                String::from_utf8(b).unwrap(),
                String::from_utf8(a).unwrap(),
                "{r}"
            );
        }
        let mut out = Vec::new();
        assert!(csv_row_json(&mut out, b"[1,]").is_err());
        assert!(out.is_empty());
    }

    #[test]
    fn json_lines_keep_column_order_and_types() {
        let mut out = Vec::new();
        let cols = vec!["z".to_owned(), "a".to_owned(), "z".to_owned()];
        json_line(&mut out, &cols, &[json!(1), json!("x\n\"y\""), Value::Null]);
        json_line(&mut out, &cols[..1], &[json!(2.5), json!(true)]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"z\":1,\"a\":\"x\\n\\\"y\\\"\",\"z\":null}\n{\"z\":2.5,\"1\":true}\n"
        );
    }

    #[test]
    fn writer_and_bom() {
        let w = RowWriter::new(RowFormat::Csv, vec!["n".into()]);
        let mut out = Vec::new();
        w.header(&mut out);
        w.row(&mut out, &[json!(1)]);
        assert_eq!(out, b"n\n1\n");
        let w = RowWriter::new(RowFormat::JsonLines, vec!["n".into()]);
        let mut out = Vec::new();
        w.header(&mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn records_are_counted_outside_quotes() {
        let body = b"a,b\n\"x\ny\",\"say \"\"hi\"\"\"\n3,4";
        for cut in 0..body.len() {
            let mut c = CsvRecordCounter::default();
            c.feed(&body[..cut]);
            c.feed(&body[cut..]);
            assert_eq!((c.records(), c.finish()), (2, 3), "cut at {cut}");
        }
        let mut c = CsvRecordCounter::default();
        c.feed(b"n\n1\n");
        assert_eq!(c.finish(), 2);
    }
}
