//! MySQL's exact DECIMAL, as SQLite carries it: a value is an i128
//! mantissa at a scale (up to 38 digits, where MySQL holds 65), and the
//! scale MySQL would show it with. Hand-written rather than `rust_decimal`
//! (28 digits, no notion of a shown scale): MySQL's rules need both scales.
//!
//! MySQL computes with more fraction digits than it shows: `1/3` is held
//! as 0.333333333 (whole groups of nine digits, cut) and shown as 0.3333
//! (`div_precision_increment` = 4 past the dividend's shown scale), so
//! `1/3*3` shows 1.0000. `Dec` keeps both: `scale` is what it holds,
//! `shown` what a reply writes, rounded half away from zero.
//!
//! In SQLite a decimal is a BLOB (SQLite has no decimal type): a marker
//! byte, then the value in an order-preserving form, then both scales.
//! Blobs compare with `memcmp`, so `ORDER BY`, `MIN`, `MAX`, `GROUP BY`
//! and `DISTINCT` of decimals work as SQLite runs them; equal values of
//! different scales (1.5, 1.50) differ only in the last bytes. No column
//! of the store holds a BLOB, so a decimal is never mistaken for data.

use std::cmp::Ordering;

/// The first byte of every decimal BLOB.
const MARKER: u8 = 0xDE;
/// The most digits a mantissa holds: 10^38 < i128::MAX.
pub(crate) const MAX_DIGITS: u32 = 38;
/// The largest scale MySQL keeps or shows.
pub(crate) const MAX_SCALE: u32 = 30;
/// MySQL's `div_precision_increment`.
pub(crate) const DIV_INCREMENT: u32 = 4;

/// An exact decimal: `mantissa / 10^scale`, shown with `shown` decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dec {
    pub mantissa: i128,
    pub scale: u32,
    pub shown: u32,
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// The decimal digits of `n` (at most 39), most significant first, written
/// into `buf` without allocating: every value a query reads goes through
/// here twice (`encode`, `text`).
fn digits(n: u128, buf: &mut [u8; 40]) -> &str {
    let mut at = buf.len();
    // Most values fit in a u64, whose division by 10 is a multiplication.
    match u64::try_from(n) {
        Ok(mut v) => loop {
            at -= 1;
            buf[at] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        },
        Err(_) => {
            let mut v = n;
            loop {
                at -= 1;
                buf[at] = b'0' + (v % 10) as u8;
                v /= 10;
                if v == 0 {
                    break;
                }
            }
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// The parts of a decimal text: sign, integer digits without leading
/// zeros, fraction digits; None when it is not one or holds more than
/// `MAX_DIGITS` digits.
fn split_decimal(text: &str) -> Option<(bool, &[u8], &[u8])> {
    let t = text.trim().as_bytes();
    let (neg, t) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match t.iter().position(|&b| b == b'.') {
        Some(dot) => (&t[..dot], &t[dot + 1..]),
        None => (t, &t[t.len()..]),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.iter().all(u8::is_ascii_digit) || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let zeros = int.iter().take_while(|&&b| b == b'0').count();
    let int = &int[zeros..];
    if int.len() + frac.len() > MAX_DIGITS as usize {
        return None;
    }
    Some((neg, int, frac))
}

/// `m` divided by `10^n`, rounded half away from zero (`round`) or cut.
fn shift_down(m: i128, n: u32, round: bool) -> i128 {
    let Some(p) = pow10(n) else { return 0 };
    let (q, r) = (m / p, m % p);
    if round && 2 * r.unsigned_abs() >= p.unsigned_abs() {
        q + m.signum()
    } else {
        q
    }
}

impl Dec {
    pub fn new(mantissa: i128, scale: u32, shown: u32) -> Self {
        Self {
            mantissa,
            scale,
            shown,
        }
    }

    pub fn from_int(i: i64) -> Self {
        Self::new(i128::from(i), 0, 0)
    }

    /// A decimal literal or stored value (`-12.50`, `+3`, `.5`, `5.`);
    /// None when it is not one or holds more than `MAX_DIGITS` digits.
    pub fn parse(text: &str) -> Option<Self> {
        let (neg, int, frac) = split_decimal(text)?;
        // At most 38 digits: no overflow.
        let m = int
            .iter()
            .chain(frac)
            .fold(0i128, |m, d| m * 10 + i128::from(d - b'0'));
        let scale = frac.len() as u32;
        Some(Self::new(
            if neg { -m } else { m },
            scale,
            scale.min(MAX_SCALE),
        ))
    }

    /// The value at `scale` decimals (rounded or cut when fewer), None if
    /// it does not fit.
    pub fn mantissa_at(self, scale: u32, round: bool) -> Option<i128> {
        match scale.cmp(&self.scale) {
            Ordering::Equal => Some(self.mantissa),
            Ordering::Greater => self.mantissa.checked_mul(pow10(scale - self.scale)?),
            Ordering::Less => Some(shift_down(self.mantissa, self.scale - scale, round)),
        }
    }

    /// Rescaled to hold and show `scale` decimals (rounded half away from
    /// zero, or cut).
    pub fn rescale(self, scale: u32, round: bool) -> Option<Self> {
        Some(Self::new(self.mantissa_at(scale, round)?, scale, scale))
    }

    /// Both mantissas at the larger scale.
    fn aligned(self, other: Self) -> Option<(i128, i128, u32)> {
        let s = self.scale.max(other.scale);
        Some((self.mantissa_at(s, false)?, other.mantissa_at(s, false)?, s))
    }

    pub fn add(self, other: Self) -> Option<Self> {
        let (a, b, s) = self.aligned(other)?;
        Some(Self::new(a.checked_add(b)?, s, self.shown.max(other.shown)))
    }

    pub fn neg(self) -> Self {
        Self::new(-self.mantissa, self.scale, self.shown)
    }

    pub fn sub(self, other: Self) -> Option<Self> {
        self.add(other.neg())
    }

    pub fn mul(self, other: Self) -> Option<Self> {
        let shown = (self.shown + other.shown).min(MAX_SCALE);
        let m = self.mantissa.checked_mul(other.mantissa)?;
        let s = self.scale + other.scale;
        // MySQL holds at most MAX_SCALE decimals, cut.
        if s > MAX_SCALE {
            return Some(Self::new(
                shift_down(m, s - MAX_SCALE, false),
                MAX_SCALE,
                shown,
            ));
        }
        Some(Self::new(m, s, shown))
    }

    /// MySQL's `/`: held to the scales' sum plus 4, rounded up to whole
    /// groups of nine digits and cut there; shown with the dividend's
    /// shown scale plus 4. None for a zero divisor or past the range.
    pub fn div(self, other: Self) -> Option<Self> {
        if other.mantissa == 0 {
            return None;
        }
        let shown = (self.shown + DIV_INCREMENT).min(MAX_SCALE);
        let wanted = (self.scale + other.scale + DIV_INCREMENT).div_ceil(9) * 9;
        // mantissa / 10^scale  ÷  m2 / 10^s2  at  `held` decimals:
        // mantissa * 10^(held - scale + s2) / m2. Fewer decimals are held
        // (never fewer than are shown) where the product would not fit.
        let mut held = wanted;
        loop {
            let up = held + other.scale;
            let n = if up >= self.scale {
                pow10(up - self.scale).and_then(|p| self.mantissa.checked_mul(p))
            } else {
                Some(shift_down(self.mantissa, self.scale - up, false))
            };
            if let Some(n) = n {
                return Some(Self::new(n / other.mantissa, held, shown));
            }
            if held <= shown {
                return None;
            }
            held -= 1;
        }
    }

    /// MySQL's `MOD` and `%`: the dividend's sign; None for a zero divisor.
    pub fn rem(self, other: Self) -> Option<Self> {
        let (a, b, s) = self.aligned(other)?;
        if b == 0 {
            return None;
        }
        Some(Self::new(a % b, s, self.shown.max(other.shown)))
    }

    /// `a DIV b`: the quotient cut toward zero, as an integer.
    pub fn int_div(self, other: Self) -> Option<i128> {
        let (a, b, _) = self.aligned(other)?;
        if b == 0 {
            return None;
        }
        Some(a / b)
    }

    /// `ROUND(x, d)` (or, with `round` false, `TRUNCATE(x, d)`): at `d`
    /// decimals, or tens, hundreds for a negative `d`; shown with
    /// `max(d, 0)` decimals.
    pub fn round_to(self, d: i64, round: bool) -> Option<Self> {
        if d >= 0 {
            let d = u32::try_from(d).unwrap_or(MAX_SCALE).min(MAX_SCALE);
            return self.rescale(d, round);
        }
        let places = u32::try_from(-d).unwrap_or(u32::MAX);
        let cut = if places > MAX_DIGITS {
            0
        } else {
            let at_units = shift_down(self.mantissa, self.scale + places, round);
            at_units.checked_mul(pow10(places)?)?
        };
        Some(Self::new(cut, 0, 0))
    }

    /// The integer part toward minus (`floor`) or plus infinity.
    pub fn floor_ceil(self, ceil: bool) -> Option<i128> {
        let p = pow10(self.scale)?;
        let (q, r) = (self.mantissa / p, self.mantissa % p);
        Some(match (r.signum(), ceil) {
            (1, true) => q + 1,
            (-1, false) => q - 1,
            _ => q,
        })
    }

    pub fn cmp_value(self, other: Self) -> Ordering {
        match self.aligned(other) {
            Some((a, b, _)) => a.cmp(&b),
            // One side does not fit at the other's scale: its integer part
            // is the larger, so comparing the integer parts decides.
            None => {
                let ia = shift_down(self.mantissa, self.scale, false);
                let ib = shift_down(other.mantissa, other.scale, false);
                ia.cmp(&ib)
                    .then(self.mantissa.signum().cmp(&other.mantissa.signum()))
            }
        }
    }

    pub fn to_f64(self) -> f64 {
        // Through the text: the nearest double, as MySQL converts.
        self.text_at(self.scale).parse().unwrap_or(0.0)
    }

    /// An integer, when it is one and fits in i64.
    pub fn to_i64(self) -> Option<i64> {
        let p = pow10(self.scale)?;
        if self.mantissa % p != 0 {
            return None;
        }
        i64::try_from(self.mantissa / p).ok()
    }

    /// The text a reply writes: rounded to the shown scale.
    pub fn text(self) -> String {
        self.text_at(self.shown)
    }

    fn text_at(self, scale: u32) -> String {
        let (m, scale) = match self.mantissa_at(scale, true) {
            Some(m) => (m, scale),
            None => (self.mantissa, self.scale),
        };
        let mut buf = [0; 40];
        let digits = self::digits(m.unsigned_abs(), &mut buf);
        let scale = scale as usize;
        let mut out = String::with_capacity(digits.len() + scale + 3);
        if m < 0 {
            out.push('-');
        }
        if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            out.push_str(int);
            if scale > 0 {
                out.push('.');
                out.push_str(frac);
            }
        } else {
            // Below 1: `0.`, zeros, then the digits (scale > 0 here).
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', scale - digits.len()));
            out.push_str(digits);
        }
        out
    }

    /// The BLOB SQLite carries.
    pub fn encode(self) -> Vec<u8> {
        let mut buf = [0; 40];
        let digits = self::digits(self.mantissa.unsigned_abs(), &mut buf);
        let mut out = Vec::with_capacity(digits.len() + 6);
        out.push(MARKER);
        if self.mantissa == 0 {
            out.push(0x02);
        } else {
            // |v| = 0.D x 10^e, D without trailing zeros.
            let e = digits.len() as i32 - self.scale as i32;
            let d = digits.trim_end_matches('0').as_bytes();
            let e_byte = u8::try_from(e + 128).unwrap_or(u8::MAX);
            if self.mantissa > 0 {
                out.push(0x03);
                out.push(e_byte);
                out.extend(d.iter().map(|c| c - b'0' + 1));
                out.push(0x00);
            } else {
                out.push(0x01);
                out.push(u8::MAX - e_byte);
                out.extend(d.iter().map(|c| 10 - (c - b'0')));
                out.push(0x0B);
            }
        }
        out.push(self.scale as u8);
        out.push(self.shown as u8);
        out
    }

    /// A BLOB `encode` made; None for any other bytes.
    pub fn decode(b: &[u8]) -> Option<Self> {
        let (&marker, rest) = b.split_first()?;
        if marker != MARKER {
            return None;
        }
        let (&class, rest) = rest.split_first()?;
        let (body, tail) = rest.split_at(rest.len().checked_sub(2)?);
        let (scale, shown) = (u32::from(tail[0]), u32::from(tail[1]));
        if scale > MAX_DIGITS || shown > MAX_SCALE {
            return None;
        }
        let m = match class {
            0x02 if body.is_empty() => 0,
            0x01 | 0x03 => {
                let neg = class == 0x01;
                let (&e_byte, digits) = body.split_first()?;
                let (&end, digits) = digits.split_last()?;
                if end != if neg { 0x0B } else { 0x00 } || digits.is_empty() {
                    return None;
                }
                let e = i32::from(if neg { u8::MAX - e_byte } else { e_byte }) - 128;
                // Trailing zeros: the mantissa has scale + e digits in all.
                let total = usize::try_from(e + scale as i32).ok()?;
                if total < digits.len() || total > MAX_DIGITS as usize {
                    return None;
                }
                let mut m = 0i128;
                for &d in digits {
                    let v = if neg {
                        10u8.checked_sub(d)?
                    } else {
                        d.checked_sub(1)?
                    };
                    if v > 9 {
                        return None;
                    }
                    m = m * 10 + i128::from(v);
                }
                m *= pow10((total - digits.len()) as u32)?;
                if neg { -m } else { m }
            }
            _ => return None,
        };
        Some(Self::new(m, scale, shown))
    }
}

/// A decimal BLOB's reply text (`1.50`), None for other bytes.
pub(crate) fn blob_text(b: &[u8]) -> Option<String> {
    if b.first() != Some(&MARKER) {
        return None;
    }
    Dec::decode(b).map(Dec::text)
}

/// The number of decimals a stored DECIMAL text has (`12.50`: 2); None
/// for what `Dec::parse` does not read.
pub(crate) fn text_scale(text: &str) -> Option<u32> {
    split_decimal(text).map(|(_, _, frac)| frac.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    #[test]
    fn parses_and_writes_exactly() {
        for (text, shown) in [
            ("0.1", "0.1"),
            ("-12.50", "-12.50"),
            ("+3", "3"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-0.00", "0.00"),
            (
                "12345678901234567890.123456789012345678",
                "12345678901234567890.123456789012345678",
            ),
        ] {
            assert_eq!(d(text).text(), shown, "{text}");
        }
        for bad in [
            "",
            ".",
            "1e3",
            "1.2.3",
            "abc",
            "- 1",
            "123456789012345678901234567890123456789",
        ] {
            assert_eq!(Dec::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn computes_as_mysql_does() {
        assert_eq!(d("0.1").add(d("0.2")).unwrap().text(), "0.3");
        assert_eq!(d("5.0").div(Dec::from_int(3)).unwrap().text(), "1.66667");
        assert_eq!(
            Dec::from_int(1).div(Dec::from_int(3)).unwrap().text(),
            "0.3333"
        );
        // Held to nine digits, shown to four: 1/3*3 is 1.0000 in MySQL.
        let third = Dec::from_int(1).div(Dec::from_int(3)).unwrap();
        assert_eq!(third.mul(Dec::from_int(3)).unwrap().text(), "1.0000");
        assert_eq!(
            third.mul(Dec::from_int(1_000_000_000_000)).unwrap().text(),
            "333333333000.0000"
        );
        assert_eq!(
            d("1.123456").div(Dec::from_int(3)).unwrap().mantissa,
            374_485_333_333_333_333
        );
        assert_eq!(d("1.00").div(Dec::from_int(3)).unwrap().text(), "0.333333");
        assert_eq!(
            Dec::from_int(2).div(Dec::from_int(3)).unwrap().text(),
            "0.6667"
        );
        assert_eq!(
            Dec::from_int(-2).div(Dec::from_int(3)).unwrap().text(),
            "-0.6667"
        );
        assert_eq!(Dec::from_int(1).div(d("0")), None);
        assert_eq!(d("1.5").mul(d("1.5")).unwrap().text(), "2.25");
        assert_eq!(d("2.5").mul(Dec::from_int(2)).unwrap().text(), "5.0");
        assert_eq!(d("-5.5").rem(Dec::from_int(2)).unwrap().text(), "-1.5");
        assert_eq!(d("5.5").int_div(Dec::from_int(2)), Some(2));
        assert_eq!(d("1.005").round_to(2, true).unwrap().text(), "1.01");
        assert_eq!(d("1.5").round_to(3, true).unwrap().text(), "1.500");
        assert_eq!(d("-2.5").round_to(0, true).unwrap().text(), "-3");
        assert_eq!(d("1234.5678").round_to(-2, true).unwrap().text(), "1200");
        assert_eq!(d("1.559").round_to(1, false).unwrap().text(), "1.5");
        assert_eq!(d("-2.5").floor_ceil(false), Some(-3));
        assert_eq!(d("2.1").floor_ceil(true), Some(3));
        assert_eq!(d("1.50").cmp_value(d("1.5")), Ordering::Equal);
    }

    #[test]
    fn blobs_order_as_the_values_do() {
        let values = [
            "-1000", "-12.5", "-12.25", "-1", "-0.5", "-0.05", "0", "0.001", "0.1", "0.15", "1",
            "1.5", "9.99", "10", "12.5", "1000",
        ];
        let blobs: Vec<Vec<u8>> = values.iter().map(|v| d(v).encode()).collect();
        for (i, a) in blobs.iter().enumerate() {
            assert_eq!(Dec::decode(a), Some(d(values[i])), "{}", values[i]);
            for (j, b) in blobs.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{} vs {}", values[i], values[j]);
            }
        }
        // One value at one scale is one blob (GROUP BY, DISTINCT).
        assert_eq!(d("1.50").encode(), d("1.50").encode());
        assert_eq!(Dec::decode(b"\xDE\x09"), None);
        assert_eq!(Dec::decode(b"plain"), None);
    }
}
