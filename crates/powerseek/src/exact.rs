//! Exact arithmetic shared by every area: the rational type, the [`Scalar`]
//! trait that lets the game algebra run on rationals or floats, and exact
//! parsing and formatting of numbers as they appear in files.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};

/// Exact payoffs and probabilities.
pub type Rational = BigRational;

/// A number type the game algebra can run on: exact rationals or floats.
pub trait Scalar: Clone + PartialOrd + num_traits::Num + std::fmt::Debug {
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
