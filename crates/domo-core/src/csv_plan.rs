//! Cutting CSV into upload parts on record boundaries (RFC 4180): a quoted
//! field may hold commas, quotes and CR/LF, and a part never splits a record.
//! The scanner is incremental so a transport can cut a stream chunk by chunk
//! without holding the whole file.

use std::ops::Range;

use crate::error::Error;

/// Incremental record-boundary scanner.
#[derive(Debug, Clone, Default)]
pub struct RecordScanner {
    in_quotes: bool,
    /// Whether the current record has any byte yet.
    record_open: bool,
    /// 1-based line of the start of the current record.
    record_line: u64,
    line: u64,
    records: u64,
    consumed: u64,
    /// Line and byte offset where the open quoted field started.
    quote_start: (u64, u64),
}

impl RecordScanner {
    pub fn new() -> RecordScanner {
        RecordScanner {
            line: 1,
            record_line: 1,
            ..RecordScanner::default()
        }
    }

    /// Scan the next chunk. Returns the offset just past the last record that
    /// ends inside `chunk` (after its line feed), if any.
    pub fn scan(&mut self, chunk: &[u8]) -> Option<usize> {
        let mut last = None;
        for (i, &b) in chunk.iter().enumerate() {
            match b {
                b'"' => {
                    if !self.in_quotes {
                        self.quote_start = (self.line, self.consumed + i as u64);
                    }
                    self.in_quotes = !self.in_quotes;
                    self.record_open = true;
                }
                b'\n' => {
                    self.line += 1;
                    if !self.in_quotes {
                        if self.record_open {
                            self.records += 1;
                        }
                        self.record_open = false;
                        self.record_line = self.line;
                        last = Some(i + 1);
                    }
                }
                b'\r' => {}
                _ => self.record_open = true,
            }
        }
        self.consumed += chunk.len() as u64;
        last
    }

    /// Records completed so far (blank lines are not records).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Call at end of input: counts a last record without a final line feed,
    /// and fails on a quoted field that never closes.
    pub fn finish(&mut self) -> Result<u64, Error> {
        if self.in_quotes {
            let (line, offset) = self.quote_start;
            return Err(Error::invalid_input(format!(
                "invalid CSV: the quoted field opened on line {line} (byte {offset}) is never closed"
            )));
        }
        if self.record_open {
            self.records += 1;
            self.record_open = false;
        }
        Ok(self.records)
    }

    /// 1-based line where the current (unfinished) record starts.
    pub fn record_line(&self) -> u64 {
        self.record_line
    }
}

/// One planned part of an in-memory CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartPlan {
    /// From 1, contiguous.
    pub number: u32,
    pub range: Range<usize>,
    pub records: u64,
}

/// Cut `csv` (no header row) into parts of about `target_bytes` each, on
/// record boundaries. A record longer than the target gets a part of its own.
pub fn plan_parts(csv: &[u8], target_bytes: usize) -> Result<Vec<PartPlan>, Error> {
    let target = target_bytes.max(1);
    let mut parts = Vec::new();
    let mut scanner = RecordScanner::new();
    let mut start = 0usize;
    let mut records_before = 0u64;
    // Scan in target-sized windows so each cut needs one pass over its bytes.
    let mut pos = 0usize;
    while pos < csv.len() {
        let end = (pos + target.saturating_sub(pos - start).max(1)).min(csv.len());
        let window = &csv[pos..end];
        let boundary = scanner.scan(window).map(|b| pos + b);
        pos = end;
        if pos - start >= target {
            if let Some(cut) = boundary {
                // Everything up to `cut` is whole records; the rest carries on.
                let mut tail = RecordScanner::new();
                let tail_records = {
                    tail.scan(&csv[cut..pos]);
                    tail.records()
                };
                let records = scanner.records() - records_before - tail_records;
                parts.push(PartPlan {
                    number: parts.len() as u32 + 1,
                    range: start..cut,
                    records,
                });
                records_before += records;
                start = cut;
            }
        }
    }
    let total = scanner.finish()?;
    if start < csv.len() && csv[start..].iter().any(|b| !b.is_ascii_whitespace()) {
        parts.push(PartPlan {
            number: parts.len() as u32 + 1,
            range: start..csv.len(),
            records: total - records_before,
        });
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces<'a>(csv: &'a [u8], parts: &[PartPlan]) -> Vec<&'a str> {
        parts
            .iter()
            .map(|p| std::str::from_utf8(&csv[p.range.clone()]).unwrap())
            .collect()
    }

    #[test]
    fn cuts_only_between_records_and_loses_nothing() {
        let csv = b"1,a\n2,\"b,\nwith newline\"\n3,\"q\"\"uote\"\r\n4,d\n";
        for target in 1..csv.len() + 2 {
            let parts = plan_parts(csv, target).unwrap();
            let joined: Vec<u8> = parts
                .iter()
                .flat_map(|p| csv[p.range.clone()].to_vec())
                .collect();
            assert_eq!(joined, csv, "target {target}");
            assert_eq!(
                parts.iter().map(|p| p.records).sum::<u64>(),
                4,
                "target {target}"
            );
            for (i, p) in parts.iter().enumerate() {
                assert_eq!(p.number as usize, i + 1);
                let piece = &csv[p.range.clone()];
                assert!(
                    piece.ends_with(b"\n"),
                    "target {target}: part {i} ends mid-record"
                );
            }
        }
        let parts = plan_parts(csv, 1).unwrap();
        assert_eq!(
            pieces(csv, &parts),
            [
                "1,a\n",
                "2,\"b,\nwith newline\"\n",
                "3,\"q\"\"uote\"\r\n",
                "4,d\n"
            ]
        );
    }

    #[test]
    fn last_record_without_newline_is_kept() {
        let csv = b"1,a\n2,b";
        let parts = plan_parts(csv, 100).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].records, 2);
        let parts = plan_parts(csv, 2).unwrap();
        assert_eq!(pieces(csv, &parts), ["1,a\n", "2,b"]);
    }

    #[test]
    fn empty_input_plans_no_parts() {
        assert!(plan_parts(b"", 10).unwrap().is_empty());
        assert!(plan_parts(b"\n", 10).unwrap().is_empty());
    }

    #[test]
    fn unbalanced_quote_is_a_clear_error() {
        let e = plan_parts(b"1,a\n2,\"oops\n3,c\n", 4).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(e.to_string().contains("never closed"), "{e}");
    }
}

/// Refuse upload settings no upload can run with, before anything is sent:
/// the same rule for every transport.
pub fn check_upload_settings(part_size: usize, concurrency: usize) -> Result<(), Error> {
    if concurrency == 0 {
        return Err(Error::invalid_input(
            "upload concurrency must be at least 1",
        ));
    }
    if part_size == 0 {
        return Err(Error::invalid_input(
            "upload part size must be at least 1 byte",
        ));
    }
    Ok(())
}

/// The UTF-8 byte-order mark some spreadsheet exports start with.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Split off a leading UTF-8 BOM: it is never data.
pub fn strip_bom(data: &[u8]) -> &[u8] {
    data.strip_prefix(BOM).unwrap_or(data)
}

/// The fields of the first record of `data` and the offset just past it, or
/// `None` when no complete record is in `data` yet (call again with more, or
/// with `at_eof` once the input has ended).
pub fn first_record(data: &[u8], at_eof: bool) -> Result<Option<(Vec<String>, usize)>, Error> {
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut in_quotes = false;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if in_quotes {
            if b == b'"' {
                if data.get(i + 1) == Some(&b'"') {
                    field.push(b'"');
                    i += 1;
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(b);
            }
        } else {
            match b {
                b'"' => in_quotes = true,
                b',' => {
                    fields.push(String::from_utf8_lossy(&std::mem::take(&mut field)).into_owned())
                }
                b'\n' => {
                    if field.last() == Some(&b'\r') {
                        field.pop();
                    }
                    fields.push(String::from_utf8_lossy(&field).into_owned());
                    return Ok(Some((fields, i + 1)));
                }
                _ => field.push(b),
            }
        }
        i += 1;
    }
    if !at_eof {
        return Ok(None);
    }
    if in_quotes {
        return Err(Error::invalid_input(
            "invalid CSV: the first row has a quoted field that is never closed",
        ));
    }
    if fields.is_empty() && field.is_empty() {
        return Ok(None);
    }
    fields.push(String::from_utf8_lossy(&field).into_owned());
    Ok(Some((fields, data.len())))
}

/// The longest first row accepted while looking for a header: past this the
/// input is almost certainly not CSV.
pub const MAX_FIRST_ROW: usize = 16 * 1024 * 1024;

/// What the start of a CSV holds, read before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvStart {
    /// No complete first row yet: read more.
    NeedMore,
    /// The input holds no row at all; data (none) starts after any BOM.
    Empty { bom: usize },
    /// The first row's fields; it ends `end` bytes into the input.
    FirstRow {
        fields: Vec<String>,
        bom: usize,
        end: usize,
    },
}

impl CsvStart {
    /// Where the data starts in the input: past a BOM, and past the first
    /// row when it is a header.
    pub fn data_offset(&self, first_row_is_header: bool) -> usize {
        match self {
            CsvStart::NeedMore => 0,
            CsvStart::Empty { bom } => *bom,
            CsvStart::FirstRow { end, .. } if first_row_is_header => *end,
            CsvStart::FirstRow { bom, .. } => *bom,
        }
    }
}

/// Look at the first bytes of a CSV (`at_eof` once the input has ended):
/// a BOM is skipped, and the first row is parsed when complete.
pub fn read_start(input: &[u8], at_eof: bool) -> Result<CsvStart, Error> {
    let bom = if input.starts_with(BOM) { BOM.len() } else { 0 };
    match first_record(&input[bom..], at_eof)? {
        Some((fields, end)) => Ok(CsvStart::FirstRow {
            fields,
            bom,
            end: bom + end,
        }),
        None if at_eof => Ok(CsvStart::Empty { bom }),
        None if input.len() > MAX_FIRST_ROW => Err(Error::invalid_input(format!(
            "the CSV's first row is longer than {} MiB; is it CSV?",
            MAX_FIRST_ROW >> 20
        ))),
        None => Ok(CsvStart::NeedMore),
    }
}

/// Whether the CSV's first row is a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderMode {
    /// A header when the first row names the dataset's columns, data when
    /// it does not but has the right field count.
    #[default]
    Detect,
    /// The first row is a header; it must name the dataset's columns.
    Present,
    /// There is no header; the first row is data.
    Absent,
}

/// Check the first row against the dataset's column names before anything
/// is sent. Returns whether the row is a header (never sent as data).
pub fn check_header(
    first_row: &[String],
    columns: &[&str],
    mode: HeaderMode,
) -> Result<bool, Error> {
    let names_match = first_row.len() == columns.len()
        && first_row
            .iter()
            .zip(columns)
            .all(|(f, c)| f.trim().eq_ignore_ascii_case(c.trim()));
    let count_error = |what: &str| {
        Error::invalid_input(format!(
            "the CSV's {what} has {} fields but the dataset has {} columns ({})",
            first_row.len(),
            columns.len(),
            columns.join(", ")
        ))
    };
    match mode {
        HeaderMode::Detect if names_match => Ok(true),
        HeaderMode::Detect | HeaderMode::Absent if first_row.len() == columns.len() => Ok(false),
        HeaderMode::Detect | HeaderMode::Absent => Err(count_error("first row")),
        HeaderMode::Present if first_row.len() != columns.len() => Err(count_error("header")),
        HeaderMode::Present if names_match => Ok(true),
        HeaderMode::Present => {
            let (i, (got, want)) = first_row
                .iter()
                .zip(columns)
                .enumerate()
                .find(|(_, (f, c))| !f.trim().eq_ignore_ascii_case(c.trim()))
                .unwrap_or((0, (&first_row[0], &columns[0])));
            Err(Error::invalid_input(format!(
                "header column {} is {got:?} but the dataset's column {} is {want:?}",
                i + 1,
                i + 1
            )))
        }
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;

    fn row(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn first_record_handles_quotes_crlf_and_partial_input() {
        let (f, end) = first_record(b"id,\"na,me\",\"q\"\"x\"\r\n1,2,3\n", false)
            .unwrap()
            .unwrap();
        assert_eq!(f, ["id", "na,me", "q\"x"]);
        assert_eq!(end, 19);
        let (f, _) = first_record(b"a,\"multi\nline\"\nrest", false)
            .unwrap()
            .unwrap();
        assert_eq!(f, ["a", "multi\nline"]);
        assert_eq!(
            first_record(b"a,b", false).unwrap(),
            None,
            "needs more input"
        );
        assert_eq!(first_record(b"a,b", true).unwrap().unwrap().0, ["a", "b"]);
        assert_eq!(first_record(b"", true).unwrap(), None);
        assert!(first_record(b"a,\"b", true).is_err());
    }

    #[test]
    fn the_start_of_a_csv() {
        let s = read_start(b"\xEF\xBB\xBFid,n\r\n1,a\n", false).unwrap();
        assert_eq!(
            s,
            CsvStart::FirstRow {
                fields: row(&["id", "n"]),
                bom: 3,
                end: 9
            }
        );
        assert_eq!(s.data_offset(true), 9);
        assert_eq!(s.data_offset(false), 3);
        assert_eq!(read_start(b"id,n", false).unwrap(), CsvStart::NeedMore);
        assert_eq!(
            read_start(b"\xEF\xBB\xBF", true).unwrap(),
            CsvStart::Empty { bom: 3 }
        );
        let long = vec![b'x'; MAX_FIRST_ROW + 1];
        assert!(
            read_start(&long, false)
                .unwrap_err()
                .to_string()
                .contains("longer than 16 MiB")
        );
    }

    #[test]
    fn bom_is_stripped() {
        assert_eq!(strip_bom(b"\xEF\xBB\xBFid,n\n"), b"id,n\n");
        assert_eq!(strip_bom(b"id"), b"id");
    }

    #[test]
    fn header_modes() {
        let cols = ["id", "name"];
        assert!(check_header(&row(&["id", "Name "]), &cols, HeaderMode::Detect).unwrap());
        assert!(!check_header(&row(&["1", "x"]), &cols, HeaderMode::Detect).unwrap());
        assert!(!check_header(&row(&["id", "name"]), &cols, HeaderMode::Absent).unwrap());
        assert!(check_header(&row(&["id", "name"]), &cols, HeaderMode::Present).unwrap());
        let e = check_header(&row(&["id", "nom"]), &cols, HeaderMode::Present).unwrap_err();
        assert_eq!(
            e.to_string(),
            "header column 2 is \"nom\" but the dataset's column 2 is \"name\""
        );
        let e = check_header(&row(&["1", "x", "y"]), &cols, HeaderMode::Detect).unwrap_err();
        assert!(
            e.to_string()
                .contains("has 3 fields but the dataset has 2 columns (id, name)"),
            "{e}"
        );
        let e = check_header(&row(&["id"]), &cols, HeaderMode::Present).unwrap_err();
        assert!(e.to_string().contains("header has 1 fields"), "{e}");
    }

    #[test]
    fn upload_settings_need_a_part_size_and_a_concurrency() {
        assert!(check_upload_settings(1, 1).is_ok());
        let e = check_upload_settings(1, 0).unwrap_err();
        assert!(e.to_string().contains("concurrency"), "{e}");
        let e = check_upload_settings(0, 4).unwrap_err();
        assert!(e.to_string().contains("part size"), "{e}");
    }
}
