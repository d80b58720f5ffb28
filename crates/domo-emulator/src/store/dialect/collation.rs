//! MySQL 8's default collation, `utf8mb4_0900_ai_ci`, as near as the
//! emulator gets without the Unicode collation tables: text compares
//! without regard to case or accents. Each character is folded to a key:
//! combining marks are dropped, the accented Latin letters of Latin-1 and
//! Latin Extended-A become their base letter (`é` `e`, `Ø` `o`, `Ł` `l`),
//! `ß` `æ` `œ` become `ss` `ae` `oe`, and the rest is lowercased (any
//! script). Keys compare by code point, so letters and digits order as in
//! MySQL; punctuation may order differently. Trailing spaces count (NO
//! PAD, as MySQL 8's default). Registered as a collation of that name (the
//! `table` view's STRING columns use it) and behind `domo_cmp` and LIKE.

use std::cmp::Ordering;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Result};

/// The collation's name, as MySQL spells it.
pub(crate) const NAME: &str = "utf8mb4_0900_ai_ci";

/// Base letters of U+00C0..U+017F; `-` keeps the character (lowercased).
const LATIN: &[u8; 192] = b"aaaaaa-ceeeeiiii-nooooo-ouuuuy--aaaaaa-ceeeeiiii-nooooo-ouuuuy-y\
aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii--jjkk-llllll--llnnnnnn---oooooo--rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz-";

/// Appends the key of `c` to `out`.
pub(crate) fn fold_char(c: char, out: &mut String) {
    match c {
        // Combining marks: an accent written apart from its letter.
        '\u{300}'..='\u{36F}' => {}
        'ß' => out.push_str("ss"),
        'Æ' | 'æ' => out.push_str("ae"),
        'Œ' | 'œ' => out.push_str("oe"),
        'A'..='Z' => out.push(c.to_ascii_lowercase()),
        '\u{C0}'..='\u{17F}' => match LATIN[c as usize - 0xC0] {
            b'-' => out.extend(c.to_lowercase()),
            base => out.push(char::from(base)),
        },
        c if c.is_ascii() => out.push(c),
        c => out.extend(c.to_lowercase()),
    }
}

/// The comparison key of `s`: equal keys are equal text to MySQL.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    fold(a).cmp(&fold(b))
}

/// One piece of a LIKE pattern.
#[derive(Debug, PartialEq)]
enum Piece {
    Any,
    One,
    Char(char),
}

/// MySQL's `text LIKE pattern [ESCAPE e]` (backslash unless told), by the
/// collation: `%` any run, `_` one character.
pub(crate) fn like(text: &str, pattern: &str, escape: Option<char>) -> bool {
    let mut pieces = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut key = String::new();
    while let Some(c) = chars.next() {
        let literal = if Some(c) == escape {
            chars.next().unwrap_or(c)
        } else if c == '%' {
            pieces.push(Piece::Any);
            continue;
        } else if c == '_' {
            pieces.push(Piece::One);
            continue;
        } else {
            c
        };
        key.clear();
        fold_char(literal, &mut key);
        pieces.extend(key.chars().map(Piece::Char));
    }
    let text: Vec<char> = fold(text).chars().collect();
    matches(&text, &pieces)
}

/// Glob matching with backtracking to the last `%` only (linear in
/// practice, never exponential).
fn matches(text: &[char], pieces: &[Piece]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pieces.get(p) {
            Some(Piece::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Piece::One) => {
                t += 1;
                p += 1;
            }
            Some(Piece::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pieces[p..].iter().all(|piece| *piece == Piece::Any)
}

/// `v` as text, as a function that takes text reads it (a decimal as its digits).
pub(crate) fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(
            super::decimal::blob_text(b).unwrap_or_else(|| String::from_utf8_lossy(b).into_owned()),
        ),
    }
}

/// Registers the collation and the functions that use it.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    conn.create_collation(NAME, compare)?;
    conn.create_collation("utf8mb4_bin", |a: &str, b: &str| a.cmp(b))?;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    for n in [2, 3] {
        conn.create_scalar_function("domo_like", n, flags, move |ctx| {
            let escape = if n == 3 {
                match text(ctx.get_raw(2)) {
                    Some(e) if e.chars().count() == 1 => e.chars().next(),
                    Some(_) => {
                        return Err(rusqlite::Error::UserFunctionError(
                            "ESCAPE takes one character".into(),
                        ));
                    }
                    None => return Ok(Value::Null),
                }
            } else {
                Some('\\')
            };
            Ok(match (text(ctx.get_raw(0)), text(ctx.get_raw(1))) {
                (Some(t), Some(p)) => Value::Integer(i64::from(like(&t, &p, escape))),
                _ => Value::Null,
            })
        })?;
    }
    // `/data`'s `contains`: a substring by the collation.
    conn.create_scalar_function("domo_contains", 2, flags, |ctx| {
        Ok(match (text(ctx.get_raw(0)), text(ctx.get_raw(1))) {
            (Some(t), Some(s)) => Value::Integer(i64::from(fold(&t).contains(&fold(&s)))),
            _ => Value::Null,
        })
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        for (a, b) in [
            ("East", "EAST"),
            ("é", "E"),
            ("Ångström", "angstrom"),
            ("straße", "STRASSE"),
            ("Æon", "aeon"),
            ("Łódź", "lodz"),
            ("e\u{301}", "é"),
            ("ΣΊΣΥΦΟΣ", "σίσυφοσ"),
        ] {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} {b}");
        }
        assert_eq!(compare("a", "a "), Ordering::Less);
        assert_eq!(compare("apple", "Banana"), Ordering::Less);
        assert_eq!(compare("é", "f"), Ordering::Less);
    }

    #[test]
    fn like_as_mysql() {
        assert!(like("Été", "e%", Some('\\')));
        assert!(like("abc", "A_C", Some('\\')));
        assert!(like("a_c", "a\\_c", Some('\\')));
        assert!(!like("abc", "a\\_c", Some('\\')));
        assert!(like("50%", "50!%", Some('!')));
        assert!(like("", "%", Some('\\')));
        assert!(!like("abc", "%d%", Some('\\')));
        assert!(like("aXbXc", "%b%c", Some('\\')));
        // Many `%` against a text that does not match: no blow-up.
        assert!(!like(
            &"a".repeat(200),
            &format!("{}b", "%a".repeat(40)),
            None
        ));
    }
}
