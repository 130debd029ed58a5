//! JSON with a key written twice is refused: `serde_json` keeps the last
//! one silently, so `{"nodes": 3, ..., "nodes": 9}` would run nine nodes
//! for a reader who saw three.

use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Deserialises any JSON value, keeping nothing, and fails on the first
/// object that repeats a key.
pub struct NoDuplicateKeys;

impl<'de> Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut keys: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                return Err(A::Error::custom(format_args!("the key \"{key}\" is written twice")));
            }
            map.next_value::<NoDuplicateKeys>()?;
            keys.push(key);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), String> {
        serde_json::from_str::<NoDuplicateKeys>(text).map(|_| ()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_repeated_key_is_refused_at_any_depth() {
        assert_eq!(check(r#"{"a": 1, "b": [1, {"c": null}], "d": {"a": true}}"#), Ok(()));
        let e = check(r#"{"nodes": 3, "seed": 1, "nodes": 9}"#).unwrap_err();
        assert!(e.contains("the key \"nodes\" is written twice") && e.contains("line 1"), "{e}");
        let e = check("{\"x\": [{\"k\": 1,\n \"k\": 2}]}").unwrap_err();
        assert!(e.contains("\"k\"") && e.contains("line 2"), "{e}");
    }
}
