//! What each job read and wrote over time, and the versions of its edges.
//!
//! A run may report its inputs and outputs over several events (START names
//! the inputs, COMPLETE adds the outputs and their column lineage), so each
//! run accumulates an [`IoSet`]; runs with the same set share it. From the
//! runs, [`JobHistory::versions`] derives the job's edges through time:
//!
//! - from its COMPLETE on, a run's set is the job's set, until a later run
//!   completes (a job that stops reading a table no longer has it upstream);
//! - before any run has completed, the latest started run's set holds;
//! - before any run at all, what a JobEvent declared.
//!
//! The edges "as of" a time are those of the version holding then; the
//! current edges are those of the last version.

use std::collections::HashMap;

use uuid::Uuid;

use super::ids::Id;

/// How an output column comes from an input column (OpenLineage's
/// `transformations[]` entry), packed into four bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Transform {
    /// `DIRECT` (the value flows) or `INDIRECT` (it only affects which rows).
    pub direct: Option<bool>,
    /// The subtype, an index into [`SUBTYPES`]; 0 when unknown.
    pub subtype: u8,
    /// Whether the value is masked (hashed, redacted) on the way.
    pub masking: bool,
}

/// The transformation subtypes of the OpenLineage spec; index 0 is "none or other".
pub const SUBTYPES: [&str; 10] = [
    "",
    "IDENTITY",
    "TRANSFORMATION",
    "AGGREGATION",
    "JOIN",
    "GROUP_BY",
    "FILTER",
    "SORT",
    "WINDOW",
    "CONDITIONAL",
];

impl Transform {
    /// Packs a transformation's type, subtype and masking flag.
    pub fn new(kind: Option<&str>, subtype: Option<&str>, masking: Option<bool>) -> Self {
        Self {
            direct: match kind {
                Some("DIRECT") => Some(true),
                Some("INDIRECT") => Some(false),
                _ => None,
            },
            subtype: subtype
                .and_then(|s| SUBTYPES.iter().position(|known| *known == s))
                .unwrap_or(0) as u8,
            masking: masking.unwrap_or(false),
        }
    }

    /// `DIRECT`, `INDIRECT` or `None`.
    pub fn kind(self) -> Option<&'static str> {
        self.direct.map(|d| if d { "DIRECT" } else { "INDIRECT" })
    }

    /// The subtype's name, if known.
    pub fn subtype(self) -> Option<&'static str> {
        Some(SUBTYPES[self.subtype as usize]).filter(|s| !s.is_empty())
    }
}

/// A column derivation: `from` (an input column) becomes `to` (an output column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Derivation {
    /// The input column.
    pub from: Id,
    /// The output column.
    pub to: Id,
    /// How.
    pub transform: Transform,
}

/// What a run (or a JobEvent) says a job reads and writes; sorted, no duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IoSet {
    /// Datasets read.
    pub inputs: Vec<Id>,
    /// Datasets written.
    pub outputs: Vec<Id>,
    /// Column derivations of the outputs.
    pub derivations: Vec<Derivation>,
}

impl IoSet {
    /// A set from unsorted parts.
    pub fn new(mut inputs: Vec<Id>, mut outputs: Vec<Id>, mut derivations: Vec<Derivation>) -> Self {
        for list in [&mut inputs, &mut outputs] {
            list.sort_unstable();
            list.dedup();
        }
        derivations.sort_unstable();
        derivations.dedup();
        Self {
            inputs,
            outputs,
            derivations,
        }
    }

    /// Both sets together.
    fn union(&self, other: &Self) -> Self {
        let join = |a: &[Id], b: &[Id]| a.iter().chain(b).copied().collect::<Vec<_>>();
        Self::new(
            join(&self.inputs, &other.inputs),
            join(&self.outputs, &other.outputs),
            self.derivations
                .iter()
                .chain(&other.derivations)
                .copied()
                .collect(),
        )
    }

    /// How many edges the set makes.
    pub fn edges(&self) -> usize {
        self.inputs.len() + self.outputs.len() + self.derivations.len()
    }
}

/// One run, as far as lineage cares.
#[derive(Debug, Clone, Copy)]
struct RunRecord {
    /// Event time of its first event (ns since the epoch).
    first_seen: i64,
    /// Event time of its COMPLETE, if any.
    completed: Option<i64>,
    /// Its inputs and outputs: an index into [`JobHistory::sets`].
    set: u32,
}

/// A stretch of time over which a job's edges were one set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// From (ns since the epoch, inclusive).
    pub since: i64,
    /// Until (exclusive); `i64::MAX` while current.
    pub until: i64,
    /// The set: an index into the job's sets.
    pub set: u32,
}

/// A job's runs and declarations.
#[derive(Debug, Default)]
pub struct JobHistory {
    runs: HashMap<Uuid, RunRecord>,
    /// The distinct sets its runs and declarations named.
    sets: Vec<IoSet>,
    declared: Option<(i64, u32)>,
}

impl JobHistory {
    /// The set behind an index.
    pub fn set(&self, index: u32) -> &IoSet {
        &self.sets[index as usize]
    }

    fn intern(&mut self, set: IoSet) -> u32 {
        if let Some(i) = self.sets.iter().position(|s| *s == set) {
            return i as u32;
        }
        self.sets.push(set);
        (self.sets.len() - 1) as u32
    }

    /// Records one event of a run: its time, whether it is the COMPLETE,
    /// and what it names (added to what the run named before).
    pub fn run_event(&mut self, run: Uuid, time: i64, complete: bool, io: IoSet) {
        let previous = self.runs.get(&run).copied();
        let set = match previous {
            Some(r) if io.edges() == 0 => r.set,
            Some(r) => {
                let joined = self.sets[r.set as usize].union(&io);
                self.intern(joined)
            }
            None => self.intern(io),
        };
        let record = self.runs.entry(run).or_insert(RunRecord {
            first_seen: time,
            completed: None,
            set,
        });
        record.first_seen = record.first_seen.min(time);
        record.set = set;
        if complete {
            record.completed = Some(record.completed.map_or(time, |t| t.max(time)));
        }
    }

    /// Records what a JobEvent declared.
    pub fn declare(&mut self, time: i64, io: IoSet) {
        let set = self.intern(io);
        self.declared = Some((time, set));
    }

    /// The job's edges through time, oldest first (see the module docs).
    pub fn versions(&self) -> Vec<Version> {
        // (time, rank, set): at equal times a completion outranks a start,
        // which outranks a declaration.
        let mut points: Vec<(i64, u8, u32)> = Vec::with_capacity(self.runs.len() * 2 + 1);
        if let Some((time, set)) = self.declared {
            points.push((time, 0, set));
        }
        for run in self.runs.values() {
            points.push((run.first_seen, 1, run.set));
            if let Some(done) = run.completed {
                points.push((done, 2, run.set));
            }
        }
        points.sort_unstable();
        let (mut any_run, mut any_completed) = (false, false);
        let mut versions: Vec<Version> = Vec::new();
        for (time, rank, set) in points {
            let holds = match rank {
                2 => true,
                1 => !any_completed,
                _ => !any_run,
            };
            any_run |= rank >= 1;
            any_completed |= rank == 2;
            if !holds || versions.last().is_some_and(|v| v.set == set) {
                continue;
            }
            if let Some(last) = versions.last_mut() {
                if last.since == time {
                    // Two changes at one instant: only the later-ranked one held.
                    last.set = set;
                    continue;
                }
                last.until = time;
            }
            versions.push(Version {
                since: time,
                until: i64::MAX,
                set,
            });
        }
        // Merging same-instant changes can leave neighbours with one set.
        versions.dedup_by(|later, earlier| {
            let same = later.set == earlier.set;
            if same {
                earlier.until = later.until;
            }
            same
        });
        versions
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.runs.capacity() * (16 + std::mem::size_of::<RunRecord>() + 8)
            + self
                .sets
                .iter()
                .map(|s| {
                    (s.inputs.capacity() + s.outputs.capacity()) * 4
                        + s.derivations.capacity() * std::mem::size_of::<Derivation>()
                        + std::mem::size_of::<IoSet>()
                })
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(inputs: &[Id], outputs: &[Id]) -> IoSet {
        IoSet::new(inputs.to_vec(), outputs.to_vec(), Vec::new())
    }

    fn run(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn the_latest_completed_run_holds_from_its_completion() {
        let mut h = JobHistory::default();
        h.declare(0, io(&[9], &[3]));
        h.run_event(run(1), 10, false, io(&[1, 2], &[]));
        h.run_event(run(1), 20, true, io(&[], &[3]));
        h.run_event(run(2), 30, false, io(&[1], &[3]));
        // A run's set is all its events named, from its start (no run had
        // completed then); run 2 has not completed, so run 1's set holds.
        let v = h.versions();
        let sets: Vec<_> = v.iter().map(|v| h.set(v.set).clone()).collect();
        assert_eq!(sets, [io(&[9], &[3]), io(&[1, 2], &[3])]);
        assert_eq!((v[0].since, v[0].until), (0, 10));
        assert_eq!((v[1].since, v[1].until), (10, i64::MAX));
        h.run_event(run(2), 40, true, IoSet::default());
        let v = h.versions();
        assert_eq!(h.set(v.last().unwrap().set), &io(&[1], &[3]));
        assert_eq!(v.last().unwrap().since, 40);
        assert_eq!(v[v.len() - 2].until, 40);
    }

    #[test]
    fn a_late_completion_of_an_older_run_does_not_become_current() {
        let mut h = JobHistory::default();
        h.run_event(run(2), 30, true, io(&[2], &[3]));
        h.run_event(run(1), 10, true, io(&[1], &[3]));
        let v = h.versions();
        assert_eq!(h.set(h.versions().last().unwrap().set), &io(&[2], &[3]));
        assert_eq!(v.len(), 2);
        assert_eq!(h.set(v[0].set), &io(&[1], &[3]));
    }

    #[test]
    fn repeated_runs_with_one_set_make_one_version() {
        let mut h = JobHistory::default();
        for day in 0..10u128 {
            let t = day as i64 * 100;
            h.run_event(run(day), t, false, io(&[1], &[2]));
            h.run_event(run(day), t + 5, true, io(&[1], &[2]));
        }
        assert_eq!(h.versions().len(), 1);
        assert_eq!(h.sets.len(), 1);
    }

    #[test]
    fn transforms_pack_and_unpack() {
        let t = Transform::new(Some("INDIRECT"), Some("JOIN"), Some(true));
        assert_eq!(
            (t.kind(), t.subtype(), t.masking),
            (Some("INDIRECT"), Some("JOIN"), true)
        );
        let t = Transform::new(None, Some("SOMETHING_NEW"), None);
        assert_eq!((t.kind(), t.subtype(), t.masking), (None, None, false));
    }
}
