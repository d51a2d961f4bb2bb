//! Exact points: a non-negative number of points counted in millionths.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Millionths in one point.
pub const MICROS: u64 = 1_000_000;

/// A number of points, exact to the millionth: what a question earns is `credit × points`
/// where the credit is an option's or an accepted answer's fraction counted in
/// millionths, so the product is exact (⅓ of a point is `0.333333`, half of 3 points
/// `1.5`). In JSON it is a number: an integer when whole, else a decimal fraction with
/// at most six places; a JSON number is read rounded to the nearest millionth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(u64);

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);

    /// `points` whole points.
    pub const fn whole(points: u32) -> Self {
        Points(points as u64 * MICROS)
    }

    /// `micros` millionths of a point.
    pub const fn from_micros(micros: u64) -> Self {
        Points(micros)
    }

    /// The value in millionths of a point.
    pub const fn micros(self) -> u64 {
        self.0
    }

    /// A number of points rounded to the millionth; `None` when negative, not finite,
    /// or beyond `u32::MAX` points.
    pub fn from_f64(points: f64) -> Option<Self> {
        if !points.is_finite() || points < 0.0 || points > f64::from(u32::MAX) {
            return None;
        }
        // `as` cannot overflow here: points <= u32::MAX, times 1e6 < 2^53.
        Some(Points((points * MICROS as f64).round() as u64))
    }

    /// A number of points given as an argument (an override's, a binding's): as
    /// [`Points::from_f64`], refused with [`crate::Error::InvalidInput`] on `points`.
    pub fn argument(points: f64) -> crate::Result<Self> {
        Points::from_f64(points).ok_or_else(|| crate::Error::InvalidInput {
            field: "points",
            reason: format!("{points} is not a number of points (finite, 0 or more)"),
        })
    }

    /// The value as a float (exact for any value below 2^53 millionths).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / MICROS as f64
    }

    /// Whole points, rounded down (how the integer `points_earned` column is derived).
    pub fn floor(self) -> u32 {
        u32::try_from(self.0 / MICROS).unwrap_or(u32::MAX)
    }

    /// Whether the value is a whole number of points.
    pub fn is_whole(self) -> bool {
        self.0 % MICROS == 0
    }

    /// The sum, saturating.
    pub fn saturating_add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }

    /// The smaller of the two.
    pub fn min(self, other: Points) -> Points {
        Points(self.0.min(other.0))
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / MICROS, self.0 % MICROS);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:06}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_whole() {
            serializer.serialize_u64(self.0 / MICROS)
        } else {
            // the shortest float that reads back as this many millionths
            serializer.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Points::from_f64(value).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "points must be a finite number from 0 to {}, not {value}",
                u32::MAX
            ))
        })
    }
}

impl JsonSchema for Points {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Points".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // the bounds `from_f64` reads: what the schema admits, serde reads
        schemars::json_schema!({
            "description": "A number of points, exact to the millionth (at most six decimal places).",
            "type": "number",
            "minimum": 0,
            "maximum": u32::MAX
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_form() {
        let cases = [
            (Points::whole(3), "3"),
            (Points::from_micros(333_333), "0.333333"),
            (Points::from_micros(1_500_000), "1.5"),
            (Points::ZERO, "0"),
        ];
        for (points, json) in cases {
            assert_eq!(serde_json::to_string(&points).unwrap(), json);
            assert_eq!(points.to_string(), json);
            assert_eq!(serde_json::from_str::<Points>(json).unwrap(), points);
        }
        assert!(serde_json::from_str::<Points>("-1").is_err());
        assert!(serde_json::from_str::<Points>("4294967296").is_err());
        assert!(serde_json::from_str::<Points>("\"1\"").is_err());
        assert_eq!(Points::from_micros(2_999_999).floor(), 2);
    }

    proptest! {
        #[test]
        fn json_round_trips(micros in 0u64..1_000_000_000_000) {
            let points = Points::from_micros(micros);
            let json = serde_json::to_string(&points).unwrap();
            prop_assert_eq!(serde_json::from_str::<Points>(&json).unwrap(), points);
        }
    }
}
