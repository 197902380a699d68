//! Event timestamps as producers really send them.
//!
//! The spec says RFC 3339, but clients differ: `Z` or a numeric offset, zero
//! to nine fractional digits, and some older producers omit the offset
//! entirely (Marquez reads those as UTC, and so do we).

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A point in time with the offset the producer gave (UTC when it gave none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<FixedOffset>);

impl Timestamp {
    /// Parses any of the accepted forms; `None` if the text is not a timestamp.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Some(Self(time));
        }
        // No offset: `2020-12-28T19:51:01.641499`, read as UTC.
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
            .map(|naive| Self(naive.and_utc().fixed_offset()))
    }

    /// Nanoseconds since the Unix epoch (saturating far outside 1677..2262).
    pub fn unix_nanos(self) -> i64 {
        self.0.timestamp_nanos_opt().unwrap_or(if self.0.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    /// The instant `nanos` nanoseconds after the Unix epoch.
    pub fn from_unix_nanos(nanos: i64) -> Self {
        Self::from(DateTime::from_timestamp_nanos(nanos))
    }

    /// The instant in UTC.
    pub fn to_utc(self) -> DateTime<Utc> {
        self.0.to_utc()
    }

    /// RFC 3339 in UTC with as many fractional digits as needed, e.g.
    /// `2020-12-28T09:52:00.001Z`; the form used in RDF literals and answers.
    pub fn to_rfc3339_utc(self) -> String {
        self.to_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(time: DateTime<Utc>) -> Self {
        Self(time.fixed_offset())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339_utc())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 8601 date-time such as 2024-01-31T12:00:00.123Z")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
                Timestamp::parse(text).ok_or_else(|| {
                    E::custom(format_args!(
                        "invalid date-time {text:?}, expected ISO 8601 such as 2024-01-31T12:00:00.123Z"
                    ))
                })
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_form_producers_send() {
        let utc = |s: &str| Timestamp::parse(s).unwrap().to_rfc3339_utc();
        assert_eq!(utc("2020-12-28T19:51:01Z"), "2020-12-28T19:51:01Z");
        assert_eq!(utc("2020-12-28T19:51:01.6Z"), "2020-12-28T19:51:01.600Z");
        assert_eq!(utc("2020-12-28T19:51:01.641Z"), "2020-12-28T19:51:01.641Z");
        assert_eq!(utc("2020-12-28T19:51:01.641499Z"), "2020-12-28T19:51:01.641499Z");
        assert_eq!(
            utc("2020-12-28T19:51:01.123456789Z"),
            "2020-12-28T19:51:01.123456789Z"
        );
        assert_eq!(utc("2020-12-28T19:52:00.001+10:00"), "2020-12-28T09:52:00.001Z");
        assert_eq!(
            utc("2026-11-24T16:01:38.186095+00:00"),
            "2026-11-24T16:01:38.186095Z"
        );
        assert_eq!(utc("2020-12-28T19:51:01.641499"), "2020-12-28T19:51:01.641499Z");
        assert_eq!(utc("2020-12-28T19:51:01"), "2020-12-28T19:51:01Z");
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for bad in ["", "yesterday", "2020-13-01T00:00:00Z", "2020-12-28"] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn orders_by_instant_not_by_text() {
        let a = Timestamp::parse("2020-12-28T19:52:00+10:00").unwrap();
        let b = Timestamp::parse("2020-12-28T10:00:00Z").unwrap();
        assert!(a.unix_nanos() < b.unix_nanos());
    }
}
