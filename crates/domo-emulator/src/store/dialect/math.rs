//! MySQL's math functions and statistical aggregates, which the bundled
//! SQLite is built without, as Rust functions named `domo_*` (the dialect
//! rewrites MySQL's names to them). They compute in doubles, as MySQL's
//! do: an argument outside a function's domain (`SQRT(-1)`, `LN(0)`,
//! `ACOS(2)`) gives NULL, a result too large for a double (`EXP(1000)`,
//! `POW(0, -1)`, `COT(0)`) is MySQL's out-of-range error.

use std::cell::RefCell;

use rusqlite::functions::{Aggregate, Context, FunctionFlags, WindowAggregate};
use rusqlite::types::Value;
use rusqlite::{Connection, Error, Result};

use super::numeric;
use crate::rng::SplitMix64;

fn arg(ctx: &Context<'_>, i: usize) -> Option<f64> {
    numeric::number(ctx.get_raw(i)).map(numeric::Num::as_f64)
}

/// A double result: NULL for None (outside the domain), an error when it
/// is not finite.
fn double(name: &str, r: Option<f64>) -> Result<Value> {
    match r {
        None => Ok(Value::Null),
        Some(f) if f.is_finite() => Ok(Value::Real(f)),
        Some(_) => Err(Error::UserFunctionError(
            format!("DOUBLE value is out of range in '{name}'").into(),
        )),
    }
}

/// `LOG(x)` is the natural logarithm, `LOG(b, x)` the logarithm base `b`;
/// NULL for `x <= 0`, `b <= 0` or `b = 1`.
fn log(base: Option<f64>, x: f64) -> Option<f64> {
    if x <= 0.0 {
        return None;
    }
    match base {
        None => Some(x.ln()),
        Some(b) if b <= 0.0 || b == 1.0 => None,
        Some(b) => Some(x.ln() / b.ln()),
    }
}

/// A one-argument function: None outside its domain.
type Unary = fn(f64) -> Option<f64>;

/// The one-argument functions: name run, name shown in errors, function.
const UNARY: [(&str, &str, Unary); 13] = [
    ("domo_sqrt", "sqrt", |x| (x >= 0.0).then(|| x.sqrt())),
    ("domo_exp", "exp", |x| Some(x.exp())),
    ("domo_ln", "ln", |x| log(None, x)),
    ("domo_log10", "log10", |x| (x > 0.0).then(|| x.log10())),
    ("domo_log2", "log2", |x| (x > 0.0).then(|| x.log2())),
    ("domo_sin", "sin", |x| Some(x.sin())),
    ("domo_cos", "cos", |x| Some(x.cos())),
    ("domo_tan", "tan", |x| Some(x.tan())),
    ("domo_cot", "cot", |x| Some(1.0 / x.tan())),
    ("domo_asin", "asin", |x| {
        (-1.0..=1.0).contains(&x).then(|| x.asin())
    }),
    ("domo_acos", "acos", |x| {
        (-1.0..=1.0).contains(&x).then(|| x.acos())
    }),
    ("domo_degrees", "degrees", |x| Some(x.to_degrees())),
    ("domo_radians", "radians", |x| Some(x.to_radians())),
];

/// A running variance (Welford), which a window can also take values out of.
#[derive(Debug, Default, Clone, Copy)]
struct Spread {
    n: i64,
    mean: f64,
    m2: f64,
}

impl Spread {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    fn remove(&mut self, x: f64) {
        if self.n <= 1 {
            *self = Self::default();
            return;
        }
        self.n -= 1;
        let delta = x - self.mean;
        self.mean -= delta / self.n as f64;
        self.m2 -= delta * (x - self.mean);
    }

    /// The population (`sample` false) or sample variance; NULL without
    /// values, and for a sample of one.
    fn variance(self, sample: bool) -> Value {
        let n = self.n - i64::from(sample);
        if self.n == 0 || n == 0 {
            return Value::Null;
        }
        Value::Real(self.m2.max(0.0) / n as f64)
    }
}

/// `VAR_POP`, `VAR_SAMP` and their square roots, as aggregates and over
/// windows.
#[derive(Debug, Clone, Copy)]
struct Statistic {
    sample: bool,
    root: bool,
}

impl Statistic {
    fn answer(self, acc: Spread) -> Value {
        match acc.variance(self.sample) {
            Value::Real(v) if self.root => Value::Real(v.sqrt()),
            other => other,
        }
    }
}

impl Aggregate<Spread, Value> for Statistic {
    fn init(&self, _: &mut Context<'_>) -> Result<Spread> {
        Ok(Spread::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Spread) -> Result<()> {
        if let Some(x) = arg(ctx, 0) {
            acc.add(x);
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Spread>) -> Result<Value> {
        Ok(self.answer(acc.unwrap_or_default()))
    }
}

impl WindowAggregate<Spread, Value> for Statistic {
    fn value(&self, acc: Option<&mut Spread>) -> Result<Value> {
        Ok(self.answer(acc.map(|a| *a).unwrap_or_default()))
    }

    fn inverse(&self, ctx: &mut Context<'_>, acc: &mut Spread) -> Result<()> {
        if let Some(x) = arg(ctx, 0) {
            acc.remove(x);
        }
        Ok(())
    }
}

/// The names the statistics run under, and what each computes.
const STATISTICS: [(&str, Statistic); 4] = [
    (
        "domo_var_pop",
        Statistic {
            sample: false,
            root: false,
        },
    ),
    (
        "domo_var_samp",
        Statistic {
            sample: true,
            root: false,
        },
    ),
    (
        "domo_stddev_pop",
        Statistic {
            sample: false,
            root: true,
        },
    ),
    (
        "domo_stddev_samp",
        Statistic {
            sample: true,
            root: true,
        },
    ),
];

thread_local! {
    /// `RAND()`'s generator, one per thread, seeded from the process's
    /// random hasher keys.
    static RAND: RefCell<SplitMix64> = RefCell::new(SplitMix64::new({
        use std::hash::{BuildHasher, Hasher};
        std::collections::hash_map::RandomState::new().build_hasher().finish()
    }));
}

/// Registers the math functions and statistics on `conn`.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    for (name, shown, f) in UNARY {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            double(shown, arg(ctx, 0).and_then(f))
        })?;
    }
    for n in [1, 2] {
        conn.create_scalar_function("domo_log", n, flags, move |ctx| {
            let r = if n == 1 {
                arg(ctx, 0).and_then(|x| log(None, x))
            } else {
                match (arg(ctx, 0), arg(ctx, 1)) {
                    (Some(b), Some(x)) => log(Some(b), x),
                    _ => None,
                }
            };
            double("log", r)
        })?;
        // ATAN(x), and ATAN(y, x) as ATAN2.
        conn.create_scalar_function("domo_atan", n, flags, move |ctx| {
            let r = if n == 1 {
                arg(ctx, 0).map(f64::atan)
            } else {
                match (arg(ctx, 0), arg(ctx, 1)) {
                    (Some(y), Some(x)) => Some(y.atan2(x)),
                    _ => None,
                }
            };
            double("atan", r)
        })?;
    }
    conn.create_scalar_function("domo_pow", 2, flags, |ctx| {
        let r = match (arg(ctx, 0), arg(ctx, 1)) {
            // A negative base with a fractional exponent has no real power.
            (Some(b), Some(e)) if b < 0.0 && e.fract() != 0.0 => None,
            (Some(b), Some(e)) => Some(b.powf(e)),
            _ => None,
        };
        double("pow", r)
    })?;
    conn.create_scalar_function("domo_pi", 0, flags, |_| Ok(std::f64::consts::PI))?;
    // Not deterministic: SQLite must call it once per row.
    conn.create_scalar_function("domo_rand", 0, FunctionFlags::SQLITE_UTF8, |_| {
        Ok(RAND.with(|r| r.borrow_mut().next_f64()))
    })?;
    for (name, statistic) in STATISTICS {
        conn.create_window_function(name, 1, flags, statistic)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_follow_mysql() {
        assert_eq!(log(None, 1.0), Some(0.0));
        assert_eq!(log(Some(2.0), 8.0), Some(3.0));
        assert_eq!(log(Some(1.0), 8.0), None);
        assert_eq!(log(None, 0.0), None);
        assert_eq!(log(Some(-2.0), 8.0), None);
    }

    #[test]
    fn spread_adds_and_removes() {
        let mut s = Spread::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            s.add(x);
        }
        assert_eq!(s.variance(false), Value::Real(4.0));
        s.add(100.0);
        s.remove(100.0);
        let Value::Real(v) = s.variance(false) else {
            panic!()
        };
        assert!((v - 4.0).abs() < 1e-9, "{v}");
        let mut one = Spread::default();
        one.add(3.0);
        assert_eq!(one.variance(false), Value::Real(0.0));
        assert_eq!(one.variance(true), Value::Null);
        assert_eq!(Spread::default().variance(false), Value::Null);
    }
}
