//! A bundle's `meta` file, decoded with the rules of Go's `encoding/json`
//! as upstream uses it: keys match case-insensitively (last one wins),
//! unknown keys and `null` are ignored, a wrong type or trailing text is an
//! error, and both timestamps must be valid RFC 3339.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use gocompat::time::{ZERO_TIME_NANOS, parse_rfc3339};

/// A timestamp from `meta`: its instant and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    /// Nanoseconds since the Unix epoch.
    pub nanos: i128,
    /// The text as written in `meta` (Go's zero time when absent).
    pub text: String,
}

impl Default for Timestamp {
    fn default() -> Self {
        Timestamp {
            nanos: ZERO_TIME_NANOS,
            text: "0001-01-01T00:00:00Z".into(),
        }
    }
}

/// The contents of a bundle's `meta` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// Main package path.
    pub main: String,
    /// Main module version.
    pub revision: String,
    /// `runtime.Version()`.
    pub go_version: String,
    /// Host name.
    pub hostname: String,
    /// Process instance id.
    pub proc_id: String,
    /// When Autoprof was initialised in the process.
    pub init_time: Timestamp,
    /// When this bundle's collection started.
    pub capture_time: Timestamp,
}

impl Meta {
    /// Parses the bytes of a `meta` file. Invalid UTF-8 is replaced by
    /// U+FFFD first, as Go does inside JSON strings.
    pub fn parse(bytes: &[u8]) -> Result<Meta, serde_json::Error> {
        let text = String::from_utf8_lossy(bytes);
        let mut de = serde_json::Deserializer::from_str(&text);
        let meta = Meta::deserialize(&mut de)?;
        de.end()?;
        Ok(meta)
    }
}

#[derive(Clone, Copy)]
enum Field {
    Main,
    Revision,
    GoVersion,
    Hostname,
    ProcId,
    InitTime,
    CaptureTime,
}

const FIELDS: [(&str, Field); 7] = [
    ("main", Field::Main),
    ("revision", Field::Revision),
    ("go_version", Field::GoVersion),
    ("hostname", Field::Hostname),
    ("proc_id", Field::ProcId),
    ("init_time", Field::InitTime),
    ("capture_time", Field::CaptureTime),
];

/// Go's case-insensitive key match (simple Unicode folding; of the
/// non-ASCII letters only U+017F "ſ" folds onto a letter used here).
fn fold_eq(key: &str, name: &str) -> bool {
    key.chars().count() == name.len()
        && key
            .chars()
            .zip(name.chars())
            .all(|(k, n)| k.eq_ignore_ascii_case(&n) || (k == 'ſ' && n == 's'))
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MetaVisitor)
    }
}

struct MetaVisitor;

impl<'de> Visitor<'de> for MetaVisitor {
    type Value = Meta;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Meta, E> {
        Ok(Meta::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Meta, A::Error> {
        let mut m = Meta::default();
        while let Some(key) = map.next_key::<String>()? {
            let Some(&(name, field)) = FIELDS.iter().find(|(n, _)| fold_eq(&key, n)) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let Some(value) = map.next_value::<Option<String>>()? else {
                continue;
            };
            let slot = match field {
                Field::Main => &mut m.main,
                Field::Revision => &mut m.revision,
                Field::GoVersion => &mut m.go_version,
                Field::Hostname => &mut m.hostname,
                Field::ProcId => &mut m.proc_id,
                Field::InitTime | Field::CaptureTime => {
                    let nanos = parse_rfc3339(&value).ok_or_else(|| {
                        de::Error::custom(format!("{name}: cannot parse {value:?} as RFC 3339"))
                    })?;
                    let ts = if let Field::InitTime = field {
                        &mut m.init_time
                    } else {
                        &mut m.capture_time
                    };
                    *ts = Timestamp { nanos, text: value };
                    continue;
                }
            };
            *slot = value;
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_meta() {
        let m = Meta::parse(br#"{"main":"x/apgen","revision":"","go_version":"go1.23.5","hostname":"vm","proc_id":"1-6b0809a0-0cf884d3d465d303f16a0129-12485","init_time":"2026-11-26T10:27:44.348Z","capture_time":"2026-11-26T10:27:44.403Z"}"#).unwrap();
        assert_eq!(m.hostname, "vm");
        assert_eq!(m.proc_id, "1-6b0809a0-0cf884d3d465d303f16a0129-12485");
        assert_eq!(m.capture_time.text, "2026-11-26T10:27:44.403Z");
        assert_eq!(m.capture_time.nanos - m.init_time.nanos, 55_000_000);
    }

    #[test]
    fn go_json_leniency() {
        let m = Meta::parse(
            br#"{"HOSTNAME":"a","Proc_Id":"p","hostname":"b","extra":[1,{}],"main":null}"#,
        )
        .unwrap();
        assert_eq!((m.hostname.as_str(), m.proc_id.as_str()), ("b", "p"));
        assert_eq!(Meta::parse(b"null").unwrap(), Meta::default());
        assert_eq!(
            Meta::parse(b" {} \n").unwrap().capture_time.nanos,
            ZERO_TIME_NANOS
        );
        assert_eq!(
            Meta::parse("{\"go_verſion\":\"x\"}".as_bytes())
                .unwrap()
                .go_version,
            "x"
        );
    }

    #[test]
    fn go_json_strictness() {
        for bad in [
            &b""[..],
            b"{} x",
            b"\xef\xbb\xbf{}",
            br#"{"proc_id":1}"#,
            br#"{"capture_time":"bad"}"#,
            br#"{"init_time":"2024-01-01"}"#,
            br#"{"capture_time":5}"#,
            b"[]",
            b"{",
        ] {
            assert!(
                Meta::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
