//! MySQL's numbers over SQLite's values: the arithmetic, comparisons and
//! aggregates `dialect` rewrites operators to (`domo_add`, `domo_cmp`,
//! `domo_sum`, ...). Integers stay exact (out of range is an error, as in
//! MySQL), decimals are exact (`decimal::Dec`, carried as BLOBs), and
//! anything with a double in it, or text, is a double, as MySQL does.
//! Text compared with text follows `collation` (MySQL's default).

use std::cmp::Ordering;

use rusqlite::functions::{Aggregate, Context, FunctionFlags, WindowAggregate};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Error, Result};

use super::collation;
use super::decimal::{DIV_INCREMENT, Dec, MAX_SCALE};

/// A number as MySQL reads one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Dec(Dec),
    Real(f64),
}

impl Num {
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Dec(d) => d.to_f64(),
            Num::Real(f) => f,
        }
    }

    /// As a decimal, unless it is a double.
    fn exact(self) -> Option<Dec> {
        match self {
            Num::Int(i) => Some(Dec::from_int(i)),
            Num::Dec(d) => Some(d),
            Num::Real(_) => None,
        }
    }

    fn is_zero(self) -> bool {
        match self {
            Num::Int(i) => i == 0,
            Num::Dec(d) => d.mantissa == 0,
            Num::Real(f) => f == 0.0,
        }
    }

    pub fn value(self) -> Value {
        match self {
            Num::Int(i) => Value::Integer(i),
            Num::Dec(d) => Value::Blob(d.encode()),
            Num::Real(f) if f.is_finite() => Value::Real(f),
            Num::Real(_) => Value::Null,
        }
    }
}

/// A decimal BLOB, if `v` is one.
pub(crate) fn decimal(v: ValueRef<'_>) -> Option<Dec> {
    match v {
        ValueRef::Blob(b) => Dec::decode(b),
        _ => None,
    }
}

/// `v` as a number, as MySQL reads it; text gives its numeric prefix
/// (`' 12abc'` is 12, `'abc'` 0); None for NULL.
pub(crate) fn number(v: ValueRef<'_>) -> Option<Num> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(Num::Int(i)),
        ValueRef::Real(f) => Some(Num::Real(f)),
        ValueRef::Blob(b) if Dec::decode(b).is_some() => Dec::decode(b).map(Num::Dec),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(text_number(&String::from_utf8_lossy(t))),
    }
}

fn text_number(s: &str) -> Num {
    let s = s.trim_start();
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let sign = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut end = digits(sign);
    let mut real = false;
    if b.get(end) == Some(&b'.') {
        let frac_end = digits(end + 1);
        if frac_end > end + 1 || end > sign {
            real = true;
            end = frac_end;
        }
    }
    if end == sign {
        return Num::Int(0);
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut exp = end + 1;
        if matches!(b.get(exp), Some(b'+' | b'-')) {
            exp += 1;
        }
        let exp_end = digits(exp);
        if exp_end > exp {
            real = true;
            end = exp_end;
        }
    }
    let prefix = &s[..end];
    if !real && let Ok(i) = prefix.parse::<i64>() {
        return Num::Int(i);
    }
    // Past i64, or with a fraction: a double, as MySQL reads text.
    Num::Real(prefix.parse::<f64>().unwrap_or(0.0))
}

fn out_of_range(what: &str) -> Error {
    Error::UserFunctionError(format!("{what} value is out of range").into())
}

/// The arithmetic operators MySQL has.
#[derive(Debug, Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
}

fn arith(op: Arith, a: Num, b: Num) -> Result<Num> {
    if let (Num::Int(x), Num::Int(y)) = (a, b) {
        let r = match op {
            Arith::Add => x.checked_add(y),
            Arith::Sub => x.checked_sub(y),
            Arith::Mul => x.checked_mul(y),
        };
        return r.map(Num::Int).ok_or_else(|| out_of_range("BIGINT"));
    }
    if let (Some(x), Some(y)) = (a.exact(), b.exact()) {
        let r = match op {
            Arith::Add => x.add(y),
            Arith::Sub => x.sub(y),
            Arith::Mul => x.mul(y),
        };
        return r.map(Num::Dec).ok_or_else(|| out_of_range("DECIMAL"));
    }
    let (x, y) = (a.as_f64(), b.as_f64());
    let r = match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
    };
    if r.is_finite() {
        Ok(Num::Real(r))
    } else {
        Err(out_of_range("DOUBLE"))
    }
}

/// MySQL's `/`: exact for integers and decimals (`decimal::Dec::div`), a
/// double otherwise; NULL for a zero divisor.
pub(crate) fn divide(a: Num, b: Num) -> Result<Option<Num>> {
    if b.is_zero() {
        return Ok(None);
    }
    if let (Some(x), Some(y)) = (a.exact(), b.exact()) {
        return x
            .div(y)
            .map(|d| Some(Num::Dec(d)))
            .ok_or_else(|| out_of_range("DECIMAL"));
    }
    Ok(Some(Num::Real(a.as_f64() / b.as_f64())))
}

/// MySQL's `MOD(a, b)` and `a % b`: the dividend's sign, fractions kept;
/// NULL for a zero divisor.
pub(crate) fn modulo(a: Num, b: Num) -> Option<Num> {
    if b.is_zero() {
        return None;
    }
    match (a, b) {
        (Num::Int(n), Num::Int(d)) => Some(Num::Int(n.checked_rem(d).unwrap_or(0))),
        _ => match (a.exact(), b.exact()) {
            (Some(x), Some(y)) => x.rem(y).map(Num::Dec),
            _ => Some(Num::Real(a.as_f64() % b.as_f64())),
        },
    }
}

/// `a DIV b`: the quotient cut toward zero, an integer; NULL for 0.
fn int_divide(a: Num, b: Num) -> Result<Option<i64>> {
    if b.is_zero() {
        return Ok(None);
    }
    let q = match (a.exact(), b.exact()) {
        (Some(x), Some(y)) => x.int_div(y).and_then(|q| i64::try_from(q).ok()),
        _ => {
            let q = (a.as_f64() / b.as_f64()).trunc();
            (q.abs() < 9.2e18).then_some(q as i64)
        }
    };
    q.map(Some).ok_or_else(|| out_of_range("BIGINT"))
}

/// `ROUND(x, d)` (`round`) or `TRUNCATE(x, d)`: integers and decimals in
/// decimal (half away from zero); doubles as MySQL rounds them, on the
/// binary value, half to even (`ROUND(2.5E0)` is 2).
pub(crate) fn round(x: Num, d: i64, round: bool) -> Num {
    match x {
        Num::Int(i) if d >= 0 => Num::Int(i),
        Num::Int(i) => match Dec::from_int(i).round_to(d, round).and_then(Dec::to_i64) {
            Some(r) => Num::Int(r),
            None => Num::Int(0),
        },
        Num::Dec(v) => v.round_to(d, round).map_or(Num::Real(v.to_f64()), Num::Dec),
        Num::Real(f) => {
            let d = d.clamp(-400, 400) as i32;
            let cut = |v: f64| {
                if round {
                    v.round_ties_even()
                } else {
                    v.trunc()
                }
            };
            let r = if d >= 0 {
                let p = 10f64.powi(d);
                let scaled = f * p;
                if scaled.is_finite() {
                    cut(scaled) / p
                } else {
                    f
                }
            } else {
                let p = 10f64.powi(-d);
                if p.is_finite() { cut(f / p) * p } else { 0.0 }
            };
            Num::Real(r)
        }
    }
}

/// `CAST(x AS SIGNED)`: a number rounds half away from zero; text keeps
/// its integer prefix.
pub(crate) fn cast_signed(v: ValueRef<'_>) -> Option<i64> {
    match (v, number(v)?) {
        (ValueRef::Text(_), Num::Real(f)) => Some(f.trunc() as i64),
        (_, Num::Int(i)) => Some(i),
        (_, Num::Dec(d)) => Some(
            d.round_to(0, true)
                .and_then(Dec::to_i64)
                .unwrap_or(if d.mantissa < 0 { i64::MIN } else { i64::MAX }),
        ),
        // `as` saturates at the i64 bounds, as MySQL does.
        (_, Num::Real(f)) => Some(f.round() as i64),
    }
}

/// `CAST(x AS DECIMAL(p, s))`: rounded to `s` decimals, held to the
/// largest value `p` digits write (MySQL clips out-of-range values).
pub(crate) fn cast_decimal(x: Num, p: u32, s: u32) -> Option<Dec> {
    let exact = match x {
        Num::Real(f) => Dec::parse(&format!("{f}")).or_else(|| {
            // A double past 38 digits clips.
            Some(Dec::new(if f < 0.0 { -1 } else { 1 } * 10i128.pow(p), 0, 0))
        })?,
        other => other.exact()?,
    };
    let limit = 10i128.checked_pow(p)? - 1;
    let m = exact
        .mantissa_at(s, true)
        .unwrap_or(if exact.mantissa < 0 { -limit } else { limit });
    Some(Dec::new(m.clamp(-limit, limit), s, s.min(MAX_SCALE)))
}

/// MySQL's comparison of two values: numbers as numbers (exact unless a
/// double is involved), text with text by the default collation, a number
/// with text as doubles. None when either is NULL.
pub(crate) fn compare(a: ValueRef<'_>, b: ValueRef<'_>) -> Option<Ordering> {
    let text = |v: ValueRef<'_>| match v {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) if Dec::decode(b).is_none() => {
            Some(String::from_utf8_lossy(b).into_owned())
        }
        _ => None,
    };
    if let (Some(x), Some(y)) = (text(a), text(b)) {
        return Some(collation::compare(&x, &y));
    }
    let (x, y) = (number(a)?, number(b)?);
    Some(match (x.exact(), y.exact()) {
        (Some(p), Some(q)) => p.cmp_value(q),
        _ => x.as_f64().total_cmp(&y.as_f64()),
    })
}

fn ordering_value(o: Option<Ordering>) -> Value {
    o.map_or(Value::Null, |o| Value::Integer(o as i64))
}

/// One registration: a deterministic function of `n` arguments.
fn add<F>(conn: &Connection, name: &str, n: i32, f: F) -> Result<()>
where
    F: Fn(&Context<'_>) -> Result<Value> + Send + 'static,
{
    conn.create_scalar_function(
        name,
        n,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        f,
    )
}

fn two(ctx: &Context<'_>) -> Option<(Num, Num)> {
    Some((number(ctx.get_raw(0))?, number(ctx.get_raw(1))?))
}

/// An integer argument (a count of decimals), rounded as MySQL does.
fn int_arg(ctx: &Context<'_>, i: usize) -> Option<i64> {
    match number(ctx.get_raw(i))? {
        Num::Int(d) => Some(d),
        other => Some(other.as_f64().round() as i64),
    }
}

fn num_value(n: Option<Num>) -> Value {
    n.map_or(Value::Null, Num::value)
}

/// The sum of a group or window frame: integers in i128, decimals exact,
/// doubles as doubles (once a double is seen, the sum is one).
#[derive(Debug, Default, Clone, Copy)]
struct Sum {
    ints: i128,
    dec: Option<Dec>,
    real: Option<f64>,
    count: i64,
}

impl Sum {
    fn step(&mut self, v: Num, sign: i128) -> Result<()> {
        self.count += sign as i64;
        match v {
            Num::Int(i) => {
                self.ints = self
                    .ints
                    .checked_add(sign * i128::from(i))
                    .ok_or_else(|| out_of_range("DECIMAL"))?;
            }
            Num::Dec(d) => {
                let d = if sign < 0 { d.neg() } else { d };
                self.dec = Some(match self.dec {
                    Some(s) => s.add(d).ok_or_else(|| out_of_range("DECIMAL"))?,
                    None => d,
                });
            }
            Num::Real(f) => *self.real.get_or_insert(0.0) += sign as f64 * f,
        }
        Ok(())
    }

    /// The exact total (None when a double was summed).
    fn exact(&self) -> Result<Option<Dec>> {
        if self.real.is_some() {
            return Ok(None);
        }
        let ints = Dec::new(self.ints, 0, 0);
        Ok(Some(match self.dec {
            Some(d) => d.add(ints).ok_or_else(|| out_of_range("DECIMAL"))?,
            None => ints,
        }))
    }

    /// MySQL's SUM: DECIMAL for integers and decimals (an integer sum that
    /// fits stays an integer here), DOUBLE once a double is in it.
    fn sum(&self) -> Result<Value> {
        if self.count == 0 {
            return Ok(Value::Null);
        }
        if let Some(r) = self.real {
            let exact = self.exact_as_f64();
            return Ok(Value::Real(r + exact));
        }
        let total = self.exact()?.unwrap_or(Dec::from_int(0));
        if self.dec.is_none()
            && let Ok(i) = i64::try_from(self.ints)
        {
            return Ok(Value::Integer(i));
        }
        Ok(Value::Blob(total.encode()))
    }

    fn exact_as_f64(&self) -> f64 {
        self.ints as f64 + self.dec.map_or(0.0, Dec::to_f64)
    }

    /// MySQL's AVG: the exact sum divided as `/` divides (shown with the
    /// values' scale plus 4), a double once a double is in it.
    fn avg(&self) -> Result<Value> {
        if self.count == 0 {
            return Ok(Value::Null);
        }
        if let Some(r) = self.real {
            return Ok(Value::Real((r + self.exact_as_f64()) / self.count as f64));
        }
        let total = self.exact()?.unwrap_or(Dec::from_int(0));
        let q = total
            .div(Dec::from_int(self.count))
            .ok_or_else(|| out_of_range("DECIMAL"))?;
        // AVG shows the values' scale plus 4, as `/` does.
        let shown = (total.shown + DIV_INCREMENT).min(MAX_SCALE);
        Ok(Value::Blob(Dec { shown, ..q }.encode()))
    }
}

#[derive(Clone, Copy)]
struct SumOrAvg {
    avg: bool,
}

impl Aggregate<Sum, Value> for SumOrAvg {
    fn init(&self, _: &mut Context<'_>) -> Result<Sum> {
        Ok(Sum::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Sum) -> Result<()> {
        match number(ctx.get_raw(0)) {
            Some(v) => acc.step(v, 1),
            None => Ok(()),
        }
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Sum>) -> Result<Value> {
        let acc = acc.unwrap_or_default();
        if self.avg { acc.avg() } else { acc.sum() }
    }
}

impl WindowAggregate<Sum, Value> for SumOrAvg {
    fn value(&self, acc: Option<&mut Sum>) -> Result<Value> {
        let acc = acc.map(|a| *a).unwrap_or_default();
        if self.avg { acc.avg() } else { acc.sum() }
    }

    fn inverse(&self, ctx: &mut Context<'_>, acc: &mut Sum) -> Result<()> {
        match number(ctx.get_raw(0)) {
            Some(v) => acc.step(v, -1),
            None => Ok(()),
        }
    }
}

/// Registers the number functions on `conn`.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    for (name, op) in [
        ("domo_add", Arith::Add),
        ("domo_sub", Arith::Sub),
        ("domo_mul", Arith::Mul),
    ] {
        add(conn, name, 2, move |ctx| {
            two(ctx).map_or(Ok(Value::Null), |(a, b)| arith(op, a, b).map(Num::value))
        })?;
    }
    add(conn, "domo_neg", 1, |ctx| {
        Ok(match number(ctx.get_raw(0)) {
            None => Value::Null,
            Some(Num::Int(i)) => {
                Value::Integer(i.checked_neg().ok_or_else(|| out_of_range("BIGINT"))?)
            }
            Some(Num::Dec(d)) => Num::Dec(d.neg()).value(),
            Some(Num::Real(f)) => Value::Real(-f),
        })
    })?;
    add(conn, "domo_div", 2, |ctx| {
        Ok(match two(ctx) {
            Some((a, b)) => num_value(divide(a, b)?),
            None => Value::Null,
        })
    })?;
    add(conn, "domo_mod", 2, |ctx| {
        Ok(num_value(two(ctx).and_then(|(a, b)| modulo(a, b))))
    })?;
    add(conn, "domo_int_div", 2, |ctx| {
        Ok(match two(ctx) {
            Some((a, b)) => int_divide(a, b)?.map_or(Value::Null, Value::Integer),
            None => Value::Null,
        })
    })?;
    for n in [1, 2] {
        add(conn, "domo_round", n, move |ctx| {
            let d = if n == 2 { int_arg(ctx, 1) } else { Some(0) };
            Ok(match (number(ctx.get_raw(0)), d) {
                (Some(x), Some(d)) => round(x, d, true).value(),
                _ => Value::Null,
            })
        })?;
    }
    add(conn, "truncate", 2, |ctx| {
        Ok(match (number(ctx.get_raw(0)), int_arg(ctx, 1)) {
            (Some(x), Some(d)) => round(x, d, false).value(),
            _ => Value::Null,
        })
    })?;
    add(conn, "domo_abs", 1, |ctx| {
        Ok(match number(ctx.get_raw(0)) {
            None => Value::Null,
            Some(Num::Int(i)) => {
                Value::Integer(i.checked_abs().ok_or_else(|| out_of_range("BIGINT"))?)
            }
            Some(Num::Dec(d)) if d.mantissa < 0 => Num::Dec(d.neg()).value(),
            Some(other) => Num::Real(other.as_f64().abs()).value(),
        })
    })?;
    for (name, ceil) in [("domo_floor", false), ("domo_ceil", true)] {
        add(conn, name, 1, move |ctx| {
            Ok(match number(ctx.get_raw(0)) {
                None => Value::Null,
                Some(Num::Int(i)) => Value::Integer(i),
                Some(Num::Dec(d)) => match d.floor_ceil(ceil).map(i64::try_from) {
                    Some(Ok(i)) => Value::Integer(i),
                    _ => return Err(out_of_range("BIGINT")),
                },
                Some(Num::Real(f)) => Value::Real(if ceil { f.ceil() } else { f.floor() }),
            })
        })?;
    }
    add(conn, "domo_sign", 1, |ctx| {
        Ok(match number(ctx.get_raw(0)) {
            None => Value::Null,
            Some(n) => Value::Integer(match n {
                Num::Int(i) => i.signum(),
                Num::Dec(d) => d.mantissa.signum() as i64,
                // signum() of 0.0 is 1.0.
                Num::Real(0.0) => 0,
                Num::Real(f) => f.signum() as i64,
            }),
        })
    })?;
    add(conn, "domo_cmp", 2, |ctx| {
        Ok(ordering_value(compare(ctx.get_raw(0), ctx.get_raw(1))))
    })?;
    // `a <=> b`: 1 or 0, never NULL.
    add(conn, "domo_same", 2, |ctx| {
        let (a, b) = (ctx.get_raw(0), ctx.get_raw(1));
        Ok(Value::Integer(match (a, b) {
            (ValueRef::Null, ValueRef::Null) => 1,
            (ValueRef::Null, _) | (_, ValueRef::Null) => 0,
            _ => i64::from(compare(a, b) == Some(Ordering::Equal)),
        }))
    })?;
    // `x IN (a, b, ...)`: 1 on a match, else NULL if x or any item is
    // NULL, else 0.
    add(conn, "domo_in", -1, |ctx| {
        let x = ctx.get_raw(0);
        if x == ValueRef::Null {
            return Ok(Value::Null);
        }
        let mut unknown = false;
        for i in 1..ctx.len() {
            match compare(x, ctx.get_raw(i)) {
                Some(Ordering::Equal) => return Ok(Value::Integer(1)),
                Some(_) => {}
                None => unknown = true,
            }
        }
        Ok(if unknown {
            Value::Null
        } else {
            Value::Integer(0)
        })
    })?;
    add(conn, "domo_nullif", 2, |ctx| {
        let a = ctx.get_raw(0);
        Ok(if compare(a, ctx.get_raw(1)) == Some(Ordering::Equal) {
            Value::Null
        } else {
            Value::from(a)
        })
    })?;
    // GREATEST/LEAST: NULL if any argument is; numbers as numbers.
    for (name, want) in [
        ("domo_greatest", Ordering::Greater),
        ("domo_least", Ordering::Less),
    ] {
        add(conn, name, -1, move |ctx| {
            let mut best = ctx.get_raw(0);
            for i in 0..ctx.len() {
                let v = ctx.get_raw(i);
                match compare(v, best) {
                    None => return Ok(Value::Null),
                    Some(o) if o == want => best = v,
                    Some(_) => {}
                }
            }
            // Shown with the most decimals among the arguments, as MySQL.
            if let Some(d) = decimal(best) {
                let shown = (0..ctx.len())
                    .filter_map(|i| decimal(ctx.get_raw(i)))
                    .map(|d| d.shown)
                    .max()
                    .unwrap_or(d.shown);
                return Ok(Value::Blob(Dec { shown, ..d }.encode()));
            }
            if let ValueRef::Integer(i) = best
                && let Some(shown) = (0..ctx.len())
                    .filter_map(|i| decimal(ctx.get_raw(i)))
                    .map(|d| d.shown)
                    .max()
            {
                return Ok(Value::Blob(Dec::new(i128::from(i), 0, shown).encode()));
            }
            Ok(Value::from(best))
        })?;
    }
    // A decimal as its text, for the functions that take text.
    add(conn, "domo_text", 1, |ctx| {
        let v = ctx.get_raw(0);
        Ok(match decimal(v) {
            Some(d) => Value::Text(d.text()),
            None => Value::from(v),
        })
    })?;
    // A stored DECIMAL text as the query sees it: exact, at the column's
    // scale (`scale`, the most decimals any of its values has).
    add(conn, "domo_decimal", 2, |ctx| {
        let scale = ctx
            .get_raw(1)
            .as_i64()
            .ok()
            .and_then(|s| u32::try_from(s).ok());
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => {
                let text = crate::csvio::text(t);
                match Dec::parse(&text) {
                    Some(d) => match scale.and_then(|s| d.rescale(s, true)) {
                        Some(at) => Value::Blob(at.encode()),
                        None => Value::Blob(d.encode()),
                    },
                    // More than 38 digits: as near as a double gets.
                    None => text.parse::<f64>().map_or(Value::Null, Value::Real),
                }
            }
            other => Value::from(other),
        })
    })?;
    add(conn, "domo_decimal_scale", 1, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => super::decimal::text_scale(&crate::csvio::text(t))
                .map_or(Value::Null, |s| Value::Integer(i64::from(s))),
            _ => Value::Null,
        })
    })?;
    for (name, avg) in [("domo_sum", false), ("domo_avg", true)] {
        conn.create_window_function(
            name,
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            SumOrAvg { avg },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Num {
        Num::Dec(Dec::parse(s).unwrap())
    }

    #[test]
    fn numbers_as_mysql_reads_them() {
        let text = |s: &str| number(ValueRef::Text(s.as_bytes()));
        assert_eq!(text(" 12abc"), Some(Num::Int(12)));
        assert_eq!(text("-3.75x"), Some(Num::Real(-3.75)));
        assert_eq!(text("1e3"), Some(Num::Real(1000.0)));
        assert_eq!(text("abc"), Some(Num::Int(0)));
        assert_eq!(text("."), Some(Num::Int(0)));
        assert_eq!(number(ValueRef::Null), None);
        let blob = Dec::parse("1.50").unwrap().encode();
        assert_eq!(number(ValueRef::Blob(&blob)), Some(dec("1.50")));
    }

    #[test]
    fn arithmetic_keeps_its_kind() {
        assert_eq!(
            arith(Arith::Add, Num::Int(2), Num::Int(3)).unwrap(),
            Num::Int(5)
        );
        assert!(arith(Arith::Mul, Num::Int(i64::MAX), Num::Int(2)).is_err());
        let Num::Dec(d) = arith(Arith::Add, dec("0.1"), dec("0.2")).unwrap() else {
            panic!()
        };
        assert_eq!(d.text(), "0.3");
        assert_eq!(
            arith(Arith::Add, dec("0.5"), Num::Real(0.25)).unwrap(),
            Num::Real(0.75)
        );
        let Some(Num::Dec(q)) = divide(Num::Int(5), Num::Int(2)).unwrap() else {
            panic!()
        };
        assert_eq!(q.text(), "2.5000");
        assert_eq!(divide(Num::Int(5), Num::Int(0)).unwrap(), None);
        assert_eq!(modulo(Num::Int(-7), Num::Int(3)), Some(Num::Int(-1)));
        assert_eq!(int_divide(dec("5.5"), Num::Int(2)).unwrap(), Some(2));
        assert_eq!(round(Num::Real(2.5), 0, true), Num::Real(2.0));
        assert_eq!(round(Num::Real(1.15), 2, false), Num::Real(1.14));
        assert_eq!(round(Num::Int(15), -1, true), Num::Int(20));
        assert_eq!(cast_signed(ValueRef::Real(-2.5)), Some(-3));
        assert_eq!(cast_signed(ValueRef::Text(b"3.7")), Some(3));
        assert_eq!(
            cast_decimal(Num::Real(1234.5), 4, 1).unwrap().text(),
            "999.9"
        );
        assert_eq!(
            cast_decimal(Num::Real(2.675), 10, 2).unwrap().text(),
            "2.68"
        );
    }

    #[test]
    fn compares_across_kinds() {
        let b = Dec::parse("1.50").unwrap().encode();
        assert_eq!(
            compare(ValueRef::Blob(&b), ValueRef::Integer(1)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare(ValueRef::Blob(&b), ValueRef::Real(1.5)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare(ValueRef::Text(b"East"), ValueRef::Text(b"EAST")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare(ValueRef::Text(b"10"), ValueRef::Integer(10)),
            Some(Ordering::Equal)
        );
        assert_eq!(compare(ValueRef::Null, ValueRef::Integer(1)), None);
    }

    #[test]
    fn sums_and_averages_exactly() {
        let mut s = Sum::default();
        for v in ["0.10", "0.20", "0.05"] {
            s.step(dec(v), 1).unwrap();
        }
        assert_eq!(decimal_text(&s.sum().unwrap()), "0.35");
        assert_eq!(decimal_text(&s.avg().unwrap()), "0.116667");
        let mut ints = Sum::default();
        for i in [1, 2] {
            ints.step(Num::Int(i), 1).unwrap();
        }
        assert_eq!(ints.sum().unwrap(), Value::Integer(3));
        assert_eq!(decimal_text(&ints.avg().unwrap()), "1.5000");
        ints.step(Num::Int(2), -1).unwrap();
        assert_eq!(ints.sum().unwrap(), Value::Integer(1));
    }

    fn decimal_text(v: &Value) -> String {
        match v {
            Value::Blob(b) => Dec::decode(b).unwrap().text(),
            other => panic!("{other:?}"),
        }
    }
}
