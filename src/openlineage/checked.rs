//! A memo of the standard facets already found valid.
//!
//! Most facets repeat from run to run: a table's `schema`, a job's
//! `columnLineage`. They are also the largest part of an event, and checking
//! them against their schema costs far more than hashing them, so the writer
//! keeps the digests of facets that passed and checks each distinct facet once.
//! (A run's facets skip the memo: the apply thread needs each of them read,
//! and the check is what reads them; see `parse`.)
//! A facet is known by its [`FacetDigest`], which leaves out the string
//! values of its leading `_producer` and `_schemaURL`: no check looks at
//! those, so two facets that differ only there pass or fail together.

use std::collections::HashSet;
use std::sync::RwLock;

use xxhash_rust::xxh3::Xxh3;

use super::digest::FacetDigest;
use super::facets::FacetScope;

/// How many digests are kept before the memo starts over (16 bytes each).
const CAPACITY: usize = 1 << 18;

/// Standard facets (scope, key and digest) that passed their check.
#[derive(Debug, Default)]
pub struct Checked {
    passed: RwLock<HashSet<u128>>,
}

impl Checked {
    /// Runs `check` on a facet (known by its `digest`) unless the same
    /// facet, under the same key and scope, passed it before; remembers a pass.
    pub fn check<E>(
        &self,
        scope: FacetScope,
        key: &str,
        digest: FacetDigest,
        check: impl FnOnce() -> Result<(), E>,
    ) -> Result<(), E> {
        let mut hasher = Xxh3::new();
        hasher.update(&[scope as u8]);
        hasher.update(key.as_bytes());
        // A separator no key contains, so that key and digest cannot trade bytes.
        hasher.update(&[0xff]);
        hasher.update(&digest.to_le_bytes());
        let digest = hasher.digest128();
        if self
            .passed
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&digest)
        {
            return Ok(());
        }
        check()?;
        let mut passed = self.passed.write().unwrap_or_else(|e| e.into_inner());
        if passed.len() >= CAPACITY {
            passed.clear();
        }
        passed.insert(digest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facet_that_passed_is_not_checked_again_but_a_failure_is() {
        let checked = Checked::default();
        let mut runs = 0;
        for _ in 0..3 {
            checked
                .check(FacetScope::Dataset, "schema", 1, || {
                    runs += 1;
                    Ok::<_, ()>(())
                })
                .unwrap();
        }
        assert_eq!(runs, 1);
        // Another scope or key is another facet.
        let mut again = false;
        checked
            .check(FacetScope::Job, "schema", 1, || {
                again = true;
                Ok::<_, ()>(())
            })
            .unwrap();
        assert!(again);
        for _ in 0..2 {
            assert_eq!(checked.check(FacetScope::Run, "x", 2, || Err("bad")), Err("bad"));
        }
    }
}
