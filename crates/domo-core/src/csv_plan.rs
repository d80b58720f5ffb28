//! Cutting CSV into upload parts on record boundaries (RFC 4180): a quoted
//! field may hold commas, quotes and CR/LF, and a part never splits a record.
//! [`PartCutter`] is fed the input chunk by chunk, so a transport cuts a
//! file or a stream without holding it whole; every client cuts through it,
//! so what the server receives does not depend on which client sent it, nor
//! on the size of the chunks it read.

use domo_model::uploads::UploadAction;

use crate::error::Error;

/// Incremental record-boundary scanner. A record ends at a line feed outside
/// quotes (a CRLF ends it too: the CR belongs to the line ending); a line
/// with nothing but CR on it is blank, not a record.
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
    /// A scanner at the start of the input, outside quotes.
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
        let mut from = 0;
        while let Some(end) = self.scan_to(&chunk[from..], 0) {
            from += end;
            last = Some(from);
        }
        last
    }

    /// Scan `chunk` up to the end of the first record that ends at or past
    /// `min_end` bytes into it, and stop there: returns the offset just past
    /// that record's line feed, or `None` when the whole chunk was scanned
    /// without reaching one.
    fn scan_to(&mut self, chunk: &[u8], min_end: usize) -> Option<usize> {
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
                        if i + 1 >= min_end {
                            self.consumed += i as u64 + 1;
                            return Some(i + 1);
                        }
                    }
                }
                b'\r' => {}
                _ => self.record_open = true,
            }
        }
        self.consumed += chunk.len() as u64;
        None
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

/// One part of an upload: where it lies in the data (offsets count from the
/// first byte fed to the [`PartCutter`]) and how many records it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// From 1, contiguous.
    pub number: u32,
    /// Where the part starts in the input, in bytes.
    pub offset: u64,
    /// The part's length in bytes.
    pub len: u64,
    /// Records in the part; 0 only for [`empty_input_part`].
    pub records: u64,
}

impl Cut {
    /// The part's bytes within `data`, when `data` holds the whole input
    /// from the first byte fed.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset as usize..(self.offset + self.len) as usize
    }
}

/// The one rule for where upload parts end. A part ends at the first record
/// boundary at or past `target` bytes from its start, so it is never cut
/// inside a record (nor a quoted field), a record longer than the target
/// gets a part of its own, and every part holds at least one record. At the
/// end of input, what is left is the last part if it holds a record (a
/// tail of blank lines is not sent). Where parts end depends only on the
/// bytes, not on how they were split into chunks.
///
/// Feed it the data (after any header row) with [`PartCutter::feed`] until
/// the input ends, then call [`PartCutter::finish`].
#[derive(Debug, Clone)]
pub struct PartCutter {
    scanner: RecordScanner,
    target: u64,
    /// Bytes fed so far.
    fed: u64,
    part_start: u64,
    /// `scanner.records()` when the current part started.
    records_before: u64,
    next_number: u32,
}

impl PartCutter {
    /// Parts of about `target_bytes` each (at least 1).
    pub fn new(target_bytes: usize) -> PartCutter {
        PartCutter {
            scanner: RecordScanner::new(),
            target: target_bytes.max(1) as u64,
            fed: 0,
            part_start: 0,
            records_before: 0,
            next_number: 1,
        }
    }

    /// Scan the next bytes of the input. Returns how many bytes of `chunk`
    /// were taken and the part that ends there, if one does; when it
    /// returns a part, feed the rest of `chunk` next.
    pub fn feed(&mut self, chunk: &[u8]) -> (usize, Option<Cut>) {
        let mut taken = 0;
        loop {
            let part_len = self.fed - self.part_start;
            let min_end = self.target.saturating_sub(part_len) as usize;
            let rest = &chunk[taken..];
            if min_end > rest.len() {
                // No part can end in this chunk: scan it whole.
                self.scanner.scan_to(rest, usize::MAX);
                self.fed += rest.len() as u64;
                return (chunk.len(), None);
            }
            match self.scanner.scan_to(rest, min_end) {
                Some(end) => {
                    taken += end;
                    self.fed += end as u64;
                    if let Some(cut) = self.cut() {
                        return (taken, Some(cut));
                    }
                    // Only blank lines so far: the part goes on.
                }
                None => {
                    self.fed += rest.len() as u64;
                    return (chunk.len(), None);
                }
            }
        }
    }

    /// Feed the whole of `chunk`, adding each part that ends in it to
    /// `parts`: for transports that plan every part before sending any.
    pub fn feed_all(&mut self, mut chunk: &[u8], parts: &mut Vec<Cut>) {
        while !chunk.is_empty() {
            let (taken, cut) = self.feed(chunk);
            parts.extend(cut);
            chunk = &chunk[taken..];
        }
    }

    /// The input has ended: the last part, if what is left holds a record.
    /// Fails on a quoted field that never closes.
    pub fn finish(&mut self) -> Result<Option<Cut>, Error> {
        self.scanner.finish()?;
        Ok(self.cut())
    }

    /// Records seen so far, in parts cut or not.
    pub fn records(&self) -> u64 {
        self.scanner.records()
    }

    /// End the current part at the bytes fed so far, unless it holds no record.
    fn cut(&mut self) -> Option<Cut> {
        let records = self.scanner.records() - self.records_before;
        if records == 0 {
            return None;
        }
        let cut = Cut {
            number: self.next_number,
            offset: self.part_start,
            len: self.fed - self.part_start,
            records,
        };
        self.next_number += 1;
        self.part_start = self.fed;
        self.records_before = self.scanner.records();
        Some(cut)
    }
}

/// The part to send when an upload's input held no record: a REPLACE then
/// sends one empty part, so that "replace with nothing" is said out loud
/// (servers refuse a REPLACE commit with no parts, which would otherwise
/// empty a dataset by accident); an APPEND of nothing sends none.
pub fn empty_input_part(action: UploadAction, parts_cut: u32) -> Option<Cut> {
    (parts_cut == 0 && action == UploadAction::Replace).then_some(Cut {
        number: 1,
        offset: 0,
        len: 0,
        records: 0,
    })
}

/// Cut `csv` (no header row) whole: the parts [`PartCutter`] gives for it,
/// however it is fed.
pub fn cut_parts(csv: &[u8], target_bytes: usize) -> Result<Vec<Cut>, Error> {
    let mut cutter = PartCutter::new(target_bytes);
    let mut parts = Vec::new();
    cutter.feed_all(csv, &mut parts);
    parts.extend(cutter.finish()?);
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces<'a>(csv: &'a [u8], parts: &[Cut]) -> Vec<&'a str> {
        parts
            .iter()
            .map(|p| std::str::from_utf8(&csv[p.range()]).unwrap())
            .collect()
    }

    /// Feed `csv` in chunks of `chunk` bytes.
    fn cut_in_chunks(csv: &[u8], target: usize, chunk: usize) -> Result<Vec<Cut>, Error> {
        let mut cutter = PartCutter::new(target);
        let mut parts = Vec::new();
        for piece in csv.chunks(chunk) {
            cutter.feed_all(piece, &mut parts);
        }
        parts.extend(cutter.finish()?);
        Ok(parts)
    }

    #[test]
    fn cuts_only_between_records_and_loses_nothing() {
        let csv = b"1,a\n2,\"b,\nwith newline\"\n3,\"q\"\"uote\"\r\n4,d\n";
        for target in 1..csv.len() + 2 {
            let parts = cut_parts(csv, target).unwrap();
            let joined: Vec<u8> = parts.iter().flat_map(|p| csv[p.range()].to_vec()).collect();
            assert_eq!(joined, csv, "target {target}");
            assert_eq!(
                parts.iter().map(|p| p.records).sum::<u64>(),
                4,
                "target {target}"
            );
            for (i, p) in parts.iter().enumerate() {
                assert_eq!(p.number as usize, i + 1);
                assert!(
                    csv[p.range()].ends_with(b"\n"),
                    "target {target}: part {i} ends mid-record"
                );
                if i + 1 < parts.len() {
                    assert!(p.len >= target as u64, "target {target}: part {i} is short");
                }
            }
        }
        let parts = cut_parts(csv, 1).unwrap();
        assert_eq!(
            pieces(csv, &parts),
            [
                "1,a\n",
                "2,\"b,\nwith newline\"\n",
                "3,\"q\"\"uote\"\r\n",
                "4,d\n"
            ]
        );
        // A part ends at the first boundary at or past the target.
        let parts = cut_parts(b"aa\nbb\ncc\n", 4).unwrap();
        assert_eq!(pieces(b"aa\nbb\ncc\n", &parts), ["aa\nbb\n", "cc\n"]);
    }

    #[test]
    fn where_parts_end_does_not_depend_on_the_chunks() {
        let csv: &[u8] = b"\n1,\"x\n\ny\"\r\n\r\n2,b\n\n\n3,\"\"\"\"\n4,\"long,long,long\"\n  ";
        for target in 1..csv.len() + 2 {
            let whole = cut_parts(csv, target).unwrap();
            for chunk in 1..csv.len() + 1 {
                assert_eq!(
                    cut_in_chunks(csv, target, chunk).unwrap(),
                    whole,
                    "target {target}, chunk {chunk}"
                );
            }
        }
    }

    #[test]
    fn last_record_without_newline_is_kept() {
        let csv = b"1,a\n2,b";
        let parts = cut_parts(csv, 100).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].records, 2);
        let parts = cut_parts(csv, 2).unwrap();
        assert_eq!(pieces(csv, &parts), ["1,a\n", "2,b"]);
        // Spaces are a field: a tail of them is a record, sent as one.
        let parts = cut_parts(b"1,a\n  ", 2).unwrap();
        assert_eq!(pieces(b"1,a\n  ", &parts), ["1,a\n", "  "]);
    }

    #[test]
    fn blank_lines_never_make_a_part_of_their_own() {
        assert!(cut_parts(b"", 10).unwrap().is_empty());
        assert!(cut_parts(b"\n", 10).unwrap().is_empty());
        assert!(cut_parts(b"\r\n\n\r\n", 1).unwrap().is_empty());
        // Leading blank lines join the first part; a blank tail is not sent.
        let csv = b"\n\n1,a\n\n\n";
        let parts = cut_parts(csv, 1).unwrap();
        assert_eq!(pieces(csv, &parts), ["\n\n1,a\n"]);
        assert_eq!(parts[0].records, 1);
    }

    #[test]
    fn an_empty_replace_sends_one_empty_part_and_an_empty_append_none() {
        let part = empty_input_part(UploadAction::Replace, 0).unwrap();
        assert_eq!((part.number, part.len, part.records), (1, 0, 0));
        assert_eq!(empty_input_part(UploadAction::Append, 0), None);
        assert_eq!(empty_input_part(UploadAction::Replace, 2), None);
    }

    #[test]
    fn unbalanced_quote_is_a_clear_error() {
        let e = cut_parts(b"1,a\n2,\"oops\n3,c\n", 4).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(e.to_string().contains("never closed"), "{e}");
    }

    #[test]
    fn the_scanner_reports_the_last_boundary_of_a_chunk() {
        let mut s = RecordScanner::new();
        assert_eq!(s.scan(b"a,b\nc,\"d\ne\"\nf"), Some(12));
        assert_eq!(s.records(), 2);
        assert_eq!(s.scan(b",g"), None);
        assert_eq!(s.finish().unwrap(), 3);
    }
}

/// Target bytes per part when the caller does not say: Domo's guidance is
/// tens of MB per part.
pub const DEFAULT_PART_SIZE: usize = 32 * 1024 * 1024;
/// Parts in flight at once when the caller does not say.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Bytes a transport reads from its input at a time while cutting parts.
/// Where parts end does not depend on it (see [`PartCutter`]).
pub const READ_CHUNK: usize = 256 * 1024;

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
    Empty {
        /// Bytes of BOM before the data.
        bom: usize,
    },
    /// The first row's fields; it ends `end` bytes into the input.
    FirstRow {
        /// The first row's fields, unquoted.
        fields: Vec<String>,
        /// Bytes of BOM before the row.
        bom: usize,
        /// Where the row ends, in bytes from the start of the input.
        end: usize,
    },
}

impl CsvStart {
    /// The first row's fields when `mode` has them checked against the
    /// dataset's column names ([`check_header`]); the schema is fetched
    /// only then. `None`: no row, or declared header-less (the server
    /// checks each row), so the first row is data.
    pub fn fields_to_check(&self, mode: HeaderMode) -> Option<&[String]> {
        match (self, mode) {
            (CsvStart::FirstRow { fields, .. }, HeaderMode::Detect | HeaderMode::Present) => {
                Some(fields)
            }
            _ => None,
        }
    }

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
    fn the_schema_is_needed_only_to_check_a_first_row() {
        let start = read_start(b"id,n\n1,a\n", false).unwrap();
        let fields = row(&["id", "n"]);
        assert_eq!(start.fields_to_check(HeaderMode::Detect), Some(&fields[..]));
        assert_eq!(
            start.fields_to_check(HeaderMode::Present),
            Some(&fields[..])
        );
        assert_eq!(start.fields_to_check(HeaderMode::Absent), None);
        let empty = read_start(b"", true).unwrap();
        assert_eq!(empty.fields_to_check(HeaderMode::Present), None);
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

/// Generated CSVs that stress part cutting, for the tests of every client's
/// upload: each client cuts them through its own I/O loop and must send
/// exactly [`Sample::expected_parts`](samples::Sample::expected_parts).
#[cfg(any(test, feature = "test-support"))]
pub mod samples {
    use super::{cut_parts, strip_bom};

    /// A CSV (no header row, maybe a BOM) and the part size to cut it with.
    #[derive(Debug, Clone)]
    pub struct Sample {
        /// What the sample is called in test output.
        pub name: String,
        /// The CSV bytes.
        pub csv: Vec<u8>,
        /// The part size, in bytes, to cut it with.
        pub part_size: usize,
    }

    impl Sample {
        /// The bytes of each part every client must send: the data after
        /// any BOM, cut by [`cut_parts`].
        pub fn expected_parts(&self) -> Vec<Vec<u8>> {
            let data = strip_bom(&self.csv);
            cut_parts(data, self.part_size)
                .expect("samples are valid CSV")
                .iter()
                .map(|c| data[c.range()].to_vec())
                .collect()
        }
    }

    /// xorshift64*: the same samples on every machine and target.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n.max(1)
        }
    }

    fn field(rng: &mut Rng, out: &mut Vec<u8>, big: usize) {
        match rng.below(9) {
            0 => {}
            1 => out.extend_from_slice(b"\"a,b\""),
            2 => out.extend_from_slice(b"\"line\nbreak\""),
            3 => out.extend_from_slice(b"\"crlf\r\ninside\""),
            4 => out.extend_from_slice(b"\"say \"\"hi\"\"\""),
            5 => out.extend_from_slice(b"\"\n\""),
            6 if big > 0 => {
                // A record bigger than the part size, newlines inside.
                out.push(b'"');
                for i in 0..big {
                    out.push(if i % 61 == 60 { b'\n' } else { b'x' });
                }
                out.push(b'"');
            }
            _ => {
                for _ in 0..=rng.below(12) {
                    out.push(b'a' + rng.below(26) as u8);
                }
            }
        }
    }

    fn generate(seed: u64, records: u64, part_size: usize) -> Sample {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut csv = Vec::new();
        let bom = rng.below(4) == 0;
        if bom {
            csv.extend_from_slice(super::BOM);
        }
        for _ in 0..records {
            if rng.below(6) == 0 {
                // Blank lines, LF or CRLF.
                csv.extend_from_slice(if rng.below(2) == 0 { b"\n" } else { b"\r\n" });
            }
            let fields = 1 + rng.below(4);
            for f in 0..fields {
                if f > 0 {
                    csv.push(b',');
                }
                let big = if rng.below(40) == 0 { part_size * 3 } else { 0 };
                field(&mut rng, &mut csv, big);
            }
            csv.extend_from_slice(if rng.below(3) == 0 { b"\r\n" } else { b"\n" });
        }
        match rng.below(4) {
            0 => csv.extend_from_slice(b"  \t "),
            1 => csv.extend_from_slice(b"\n\n\r\n"),
            // The last record without a line feed.
            2 => csv.extend_from_slice(b"z,\"end\""),
            _ => {}
        }
        Sample {
            name: format!("seed {seed}, {records} records, part size {part_size}, bom {bom}"),
            csv,
            part_size,
        }
    }

    /// Small CSVs with small part sizes (a cut every few records), and one
    /// large enough that reads of [`super::READ_CHUNK`] bytes end inside
    /// quoted fields and parts.
    pub fn samples() -> Vec<Sample> {
        let mut out: Vec<Sample> = (0..48)
            .map(|seed| generate(seed, seed % 25, 1 + (seed as usize * 7) % 90))
            .collect();
        out.push(generate(1000, 24_000, 100_000));
        out
    }

    #[test]
    fn the_samples_hold_what_they_promise() {
        let all = samples();
        let text: Vec<u8> = all.iter().flat_map(|s| s.csv.clone()).collect();
        let has = |needle: &[u8]| text.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"\"line\nbreak\"") && has(b"\r\n") && has(super::BOM));
        assert!(all.iter().any(|s| s.csv.ends_with(b"  \t ")));
        assert!(all.iter().any(|s| s.csv.len() > 2 * super::READ_CHUNK));
        assert!(
            all.iter()
                .any(|s| s.expected_parts().iter().any(|p| p.len() > 2 * s.part_size))
        );
        for s in &all {
            let joined: Vec<u8> = s.expected_parts().concat();
            // Nothing is lost: the parts are the data, but for a tail of
            // blank lines.
            let data = strip_bom(&s.csv);
            assert!(data.starts_with(&joined), "{}", s.name);
            assert!(
                data[joined.len()..]
                    .iter()
                    .all(|b| matches!(b, b'\r' | b'\n')),
                "{}",
                s.name
            );
        }
    }
}
