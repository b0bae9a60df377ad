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
    fn from_rational(r: &Rational) -> Self;
}

impl Scalar for f64 {
    const EXACT: bool = false;
    fn from_rational(r: &Rational) -> f64 {
        r.to_f64().unwrap_or(f64::NAN)
    }
}

impl Scalar for Rational {
    const EXACT: bool = true;
    fn from_rational(r: &Rational) -> Rational {
        r.clone()
    }
}

/// Parse a payoff or probability written as an integer, a decimal (`-7.6`,
/// `1e-3`) or a fraction (`5/2`), exactly.
pub fn parse_rational(text: &str) -> Option<Rational> {
    let t = text.trim();
    if let Some((n, d)) = t.split_once('/') {
        let n: BigInt = n.trim().parse().ok()?;
        let d: BigInt = d.trim().parse().ok()?;
        return (!d.is_zero()).then(|| Rational::new(n, d));
    }
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(p) => (&t[..p], t[p + 1..].parse::<i32>().ok()?),
        None => (t, 0),
    };
    let (negative, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.chars().chain(frac_part.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let all: BigInt = format!("{int_part}{frac_part}").parse().ok()?;
    let scale = exponent - frac_part.len() as i32;
    let ten = BigInt::from(10);
    let mut r = if scale >= 0 {
        Rational::from_integer(all * num_traits::pow(ten, scale as usize))
    } else {
        Rational::new(all, num_traits::pow(ten, (-scale) as usize))
    };
    if negative {
        r = -r;
    }
    Some(r)
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

/// Run `f` with rationals serialising as `{"__fraction__": ["p", "q"]}` maps
/// (on this thread), for front ends that turn them into native fractions.
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
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(FRACTION_TAG, &[self.numer().to_string(), self.denom().to_string()])?;
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
            r#"{"value":{"__fraction__":["-5","2"]},"nested":[{"__fraction__":["3","1"]},null],"float":[0.5]}"#
        );
        // The mode ends with the call.
        assert_eq!(serde_json::to_string(&r).unwrap(), plain);
    }
}
