//! What a facet says, as a digest: how the store, the projection and the
//! search index recognise a facet they already hold without comparing its
//! JSON. Each facet's digest is computed once, where its event is parsed
//! (see [`super::event::Facet`]).

/// Identifies what a facet says: XXH3-128 of its JSON text, less the
/// leading `_producer` and `_schemaURL` members. Computing it is far cheaper
/// than hashing the text into the store for a lookup, and two different
/// texts agree by accident with probability 2^-128.
///
/// The two members say who reported the facet, not what it describes: a
/// table read by dbt and Spark jobs gets the same `schema` from both, and
/// rewriting it whenever the reporter changes would churn the store for
/// nothing. The stored facet keeps the reporter that first sent its content.
/// Clients put these members first; where they come later, they count, and
/// the only cost is a rewrite.
pub type FacetDigest = u128;

/// The [`FacetDigest`] of a facet's JSON text.
pub fn facet_digest(json: &str) -> FacetDigest {
    xxhash_rust::xxh3::xxh3_128(without_reporter(json).as_bytes())
}

/// The facet's JSON text after its leading `_producer` and `_schemaURL`
/// members (plain strings only), or all of it.
fn without_reporter(json: &str) -> &str {
    let Some(mut rest) = json.trim_start().strip_prefix('{') else {
        return json;
    };
    let mut stripped = false;
    for _ in 0..2 {
        let member = rest
            .trim_start()
            .strip_prefix("\"_producer\"")
            .or_else(|| rest.trim_start().strip_prefix("\"_schemaURL\""))
            .and_then(|r| r.trim_start().strip_prefix(':'))
            .and_then(|r| r.trim_start().strip_prefix('"'))
            .and_then(|r| {
                let end = memchr::memchr2(b'"', b'\\', r.as_bytes())?;
                // An escape inside the value: leave the text whole.
                (r.as_bytes()[end] == b'"').then(|| &r[end + 1..])
            })
            .and_then(|r| r.trim_start().strip_prefix(','));
        match member {
            Some(after) => (rest, stripped) = (after, true),
            None => break,
        }
    }
    if stripped { rest.trim_start() } else { json }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reporter_of_a_facet_does_not_change_its_digest() {
        let dbt = r#"{"_producer":"https://x/dbt","_schemaURL":"https://s/1","fields":[{"name":"a"}]}"#;
        let spark =
            r#"{ "_schemaURL" : "https://s/1", "_producer":"https://x/spark", "fields":[{"name":"a"}]}"#;
        assert_eq!(facet_digest(dbt), facet_digest(spark));
        let other = r#"{"_producer":"https://x/dbt","fields":[{"name":"b"}]}"#;
        assert_ne!(facet_digest(dbt), facet_digest(other));
        // Later or escaped members count as content.
        let late = r#"{"fields":[{"name":"a"}],"_producer":"https://x/dbt"}"#;
        assert_ne!(
            facet_digest(late),
            facet_digest(r#"{"fields":[{"name":"a"}],"_producer":"y"}"#)
        );
        let escaped = r#"{"_producer":"a\"b","fields":[]}"#;
        assert_ne!(
            facet_digest(escaped),
            facet_digest(r#"{"_producer":"c","fields":[]}"#)
        );
        assert_ne!(facet_digest("{}"), facet_digest("[]"));
    }
}
