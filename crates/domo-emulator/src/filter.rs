//! The one filter grammar, shared by `GET .../data?filter=` and
//! `GET /data/v1|v2/{alias}?filter=`: conditions joined by commas (AND), each
//! `name op value` with `=` (`==`), `!=` (`<>`), `<`, `<=`, `>`, `>=`,
//! `contains` (`~`), `!contains` (`!~`), `in (a, b)` and `!in [a, b]`, or
//! `name is null`, `name !is null`, `name todate {unit}`, `name last {unit}`
//! and `name last N {units}` (see `crate::calendar` for their periods).
//! Names and values may be quoted with `'`, `"` or a backtick (what
//! `@domoinc/query` sends: `'name' == "text"`, numbers bare); an unquoted
//! name may hold spaces (`Unit Price > 5`): the longest known name the
//! condition starts with wins.
//!
//! Hand-written because no crate parses Domo's App Data filter syntax. It
//! yields `Condition`s and never SQL: the store compiles them with bound
//! values (`store::rows::compile_filter`).

use crate::calendar::{Relative, Unit};
use crate::limits::{MAX_FILTER_CLAUSES, MAX_FILTER_VALUES};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Substring, ASCII case-insensitive.
    Contains,
    NotContains,
    In,
    NotIn,
    IsNull,
    NotNull,
    /// `todate`, `last`: a period relative to the clock (DATE and DATETIME).
    Relative(Relative),
}

/// One parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    /// The condition as written, for messages.
    pub clause: String,
    /// Index into the `Names` it was parsed against.
    pub field: usize,
    pub op: Op,
    /// The unquoted value (one for comparisons, the items of an `in` list).
    pub values: Vec<String>,
}

/// The names a request may refer to, and what messages call them: the
/// columns of a dataset (`/data`) or the fields of an app alias (`/data/v1`).
#[derive(Debug, Clone)]
pub(crate) struct Names<'a> {
    names: Vec<&'a str>,
    noun: &'static str,
    scope: String,
}

impl<'a> Names<'a> {
    /// A dataset's columns.
    pub fn columns(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            names: names.into_iter().collect(),
            noun: "column",
            scope: String::new(),
        }
    }

    /// The fields of a custom app's dataset alias.
    pub fn fields(alias: &str, names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            names: names.into_iter().collect(),
            noun: "field",
            scope: format!(" in alias `{alias}`"),
        }
    }

    pub fn get(&self, i: usize) -> &'a str {
        self.names[i]
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }

    /// `{context}: unknown column `x` (columns: a, b)`.
    pub fn unknown(&self, name: &str, context: &str) -> String {
        format!(
            "{context}: unknown {noun} `{name}`{scope} ({noun}s: {})",
            self.names.join(", "),
            noun = self.noun,
            scope = self.scope,
        )
    }
}

/// Splits on commas outside quotes and brackets, so `in (a, b)` and
/// `sum(x)` stay whole; blank items are dropped.
pub(crate) fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Trims and strips one pair of matching quotes; says whether it did.
pub(crate) fn unquote(s: &str) -> (&str, bool) {
    let s = s.trim();
    for q in ['\'', '"', '`'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return (&s[1..s.len() - 1], true);
        }
    }
    (s, false)
}

/// The operators, longest first so `>=` is not read as `>`.
const OPERATORS: [&str; 16] = [
    "!contains",
    "contains",
    "todate",
    "last",
    "!in",
    "in",
    "!=",
    "<>",
    ">=",
    "<=",
    "==",
    "!~",
    "=",
    "<",
    ">",
    "~",
];

/// Parses a whole filter. Refuses more than `MAX_FILTER_CLAUSES`
/// conditions or `MAX_FILTER_VALUES` values, which SQLite could not run.
pub(crate) fn parse(filter: &str, names: &Names<'_>) -> Result<Vec<Condition>, String> {
    let clauses = split_top_level(filter);
    if clauses.len() > MAX_FILTER_CLAUSES {
        return Err(format!(
            "the filter has {} conditions, more than the limit of {MAX_FILTER_CLAUSES}",
            clauses.len()
        ));
    }
    let mut out = Vec::with_capacity(clauses.len());
    let mut values = 0usize;
    for clause in clauses {
        let c = parse_condition(clause.trim(), names)?;
        values += c.values.len();
        if values > MAX_FILTER_VALUES {
            return Err(format!(
                "the filter has more than {MAX_FILTER_VALUES} values (the limit, counting every item of `in` lists)"
            ));
        }
        out.push(c);
    }
    Ok(out)
}

/// One condition `name op value`.
fn parse_condition(clause: &str, names: &Names<'_>) -> Result<Condition, String> {
    let context = format!("filter `{clause}`");
    // The name: a quoted name, or the longest known name the condition
    // starts with (names may hold spaces, e.g. `Unit Price > 5`).
    let (field, rest) = if let Some(q) = clause
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))
    {
        let end = clause[1..]
            .find(q)
            .ok_or_else(|| format!("{context}: unclosed quote"))?;
        let name = &clause[1..1 + end];
        let i = names
            .find(name)
            .ok_or_else(|| names.unknown(name, &context))?;
        (i, &clause[end + 2..])
    } else {
        let mut best: Option<(usize, usize)> = None;
        for (i, name) in names.names.iter().enumerate() {
            let Some(after) = clause.strip_prefix(*name) else {
                continue;
            };
            let boundary = after
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || "=!<>~".contains(c));
            if boundary && best.is_none_or(|(_, len)| name.len() > len) {
                best = Some((i, name.len()));
            }
        }
        let Some((i, len)) = best else {
            let name = clause
                .split(|c: char| c.is_whitespace() || "=!<>~".contains(c))
                .next()
                .unwrap_or(clause);
            return Err(names.unknown(name, &context));
        };
        (i, &clause[len..])
    };
    let rest = rest.trim_start();
    if let Some((op, len)) = null_test(rest) {
        let value = rest[len..].trim();
        if !value.is_empty() {
            return Err(format!(
                "{context}: `is null` takes no value, got `{value}`"
            ));
        }
        return Ok(Condition {
            clause: clause.to_owned(),
            field,
            op,
            values: Vec::new(),
        });
    }
    let op = OPERATORS
        .iter()
        .find(|op| {
            let Some(head) = rest.get(..op.len()) else {
                return false;
            };
            if !head.eq_ignore_ascii_case(op) {
                return false;
            }
            // A word operator must end where the word ends.
            !op.ends_with(|c: char| c.is_ascii_alphabetic())
                || rest[op.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_whitespace() || "([\"'`".contains(c))
        })
        .copied()
        .ok_or_else(|| {
            format!(
                "{context}: expected an operator after `{}` (expected `column op value`, op one of = == != <> > >= < <= contains ~ !contains !~ in !in todate last, or `column is null`, `column !is null`)",
                names.get(field)
            )
        })?;
    let value = rest[op.len()..].trim();
    let op = match op.to_ascii_lowercase().as_str() {
        "todate" => Op::Relative(Relative::ToDate(
            Unit::parse(value).filter(|u| *u != Unit::Hour).ok_or_else(|| {
                format!("{context}: expected `todate day|week|month|quarter|year`, got `todate {value}`")
            })?,
        )),
        "last" => Op::Relative(parse_last(value).ok_or_else(|| {
            format!(
                "{context}: expected `last N hours|days|weeks|months|quarters|years` or `last day|week|month|quarter|year`, got `last {value}`"
            )
        })?),
        "contains" | "~" => Op::Contains,
        "!contains" | "!~" => Op::NotContains,
        "in" => Op::In,
        "!in" => Op::NotIn,
        "=" | "==" => Op::Eq,
        "!=" | "<>" => Op::Ne,
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        _ => Op::Ge,
    };
    let values = match op {
        Op::In | Op::NotIn => {
            let inner = [('(', ')'), ('[', ']')]
                .iter()
                .find_map(|(open, close)| value.strip_prefix(*open)?.strip_suffix(*close))
                .unwrap_or(value);
            split_top_level(inner)
                .into_iter()
                .map(|item| unquote(item).0.to_owned())
                .collect()
        }
        Op::IsNull | Op::NotNull | Op::Relative(_) => Vec::new(),
        _ => vec![unquote(value).0.to_owned()],
    };
    Ok(Condition {
        clause: clause.to_owned(),
        field,
        op,
        values,
    })
}

/// `is null` or `!is null` (any case, any spaces between the words) at
/// the start of `rest`: the test and the length of its text.
fn null_test(rest: &str) -> Option<(Op, usize)> {
    let (op, tail) = match rest.strip_prefix('!') {
        Some(t) => (Op::NotNull, t),
        None => (Op::IsNull, rest),
    };
    if !tail.get(..2)?.eq_ignore_ascii_case("is") {
        return None;
    }
    let gap = &tail[2..];
    let word = gap.trim_start();
    if word.len() == gap.len() || !word.get(..4)?.eq_ignore_ascii_case("null") {
        return None;
    }
    let end = rest.len() - word.len() + 4;
    rest[end..]
        .chars()
        .next()
        .is_none_or(char::is_whitespace)
        .then_some((op, end))
}

/// `N {units}` (a rolling window) or `{unit}` (the previous period).
fn parse_last(value: &str) -> Option<Relative> {
    let mut words = value.split_whitespace();
    let first = words.next()?;
    let rel = match first.parse::<i64>() {
        Ok(n) if (0..=100_000).contains(&n) => Relative::Rolling(n, Unit::parse(words.next()?)?),
        Ok(_) => return None,
        Err(_) => Relative::LastPeriod(Unit::parse(first)?),
    };
    words.next().is_none().then_some(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names<'static> {
        Names::columns(["region", "Unit Price", "Unit", "n"])
    }

    #[test]
    fn both_syntaxes_parse_to_the_same_conditions() {
        // `/data`'s historical form and the App Data form.
        let a = parse("region = 'a,b', n>=10, \"Unit Price\" <> 2", &names()).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(
            (a[0].field, a[0].op, a[0].values.clone()),
            (0, Op::Eq, vec!["a,b".to_owned()])
        );
        assert_eq!((a[1].field, a[1].op), (3, Op::Ge));
        assert_eq!((a[2].field, a[2].op), (1, Op::Ne));
        let b = parse(
            "Unit Price == 2.5, region in (East, 'West, Far'), Unit !~ x, n !in [1,2]",
            &names(),
        )
        .unwrap();
        assert_eq!((b[0].field, b[0].op), (1, Op::Eq), "longest name wins");
        assert_eq!(b[1].values, ["East", "West, Far"]);
        assert_eq!((b[2].field, b[2].op), (2, Op::NotContains));
        assert_eq!(
            (b[3].op, b[3].values.clone()),
            (Op::NotIn, vec!["1".to_owned(), "2".to_owned()])
        );
    }

    #[test]
    fn mistakes_name_the_condition() {
        let e = parse("nope = 1", &names()).unwrap_err();
        assert!(e.contains("unknown column `nope` (columns: region"), "{e}");
        let e = parse("n ^ 1", &names()).unwrap_err();
        assert!(e.contains("expected an operator after `n`"), "{e}");
        let e = parse("'region = 1", &names()).unwrap_err();
        assert!(e.contains("unclosed quote"), "{e}");
        let e = parse("n last 3", &names()).unwrap_err();
        assert!(e.contains("expected `last N hours|days"), "{e}");
        let e = parse("n todate hour", &names()).unwrap_err();
        assert!(e.contains("expected `todate day|week"), "{e}");
        let e = parse("n is null 3", &names()).unwrap_err();
        assert!(e.contains("takes no value"), "{e}");
        let e = parse("x = 1", &Names::fields("sales", ["a"])).unwrap_err();
        assert!(
            e.contains("unknown field `x` in alias `sales` (fields: a)"),
            "{e}"
        );
    }

    #[test]
    fn null_tests_and_relative_dates_parse_as_domoinc_query_sends_them() {
        // @domoinc/query: `'col' is null`, `'col' !is null`, raw `, `
        // between conditions, `'col' last month`, `'col' last 3 months`,
        // `'col' todate quarter`.
        let c = parse(
            "'region' is null, n !is null, 'Unit Price' IS   NULL, 'n' last month, \
             'n' last 3 months, 'n' todate quarter, n last 1 Day, region == \"a, b\"",
            &names(),
        )
        .unwrap();
        let ops: Vec<(usize, Op)> = c.iter().map(|c| (c.field, c.op)).collect();
        assert_eq!(
            ops,
            [
                (0, Op::IsNull),
                (3, Op::NotNull),
                (1, Op::IsNull),
                (3, Op::Relative(Relative::LastPeriod(Unit::Month))),
                (3, Op::Relative(Relative::Rolling(3, Unit::Month))),
                (3, Op::Relative(Relative::ToDate(Unit::Quarter))),
                (3, Op::Relative(Relative::Rolling(1, Unit::Day))),
                (0, Op::Eq),
            ]
        );
        assert_eq!(c[7].values, ["a, b"]);
        // A name that merely starts like the test is still a name.
        let c = parse("n = 'is null'", &names()).unwrap();
        assert_eq!(
            (c[0].op, c[0].values.clone()),
            (Op::Eq, vec!["is null".to_owned()])
        );
    }

    #[test]
    fn too_many_conditions_or_values_are_refused_with_the_limit() {
        let many = vec!["n = 1"; MAX_FILTER_CLAUSES + 1].join(",");
        let e = parse(&many, &names()).unwrap_err();
        assert!(e.contains(&MAX_FILTER_CLAUSES.to_string()), "{e}");
        assert!(parse(&vec!["n = 1"; MAX_FILTER_CLAUSES].join(","), &names()).is_ok());
        let list: Vec<String> = (0..=MAX_FILTER_VALUES).map(|i| i.to_string()).collect();
        let e = parse(&format!("n in ({})", list.join(",")), &names()).unwrap_err();
        assert!(e.contains(&MAX_FILTER_VALUES.to_string()), "{e}");
    }
}
