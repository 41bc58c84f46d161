//! JSON merge patch fields (RFC 7396): with `#[serde(default, deserialize_with = …)]`, an absent
//! field is `None`; `present` refuses `null` for a field that must hold a value; `nullable` reads
//! `null` as "clear it" (`Some(None)`).

use serde::{Deserialize, Deserializer};

/// A field that, when present, must hold a value (`null` is refused by `T` itself).
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A field that, when present, may be `null` (clear it).
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
