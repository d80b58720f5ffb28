//! Column types, value validation and the CSV dialect of uploads and exports.
//!
//! The parser is hand-written rather than the `csv` crate because the wire
//! format distinguishes an empty *unquoted* field (null) from `""` (an empty
//! string), and neither `csv` nor `csv-core` reports whether a field was quoted.

use rusqlite::types::{Value, ValueRef};

/// Domo's column types. The `decl` names are the SQLite declared types of the
/// per-dataset tables; they pick the right affinity *and* let SQL results be
/// mapped back to the Domo type (`decl_type` survives through views).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    String,
    Long,
    Double,
    Decimal,
    Date,
    DateTime,
}

impl ColumnType {
    pub const ALL: [ColumnType; 6] = [
        ColumnType::String,
        ColumnType::Long,
        ColumnType::Double,
        ColumnType::Decimal,
        ColumnType::Date,
        ColumnType::DateTime,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::String => "STRING",
            ColumnType::Long => "LONG",
            ColumnType::Double => "DOUBLE",
            ColumnType::Decimal => "DECIMAL",
            ColumnType::Date => "DATE",
            ColumnType::DateTime => "DATETIME",
        }
    }

    /// SQLite declared type. DECIMAL is kept as TEXT so it round-trips exactly
    /// (SQLite has no decimal type); SQL queries see it cast to NUMERIC.
    pub fn sql_decl(self) -> &'static str {
        match self {
            ColumnType::String => "TEXT",
            ColumnType::Long => "INTEGER",
            ColumnType::Double => "REAL",
            ColumnType::Decimal => "DECIMAL_TEXT",
            ColumnType::Date => "DATE_TEXT",
            ColumnType::DateTime => "DATETIME_TEXT",
        }
    }

    pub fn from_sql_decl(decl: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.sql_decl().eq_ignore_ascii_case(decl))
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            ColumnType::Long | ColumnType::Double | ColumnType::Decimal
        )
    }
}

/// Checks one field against its column type and returns what to store.
/// `quoted` matters only for STRING: there `""` is an empty string while an
/// empty unquoted field (or unquoted `\N`) is null. Other types treat any
/// empty value or `\N` as null.
pub fn parse_value(ty: ColumnType, raw: &str, quoted: bool) -> Result<Value, String> {
    if ty == ColumnType::String {
        if !quoted && (raw.is_empty() || raw == "\\N") {
            return Ok(Value::Null);
        }
        return Ok(Value::Text(raw.to_owned()));
    }
    let v = raw.trim();
    if v.is_empty() || v == "\\N" {
        return Ok(Value::Null);
    }
    match ty {
        ColumnType::Long => v
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| format!("expected a whole number (LONG), got `{}`", shorten(raw))),
        ColumnType::Double => match v.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Real(f)),
            _ => Err(format!(
                "expected a finite number (DOUBLE), got `{}`",
                shorten(raw)
            )),
        },
        ColumnType::Decimal => {
            if is_decimal(v) {
                Ok(Value::Text(v.to_owned()))
            } else {
                Err(format!(
                    "expected a decimal number (DECIMAL), got `{}`",
                    shorten(raw)
                ))
            }
        }
        ColumnType::Date => normalize_date(v)
            .map(Value::Text)
            .ok_or_else(|| format!("expected a date YYYY-MM-DD (DATE), got `{}`", shorten(raw))),
        ColumnType::DateTime => normalize_datetime(v).map(Value::Text).ok_or_else(|| {
            format!(
                "expected a date-time YYYY-MM-DDTHH:MM:SS (DATETIME), got `{}`",
                shorten(raw)
            )
        }),
        // Returned early above; kept correct rather than unreachable.
        ColumnType::String => Ok(Value::Text(raw.to_owned())),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_owned()
    } else {
        let head: String = s.chars().take(57).collect();
        format!("{head}...")
    }
}

fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

/// `YYYY-MM-DD` with a real calendar day.
pub fn normalize_date(s: &str) -> Option<String> {
    let (y, rest) = s.split_once('-')?;
    let (m, d) = rest.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (digits(y)?, digits(m)?, digits(d)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// Accepts `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|+00:00]` or a bare date;
/// stores `YYYY-MM-DDTHH:MM:SS` (fractions dropped: the stored form has
/// whole seconds, like Domo's export).
pub fn normalize_datetime(s: &str) -> Option<String> {
    if s.len() == 10 {
        return normalize_date(s).map(|d| format!("{d}T00:00:00"));
    }
    if s.len() < 16 {
        return None;
    }
    let (date, rest) = (s.get(..10)?, s.get(10..)?);
    let date = normalize_date(date)?;
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let rest = rest
        .strip_suffix('Z')
        .or_else(|| rest.strip_suffix("+00:00"))
        .or_else(|| rest.strip_suffix("-00:00"))
        .unwrap_or(rest);
    let (hms, frac) = match rest.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (rest, None),
    };
    if let Some(frac) = frac
        && (frac.is_empty() || !frac.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let mut parts = hms.split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    let sec = parts.next();
    if parts.next().is_some() || h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m) = (digits(h)?, digits(m)?);
    let sec = match sec {
        Some(x) if x.len() == 2 => digits(x)?,
        Some(_) => return None,
        None if frac.is_none() => 0,
        None => return None,
    };
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(format!("{date}T{h:02}:{m:02}:{sec:02}"))
}

/// One parsed CSV record: field bytes live back to back in `buf`.
#[derive(Debug, Default)]
pub struct Record {
    buf: Vec<u8>,
    /// (end offset in `buf`, was the field quoted)
    fields: Vec<(usize, bool)>,
}

impl Record {
    pub fn field_count(&self) -> usize {
        self.fields.len()
    }

    /// A line with nothing on it (one unquoted empty field).
    pub fn is_blank_line(&self) -> bool {
        self.fields.len() == 1 && self.fields[0] == (0, false)
    }

    pub fn field(&self, i: usize) -> Option<(&[u8], bool)> {
        let (end, quoted) = *self.fields.get(i)?;
        let start = if i == 0 { 0 } else { self.fields[i - 1].0 };
        Some((&self.buf[start..end], quoted))
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.fields.clear();
    }

    fn end_field(&mut self, quoted: bool) {
        self.fields.push((self.buf.len(), quoted));
    }
}

/// RFC 4180 reader over an in-memory part; records end at LF, CRLF or CR.
#[derive(Debug)]
pub struct CsvReader<'a> {
    data: &'a [u8],
    pos: usize,
    delimiter: u8,
}

impl<'a> CsvReader<'a> {
    pub fn new(data: &'a [u8], delimiter: u8) -> Self {
        Self {
            data,
            pos: 0,
            delimiter,
        }
    }

    /// Reads the next record into `rec`; `Ok(false)` at the end of input.
    pub fn next_record(&mut self, rec: &mut Record) -> Result<bool, String> {
        if self.pos >= self.data.len() {
            return Ok(false);
        }
        rec.clear();
        let d = self.data;
        loop {
            let quoted = d.get(self.pos) == Some(&b'"');
            if quoted {
                self.pos += 1;
                loop {
                    let Some(q) = d[self.pos..].iter().position(|&c| c == b'"') else {
                        return Err(
                            "a quoted field is not closed before the end of the part".to_owned()
                        );
                    };
                    rec.buf.extend_from_slice(&d[self.pos..self.pos + q]);
                    self.pos += q + 1;
                    if d.get(self.pos) == Some(&b'"') {
                        rec.buf.push(b'"');
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
            } else {
                let start = self.pos;
                let delim = self.delimiter;
                let len = d[start..]
                    .iter()
                    .position(|&c| c == delim || c == b'\n' || c == b'\r')
                    .unwrap_or(d.len() - start);
                rec.buf.extend_from_slice(&d[start..start + len]);
                self.pos += len;
            }
            rec.end_field(quoted);
            match d.get(self.pos) {
                None => return Ok(true),
                Some(&c) if c == self.delimiter => {
                    self.pos += 1;
                }
                Some(b'\n') => {
                    self.pos += 1;
                    return Ok(true);
                }
                Some(b'\r') => {
                    self.pos += 1;
                    if d.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    return Ok(true);
                }
                Some(&c) => {
                    return Err(format!(
                        "unexpected character `{}` after a closing quote (a quote inside a quoted field must be doubled)",
                        char::from(c).escape_default()
                    ));
                }
            }
        }
    }
}

/// Appends a header record: the names as text fields, then a line feed.
pub fn write_header<'a>(out: &mut Vec<u8>, names: impl IntoIterator<Item = &'a str>) {
    for (i, name) in names.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_text_field(out, name);
    }
    out.push(b'\n');
}

/// Appends one field in the export dialect: quoted when it holds a comma,
/// quote, CR or LF, when it is empty (so it is not read back as null) or
/// when it is literally `\N`.
pub fn write_text_field(out: &mut Vec<u8>, s: &str) {
    let needs_quotes =
        s.is_empty() || s == "\\N" || s.bytes().any(|c| matches!(c, b',' | b'"' | b'\r' | b'\n'));
    if needs_quotes {
        out.push(b'"');
        for c in s.bytes() {
            if c == b'"' {
                out.push(b'"');
            }
            out.push(c);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Stored text as a `str`: `from_utf8` checks ASCII a word at a time
/// (every text value of a reply passes here); the lossy form only for
/// bytes that are not UTF-8.
pub fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Appends a stored value in its canonical export text.
pub fn write_value(out: &mut Vec<u8>, v: ValueRef<'_>) {
    use std::io::Write;
    match v {
        ValueRef::Null => out.extend_from_slice(b"\\N"),
        ValueRef::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        ValueRef::Real(f) => {
            let _ = write!(out, "{f}");
        }
        ValueRef::Text(t) => write_text_field(out, &text(t)),
        ValueRef::Blob(b) => write_text_field(out, &text(b)),
    }
}

/// A stored value as a typed JSON value (numbers for numeric columns).
pub fn json_value(ty: Option<ColumnType>, v: ValueRef<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        ValueRef::Null => J::Null,
        ValueRef::Integer(i) => J::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            if ty == Some(ColumnType::Decimal) {
                if let Ok(n) = s.parse::<i64>() {
                    return J::from(n);
                }
                if let Some(n) = s.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                    return J::Number(n);
                }
            }
            J::String(s.into_owned())
        }
        ValueRef::Blob(b) => J::String(String::from_utf8_lossy(b).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(data: &str) -> Result<Vec<Vec<(String, bool)>>, String> {
        let mut r = CsvReader::new(data.as_bytes(), b',');
        let mut rec = Record::default();
        let mut out = Vec::new();
        while r.next_record(&mut rec)? {
            out.push(
                (0..rec.field_count())
                    .map(|i| {
                        let (b, q) = rec.field(i).unwrap();
                        (String::from_utf8(b.to_vec()).unwrap(), q)
                    })
                    .collect(),
            );
        }
        Ok(out)
    }

    #[test]
    fn reads_rfc4180_with_quotedness() {
        let rows =
            read_all("a,\"b,c\",\"he said \"\"hi\"\"\"\r\n,\"\",\\N\n\"multi\nline\",x,\r\n")
                .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][1], ("b,c".to_owned(), true));
        assert_eq!(rows[0][2], ("he said \"hi\"".to_owned(), true));
        assert_eq!(rows[1][0], (String::new(), false));
        assert_eq!(rows[1][1], (String::new(), true));
        assert_eq!(rows[1][2], ("\\N".to_owned(), false));
        assert_eq!(rows[2][0], ("multi\nline".to_owned(), true));
        assert_eq!(rows[2][2], (String::new(), false));
        assert!(read_all("\"open").unwrap_err().contains("not closed"));
        assert!(read_all("\"a\"b").unwrap_err().contains("closing quote"));
    }

    #[test]
    fn blank_lines_are_visible() {
        let rows = read_all("a\n\nb").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], vec![(String::new(), false)]);
    }

    #[test]
    fn validates_and_normalizes_values() {
        use ColumnType::*;
        assert_eq!(
            parse_value(Long, " 42 ", false).unwrap(),
            Value::Integer(42)
        );
        assert!(
            parse_value(Long, "4.2", false)
                .unwrap_err()
                .contains("LONG")
        );
        assert_eq!(
            parse_value(Double, "1e3", false).unwrap(),
            Value::Real(1000.0)
        );
        assert!(parse_value(Double, "NaN", false).is_err());
        assert_eq!(
            parse_value(Decimal, "-1.50", false).unwrap(),
            Value::Text("-1.50".into())
        );
        assert!(parse_value(Decimal, "1.2.3", false).is_err());
        assert!(parse_value(Decimal, ".", false).is_err());
        assert_eq!(
            parse_value(Date, "2024-02-29", false).unwrap(),
            Value::Text("2024-02-29".into())
        );
        assert!(parse_value(Date, "2023-02-29", false).is_err());
        assert!(parse_value(Date, "2023-13-01", false).is_err());
        for ok in [
            "2024-01-02 03:04:05",
            "2024-01-02T03:04:05.123Z",
            "2024-01-02T03:04:05+00:00",
            "2024-01-02T03:04",
        ] {
            let v = parse_value(DateTime, ok, false).unwrap();
            assert!(
                matches!(&v, Value::Text(t) if t.starts_with("2024-01-02T03:04:")),
                "{ok}"
            );
        }
        assert!(parse_value(DateTime, "2024-01-02T25:00:00", false).is_err());
        assert_eq!(parse_value(String, "", false).unwrap(), Value::Null);
        assert_eq!(
            parse_value(String, "", true).unwrap(),
            Value::Text(std::string::String::new())
        );
        assert_eq!(
            parse_value(String, "\\N", true).unwrap(),
            Value::Text("\\N".into())
        );
        assert_eq!(parse_value(Long, "\\N", false).unwrap(), Value::Null);
    }

    #[test]
    fn writes_canonical_text() {
        let mut out = Vec::new();
        write_text_field(&mut out, "");
        out.push(b'|');
        write_text_field(&mut out, "a,\"b\"");
        out.push(b'|');
        write_value(&mut out, ValueRef::Real(2.5));
        out.push(b'|');
        write_value(&mut out, ValueRef::Real(3.0));
        out.push(b'|');
        write_value(&mut out, ValueRef::Null);
        out.push(b'|');
        write_text_field(&mut out, "\\N");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"\"|\"a,\"\"b\"\"\"|2.5|3|\\N|\"\\N\""
        );
    }
}
