//! Whole numbers of days within bounds (payment terms, a reminder's day), as the API takes them.

/// Declares a whole number of days within bounds, refused outside them.
macro_rules! days {
    ($(#[$doc:meta])* $name:ident, $min:tt ..= $max:tt) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
        #[schema(value_type = u16, minimum = $min, maximum = $max)]
        pub struct $name(u16);

        impl $name {
            pub fn new(days: u16) -> Result<Self, $crate::domain::values::ValueError> {
                if ($min..=$max).contains(&days) {
                    Ok(Self(days))
                } else {
                    Err($crate::domain::values::ValueError(format!("must be a whole number of days from {} to {}", $min, $max)))
                }
            }

            pub fn days(self) -> u16 {
                self.0
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // Any JSON number: a negative or fractional one gets the same message as 9999.
                let n = <f64 as serde::Deserialize>::deserialize(d)?;
                let days = if n.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&n) {
                    n as u16
                } else {
                    u16::MAX
                };
                Self::new(days).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use days;
