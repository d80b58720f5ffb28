//! MySQL's regular expressions (`REGEXP`, `RLIKE`, `REGEXP_LIKE`,
//! `REGEXP_INSTR`, `REGEXP_SUBSTR`, `REGEXP_REPLACE`) on `regex-lite`,
//! already in the tree for AppDB's `$regex`: its searches take time linear
//! in the text, so no pattern can stall a query. Positions count
//! characters from 1, as MySQL's do. As under MySQL's default collation a
//! match ignores case unless `match_type` says `c` (`regex-lite` folds
//! ASCII letters only); MySQL's ICU syntax beyond `regex-lite`'s
//! (backreferences, lookaround) is a 400 naming the pattern. A NULL
//! argument gives NULL.

use std::sync::Arc;

use regex_lite::{Regex, RegexBuilder};
use rusqlite::functions::Context;
use rusqlite::types::Value;
use rusqlite::{Connection, Error, Result};

use super::collation;
use super::strings::{add, int, text};

fn user_error(message: String) -> Error {
    Error::UserFunctionError(message.into())
}

/// A pattern compiled with a `match_type`, kept for the statement while
/// the pattern argument stays the same.
struct Compiled {
    match_type: String,
    regex: Regex,
}

/// The pattern (argument 1) compiled for `match_type`: MySQL's flags `c`
/// (case-sensitive), `i` (not, the default), `m` (multiple lines), `n`
/// (`.` matches line ends), `u` (Unix line ends only, which is all
/// `regex-lite` knows); the last of `c` and `i` wins.
fn pattern(ctx: &Context<'_>, match_type: &str) -> Result<Option<Arc<Compiled>>> {
    if text(ctx, 1).is_none() {
        return Ok(None);
    }
    let compile = |pattern: &str| -> Result<Compiled> {
        let mut b = RegexBuilder::new(pattern);
        b.case_insensitive(true);
        for flag in match_type.chars() {
            match flag {
                'c' => b.case_insensitive(false),
                'i' => b.case_insensitive(true),
                'm' => b.multi_line(true),
                'n' => b.dot_matches_new_line(true),
                'u' => &mut b,
                other => {
                    return Err(user_error(format!(
                        "invalid match_type flag `{other}` of a regular expression (c, i, m, n or u)"
                    )));
                }
            };
        }
        let regex = b.build().map_err(|e| {
            user_error(format!(
                "the regular expression `{pattern}` is not valid: {e}"
            ))
        })?;
        Ok(Compiled {
            match_type: match_type.to_owned(),
            regex,
        })
    };
    let cached = ctx.get_or_create_aux(1, |v| compile(&collation::text(v).unwrap_or_default()))?;
    if cached.match_type == match_type {
        return Ok(Some(cached));
    }
    // The match type changed from row to row: not kept.
    let source = text(ctx, 1).unwrap_or_default();
    Ok(Some(Arc::new(compile(&source)?)))
}

/// An optional integer argument (a position, an occurrence) of the
/// `given` arguments: None when it is NULL, `default` when not given.
fn int_or(ctx: &Context<'_>, given: usize, i: usize, default: i64) -> Option<i64> {
    if i >= given {
        Some(default)
    } else {
        int(ctx, i)
    }
}

/// The optional `match_type` argument at `i` of the `given` ('' when not
/// given).
fn match_type(ctx: &Context<'_>, given: usize, i: usize) -> Option<String> {
    if i >= given {
        Some(String::new())
    } else {
        text(ctx, i)
    }
}

/// The byte offset of character position `pos` (from 1) in `s`; MySQL
/// refuses a position before the text or more than one past its end.
fn start_at(s: &str, pos: i64) -> Result<usize> {
    let chars = s.chars().count() as i64;
    if pos < 1 || pos > chars + 1 {
        return Err(user_error(format!(
            "the position {pos} is outside the text searched by a regular expression"
        )));
    }
    Ok(s.char_indices()
        .nth((pos - 1) as usize)
        .map_or(s.len(), |(at, _)| at))
}

/// The matches at or after byte `from`, as ICU (MySQL's) finds them: the
/// whole text is the context (`^` is its start), and the search goes on
/// after each match, one character further after an empty one.
fn matches_from<'t>(
    re: &'t Regex,
    s: &'t str,
    from: usize,
) -> impl Iterator<Item = regex_lite::Captures<'t>> + 't {
    let mut at = Some(from);
    std::iter::from_fn(move || {
        let caps = re.captures_at(s, at?)?;
        let m = caps.get(0)?;
        at = if m.end() > m.start() {
            Some(m.end())
        } else {
            s[m.end()..].chars().next().map(|c| m.end() + c.len_utf8())
        };
        Some(caps)
    })
}

/// The `occurrence`-th match (from 1) at or after byte `from`.
fn nth_match(re: &Regex, s: &str, from: usize, occurrence: i64) -> Option<(usize, usize)> {
    let n = usize::try_from(occurrence.max(1) - 1).ok()?;
    let m = matches_from(re, s, from).nth(n)?.get(0)?;
    Some((m.start(), m.end()))
}

/// `s` with the matches from byte `from` on replaced by `repl` (`$1` a
/// group): every one (`occurrence` 0 or less) or the `occurrence`-th.
/// None when the result would pass `limit` bytes (`--max-value-bytes`),
/// found before it is made whole.
fn replace(
    re: &Regex,
    s: &str,
    from: usize,
    occurrence: i64,
    repl: &str,
    limit: usize,
) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(limit));
    let mut copied = 0;
    for (n, caps) in matches_from(re, s, from).enumerate() {
        if occurrence > 0 && n as i64 + 1 != occurrence {
            continue;
        }
        let m = caps.get(0)?;
        out.push_str(&s[copied..m.start()]);
        caps.expand(repl, &mut out);
        copied = m.end();
        if out.len() > limit {
            return None;
        }
        if occurrence > 0 {
            break;
        }
    }
    out.push_str(&s[copied..]);
    (out.len() <= limit).then_some(out)
}

/// A searched text and the byte range of the match in it (None: none).
type Found = (String, Option<(usize, usize)>);

/// The search of REGEXP_INSTR and REGEXP_SUBSTR, whose arguments start
/// alike (text, pattern, pos, occurrence) and whose `match_type` is at
/// `match_type_at`; None for a NULL argument.
fn search(ctx: &Context<'_>, match_type_at: usize) -> Result<Option<Found>> {
    let given = ctx.len();
    let args = (
        text(ctx, 0),
        int_or(ctx, given, 2, 1),
        int_or(ctx, given, 3, 1),
        match_type(ctx, given, match_type_at),
    );
    let (Some(s), Some(pos), Some(occurrence), Some(mt)) = args else {
        return Ok(None);
    };
    let Some(p) = pattern(ctx, &mt)? else {
        return Ok(None);
    };
    let found = nth_match(&p.regex, &s, start_at(&s, pos)?, occurrence);
    Ok(Some((s, found)))
}

fn char_position(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64 + 1
}

/// Registers the regular expression functions on `conn`.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    // REGEXP_LIKE(expr, pat[, match_type]); `x REGEXP p` is written as it.
    for n in [2, 3] {
        add(conn, "domo_regexp_like", n, |ctx| {
            let (Some(s), Some(mt)) = (text(ctx, 0), match_type(ctx, ctx.len(), 2)) else {
                return Ok(None);
            };
            Ok(pattern(ctx, &mt)?.map(|p| Value::Integer(i64::from(p.regex.is_match(&s)))))
        })?;
    }
    // REGEXP_INSTR(expr, pat[, pos[, occurrence[, return_option[, match_type]]]]):
    // where the match starts (or, with return_option 1, ends), 0 for none.
    for n in 2..=6 {
        add(conn, "domo_regexp_instr", n, |ctx| {
            let Some(after) = int_or(ctx, ctx.len(), 4, 0) else {
                return Ok(None);
            };
            if !matches!(after, 0 | 1) {
                return Err(user_error(format!(
                    "REGEXP_INSTR's return_option is 0 or 1, not {after}"
                )));
            }
            Ok(search(ctx, 5)?.map(|(s, found)| {
                Value::Integer(found.map_or(0, |(start, end)| {
                    char_position(&s, if after == 1 { end } else { start })
                }))
            }))
        })?;
    }
    // REGEXP_SUBSTR(expr, pat[, pos[, occurrence[, match_type]]]): NULL for none.
    for n in 2..=5 {
        add(conn, "domo_regexp_substr", n, |ctx| {
            Ok(search(ctx, 4)?.and_then(|(s, found)| {
                found.map(|(start, end)| Value::Text(s[start..end].to_owned()))
            }))
        })?;
    }
    // REGEXP_REPLACE(expr, pat, repl[, pos[, occurrence[, match_type]]]):
    // every match from `pos` on (occurrence 0), or only the n-th; `$1` in
    // `repl` is a group. The dialect adds `--max-value-bytes` as the last
    // argument: a result past it is refused before it is made whole.
    for n in 4..=7 {
        add(conn, "domo_regexp_replace", n, |ctx| {
            let given = ctx.len() - 1;
            let limit = ctx
                .get_raw(given)
                .as_i64()
                .ok()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0);
            let args = (
                text(ctx, 0),
                text(ctx, 2),
                int_or(ctx, given, 3, 1),
                int_or(ctx, given, 4, 0),
                match_type(ctx, given, 5),
            );
            let (Some(s), Some(repl), Some(pos), Some(occurrence), Some(mt)) = args else {
                return Ok(None);
            };
            let Some(p) = pattern(ctx, &mt)? else {
                return Ok(None);
            };
            let from = start_at(&s, pos)?;
            match replace(&p.regex, &s, from, occurrence, &repl, limit) {
                Some(out) => Ok(Some(Value::Text(out))),
                None => Err(super::strings::too_big()),
            }
        })?;
    }
    Ok(())
}
