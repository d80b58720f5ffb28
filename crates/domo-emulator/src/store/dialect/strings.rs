//! MySQL's string functions that SQLite lacks or means differently, as
//! Rust functions named `domo_*` (the dialect rewrites MySQL's names to
//! them): positions and lengths count characters; searches (`LOCATE`,
//! `INSTR`, `POSITION`) and `STRCMP` follow the collation, as MySQL's do
//! on text; `SUBSTRING_INDEX` and `TRIM` match exactly, as MySQL's do.
//! A NULL argument gives NULL.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Error, Result};

use super::collation;
use super::numeric::{self, Num};

/// SQLite's "too big" (the query's 400 names `--max-value-bytes`): a
/// function that grows text (`REPEAT`, `LPAD`, `RPAD`, `SPACE`) is given
/// the limit as its last argument and refuses a longer result before
/// making it.
pub(super) fn too_big() -> Error {
    Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_TOOBIG),
        None,
    )
}

pub(super) fn text(ctx: &Context<'_>, i: usize) -> Option<String> {
    collation::text(ctx.get_raw(i))
}

/// A count or position, as MySQL reads one (a fraction rounds).
pub(super) fn int(ctx: &Context<'_>, i: usize) -> Option<i64> {
    Some(match numeric::number(ctx.get_raw(i))? {
        Num::Int(n) => n,
        other => other.as_f64().round() as i64,
    })
}

/// `SUBSTRING(s, pos[, len])`: `pos` counts from 1, or from the end when
/// negative; 0, a position past either end, or a length below 1 is ''.
fn substring(s: &str, pos: i64, len: Option<i64>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    let start = match pos {
        0 => return String::new(),
        p if p > 0 => p - 1,
        p => n + p,
    };
    if start < 0 || start >= n {
        return String::new();
    }
    let take = match len {
        Some(l) if l < 1 => return String::new(),
        Some(l) => l.min(n - start),
        None => n - start,
    };
    chars[start as usize..(start + take) as usize]
        .iter()
        .collect()
}

/// `LOCATE(needle, hay, from)`: the position (from 1) of the first
/// occurrence at or after `from` by the collation, 0 when there is none.
fn locate(needle: &str, hay: &str, from: i64) -> i64 {
    let chars: Vec<char> = hay.chars().collect();
    let n = chars.len() as i64;
    if from < 1 || from > n + 1 {
        return 0;
    }
    let key = collation::fold(needle);
    if key.is_empty() {
        return from;
    }
    for i in (from - 1) as usize..chars.len() {
        let mut folded = String::new();
        for c in &chars[i..] {
            collation::fold_char(*c, &mut folded);
            if folded.len() >= key.len() || !key.starts_with(&folded) {
                break;
            }
        }
        if folded == key {
            return i as i64 + 1;
        }
    }
    0
}

/// The longest value the query may make: the last argument.
fn limit(ctx: &Context<'_>) -> usize {
    ctx.get_raw(ctx.len() - 1)
        .as_i64()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
}

/// `LPAD`/`RPAD`: `s` cut or padded to `len` characters with `pad`
/// repeated; NULL for a negative length, or when padding with ''. At most
/// `max` bytes.
fn pad(s: &str, len: i64, pad: &str, left: bool, max: usize) -> Result<Option<String>> {
    if len < 0 {
        return Ok(None);
    }
    let n = s.chars().count();
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len <= n {
        return Ok(Some(s.chars().take(len).collect()));
    }
    if pad.is_empty() {
        return Ok(None);
    }
    let need = len - n;
    // The filler's bytes, without making it: whole rounds of `pad`, then
    // the first characters of one more.
    let per_round = pad.chars().count();
    let partial: usize = pad.chars().take(need % per_round).map(char::len_utf8).sum();
    let bytes = (need / per_round)
        .saturating_mul(pad.len())
        .saturating_add(partial)
        .saturating_add(s.len());
    if bytes > max {
        return Err(too_big());
    }
    let filler: String = pad.chars().cycle().take(need).collect();
    Ok(Some(if left {
        filler + s
    } else {
        s.to_owned() + &filler
    }))
}

/// `SUBSTRING_INDEX(s, delim, count)`: what comes before the count-th
/// `delim` from the left, or after the count-th from the right when
/// negative; all of `s` when there are fewer.
fn substring_index(s: &str, delim: &str, count: i64) -> String {
    if delim.is_empty() || count == 0 {
        return String::new();
    }
    let nth = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX) - 1;
    if count > 0 {
        match s.match_indices(delim).nth(nth) {
            Some((at, _)) => s[..at].to_owned(),
            None => s.to_owned(),
        }
    } else {
        match s.rmatch_indices(delim).nth(nth) {
            Some((at, _)) => s[at + delim.len()..].to_owned(),
            None => s.to_owned(),
        }
    }
}

/// `TRIM([BOTH | LEADING | TRAILING] what FROM s)`: every whole `what` at
/// that end, repeated (`side` 0 both, 1 leading, 2 trailing).
fn trim(s: &str, what: &str, side: i64) -> String {
    let mut rest = s;
    if what.is_empty() {
        return rest.to_owned();
    }
    if side != 2 {
        while let Some(r) = rest.strip_prefix(what) {
            rest = r;
        }
    }
    if side != 1 {
        while let Some(r) = rest.strip_suffix(what) {
            rest = r;
        }
    }
    rest.to_owned()
}

/// `FORMAT(x, d)`: `x` rounded to `d` decimals (at most 30) as MySQL
/// rounds it, written with a comma between thousands (the `en_US`
/// locale's form).
fn format_number(x: Num, d: i64) -> String {
    let d = d.clamp(0, 30);
    let digits = match numeric::round(x, d, true) {
        Num::Int(i) => i.to_string(),
        Num::Dec(v) => v.text(),
        Num::Real(f) => format!("{f:.*}", d as usize),
    };
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mut frac: String = frac.chars().take(d as usize).collect();
    while frac.len() < d as usize {
        frac.push('0');
    }
    // A negative number rounded to zero is written without its sign.
    let zero = grouped
        .chars()
        .chain(frac.chars())
        .all(|c| c == '0' || c == ',');
    let sign = if zero { "" } else { sign };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// One registration: a deterministic function of `n` arguments whose
/// answer is NULL when `f` gives None.
pub(super) fn add<F>(conn: &Connection, name: &str, n: i32, f: F) -> Result<()>
where
    F: Fn(&Context<'_>) -> Result<Option<Value>> + Send + 'static,
{
    conn.create_scalar_function(
        name,
        n,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| Ok(f(ctx)?.unwrap_or(Value::Null)),
    )
}

fn some_text(s: String) -> Result<Option<Value>> {
    Ok(Some(Value::Text(s)))
}

/// Registers the string functions on `conn`.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    for (name, left) in [("domo_left", true), ("domo_right", false)] {
        add(conn, name, 2, move |ctx| {
            let (Some(s), Some(n)) = (text(ctx, 0), int(ctx, 1)) else {
                return Ok(None);
            };
            let count = s.chars().count();
            let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX).min(count);
            some_text(if left {
                s.chars().take(n).collect()
            } else {
                s.chars().skip(count - n).collect()
            })
        })?;
    }
    for n in [2, 3] {
        add(conn, "domo_substring", n, move |ctx| {
            let (Some(s), Some(pos)) = (text(ctx, 0), int(ctx, 1)) else {
                return Ok(None);
            };
            let len = if n == 3 {
                match int(ctx, 2) {
                    Some(l) => Some(l),
                    None => return Ok(None),
                }
            } else {
                None
            };
            some_text(substring(&s, pos, len))
        })?;
        add(conn, "domo_locate", n, move |ctx| {
            let from = if n == 3 { int(ctx, 2) } else { Some(1) };
            Ok(match (text(ctx, 0), text(ctx, 1), from) {
                (Some(needle), Some(hay), Some(from)) => {
                    Some(Value::Integer(locate(&needle, &hay, from)))
                }
                _ => None,
            })
        })?;
    }
    // INSTR(hay, needle): LOCATE with its arguments the other way round.
    add(conn, "domo_instr", 2, |ctx| {
        Ok(match (text(ctx, 0), text(ctx, 1)) {
            (Some(hay), Some(needle)) => Some(Value::Integer(locate(&needle, &hay, 1))),
            _ => None,
        })
    })?;
    for (name, left) in [("domo_lpad", true), ("domo_rpad", false)] {
        add(conn, name, 4, move |ctx| {
            let (Some(s), Some(len), Some(p)) = (text(ctx, 0), int(ctx, 1), text(ctx, 2)) else {
                return Ok(None);
            };
            Ok(pad(&s, len, &p, left, limit(ctx))?.map(Value::Text))
        })?;
    }
    add(conn, "domo_repeat", 3, |ctx| {
        let (Some(s), Some(n)) = (text(ctx, 0), int(ctx, 1)) else {
            return Ok(None);
        };
        let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
        if s.len().saturating_mul(n) > limit(ctx) {
            return Err(too_big());
        }
        some_text(s.repeat(n))
    })?;
    add(conn, "domo_space", 2, |ctx| {
        let Some(n) = int(ctx, 0) else {
            return Ok(None);
        };
        let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
        if n > limit(ctx) {
            return Err(too_big());
        }
        some_text(" ".repeat(n))
    })?;
    add(conn, "domo_reverse", 1, |ctx| {
        Ok(text(ctx, 0).map(|s| Value::Text(s.chars().rev().collect())))
    })?;
    add(conn, "domo_substring_index", 3, |ctx| {
        let (Some(s), Some(delim), Some(count)) = (text(ctx, 0), text(ctx, 1), int(ctx, 2)) else {
            return Ok(None);
        };
        some_text(substring_index(&s, &delim, count))
    })?;
    // ASCII(s): the first byte, 0 for ''.
    add(conn, "domo_ascii", 1, |ctx| {
        Ok(text(ctx, 0).map(|s| Value::Integer(s.bytes().next().map_or(0, i64::from))))
    })?;
    add(conn, "domo_strcmp", 2, |ctx| {
        Ok(match (text(ctx, 0), text(ctx, 1)) {
            (Some(a), Some(b)) => Some(Value::Integer(collation::compare(&a, &b) as i64)),
            _ => None,
        })
    })?;
    add(conn, "domo_trim", 3, |ctx| {
        let (Some(s), Some(what), Some(side)) = (text(ctx, 0), text(ctx, 1), int(ctx, 2)) else {
            return Ok(None);
        };
        some_text(trim(&s, &what, side))
    })?;
    // FIELD(x, a, b, ...): the position of the first argument equal to x,
    // 0 for none (or a NULL x). As MySQL: all text compares by the
    // collation, all numbers as numbers, a mix as doubles.
    add(conn, "domo_field", -1, |ctx| {
        let x = ctx.get_raw(0);
        if x == ValueRef::Null {
            return Ok(Some(Value::Integer(0)));
        }
        let args = || (0..ctx.len()).map(|i| ctx.get_raw(i));
        let is_text = |v: ValueRef<'_>| {
            matches!(v, ValueRef::Text(_))
                || matches!(v, ValueRef::Blob(b) if numeric::decimal(ValueRef::Blob(b)).is_none())
        };
        let given = || args().filter(|v| *v != ValueRef::Null);
        let (all_text, all_numbers) = (given().all(is_text), given().all(|v| !is_text(v)));
        let x_double = numeric::number(x).map(Num::as_f64);
        for (i, v) in args().enumerate().skip(1) {
            let equal = if all_text || all_numbers {
                numeric::compare(x, v) == Some(std::cmp::Ordering::Equal)
            } else {
                v != ValueRef::Null && numeric::number(v).map(Num::as_f64) == x_double
            };
            if equal {
                return Ok(Some(Value::Integer(i as i64)));
            }
        }
        Ok(Some(Value::Integer(0)))
    })?;
    // ELT(n, a, b, ...): the n-th of the others, NULL past either end.
    add(conn, "domo_elt", -1, |ctx| {
        let Some(n) = int(ctx, 0) else {
            return Ok(None);
        };
        Ok(usize::try_from(n)
            .ok()
            .filter(|n| (1..ctx.len()).contains(n))
            .map(|n| Value::from(ctx.get_raw(n))))
    })?;
    // FIND_IN_SET(s, list): the position of s among the comma-separated
    // items of list, by the collation; 0 when absent or list is ''.
    add(conn, "domo_find_in_set", 2, |ctx| {
        let (Some(s), Some(list)) = (text(ctx, 0), text(ctx, 1)) else {
            return Ok(None);
        };
        if list.is_empty() {
            return Ok(Some(Value::Integer(0)));
        }
        let at = list
            .split(',')
            .position(|item| collation::compare(item, &s) == std::cmp::Ordering::Equal);
        Ok(Some(Value::Integer(at.map_or(0, |i| i as i64 + 1))))
    })?;
    add(conn, "domo_format", 2, |ctx| {
        let (Some(x), Some(d)) = (numeric::number(ctx.get_raw(0)), int(ctx, 1)) else {
            return Ok(None);
        };
        some_text(format_number(x, d))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings_count_characters_as_mysql() {
        assert_eq!(substring("héllo", 2, Some(3)), "éll");
        assert_eq!(substring("abc", 0, None), "");
        assert_eq!(substring("abc", -2, None), "bc");
        assert_eq!(substring("abc", -5, None), "");
        assert_eq!(substring("abc", 4, None), "");
        assert_eq!(substring("abcdef", 4, Some(-2)), "");
    }

    #[test]
    fn locate_follows_the_collation() {
        assert_eq!(locate("BAR", "foobarbar", 1), 4);
        assert_eq!(locate("bar", "foobarbar", 5), 7);
        assert_eq!(locate("é", "cafe", 1), 4);
        assert_eq!(locate("xyz", "abc", 1), 0);
        assert_eq!(locate("", "abc", 3), 3);
        assert_eq!(locate("", "abc", 5), 0);
        assert_eq!(locate("a", "abc", 0), 0);
    }

    #[test]
    fn pads_trims_and_indexes() {
        let max = 100;
        assert_eq!(pad("hi", 5, "?", true, max).unwrap().unwrap(), "???hi");
        assert_eq!(pad("hi", 5, "ab", false, max).unwrap().unwrap(), "hiaba");
        assert_eq!(pad("hello", 2, "?", true, max).unwrap().unwrap(), "he");
        assert_eq!(pad("hi", 5, "", true, max).unwrap(), None);
        assert_eq!(pad("hi", -1, "?", true, max).unwrap(), None);
        assert!(pad("hi", i64::MAX, "?", true, max).is_err());
        // Exactly the limit in bytes (`é` is two), and one more.
        assert_eq!(pad("", 50, "é", true, max).unwrap().unwrap().len(), 100);
        assert!(pad("a", 51, "é", true, max).is_err());
        assert_eq!(substring_index("www.mysql.com", ".", 2), "www.mysql");
        assert_eq!(substring_index("www.mysql.com", ".", -2), "mysql.com");
        assert_eq!(substring_index("www.mysql.com", ".", 5), "www.mysql.com");
        assert_eq!(substring_index("a.b", ".", 0), "");
        assert_eq!(trim("xxbarxx", "x", 0), "bar");
        assert_eq!(trim("xyxybarxy", "xy", 1), "barxy");
        assert_eq!(trim("yxbar", "xy", 1), "yxbar");
        assert_eq!(trim("  bar  ", " ", 2), "  bar");
    }

    #[test]
    fn formats_numbers_with_thousands() {
        assert_eq!(format_number(Num::Real(12332.123456), 4), "12,332.1235");
        assert_eq!(format_number(Num::Int(12332), 2), "12,332.00");
        assert_eq!(format_number(Num::Int(-1234567), 0), "-1,234,567");
        assert_eq!(format_number(Num::Int(999), 0), "999");
    }
}
