//! Request parameters and how values are written as strings: booleans as
//! `true`/`false`, whole floats without a fraction, arrays flattened 0-based
//! (`Key.0`), nested objects as `Key.Sub`.

use std::collections::BTreeMap;

use zeroize::Zeroize;

/// The parameters of one request, kept sorted by key in plain byte order.
///
/// What is in here is exactly what is signed and what is sent. Values may be
/// a password or a signature, so they are wiped when replaced or dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Drop for Params {
    fn drop(&mut self) {
        self.0.values_mut().for_each(Zeroize::zeroize);
    }
}

/// A single parameter value already written in the service's format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamValue(pub String);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces one parameter.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<ParamValue>) {
        if let Some(mut replaced) = self.0.insert(key.into(), value.into().0) {
            replaced.zeroize();
        }
    }

    /// Adds a parameter only when the value is present: absent optionals are
    /// neither sent nor signed.
    pub fn insert_opt<V: Into<ParamValue>>(&mut self, key: &str, value: Option<V>) {
        if let Some(value) = value {
            self.insert(key, value);
        }
    }

    /// Adds a JSON value, flattening arrays (`Key.0`) and objects (`Key.Sub`).
    /// `null` adds nothing.
    pub fn insert_json(&mut self, key: &str, value: &serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Null => {}
            Value::Bool(b) => self.insert(key, *b),
            Value::Number(n) => self.insert(key, number_to_param(n)),
            Value::String(s) => self.insert(key, s.as_str()),
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.insert_json(&format!("{key}.{index}"), item);
                }
            }
            Value::Object(fields) => {
                for (sub, item) in fields {
                    self.insert_json(&format!("{key}.{sub}"), item);
                }
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.0.remove(key)
    }

    /// The parameters in signing order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `application/x-www-form-urlencoded` body for these parameters.
    pub fn to_form_body(&self) -> String {
        let mut body = String::new();
        for (key, value) in self.iter() {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(&form_escape(key));
            body.push('=');
            body.push_str(&form_escape(value));
        }
        body
    }
}

impl FromIterator<(String, String)> for Params {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Only the keys: values may hold a password or a signature.
impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

fn form_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn number_to_param(n: &serde_json::Number) -> ParamValue {
    if let Some(i) = n.as_i64() {
        i.into()
    } else if let Some(u) = n.as_u64() {
        u.into()
    } else {
        n.as_f64().unwrap_or_default().into()
    }
}

/// Writes a float the way the service expects: `42.0` as `42`, otherwise the
/// shortest form that reads back the same, never in exponent notation.
pub fn format_float(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        // Rust's `Display` for floats is shortest round-trip and never uses an
        // exponent, which is what the service's own SDKs produce.
        format!("{value}")
    }
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&String> for ParamValue {
    fn from(value: &String) -> Self {
        Self(value.clone())
    }
}

impl From<bool> for ParamValue {
    fn from(value: bool) -> Self {
        Self(if value { "true" } else { "false" }.to_owned())
    }
}

impl From<f64> for ParamValue {
    fn from(value: f64) -> Self {
        Self(format_float(value))
    }
}

impl From<f32> for ParamValue {
    fn from(value: f32) -> Self {
        // Through the decimal text so that 0.1f32 stays 0.1, not 0.10000000149.
        Self(format_float(
            value.to_string().parse().unwrap_or(f64::from(value)),
        ))
    }
}

macro_rules! integer_param {
    ($($ty:ty),*) => {
        $(impl From<$ty> for ParamValue {
            fn from(value: $ty) -> Self {
                Self(value.to_string())
            }
        })*
    };
}

integer_param!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_and_integers() {
        let mut params = Params::new();
        params.insert("A", true);
        params.insert("B", false);
        params.insert("C", -7i32);
        params.insert("D", 1095u32);

        assert_eq!(params.to_form_body(), "A=true&B=false&C=-7&D=1095");
    }

    #[test]
    fn floats_have_no_exponent_and_no_needless_fraction() {
        assert_eq!(format_float(42.0), "42");
        assert_eq!(format_float(-3.0), "-3");
        assert_eq!(format_float(0.5), "0.5");
        assert_eq!(format_float(1.25e-7), "0.000000125");
        assert_eq!(format_float(1e21), "1000000000000000000000");
        assert_eq!(ParamValue::from(0.1f32).0, "0.1");
    }

    #[test]
    fn keys_sort_in_plain_byte_order() {
        let mut params = Params::new();
        for key in ["ChargeType", "CPU", "Backends.2", "Backends.10"] {
            params.insert(key, "x");
        }
        let keys: Vec<&str> = params.keys().collect();

        assert_eq!(keys, ["Backends.10", "Backends.2", "CPU", "ChargeType"]);
    }

    #[test]
    fn nested_objects_and_arrays_flatten() {
        let mut params = Params::new();
        let value = serde_json::json!({"Name": "x", "Tags": ["a", "b"], "Size": 2.0, "Skip": null});
        params.insert_json("Disk", &value);

        assert_eq!(params.get("Disk.Name"), Some("x"));
        assert_eq!(params.get("Disk.Tags.0"), Some("a"));
        assert_eq!(params.get("Disk.Tags.1"), Some("b"));
        assert_eq!(params.get("Disk.Size"), Some("2"));
        assert!(!params.contains("Disk.Skip"));
    }

    #[test]
    fn absent_optionals_are_not_sent() {
        let mut params = Params::new();
        params.insert_opt("Email", None::<&str>);
        params.insert_opt("Status", Some("Active"));

        assert_eq!(params.to_form_body(), "Status=Active");
    }

    #[test]
    fn form_body_escapes_reserved_and_non_ascii() {
        let mut params = Params::new();
        params.insert("Password", "a&b=c d+é");

        assert_eq!(params.to_form_body(), "Password=a%26b%3Dc+d%2B%C3%A9");
    }

    #[test]
    fn debug_shows_keys_not_values() {
        let mut params = Params::new();
        params.insert("Password", "hunter2");

        assert!(!format!("{params:?}").contains("hunter2"));
    }
}
