//! Lesson prerequisites: a directed acyclic graph over the lessons of one course.
//!
//! [`Graph::new`] validates the graph (every prerequisite is a lesson of the course, no
//! cycle, self-reference included) and answers which lessons are unlocked, what is
//! missing for one lesson, and a deterministic topological order. Use
//! [`Graph::with_prerequisites`] to validate a write that adds a lesson or changes one
//! lesson's prerequisites.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::model::{Lesson, LessonId};
use crate::{Error, Result};

/// A validated prerequisite graph of one course.
///
/// Lessons keep the order they were given in (pass them by `order_index`, as
/// [`Graph::from_lessons`] does); that order breaks ties everywhere, so every answer is
/// deterministic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// Lesson ids in input order.
    ids: Vec<LessonId>,
    /// Position of each lesson in `ids`.
    index: HashMap<LessonId, usize>,
    /// Direct prerequisites of each lesson (positions), deduplicated, in given order.
    prereqs: Vec<Vec<usize>>,
    /// A topological order (positions): every lesson after its prerequisites.
    topo: Vec<usize>,
}

impl Graph {
    /// Build and validate the graph of one course from `(lesson, prerequisites)` pairs.
    ///
    /// Errors: a lesson listed twice → [`Error::InvalidInput`]; a prerequisite that is not
    /// one of the given lessons → [`Error::UnknownPrerequisite`]; a cycle (a lesson that
    /// requires itself included) → [`Error::PrerequisiteCycle`] naming the cycle's lessons.
    /// A prerequisite listed twice for one lesson counts once.
    pub fn new(lessons: impl IntoIterator<Item = (LessonId, Vec<LessonId>)>) -> Result<Self> {
        let lessons: Vec<(LessonId, Vec<LessonId>)> = lessons.into_iter().collect();
        let mut ids = Vec::with_capacity(lessons.len());
        let mut index = HashMap::with_capacity(lessons.len());
        for (id, _) in &lessons {
            if index.insert(*id, ids.len()).is_some() {
                return Err(Error::InvalidInput {
                    field: "lessons",
                    reason: format!("lesson {id} is listed twice"),
                });
            }
            ids.push(*id);
        }
        let mut prereqs = Vec::with_capacity(lessons.len());
        for (id, list) in &lessons {
            let mut positions: Vec<usize> = Vec::with_capacity(list.len());
            for p in list {
                let pos = *index.get(p).ok_or(Error::UnknownPrerequisite {
                    lesson: *id,
                    prerequisite: *p,
                })?;
                if !positions.contains(&pos) {
                    positions.push(pos);
                }
            }
            prereqs.push(positions);
        }
        let topo = topological(&prereqs).map_err(|cycle| Error::PrerequisiteCycle {
            cycle: cycle.into_iter().map(|i| ids[i]).collect(),
        })?;
        Ok(Self {
            ids,
            index,
            prereqs,
            topo,
        })
    }

    /// The graph of a course's lessons, ordered by `(order_index, id)`.
    pub fn from_lessons<'a>(lessons: impl IntoIterator<Item = &'a Lesson>) -> Result<Self> {
        let mut lessons: Vec<&Lesson> = lessons.into_iter().collect();
        lessons.sort_by_key(|l| (l.order_index, l.id));
        Self::new(lessons.into_iter().map(|l| (l.id, l.prerequisites.clone())))
    }

    /// The lessons, in the order given.
    pub fn lessons(&self) -> &[LessonId] {
        &self.ids
    }

    /// Number of lessons.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the course has no lesson.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether `lesson` is a lesson of this graph.
    pub fn contains(&self, lesson: LessonId) -> bool {
        self.index.contains_key(&lesson)
    }

    fn position(&self, lesson: LessonId) -> Result<usize> {
        self.index
            .get(&lesson)
            .copied()
            .ok_or(Error::UnknownLesson { lesson })
    }

    /// The direct prerequisites of `lesson`, deduplicated, in the order given.
    pub fn prerequisites(&self, lesson: LessonId) -> Result<Vec<LessonId>> {
        let i = self.position(lesson)?;
        Ok(self.prereqs[i].iter().map(|p| self.ids[*p]).collect())
    }

    /// The lessons that have `lesson` as a direct prerequisite, in the order given
    /// (e.g. to refuse deleting a lesson others depend on).
    pub fn dependents(&self, lesson: LessonId) -> Result<Vec<LessonId>> {
        let i = self.position(lesson)?;
        Ok(self
            .prereqs
            .iter()
            .enumerate()
            .filter(|(_, ps)| ps.contains(&i))
            .map(|(j, _)| self.ids[j])
            .collect())
    }

    /// The direct prerequisites of `lesson` not in `completed`, in the order given; empty
    /// when the lesson is unlocked. Unknown lesson → [`Error::UnknownLesson`].
    pub fn missing(
        &self,
        lesson: LessonId,
        completed: &HashSet<LessonId>,
    ) -> Result<Vec<LessonId>> {
        let i = self.position(lesson)?;
        Ok(self.prereqs[i]
            .iter()
            .map(|p| self.ids[*p])
            .filter(|p| !completed.contains(p))
            .collect())
    }

    /// Whether every direct prerequisite of `lesson` is in `completed`.
    pub fn is_unlocked(&self, lesson: LessonId, completed: &HashSet<LessonId>) -> Result<bool> {
        Ok(self.missing(lesson, completed)?.is_empty())
    }

    /// The lessons whose direct prerequisites are all in `completed` (completed lessons
    /// included), in topological order. Ids in `completed` that are not lessons of this
    /// graph are ignored.
    pub fn unlocked(&self, completed: &HashSet<LessonId>) -> Vec<LessonId> {
        self.topo
            .iter()
            .filter(|i| {
                self.prereqs[**i]
                    .iter()
                    .all(|p| completed.contains(&self.ids[*p]))
            })
            .map(|i| self.ids[*i])
            .collect()
    }

    /// The unlocked lessons not yet completed: what the student can study next, in
    /// topological order.
    pub fn available(&self, completed: &HashSet<LessonId>) -> Vec<LessonId> {
        self.unlocked(completed)
            .into_iter()
            .filter(|l| !completed.contains(l))
            .collect()
    }

    /// Every lesson after all its prerequisites. Deterministic: among lessons whose
    /// prerequisites are placed, the one given first comes first.
    pub fn topological_order(&self) -> Vec<LessonId> {
        self.topo.iter().map(|i| self.ids[*i]).collect()
    }

    /// Validate a write: the graph with `lesson`'s prerequisites replaced by
    /// `prerequisites`, or with `lesson` appended when it is new. Returns the new graph,
    /// or the error [`Graph::new`] would give for it.
    pub fn with_prerequisites(
        &self,
        lesson: LessonId,
        prerequisites: Vec<LessonId>,
    ) -> Result<Self> {
        let mut pairs: Vec<(LessonId, Vec<LessonId>)> = self
            .ids
            .iter()
            .zip(&self.prereqs)
            .map(|(id, ps)| (*id, ps.iter().map(|p| self.ids[*p]).collect()))
            .collect();
        match self.index.get(&lesson) {
            Some(i) => pairs[*i].1 = prerequisites,
            None => pairs.push((lesson, prerequisites)),
        }
        Self::new(pairs)
    }
}

/// Kahn's algorithm with a min-heap on input position. `Err` carries a cycle (positions)
/// when the graph is not acyclic.
fn topological(prereqs: &[Vec<usize>]) -> std::result::Result<Vec<usize>, Vec<usize>> {
    let n = prereqs.len();
    let mut pending: Vec<usize> = prereqs.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (j, ps) in prereqs.iter().enumerate() {
        for p in ps {
            dependents[*p].push(j);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|i| pending[*i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for d in &dependents[i] {
            pending[*d] -= 1;
            if pending[*d] == 0 {
                ready.push(Reverse(*d));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Every unplaced lesson has an unplaced prerequisite: walk those edges from the first
    // unplaced lesson until a lesson repeats; the walk from that lesson on is a cycle.
    let placed: HashSet<usize> = order.into_iter().collect();
    let mut walk: Vec<usize> = Vec::new();
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let mut at = (0..n).find(|i| !placed.contains(i)).unwrap_or(0);
    loop {
        if let Some(start) = seen.get(&at) {
            let mut cycle = walk.split_off(*start);
            // Start the cycle at its first-given lesson, keeping its direction.
            if let Some(min_pos) = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, v)| **v)
                .map(|(k, _)| k)
            {
                cycle.rotate_left(min_pos);
            }
            return Err(cycle);
        }
        seen.insert(at, walk.len());
        walk.push(at);
        at = prereqs[at]
            .iter()
            .copied()
            .filter(|p| !placed.contains(p))
            .min()
            .unwrap_or(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn l(n: u128) -> LessonId {
        LessonId(Uuid::from_u128(n))
    }

    fn graph(edges: &[(u128, &[u128])]) -> Result<Graph> {
        Graph::new(
            edges
                .iter()
                .map(|(id, ps)| (l(*id), ps.iter().map(|p| l(*p)).collect())),
        )
    }

    fn set(ids: &[u128]) -> HashSet<LessonId> {
        ids.iter().map(|i| l(*i)).collect()
    }

    fn ids(v: &[u128]) -> Vec<LessonId> {
        v.iter().map(|i| l(*i)).collect()
    }

    #[test]
    fn new_rejects_invalid_graphs() {
        type Edges = Vec<(u128, &'static [u128])>;
        let cases: Vec<(&str, Edges, Error)> = vec![
            (
                "self reference",
                vec![(1, &[]), (2, &[2])],
                Error::PrerequisiteCycle { cycle: ids(&[2]) },
            ),
            (
                "two-cycle",
                vec![(1, &[2]), (2, &[1])],
                Error::PrerequisiteCycle {
                    cycle: ids(&[1, 2]),
                },
            ),
            (
                "three-cycle behind a chain",
                vec![(9, &[]), (5, &[9, 7]), (6, &[5]), (7, &[6])],
                Error::PrerequisiteCycle {
                    cycle: ids(&[5, 7, 6]),
                },
            ),
            (
                "unknown prerequisite",
                vec![(1, &[]), (2, &[1, 3])],
                Error::UnknownPrerequisite {
                    lesson: l(2),
                    prerequisite: l(3),
                },
            ),
        ];
        for (name, edges, expected) in cases {
            let err = graph(&edges).unwrap_err();
            assert_eq!(err, expected, "{name}");
            assert_eq!(err.code(), "invalid_document", "{name}");
        }
        let err = graph(&[(1, &[]), (1, &[])]).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidInput {
                field: "lessons",
                ..
            }
        ));
        let msg = graph(&[(1, &[2]), (2, &[1])]).unwrap_err().to_string();
        assert!(
            msg.starts_with("lesson prerequisites form a cycle: "),
            "{msg}"
        );
        assert_eq!(msg.matches(&l(1).to_string()).count(), 2, "{msg}");
    }

    #[test]
    fn queries_on_a_diamond() {
        // 1 -> {2, 3} -> 4, and 5 free; given order 5, 3, 4, 2, 1 on purpose.
        let g = graph(&[(5, &[]), (3, &[1]), (4, &[2, 3, 3]), (2, &[1]), (1, &[])]).unwrap();
        assert_eq!(g.topological_order(), ids(&[5, 1, 3, 2, 4]));
        assert_eq!(g.prerequisites(l(4)).unwrap(), ids(&[2, 3]));
        assert_eq!(g.dependents(l(1)).unwrap(), ids(&[3, 2]));
        let cases: Vec<(&[u128], &[u128], &[u128])> = vec![
            // completed, unlocked, missing for 4
            (&[], &[5, 1], &[2, 3]),
            (&[1], &[5, 1, 3, 2], &[2, 3]),
            (&[1, 3], &[5, 1, 3, 2], &[2]),
            (&[1, 2, 3], &[5, 1, 3, 2, 4], &[]),
            (&[2, 3, 99], &[5, 1, 4], &[]),
        ];
        for (completed, unlocked, missing) in cases {
            let c = set(completed);
            assert_eq!(g.unlocked(&c), ids(unlocked), "{completed:?}");
            assert_eq!(g.missing(l(4), &c).unwrap(), ids(missing), "{completed:?}");
            assert_eq!(g.is_unlocked(l(4), &c).unwrap(), missing.is_empty());
        }
        assert_eq!(g.available(&set(&[1, 3])), ids(&[5, 2]));
        assert_eq!(
            g.missing(l(42), &set(&[])).unwrap_err(),
            Error::UnknownLesson { lesson: l(42) }
        );
        assert_eq!(g.missing(l(42), &set(&[])).unwrap_err().code(), "not_found");
        assert_eq!((g.len(), g.is_empty(), g.contains(l(5))), (5, false, true));
    }

    #[test]
    fn with_prerequisites_validates_writes() {
        let g = graph(&[(1, &[]), (2, &[1]), (3, &[2])]).unwrap();
        let g2 = g.with_prerequisites(l(4), ids(&[3])).unwrap();
        assert_eq!(g2.topological_order(), ids(&[1, 2, 3, 4]));
        let g3 = g.with_prerequisites(l(2), vec![]).unwrap();
        assert_eq!(g3.unlocked(&set(&[])), ids(&[1, 2]));
        assert_eq!(
            g.with_prerequisites(l(1), ids(&[3])).unwrap_err(),
            Error::PrerequisiteCycle {
                cycle: ids(&[1, 3, 2])
            }
        );
        assert_eq!(
            g.with_prerequisites(l(1), ids(&[1])).unwrap_err(),
            Error::PrerequisiteCycle { cycle: ids(&[1]) }
        );
        assert!(matches!(
            g.with_prerequisites(l(4), ids(&[8])),
            Err(Error::UnknownPrerequisite { .. })
        ));
    }

    /// A random DAG: edges only from lower to higher index, then ids shuffled.
    fn dag() -> impl Strategy<Value = Vec<(LessonId, Vec<LessonId>)>> {
        (1usize..25)
            .prop_flat_map(|n| {
                let edges =
                    proptest::collection::vec(proptest::collection::vec(any::<bool>(), n), n);
                let perm = Just((0..n as u128).collect::<Vec<_>>()).prop_shuffle();
                (edges, perm)
            })
            .prop_map(|(edges, perm)| {
                let n = perm.len();
                (0..n)
                    .map(|j| {
                        let ps = (0..j)
                            .filter(|i| edges[j][*i])
                            .map(|i| l(perm[i]))
                            .collect();
                        (l(perm[j]), ps)
                    })
                    .collect()
            })
            .prop_shuffle()
    }

    proptest! {
        #[test]
        fn dags_are_accepted_and_queries_respect_edges(
            lessons in dag(),
            mask in proptest::collection::vec(any::<bool>(), 25),
        ) {
            let g = Graph::new(lessons.clone()).unwrap();
            let topo = g.topological_order();
            prop_assert_eq!(topo.len(), lessons.len());
            let pos: HashMap<LessonId, usize> = topo.iter().enumerate().map(|(i, id)| (*id, i)).collect();
            for (id, ps) in &lessons {
                for p in ps {
                    prop_assert!(pos[p] < pos[id], "edge {} -> {} violated", p, id);
                }
            }
            let completed: HashSet<LessonId> =
                lessons.iter().zip(&mask).filter(|(_, m)| **m).map(|((id, _), _)| *id).collect();
            let unlocked: HashSet<LessonId> = g.unlocked(&completed).into_iter().collect();
            for (id, ps) in &lessons {
                let all_done = ps.iter().all(|p| completed.contains(p));
                prop_assert_eq!(unlocked.contains(id), all_done);
                prop_assert_eq!(g.missing(*id, &completed).unwrap().is_empty(), all_done);
            }
            prop_assert_eq!(Graph::new(lessons.clone()).unwrap().topological_order(), topo);
        }

        #[test]
        fn a_back_edge_gives_a_real_cycle(lessons in dag(), pick in any::<prop::sample::Index>()) {
            let with_edges: Vec<usize> =
                (0..lessons.len()).filter(|i| !lessons[*i].1.is_empty()).collect();
            prop_assume!(!with_edges.is_empty());
            // Add an edge from a lesson to one of its dependents (its prerequisite requires it).
            let j = with_edges[pick.index(with_edges.len())];
            let (dependent, prereq) = (lessons[j].0, lessons[j].1[0]);
            let mut bad = lessons.clone();
            let k = bad.iter().position(|(id, _)| *id == prereq).unwrap();
            bad[k].1.push(dependent);
            let cycle = match Graph::new(bad.clone()) {
                Err(Error::PrerequisiteCycle { cycle }) => cycle,
                other => return Err(TestCaseError::fail(format!("expected a cycle, got {other:?}"))),
            };
            let prereqs: HashMap<LessonId, Vec<LessonId>> = bad.into_iter().collect();
            prop_assert!(!cycle.is_empty());
            let distinct: HashSet<&LessonId> = cycle.iter().collect();
            prop_assert_eq!(distinct.len(), cycle.len());
            for (i, id) in cycle.iter().enumerate() {
                let next = cycle[(i + 1) % cycle.len()];
                prop_assert!(prereqs[id].contains(&next), "{} does not require {}", id, next);
            }
        }
    }
}
