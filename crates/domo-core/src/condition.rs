//! The Data API's filter conditions written as text, as `@domoinc/query`
//! writes them: shared by the argument reader (a condition object from
//! JavaScript) and the typed [`crate::app`] queries.

use crate::json::JsonDoc;

/// A condition as an object: `{field, op, value}` (`==`, `=`, `!=`, `<`,
/// `<=`, `>`, `>=`, `contains`, `!contains`), `{field, op, values}` (`in`,
/// `!in`), `{field, op}` (`is null`, `!is null`), `{field, op, period}`
/// (`todate`; `last`, the previous whole period) or `{field, op, period,
/// count}` (`last`: the last `count` periods) — written in the filter
/// grammar as `@domoinc/query` writes it: the field in single quotes,
/// text in double quotes, numbers bare, a date as its ISO text. A quote
/// is chosen that the text does not hold; text holding all three (`'`,
/// `"`, a backtick) cannot be written, and is refused.
pub fn condition_text<J: JsonDoc>(c: &J) -> Result<String, String> {
    const KEYS: [&str; 6] = ["field", "op", "value", "values", "period", "count"];
    if let Some(k) = c.keys().into_iter().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key `{k}` (a condition has {})",
            KEYS.join(", ")
        ));
    }
    let text = |key: &str| c.get(key).and_then(|v| v.as_str());
    let field = text("field")
        .filter(|f| !f.trim().is_empty())
        .ok_or("`field` must name a field")?;
    let op = text("op").ok_or("`op` must be an operator")?;
    let field = quoted(&field, '\'')?;
    let literal = |v: Option<J>| -> Result<String, String> {
        let v = v
            .filter(|v| !v.is_null())
            .ok_or_else(|| format!("`{op}` needs a value (for null, use `is null`)"))?;
        // A Date (JavaScript) writes itself as its ISO text in JSON.
        let json = v.to_json();
        match J::parse(&json).ok().and_then(|p| p.as_str()) {
            Some(s) => quoted(&s, '"'),
            None if v.is_object() || v.array_len().is_some() => Err(format!(
                "`{op}` needs a string, a number or a date, got {json}"
            )),
            None => Ok(json),
        }
    };
    let period = || {
        text("period")
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphabetic()))
            .ok_or_else(|| format!("`{op}` needs a `period` (day, week, month, quarter, year)"))
    };
    Ok(match op.as_str() {
        "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "!contains" => {
            format!("{field} {op} {}", literal(c.get("value"))?)
        }
        "in" | "!in" => {
            let values = c.get("values");
            let n = values.as_ref().and_then(|v| v.array_len()).unwrap_or(0);
            if n == 0 {
                return Err(format!("`{op}` needs `values`: a list of at least one"));
            }
            let items = (0..n)
                .map(|i| literal(values.as_ref().and_then(|v| v.at(i))))
                .collect::<Result<Vec<_>, _>>()?;
            format!("{field} {op} [{}]", items.join(","))
        }
        "is null" | "!is null" => format!("{field} {op}"),
        "todate" => format!("{field} todate {}", period()?),
        "last" => match c.get("count").filter(|n| !n.is_null()) {
            Some(n) => {
                let n = n.as_u64().ok_or("`count` must be a positive integer")?;
                format!("{field} last {n} {}", period()?)
            }
            None => format!("{field} last {}", period()?),
        },
        other => {
            return Err(format!(
                "unknown operator {other:?} (==, !=, <, <=, >, >=, contains, !contains, in, !in, \
                 is null, !is null, todate, last)"
            ));
        }
    })
}

/// `text` in the first of `preferred`, `"`, `'` and a backtick that it
/// does not hold (the filter grammar has no escapes).
pub(crate) fn quoted(text: &str, preferred: char) -> Result<String, String> {
    [preferred, '"', '\'', '`']
        .into_iter()
        .find(|q| !text.contains(*q))
        .map(|q| format!("{q}{text}{q}"))
        .ok_or_else(|| {
            format!(
                "{text:?} holds every quote the filter grammar has (', \", `): it cannot be sent"
            )
        })
}
