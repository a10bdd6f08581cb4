//! Kubernetes resource quantities (`500m`, `0.5`, `128Mi`, `1G`, `1e3`), compared exactly.

use std::cmp::Ordering;
use std::fmt;

/// A non-negative quantity in nano-units (Kubernetes keeps nine decimal places too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity {
    nanos: i128,
}

/// Why a string is not a quantity.
#[derive(Debug, PartialEq, Eq)]
pub struct QuantityError(pub String);

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const BINARY: [(&str, u32); 6] = [("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40), ("Pi", 50), ("Ei", 60)];
const DECIMAL: [(&str, i32); 9] =
    [("n", -9), ("u", -6), ("m", -3), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)];

impl Quantity {
    /// Parses the Kubernetes quantity grammar: a decimal number and an optional suffix
    /// (binary `Ki`…`Ei`, decimal `n`…`E`, or an exponent `e3`/`E-2`).
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let err = |why: &str| QuantityError(format!("`{text}` is not a Kubernetes quantity: {why}"));
        let s = text.trim();
        if s.is_empty() {
            return Err(err("it is empty"));
        }
        let s = s.strip_prefix('+').unwrap_or(s);
        if s.starts_with('-') {
            return Err(err("it is negative"));
        }
        let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
        let (number, suffix) = s.split_at(split);
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(err("it has no digits"));
        }
        if frac.contains('.') {
            return Err(err("it has two decimal points"));
        }
        let (mut exp10, pow2) = if suffix.is_empty() {
            (0, 0)
        } else if let Some(&(_, p)) = BINARY.iter().find(|(n, _)| *n == suffix) {
            (0, p)
        } else if let Some(&(_, e)) = DECIMAL.iter().find(|(n, _)| *n == suffix) {
            (e, 0)
        } else if let Some(e) = suffix.strip_prefix(['e', 'E']) {
            let e: i32 = e.parse().map_err(|_| err("the exponent is not a whole number"))?;
            (e, 0)
        } else {
            return Err(err(
                "unknown suffix (use Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent like e3)",
            ));
        };
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 30 {
            return Err(err("too many digits"));
        }
        exp10 -= frac.len() as i32;
        let too_large = || err("too large");
        let mut nanos: i128 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| too_large())? };
        nanos = nanos.checked_mul(1i128 << pow2).ok_or_else(too_large)?;
        let shift = exp10 + 9;
        if shift >= 0 {
            let scale = 10i128.checked_pow(shift as u32).ok_or_else(too_large)?;
            nanos = nanos.checked_mul(scale).ok_or_else(too_large)?;
        } else {
            // Below a nano-unit: round up, as Kubernetes does.
            let scale = 10i128.checked_pow((-shift) as u32).unwrap_or(i128::MAX);
            nanos = nanos / scale + i128::from(nanos % scale != 0);
        }
        Ok(Quantity { nanos })
    }
}

impl Quantity {
    /// The whole units it holds, rounded down (bytes, for a memory quantity).
    pub fn whole_units(&self) -> i128 {
        self.nanos / 1_000_000_000
    }

    /// How many units it takes to hold it, rounded up, where `units_per_whole` units make
    /// `wholes_per_unit` whole units: CPU units are (1024, 1), MiB of bytes (1, 2^20).
    pub fn ceil_in(&self, units_per_whole: i128, wholes_per_unit: i128) -> i128 {
        let denominator = 1_000_000_000 * wholes_per_unit;
        (self.nanos.saturating_mul(units_per_whole) + denominator - 1) / denominator
    }
}

impl PartialOrd<i128> for Quantity {
    fn partial_cmp(&self, other: &i128) -> Option<Ordering> {
        self.nanos.partial_cmp(&other.saturating_mul(1_000_000_000))
    }
}

impl PartialEq<i128> for Quantity {
    fn eq(&self, other: &i128) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn equal_quantities_in_different_notations_compare_equal() {
        assert_eq!(q("500m"), q("0.5"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("128Mi"), q("134217728"));
        assert_eq!(q("1G"), q("1000M"));
        assert_eq!(q(".5"), q("500m"));
        assert_eq!(q("1E-3"), q("1m"));
    }

    #[test]
    fn binary_and_decimal_suffixes_order_correctly() {
        assert!(q("1Gi") > q("1G"));
        assert!(q("100m") < q("1"));
        assert!(q("129Mi") > q("128Mi"));
        assert!(q("1Ei") > q("1E"));
        assert!(q("1n") > q("0"));
    }

    #[test]
    fn malformed_quantities_say_why() {
        for bad in ["", "abc", "1.2.3", "-1", "5 Mi", "10mb", "1e", "1ee3", "."] {
            assert!(Quantity::parse(bad).is_err(), "{bad} parsed");
        }
        assert!(Quantity::parse("9999999999999999999999999999999Ei").is_err());
    }
}
