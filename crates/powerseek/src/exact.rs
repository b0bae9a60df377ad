//! Exact arithmetic shared by every area: the rational type, the [`Scalar`]
//! trait that lets the game algebra run on rationals or floats, and exact
//! parsing and formatting of numbers as they appear in files.
//!
//! **Serialisation.** Exact values serialise as text, `"p/q"` (or `"p"` for
//! integers), so JSON keeps them exact. Report fields holding exact values (or
//! a generic [`Scalar`]) are annotated `#[serde(serialize_with =
//! "crate::exact::ser")]`, which works for rationals, floats and any nesting of
//! `Vec`, slices and `Option` of them ([`ExactSerialize`]). A front end that has
//! a native fraction type (Python's `fractions.Fraction`) serialises inside
//! [`tagged`], where each rational becomes a one-entry map
//! `{"__fraction__": ["p", "q"]}` that it can convert without guessing which
//! strings are numbers.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};

/// Exact payoffs and probabilities.
pub type Rational = BigRational;

/// A number type the game algebra can run on: exact rationals or floats.
pub trait Scalar: Clone + PartialOrd + num_traits::Num + std::fmt::Debug + ExactSerialize {
    /// Arithmetic is exact (comparisons with zero need no tolerance).
    const EXACT: bool;
    /// Convert an exact rational: the value itself for rationals, the nearest
    /// float for `f64` (NaN when it has no float value).
    fn from_rational(r: &Rational) -> Self;
    /// The number as messages and tables show it (`9/10`, `0.9`).
    fn show(&self) -> String;
    /// `values` as rationals when `Self` is [`Rational`] (for exact fast
    /// paths, such as integer arithmetic over common denominators); `None`
    /// for floats.
    fn as_rationals(_values: &[Vec<Self>]) -> Option<&[Vec<Rational>]> {
        None
    }
    /// The inverse of [`Scalar::as_rationals`]: rationals as `Self` when
    /// `Self` is [`Rational`]; `None` for floats.
    fn from_rationals(_values: Vec<Rational>) -> Option<Vec<Self>> {
        None
    }
}

impl Scalar for f64 {
    const EXACT: bool = false;
    fn from_rational(r: &Rational) -> f64 {
        r.to_f64().unwrap_or(f64::NAN)
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Scalar for Rational {
    const EXACT: bool = true;
    fn from_rational(r: &Rational) -> Rational {
        r.clone()
    }
    fn show(&self) -> String {
        format_rational(self)
    }
    fn as_rationals(values: &[Vec<Self>]) -> Option<&[Vec<Rational>]> {
        Some(values)
    }
    fn from_rationals(values: Vec<Rational>) -> Option<Vec<Self>> {
        Some(values)
    }
}

/// Most digits an exact number may have (in each of numerator and
/// denominator of a fraction): larger inputs would make exact arithmetic
/// crawl, and no payoff or probability needs them.
pub const MAX_DIGITS: usize = 10_000;

/// Largest exponent magnitude in exact decimal notation (`1e4000`, `1e-4000`).
pub const MAX_EXPONENT: i64 = 4_000;

/// Parse a payoff or probability written as an integer, a decimal (`-7.6`,
/// `1e-3`) or a fraction (`5/2`), exactly. At most [`MAX_DIGITS`] digits and
/// exponents within ±[`MAX_EXPONENT`]; the error names the text and the reason.
pub fn parse_rational(text: &str) -> crate::Result<Rational> {
    let t = text.trim();
    let shown = || {
        if t.chars().count() > 40 {
            format!("{}…", t.chars().take(40).collect::<String>())
        } else {
            t.to_string()
        }
    };
    let fail = |why: &str| crate::Error::invalid(format!("'{}' {why}", shown()));
    let not_a_number =
        || fail("is not a number (expected an integer, a decimal such as -7.6 or 1e-3, or a fraction p/q)");
    let integer = |s: &str| -> crate::Result<BigInt> {
        let s = s.trim();
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(not_a_number());
        }
        if digits.len() > MAX_DIGITS {
            return Err(fail(&format!("has more than {MAX_DIGITS} digits")));
        }
        s.parse().map_err(|_| not_a_number())
    };
    if let Some((n, d)) = t.split_once('/') {
        let (n, d) = (integer(n)?, integer(d)?);
        if d.is_zero() {
            return Err(fail("divides by zero"));
        }
        return Ok(Rational::new(n, d));
    }
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(p) => {
            let e = &t[p + 1..];
            let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(not_a_number());
            }
            let magnitude = digits.trim_start_matches('0');
            let value = (magnitude.len() <= 6)
                .then(|| magnitude.parse::<i64>().unwrap_or(0))
                .filter(|v| *v <= MAX_EXPONENT)
                .ok_or_else(|| fail(&format!("has an exponent beyond ±{MAX_EXPONENT}")))?;
            (&t[..p], if e.starts_with('-') { -value } else { value })
        }
        None => (t, 0),
    };
    let (negative, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(not_a_number());
    }
    if !int_part.bytes().chain(frac_part.bytes()).all(|c| c.is_ascii_digit()) {
        return Err(not_a_number());
    }
    if int_part.len() + frac_part.len() > MAX_DIGITS {
        return Err(fail(&format!("has more than {MAX_DIGITS} digits")));
    }
    let all: BigInt = format!("{int_part}{frac_part}").parse().map_err(|_| not_a_number())?;
    // |scale| ≤ MAX_EXPONENT + MAX_DIGITS: the power of ten below stays small.
    let scale = exponent - frac_part.len() as i64;
    let ten = BigInt::from(10);
    let mut r = if scale >= 0 {
        Rational::from_integer(all * num_traits::pow(ten, scale as usize))
    } else {
        Rational::new(all, num_traits::pow(ten, scale.unsigned_abs() as usize))
    };
    if negative {
        r = -r;
    }
    Ok(r)
}

/// The nearest float of an exact number (NaN when it has none).
pub fn to_f64(r: &Rational) -> f64 {
    num_traits::ToPrimitive::to_f64(r).unwrap_or(f64::NAN)
}

/// `p/q` or `p` for integers; used when writing files and tables.
pub fn format_rational(r: &Rational) -> String {
    if r.denom().is_one() {
        r.numer().to_string()
    } else {
        format!("{}/{}", r.numer(), r.denom())
    }
}

/// The key of a rational serialised inside [`tagged`].
pub const FRACTION_TAG: &str = "__fraction__";

thread_local! {
    static TAGGED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` with rationals serialising as `{"__fraction__": [p, q]}` maps (on
/// this thread), for front ends that turn them into native fractions: `p`
/// and `q` (coprime, `q > 0`) as integers when both fit in an `i64`, else as
/// decimal text.
pub fn tagged<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            TAGGED.with(|t| t.set(self.0));
        }
    }
    let _reset = Reset(TAGGED.with(|t| t.replace(true)));
    f()
}

/// Values that serialise exactly: rationals as text (see the module doc),
/// floats as numbers, and sequences and options of them.
pub trait ExactSerialize {
    /// Serialise `self` with `serializer`.
    fn exact_serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error>;
}

impl ExactSerialize for Rational {
    fn exact_serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if TAGGED.with(|t| t.get()) {
            use num_traits::ToPrimitive;
            let mut map = serializer.serialize_map(Some(1))?;
            match (self.numer().to_i64(), self.denom().to_i64()) {
                (Some(p), Some(q)) => map.serialize_entry(FRACTION_TAG, &[p, q])?,
                _ => map.serialize_entry(FRACTION_TAG, &[self.numer().to_string(), self.denom().to_string()])?,
            }
            map.end()
        } else {
            serializer.serialize_str(&format_rational(self))
        }
    }
}

impl ExactSerialize for f64 {
    fn exact_serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_f64(*self)
    }
}

impl<T: ExactSerialize> ExactSerialize for [T] {
    fn exact_serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Exact))
    }
}

impl<T: ExactSerialize> ExactSerialize for Vec<T> {
    fn exact_serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.as_slice().exact_serialize(serializer)
    }
}

impl<T: ExactSerialize> ExactSerialize for Option<T> {
    fn exact_serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Some(x) => serializer.serialize_some(&Exact(x)),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: ExactSerialize + ?Sized> ExactSerialize for &T {
    fn exact_serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        (**self).exact_serialize(serializer)
    }
}

/// A borrowed value serialised through [`ExactSerialize`].
pub struct Exact<'a, T: ?Sized>(pub &'a T);

impl<T: ExactSerialize + ?Sized> serde::Serialize for Exact<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.exact_serialize(serializer)
    }
}

/// For `#[serde(serialize_with = "crate::exact::ser")]` on fields holding
/// exact values.
pub fn ser<T: ExactSerialize + ?Sized, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    value.exact_serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Report {
        #[serde(serialize_with = "ser")]
        value: Rational,
        #[serde(serialize_with = "ser")]
        nested: Vec<Option<Rational>>,
        #[serde(serialize_with = "ser")]
        float: Vec<f64>,
    }

    #[test]
    fn rationals_serialise_as_text_or_tagged_maps() {
        let r = Report {
            value: parse_rational("-5/2").unwrap(),
            nested: vec![Some(parse_rational("3").unwrap()), None],
            float: vec![0.5],
        };
        let plain = serde_json::to_string(&r).unwrap();
        assert_eq!(plain, r#"{"value":"-5/2","nested":["3",null],"float":[0.5]}"#);
        let tagged_json = tagged(|| serde_json::to_string(&r).unwrap());
        assert_eq!(
            tagged_json,
            r#"{"value":{"__fraction__":[-5,2]},"nested":[{"__fraction__":[3,1]},null],"float":[0.5]}"#
        );
        // Beyond an i64, as text.
        let big = Report {
            value: parse_rational("-1/18446744073709551617").unwrap(),
            nested: vec![],
            float: vec![],
        };
        assert_eq!(
            tagged(|| serde_json::to_string(&big).unwrap()),
            r#"{"value":{"__fraction__":["-1","18446744073709551617"]},"nested":[],"float":[]}"#
        );
        // The mode ends with the call.
        assert_eq!(serde_json::to_string(&r).unwrap(), plain);
    }
}

#[cfg(test)]
mod limits {
    use super::*;

    #[test]
    fn huge_exponents_and_digit_counts_are_errors_naming_the_number() {
        let started = std::time::Instant::now();
        for (text, why) in [
            ("1e10000000", "exponent beyond ±4000"),
            ("1e-2147483648", "exponent beyond ±4000"),
            ("1e99999999999999999999", "exponent beyond ±4000"),
            ("1e4001", "exponent beyond ±4000"),
            ("1/0", "divides by zero"),
            ("1e", "is not a number"),
        ] {
            let e = parse_rational(text).unwrap_err().to_string();
            assert!(e.contains(&format!("'{text}'")) && e.contains(why), "{text}: {e}");
        }
        let long = "7".repeat(1_000_000);
        for text in [long.clone(), format!("0.{long}"), format!("1/{long}")] {
            let e = parse_rational(&text).unwrap_err().to_string();
            let named = ["'7777", "'0.77", "'1/77"].iter().any(|t| e.contains(t));
            assert!(e.contains("more than 10000 digits") && named, "{e}");
            assert!(e.len() < 200, "the token is shortened in the message: {e}");
        }
        assert!(
            started.elapsed().as_secs() < 5,
            "limits are checked before any arithmetic"
        );
        // At the limits, numbers are read exactly.
        assert_eq!(
            parse_rational("1e4000").unwrap(),
            Rational::from_integer(num_traits::pow(BigInt::from(10), 4000))
        );
        assert_eq!(
            parse_rational("-2.5e-4000").unwrap().denom(),
            &(num_traits::pow(BigInt::from(10), 4001) / 25)
        );
        assert!(parse_rational(&"9".repeat(MAX_DIGITS)).is_ok());
        assert_eq!(parse_rational("1e+0003").unwrap(), Rational::from_integer(1000.into()));
    }
}
