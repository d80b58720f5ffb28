//! AppDB's query language: MongoDB `find()` filters, update operators and
//! the aggregation parameters of `documents/query`, over documents as the
//! API returns them (`{"id", "owner", "createdOn", "content": {...}}`), so
//! paths read `content.n`, `createdOn`, `owner`.
//!
//! Hand-written: no maintained crate evaluates MongoDB queries over
//! `serde_json` values (the `bson` crate has types, not a matcher). A
//! query is parsed once (`Filter::parse`, which refuses unknown operators
//! naming them) and then tested against each document.
//!
//! Semantics kept from MongoDB: dotted paths descend into objects and
//! across arrays (`content.items.name` reads the name of every item), a
//! number segment indexes an array; equality against an array field
//! matches the array or any element; `{"f": null}` matches a missing
//! field; comparisons only compare values of one kind (numbers, strings,
//! booleans, dates), so `{"$gt": 5}` never matches a string; `$ne`/`$nin`
//! match a missing field. `{"$date": ...}` (an ISO string or epoch ms)
//! compares with date strings (`YYYY-MM-DD`, ISO date-times with `Z`,
//! `+0000` or `+00:00`, as AppDB writes `createdOn`).

use std::cmp::Ordering;

use regex_lite::Regex;
use serde_json::{Map, Value};

use crate::store::dialect::functions::days_from_civil;

/// A parse or evaluation problem, for a 400.
pub(crate) type Error = String;

/// A query value: JSON, or an instant from `{"$date": ...}`.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Json(Value),
    Date(i64),
}

/// One test on the values at a path.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    Eq(Operand),
    Ne(Operand),
    Cmp(Ordering, bool, Operand),
    In(Vec<Operand>),
    Nin(Vec<Operand>),
    Exists(bool),
    Regex(Regex),
    Not(Vec<Test>),
    Size(usize),
    All(Vec<Operand>),
    ElemMatch(Box<Filter>),
}

/// A parsed query.
#[derive(Debug, Clone)]
pub(crate) enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Nor(Vec<Filter>),
    Path(String, Vec<Test>),
}

/// Milliseconds since the epoch of an ISO date or date-time: `YYYY-MM-DD`,
/// `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z`, `±HH:MM` or `±HHMM`
/// (a space may stand for `T`).
pub(crate) fn parse_instant(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(s.get(0..4)?)?, num(s.get(5..7)?)?, num(s.get(8..10)?)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let day_ms = days_from_civil(y, m, d) * 86_400_000;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(day_ms);
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    // Split the offset off: `Z`, or a sign after the time.
    let (time, offset_ms) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (t, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 {
            return None;
        }
        let (oh, om) = (num(&digits[..2])?, num(&digits[2..])?);
        (t, sign * (oh * 60 + om) * 60_000)
    } else {
        (rest, 0)
    };
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut parts = hms.split(':');
    let h = num(parts.next()?)?;
    let mi = num(parts.next()?)?;
    let sec = parts.next().map_or(Some(0), num)?;
    if parts.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let ms = if frac.is_empty() {
        0
    } else {
        let f: String = frac.chars().chain("000".chars()).take(3).collect();
        num(&f)?
    };
    Some(day_ms + ((h * 60 + mi) * 60 + sec) * 1000 + ms - offset_ms)
}

/// `{"$date": "..."}`, `{"$date": ms}` or `{"$date": {"$numberLong": "ms"}}`.
fn date_operand(v: &Value) -> Result<Option<i64>, Error> {
    let Some(obj) = v.as_object() else {
        return Ok(None);
    };
    let Some(inner) = obj.get("$date") else {
        return Ok(None);
    };
    if obj.len() != 1 {
        return Err("`$date` must be the only key of its object".to_owned());
    }
    let ms = match inner {
        Value::String(s) => parse_instant(s),
        Value::Number(n) => n.as_i64(),
        Value::Object(o) => o
            .get("$numberLong")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok()),
        _ => None,
    };
    ms.map(Some).ok_or_else(|| {
        format!("`$date` needs an ISO date such as \"2020-05-12T00:00:00.000Z\" or epoch milliseconds, got {inner}")
    })
}

fn operand(v: &Value) -> Result<Operand, Error> {
    Ok(match date_operand(v)? {
        Some(ms) => Operand::Date(ms),
        None => Operand::Json(v.clone()),
    })
}

fn operands(op: &str, v: &Value) -> Result<Vec<Operand>, Error> {
    v.as_array()
        .ok_or_else(|| format!("`{op}` needs an array, got {v}"))?
        .iter()
        .map(operand)
        .collect()
}

fn regex(pattern: &str, options: &str) -> Result<Regex, Error> {
    let mut flags = String::new();
    for c in options.chars() {
        match c {
            'i' | 'm' | 's' | 'x' => flags.push(c),
            other => return Err(format!("`$options` flag `{other}` is not one of i m s x")),
        }
    }
    let full = if flags.is_empty() {
        pattern.to_owned()
    } else {
        format!("(?{flags}){pattern}")
    };
    Regex::new(&full).map_err(|e| format!("`$regex` `{pattern}` is not a valid pattern: {e}"))
}

/// The tests of an operator object (`{"$gt": 1, "$lt": 5}`).
fn tests(path: &str, ops: &Map<String, Value>) -> Result<Vec<Test>, Error> {
    let options = match ops.get("$options") {
        None => "",
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(format!(
                "`{path}`: `$options` must be a string, got {other}"
            ));
        }
    };
    let mut out = Vec::new();
    for (op, v) in ops {
        let at = |e: String| format!("`{path}`: {e}");
        out.push(match op.as_str() {
            "$eq" => Test::Eq(operand(v).map_err(at)?),
            "$ne" => Test::Ne(operand(v).map_err(at)?),
            "$gt" => Test::Cmp(Ordering::Greater, false, operand(v).map_err(at)?),
            "$gte" => Test::Cmp(Ordering::Greater, true, operand(v).map_err(at)?),
            "$lt" => Test::Cmp(Ordering::Less, false, operand(v).map_err(at)?),
            "$lte" => Test::Cmp(Ordering::Less, true, operand(v).map_err(at)?),
            "$in" => Test::In(operands(op, v).map_err(at)?),
            "$nin" => Test::Nin(operands(op, v).map_err(at)?),
            "$all" => Test::All(operands(op, v).map_err(at)?),
            "$exists" => Test::Exists(match v {
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                other => return Err(at(format!("`$exists` needs true or false, got {other}"))),
            }),
            "$regex" => match v {
                Value::String(p) => Test::Regex(regex(p, options).map_err(at)?),
                other => return Err(at(format!("`$regex` needs a string, got {other}"))),
            },
            "$options" if ops.contains_key("$regex") => continue,
            "$size" => Test::Size(
                v.as_u64()
                    .ok_or_else(|| at(format!("`$size` needs a non-negative integer, got {v}")))?
                    as usize,
            ),
            "$not" => match v {
                Value::Object(inner) if inner.keys().all(|k| k.starts_with('$')) => {
                    Test::Not(tests(path, inner)?)
                }
                other => {
                    return Err(at(format!(
                        "`$not` needs an operator object such as {{\"$gt\": 5}}, got {other}"
                    )));
                }
            },
            "$elemMatch" => Test::ElemMatch(Box::new(Filter::parse(v).map_err(at)?)),
            other => {
                return Err(at(format!(
                    "unknown operator `{other}` (known: $eq $ne $gt $gte $lt $lte $in $nin $all $exists $regex $options $not $size $elemMatch)"
                )));
            }
        });
    }
    Ok(out)
}

impl Filter {
    /// Parses a `find()` filter object.
    pub fn parse(query: &Value) -> Result<Filter, Error> {
        let obj = match query {
            Value::Object(o) => o,
            Value::Null => return Ok(Filter::And(Vec::new())),
            other => return Err(format!("a query must be a JSON object, got {other}")),
        };
        let mut all = Vec::with_capacity(obj.len());
        for (key, v) in obj {
            let list = |op: &str| -> Result<Vec<Filter>, Error> {
                let items = v
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| format!("`{op}` needs a non-empty array of queries, got {v}"))?;
                items.iter().map(Filter::parse).collect()
            };
            all.push(match key.as_str() {
                "$and" => Filter::And(list("$and")?),
                "$or" => Filter::Or(list("$or")?),
                "$nor" => Filter::Nor(list("$nor")?),
                op if op.starts_with('$') => {
                    return Err(format!(
                        "unknown top-level operator `{op}` (known: $and $or $nor)"
                    ));
                }
                path => {
                    let t = match v {
                        Value::Object(ops)
                            if ops.keys().next().is_some_and(|k| k.starts_with('$'))
                                && date_operand(v)?.is_none() =>
                        {
                            tests(path, ops)?
                        }
                        _ => vec![Test::Eq(operand(v).map_err(|e| format!("`{path}`: {e}"))?)],
                    };
                    Filter::Path(path.to_owned(), t)
                }
            });
        }
        Ok(Filter::And(all))
    }

    /// Whether `doc` passes.
    pub fn matches(&self, doc: &Value) -> bool {
        match self {
            Filter::And(fs) => fs.iter().all(|f| f.matches(doc)),
            Filter::Or(fs) => fs.iter().any(|f| f.matches(doc)),
            Filter::Nor(fs) => !fs.iter().any(|f| f.matches(doc)),
            Filter::Path(path, tests) => {
                let values = resolve(doc, path);
                tests.iter().all(|t| test(t, &values))
            }
        }
    }
}

/// The values at a dotted path: objects by key, arrays by index or across
/// their elements.
pub(crate) fn resolve<'a>(doc: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![doc];
    for seg in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            match v {
                Value::Object(o) => next.extend(o.get(seg)),
                Value::Array(items) => match seg.parse::<usize>() {
                    Ok(i) => next.extend(items.get(i)),
                    Err(_) => {
                        for item in items {
                            if let Value::Object(o) = item {
                                next.extend(o.get(seg));
                            }
                        }
                    }
                },
                _ => {}
            }
        }
        current = next;
    }
    current
}

/// Compares a stored value with an operand of the same kind.
fn compare(v: &Value, op: &Operand) -> Option<Ordering> {
    match (v, op) {
        (Value::Number(a), Operand::Json(Value::Number(b))) => {
            a.as_f64()?.partial_cmp(&b.as_f64()?)
        }
        (Value::String(a), Operand::Json(Value::String(b))) => Some(a.as_str().cmp(b)),
        (Value::Bool(a), Operand::Json(Value::Bool(b))) => Some(a.cmp(b)),
        (Value::Null, Operand::Json(Value::Null)) => Some(Ordering::Equal),
        (Value::String(a), Operand::Date(b)) => parse_instant(a).map(|a| a.cmp(b)),
        (Value::Array(_) | Value::Object(_), Operand::Json(b)) => {
            (v == b).then_some(Ordering::Equal)
        }
        _ => None,
    }
}

/// The value itself, then (for an array) its elements: what equality and
/// comparisons try, as MongoDB does.
fn candidates<'a>(values: &[&'a Value]) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for v in values {
        out.push(*v);
        if let Value::Array(items) = v {
            out.extend(items.iter());
        }
    }
    out
}

fn equals(values: &[&Value], op: &Operand) -> bool {
    if values.is_empty() {
        return matches!(op, Operand::Json(Value::Null));
    }
    candidates(values)
        .iter()
        .any(|v| compare(v, op) == Some(Ordering::Equal))
}

fn test(t: &Test, values: &[&Value]) -> bool {
    match t {
        Test::Eq(op) => equals(values, op),
        Test::Ne(op) => !equals(values, op),
        Test::Cmp(want, or_equal, op) => candidates(values).iter().any(|v| {
            matches!(compare(v, op), Some(o) if o == *want || (*or_equal && o == Ordering::Equal))
        }),
        Test::In(ops) => ops.iter().any(|op| equals(values, op)),
        Test::Nin(ops) => !ops.iter().any(|op| equals(values, op)),
        Test::All(ops) => !ops.is_empty() && ops.iter().all(|op| equals(values, op)),
        Test::Exists(want) => values.is_empty() != *want,
        Test::Regex(re) => candidates(values)
            .iter()
            .any(|v| v.as_str().is_some_and(|s| re.is_match(s))),
        Test::Not(inner) => !inner.iter().all(|t| test(t, values)),
        Test::Size(n) => values
            .iter()
            .any(|v| v.as_array().is_some_and(|a| a.len() == *n)),
        Test::ElemMatch(f) => values.iter().any(|v| {
            v.as_array()
                .is_some_and(|items| items.iter().any(|item| f.matches(item)))
        }),
    }
}

/// A total order for sorting: null and missing first, then numbers,
/// strings, booleans, then anything else by its JSON text.
pub(crate) fn sort_cmp(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            None | Some(Value::Null) => 0,
            Some(Value::Number(_)) => 1,
            Some(Value::String(_)) => 2,
            Some(Value::Bool(_)) => 3,
            _ => 4,
        }
    }
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        _ if rank(a) == rank(b) && rank(a) == 4 => {
            a.map(Value::to_string).cmp(&b.map(Value::to_string))
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

// ---- updates --------------------------------------------------------------

/// Where a path's last segment lives: its parent object and the key.
type Slot<'a> = (&'a mut Map<String, Value>, &'a str);

/// The object holding the last segment of `path` (created on the way when
/// `create`), and that segment.
fn parent_mut<'a>(
    doc: &'a mut Value,
    path: &'a str,
    create: bool,
) -> Result<Option<Slot<'a>>, Error> {
    let mut segs: Vec<&str> = path.split('.').collect();
    let last = segs.pop().unwrap_or("");
    let mut cur = doc;
    for seg in segs {
        cur = match cur {
            Value::Array(items) => {
                let i: usize = seg.parse().map_err(|_| {
                    format!("`{path}`: `{seg}` is not an index of the array it is in")
                })?;
                match items.get_mut(i) {
                    Some(item) => item,
                    None if create => {
                        return Err(format!("`{path}`: the array has no element {i}"));
                    }
                    None => return Ok(None),
                }
            }
            Value::Object(obj) => {
                if !obj.contains_key(seg) {
                    if !create {
                        return Ok(None);
                    }
                    obj.insert(seg.to_owned(), Value::Object(Map::new()));
                }
                obj.get_mut(seg).unwrap_or_else(|| unreachable!())
            }
            _ => return Err(format!("`{path}`: `{seg}` is not inside an object")),
        };
    }
    let obj = cur
        .as_object_mut()
        .ok_or_else(|| format!("`{path}`: its parent is not an object"))?;
    Ok(Some((obj, last)))
}

fn number(v: &Value, what: &str) -> Result<f64, Error> {
    v.as_f64()
        .ok_or_else(|| format!("{what} needs a number, got {v}"))
}

/// A JSON number: an integer when the result is whole and both inputs were.
fn num_value(x: f64, integral: bool) -> Value {
    if integral && x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// Applies a MongoDB update (`{"$set": {...}, "$inc": {...}}`) to `doc`;
/// only paths under `content.` may change. `now` fills `$currentDate`.
pub(crate) fn apply_update(doc: &mut Value, operation: &Value, now: &str) -> Result<(), Error> {
    let ops = operation
        .as_object()
        .filter(|o| !o.is_empty())
        .ok_or_else(|| {
            format!("`operation` must be an object of update operators, got {operation}")
        })?;
    for (op, fields) in ops {
        let fields = fields
            .as_object()
            .ok_or_else(|| format!("`{op}` needs an object of paths, got {fields}"))?;
        for (path, arg) in fields {
            if !path.starts_with("content.") {
                return Err(format!(
                    "`{op}` on `{path}`: only paths under `content.` can be updated"
                ));
            }
            update_one(doc, op, path, arg, now)?;
        }
    }
    Ok(())
}

fn each(arg: &Value) -> Vec<Value> {
    match arg.get("$each").and_then(Value::as_array) {
        Some(items) => items.clone(),
        None => vec![arg.clone()],
    }
}

fn update_one(doc: &mut Value, op: &str, path: &str, arg: &Value, now: &str) -> Result<(), Error> {
    let at = |e: String| format!("`{op}` on `{path}`: {e}");
    match op {
        "$set" => {
            let (obj, key) = parent_mut(doc, path, true)?.unwrap_or_else(|| unreachable!());
            obj.insert(key.to_owned(), arg.clone());
        }
        "$unset" => {
            if let Some((obj, key)) = parent_mut(doc, path, false)? {
                obj.remove(key);
            }
        }
        "$currentDate" => {
            let (obj, key) = parent_mut(doc, path, true)?.unwrap_or_else(|| unreachable!());
            obj.insert(key.to_owned(), Value::from(now));
        }
        "$inc" | "$mul" | "$min" | "$max" => {
            let (obj, key) = parent_mut(doc, path, true)?.unwrap_or_else(|| unreachable!());
            let current = obj.get(key).cloned();
            let new = match (op, current) {
                ("$mul", None | Some(Value::Null)) => {
                    number(arg, op).map_err(at)?;
                    Value::from(0)
                }
                (_, None) | ("$inc", Some(Value::Null)) => {
                    number(arg, op).map_err(at)?;
                    arg.clone()
                }
                (_, Some(cur)) => {
                    let (a, b) = (
                        number(&cur, "the field").map_err(at)?,
                        number(arg, op).map_err(at)?,
                    );
                    let integral = cur.is_i64() && arg.is_i64();
                    match op {
                        "$inc" => num_value(a + b, integral),
                        "$mul" => num_value(a * b, integral),
                        "$min" => {
                            if b < a {
                                arg.clone()
                            } else {
                                cur
                            }
                        }
                        _ => {
                            if b > a {
                                arg.clone()
                            } else {
                                cur
                            }
                        }
                    }
                }
            };
            obj.insert(key.to_owned(), new);
        }
        "$push" | "$addToSet" => {
            let (obj, key) = parent_mut(doc, path, true)?.unwrap_or_else(|| unreachable!());
            let list = obj
                .entry(key.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            let items = list
                .as_array_mut()
                .ok_or_else(|| at("the field is not an array".to_owned()))?;
            for item in each(arg) {
                if op == "$push" || !items.contains(&item) {
                    items.push(item);
                }
            }
        }
        "$pop" => {
            if let Some((obj, key)) = parent_mut(doc, path, false)?
                && let Some(v) = obj.get_mut(key)
            {
                let items = v
                    .as_array_mut()
                    .ok_or_else(|| at("the field is not an array".to_owned()))?;
                match arg.as_i64() {
                    Some(-1) if !items.is_empty() => {
                        items.remove(0);
                    }
                    Some(1) => {
                        items.pop();
                    }
                    Some(-1) => {}
                    _ => return Err(at(format!("`$pop` takes 1 or -1, got {arg}"))),
                }
            }
        }
        "$pullAll" => {
            let drop = arg
                .as_array()
                .ok_or_else(|| at(format!("`$pullAll` needs an array, got {arg}")))?;
            if let Some((obj, key)) = parent_mut(doc, path, false)?
                && let Some(v) = obj.get_mut(key)
            {
                let items = v
                    .as_array_mut()
                    .ok_or_else(|| at("the field is not an array".to_owned()))?;
                items.retain(|i| !drop.contains(i));
            }
        }
        "$rename" => {
            let to = arg
                .as_str()
                .filter(|t| t.starts_with("content."))
                .ok_or_else(|| at(format!("`$rename` needs a `content.` path, got {arg}")))?;
            let moved = match parent_mut(doc, path, false)? {
                Some((obj, key)) => obj.remove(key),
                None => None,
            };
            if let Some(v) = moved {
                let (obj, key) = parent_mut(doc, to, true)?.unwrap_or_else(|| unreachable!());
                obj.insert(key.to_owned(), v);
            }
        }
        other => {
            return Err(format!(
                "unknown update operator `{other}` (known: $set $unset $inc $mul $min $max $push $addToSet $pop $pullAll $rename $currentDate)"
            ));
        }
    }
    Ok(())
}

// ---- aggregation ----------------------------------------------------------

/// The aggregation parameters of `POST .../documents/query`, as sent.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct AggParams {
    pub groupby: Option<String>,
    pub count: Option<String>,
    pub sum: Option<String>,
    pub avg: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub unwind: Option<String>,
    pub orderby: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// AppDB's default `limit` of a query.
pub(crate) const DEFAULT_QUERY_LIMIT: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    Sum,
    Avg,
    Min,
    Max,
}

/// The key a path is returned under: its last segment (`content.month`
/// is `month`), as AppDB returns group keys.
fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn items(v: Option<&str>) -> Vec<&str> {
    v.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn count_param(name: &str, v: Option<&str>, default: usize) -> Result<usize, Error> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| format!("{name} must be a non-negative integer, got `{s}`")),
    }
}

/// Parsed aggregation parameters.
#[derive(Debug)]
pub(crate) struct Aggregation {
    groups: Vec<String>,
    count: Option<String>,
    folds: Vec<(Fold, String, String)>,
    unwind: Vec<String>,
    order: Vec<(String, bool)>,
    limit: usize,
    offset: usize,
}

impl Aggregation {
    pub fn parse(p: &AggParams) -> Result<Self, Error> {
        let mut folds = Vec::new();
        for (fold, name, v) in [
            (Fold::Sum, "sum", &p.sum),
            (Fold::Avg, "avg", &p.avg),
            (Fold::Min, "min", &p.min),
            (Fold::Max, "max", &p.max),
        ] {
            for item in items(v.as_deref()) {
                let mut words = item.split_whitespace();
                let path = words.next().unwrap_or_default().to_owned();
                let alias = words.next().unwrap_or(last_segment(&path)).to_owned();
                if words.next().is_some() {
                    return Err(format!(
                        "{name}: expected `property alias` items separated by commas, got `{item}`"
                    ));
                }
                folds.push((fold, path, alias));
            }
        }
        let order = items(p.orderby.as_deref())
            .into_iter()
            .map(|item| match item.rsplit_once(char::is_whitespace) {
                Some((key, dir))
                    if dir.eq_ignore_ascii_case("descending")
                        || dir.eq_ignore_ascii_case("desc") =>
                {
                    Ok((key.trim().to_owned(), true))
                }
                Some((key, dir))
                    if dir.eq_ignore_ascii_case("ascending") || dir.eq_ignore_ascii_case("asc") =>
                {
                    Ok((key.trim().to_owned(), false))
                }
                Some(_) => Err(format!(
                    "orderby: expected `name ascending|descending`, got `{item}`"
                )),
                None => Ok((item.to_owned(), false)),
            })
            .collect::<Result<_, _>>()?;
        Ok(Aggregation {
            groups: items(p.groupby.as_deref())
                .into_iter()
                .map(str::to_owned)
                .collect(),
            count: p
                .count
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            folds,
            unwind: items(p.unwind.as_deref())
                .into_iter()
                .map(str::to_owned)
                .collect(),
            order,
            limit: count_param("limit", p.limit.as_deref(), DEFAULT_QUERY_LIMIT)?,
            offset: count_param("offset", p.offset.as_deref(), 0)?,
        })
    }

    fn aggregates(&self) -> bool {
        !self.groups.is_empty() || self.count.is_some() || !self.folds.is_empty()
    }

    /// Unwinds, groups, folds, orders and pages `docs` (already filtered).
    /// Without grouping or folds the documents themselves come back,
    /// ordered by the `orderby` paths.
    pub fn run(&self, docs: Vec<Value>) -> Vec<Value> {
        let mut docs = docs;
        for path in &self.unwind {
            docs = docs.into_iter().flat_map(|d| unwind(d, path)).collect();
        }
        let mut rows = if self.aggregates() {
            self.group(&docs)
        } else {
            docs
        };
        if !self.order.is_empty() {
            let by_path = !self.aggregates();
            rows.sort_by(|a, b| {
                for (key, desc) in &self.order {
                    let get = |r: &'_ Value| -> Option<Value> {
                        if by_path {
                            resolve(r, key).first().map(|v| (*v).clone())
                        } else {
                            r.get(key).cloned()
                        }
                    };
                    let (x, y) = (get(a), get(b));
                    let o = sort_cmp(x.as_ref(), y.as_ref());
                    let o = if *desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
        }
        rows.into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect()
    }

    fn group(&self, docs: &[Value]) -> Vec<Value> {
        // Groups keep the order their first document came in.
        let mut keys: Vec<Vec<Value>> = Vec::new();
        let mut members: Vec<Vec<&Value>> = Vec::new();
        for d in docs {
            let key: Vec<Value> = self
                .groups
                .iter()
                .map(|g| resolve(d, g).first().map_or(Value::Null, |v| (*v).clone()))
                .collect();
            match keys.iter().position(|k| *k == key) {
                Some(i) => members[i].push(d),
                None => {
                    keys.push(key);
                    members.push(vec![d]);
                }
            }
        }
        if keys.is_empty() && self.groups.is_empty() {
            keys.push(Vec::new());
            members.push(Vec::new());
        }
        keys.into_iter()
            .zip(members)
            .map(|(key, group)| {
                let mut row = Map::new();
                for (g, v) in self.groups.iter().zip(key) {
                    row.insert(last_segment(g).to_owned(), v);
                }
                if let Some(alias) = &self.count {
                    row.insert(alias.clone(), Value::from(group.len()));
                }
                for (fold, path, alias) in &self.folds {
                    let values: Vec<&Value> = group
                        .iter()
                        .flat_map(|d| resolve(d, path))
                        .filter(|v| !v.is_null())
                        .collect();
                    row.insert(alias.clone(), fold_values(*fold, &values));
                }
                Value::Object(row)
            })
            .collect()
    }
}

/// `doc` once per element of the array at `path` (the element in its
/// place); a document without elements there drops out, as MongoDB's
/// `$unwind` does.
fn unwind(doc: Value, path: &str) -> Vec<Value> {
    let items = match resolve(&doc, path).first() {
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return vec![doc],
        None => return Vec::new(),
    };
    items
        .into_iter()
        .map(|item| {
            let mut copy = doc.clone();
            if let Ok(Some((obj, key))) = parent_mut(&mut copy, path, false) {
                obj.insert(key.to_owned(), item);
            }
            copy
        })
        .collect()
}

fn fold_values(fold: Fold, values: &[&Value]) -> Value {
    let numbers: Vec<f64> = values.iter().filter_map(|v| v.as_f64()).collect();
    let integral = values.iter().all(|v| v.is_i64());
    match fold {
        Fold::Sum => num_value(numbers.iter().sum(), integral),
        Fold::Avg if numbers.is_empty() => Value::Null,
        Fold::Avg => num_value(numbers.iter().sum::<f64>() / numbers.len() as f64, false),
        Fold::Min | Fold::Max => {
            let pick = values.iter().copied().reduce(|a, b| {
                let o = sort_cmp(Some(a), Some(b));
                let a_wins = if fold == Fold::Min {
                    o != Ordering::Greater
                } else {
                    o != Ordering::Less
                };
                if a_wins { a } else { b }
            });
            pick.cloned().unwrap_or(Value::Null)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "id": "d1", "owner": 7, "createdOn": "2024-03-04T16:59:25.184+0000",
            "content": {
                "n": 5, "x": 2.5, "name": "Happy Birthday", "tags": ["a", "b"],
                "when": "2024-03-01", "flag": true, "none": null,
                "items": [{"sku": "k1", "qty": 2}, {"sku": "k2", "qty": 7}],
                "nested": {"deep": {"v": "yes"}}
            }
        })
    }

    /// One row per operator: the query and whether `doc()` matches it.
    #[test]
    fn every_operator_over_dotted_paths() {
        let d = doc();
        for (q, want) in [
            (json!({}), true),
            (json!({"content.n": 5}), true),
            (json!({"content.n": {"$eq": 5}}), true),
            (json!({"content.n": {"$eq": 6}}), false),
            (json!({"content.n": {"$ne": 6}}), true),
            (json!({"content.n": {"$ne": 5}}), false),
            (json!({"content.missing": {"$ne": 5}}), true),
            (json!({"content.n": {"$gt": 4}}), true),
            (json!({"content.n": {"$gt": 5}}), false),
            (json!({"content.n": {"$gte": 5}}), true),
            (json!({"content.x": {"$lt": 3}}), true),
            (json!({"content.x": {"$lte": 2.5}}), true),
            (json!({"content.x": {"$lt": 2.5}}), false),
            (json!({"content.n": {"$gt": 1, "$lt": 5}}), false),
            (json!({"content.name": {"$gt": 5}}), false),
            (json!({"content.name": {"$gt": "A"}}), true),
            (json!({"content.n": {"$in": [1, 5]}}), true),
            (json!({"content.n": {"$in": [1, 2]}}), false),
            (json!({"content.n": {"$nin": [1, 2]}}), true),
            (json!({"content.tags": {"$nin": ["b"]}}), false),
            (json!({"content.tags": "a"}), true),
            (json!({"content.tags": ["a", "b"]}), true),
            (json!({"content.tags": {"$all": ["b", "a"]}}), true),
            (json!({"content.tags": {"$size": 2}}), true),
            (json!({"content.n": {"$exists": true}}), true),
            (json!({"content.none": {"$exists": true}}), true),
            (json!({"content.missing": {"$exists": false}}), true),
            (json!({"content.missing": null}), true),
            (json!({"content.none": null}), true),
            (json!({"content.name": {"$regex": "happy"}}), false),
            (
                json!({"content.name": {"$regex": "happy", "$options": "i"}}),
                true,
            ),
            (json!({"content.name": {"$regex": "^Happy B"}}), true),
            (json!({"content.name": {"$not": {"$regex": "Sad"}}}), true),
            (json!({"content.n": {"$not": {"$gt": 3}}}), false),
            (json!({"content.items.qty": {"$gt": 5}}), true),
            (json!({"content.items.sku": "k2"}), true),
            (json!({"content.items.1.sku": "k2"}), true),
            (json!({"content.items.0.sku": "k2"}), false),
            (
                json!({"content.items": {"$elemMatch": {"sku": "k1", "qty": {"$gte": 2}}}}),
                true,
            ),
            (json!({"content.nested.deep.v": "yes"}), true),
            (json!({"content.flag": true}), true),
            (
                json!({"$or": [{"content.n": 1}, {"content.name": {"$regex": "Birth"}}]}),
                true,
            ),
            (json!({"$or": [{"content.n": 1}, {"content.n": 2}]}), false),
            (
                json!({"$and": [{"content.n": 5}, {"content.x": 2.5}]}),
                true,
            ),
            (json!({"$and": [{"content.n": 5}, {"content.x": 3}]}), false),
            (json!({"$nor": [{"content.n": 1}]}), true),
            (json!({"owner": 7, "id": "d1"}), true),
            (
                json!({"createdOn": {"$lte": {"$date": "2024-03-05T00:00:00.000Z"}}}),
                true,
            ),
            (
                json!({"createdOn": {"$gt": {"$date": "2024-03-04T17:00:00Z"}}}),
                false,
            ),
            (
                json!({"content.when": {"$gte": {"$date": "2024-03-01"}}}),
                true,
            ),
            (
                json!({"content.when": {"$lt": {"$date": 1709251200000_i64}}}),
                false,
            ),
        ] {
            let f = Filter::parse(&q).unwrap_or_else(|e| panic!("{q}: {e}"));
            assert_eq!(f.matches(&d), want, "{q}");
        }
    }

    #[test]
    fn bad_queries_name_the_operator_and_path() {
        for (q, needle) in [
            (
                json!({"content.n": {"$near": 1}}),
                "unknown operator `$near`",
            ),
            (
                json!({"$where": "1"}),
                "unknown top-level operator `$where`",
            ),
            (json!({"$or": []}), "non-empty array"),
            (
                json!({"content.n": {"$in": 5}}),
                "`content.n`: `$in` needs an array",
            ),
            (json!({"content.s": {"$regex": "("}}), "not a valid pattern"),
            (
                json!({"content.s": {"$regex": "a", "$options": "q"}}),
                "flag `q`",
            ),
            (
                json!({"createdOn": {"$lt": {"$date": "yesterday"}}}),
                "`$date` needs an ISO date",
            ),
            (json!([1]), "must be a JSON object"),
        ] {
            let e = Filter::parse(&q).unwrap_err();
            assert!(e.contains(needle), "{q}: {e}");
        }
    }

    #[test]
    fn instants_in_every_form_appdb_and_apps_write() {
        let base = parse_instant("2024-03-04").unwrap();
        assert_eq!(base, 1_709_510_400_000);
        for (s, ms) in [
            ("2024-03-04T00:00:00Z", base),
            ("2024-03-04T00:00:00.250Z", base + 250),
            ("2024-03-04T16:59:25.184+0000", base + 61_165_184),
            ("2024-03-04T02:00:00+02:00", base),
            ("2024-03-03T19:00:00-0500", base),
            ("2024-03-04 00:00", base),
        ] {
            assert_eq!(parse_instant(s), Some(ms), "{s}");
        }
        for s in [
            "2024-3-4",
            "2024-13-01",
            "soon",
            "2024-03-04T25:00:00Z",
            "2024-03-04T10:00+1",
        ] {
            assert_eq!(parse_instant(s), None, "{s}");
        }
    }

    #[test]
    fn update_operators_change_content_only() {
        let mut d = doc();
        apply_update(
            &mut d,
            &json!({
                "$set": {"content.name": "Hi", "content.new.deep": 1},
                "$unset": {"content.none": "", "content.absent": ""},
                "$inc": {"content.n": 2, "content.count": 1, "content.x": 0.5},
                "$push": {"content.tags": "c", "content.list": {"$each": [1, 2]}},
                "$addToSet": {"content.tags": {"$each": ["a", "d"]}},
                "$mul": {"content.items.0.qty": 3},
                "$max": {"content.flagged": 3},
                "$min": {"content.n": 1},
                "$rename": {"content.when": "content.day"},
                "$currentDate": {"content.touched": true},
                "$pop": {"content.list": -1},
                "$pullAll": {"content.tags": ["b"]}
            }),
            "2024-05-01T00:00:00.000+0000",
        )
        .unwrap();
        let c = &d["content"];
        assert_eq!(c["name"], "Hi");
        assert_eq!(c["new"], json!({"deep": 1}));
        assert!(c.get("none").is_none());
        // $min after $inc: min(5 + 2, 1).
        assert_eq!(c["n"], 1);
        assert_eq!(c["count"], 1);
        assert_eq!(c["x"], 3.0);
        assert_eq!(c["tags"], json!(["a", "c", "d"]));
        assert_eq!(c["list"], json!([2]));
        assert_eq!(c["items"][0]["qty"], 6);
        assert_eq!(c["flagged"], 3);
        assert_eq!(c["day"], "2024-03-01");
        assert!(c.get("when").is_none());
        assert_eq!(c["touched"], "2024-05-01T00:00:00.000+0000");
        for (op, needle) in [
            (json!({"$set": {"id": "x"}}), "only paths under `content.`"),
            (json!({"$inc": {"content.name": 1}}), "needs a number"),
            (json!({"$push": {"content.n": 1}}), "not an array"),
            (
                json!({"$setOnInsert": {"content.n": 1}}),
                "unknown update operator `$setOnInsert`",
            ),
            (json!({}), "update operators"),
        ] {
            let e = apply_update(&mut doc(), &op, "now").unwrap_err();
            assert!(e.contains(needle), "{op}: {e}");
        }
    }

    fn campaigns() -> Vec<Value> {
        [
            ("Red", "January", 120, 1250, vec!["x", "y"]),
            ("Red", "January", 90, 1010, vec!["x"]),
            ("Red", "February", 85, 900, vec![]),
            ("Blue", "January", 100, 1000, vec!["z"]),
        ]
        .into_iter()
        .map(|(name, month, clicks, imps, tags)| {
            json!({"content": {"campaignName": name, "month": month, "clicks": clicks, "impressions": imps, "tags": tags}})
        })
        .collect()
    }

    fn agg(params: &[(&str, &str)]) -> Vec<Value> {
        let mut p = AggParams::default();
        for (k, v) in params {
            let v = Some((*v).to_owned());
            match *k {
                "groupby" => p.groupby = v,
                "count" => p.count = v,
                "sum" => p.sum = v,
                "avg" => p.avg = v,
                "min" => p.min = v,
                "max" => p.max = v,
                "unwind" => p.unwind = v,
                "orderby" => p.orderby = v,
                "limit" => p.limit = v,
                "offset" => p.offset = v,
                other => panic!("{other}"),
            }
        }
        Aggregation::parse(&p).unwrap().run(campaigns())
    }

    /// Each aggregation parameter, as the AppDB docs' example uses them.
    #[test]
    fn every_aggregation_parameter() {
        assert_eq!(
            agg(&[
                ("groupby", "content.campaignName, content.month"),
                ("count", "documentCount"),
                (
                    "sum",
                    "content.clicks sumClicks, content.impressions sumImps"
                ),
                ("avg", "content.clicks avgClicks"),
                ("min", "content.impressions minImps"),
                ("max", "content.clicks maxClicks"),
                ("orderby", "sumClicks descending"),
            ]),
            [
                json!({"campaignName": "Red", "month": "January", "documentCount": 2, "sumClicks": 210,
                       "sumImps": 2260, "avgClicks": 105.0, "minImps": 1010, "maxClicks": 120}),
                json!({"campaignName": "Blue", "month": "January", "documentCount": 1, "sumClicks": 100,
                       "sumImps": 1000, "avgClicks": 100.0, "minImps": 1000, "maxClicks": 100}),
                json!({"campaignName": "Red", "month": "February", "documentCount": 1, "sumClicks": 85,
                       "sumImps": 900, "avgClicks": 85.0, "minImps": 900, "maxClicks": 85}),
            ]
        );
        // Without groupby: one row over every document; no alias: the last segment.
        assert_eq!(
            agg(&[("count", "n"), ("sum", "content.clicks")]),
            [json!({"n": 4, "clicks": 395})]
        );
        // unwind: one row per array element; documents without one drop out.
        assert_eq!(
            agg(&[
                ("unwind", "content.tags"),
                ("groupby", "content.tags"),
                ("count", "n"),
                ("orderby", "tags")
            ]),
            [
                json!({"tags": "x", "n": 2}),
                json!({"tags": "y", "n": 1}),
                json!({"tags": "z", "n": 1})
            ]
        );
        // limit and offset page, orderby sorts documents by a path.
        let docs = agg(&[
            ("orderby", "content.clicks ascending"),
            ("limit", "2"),
            ("offset", "1"),
        ]);
        let clicks: Vec<&Value> = docs.iter().map(|d| &d["content"]["clicks"]).collect();
        assert_eq!(clicks, [&json!(90), &json!(100)]);
        assert_eq!(agg(&[]).len(), 4, "the default limit is 10,000");
        let e = Aggregation::parse(&AggParams {
            limit: Some("many".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("limit"), "{e}");
    }
}
