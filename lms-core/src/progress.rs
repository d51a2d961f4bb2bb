//! Progress of a student on a lesson (or on an assessment's own progress row): the
//! [`ProgressStatus`] state machine, the completion percentage, and course completion.
//!
//! # Rules
//!
//! * `blocked` while prerequisites are unmet — except that a `completed` lesson stays
//!   completed (completion is earned; only [`ProgressEvent::InstructorReset`] undoes it).
//! * `completed` exactly when all content is done **and** the lesson's mandatory
//!   assessment, if any, is passed. Once completed, the percentage is 100.
//! * `in_progress` as soon as the student did anything (content or an attempt).
//! * Completion percentage ([`completion_percentage`]), rounded down so that 100 means
//!   complete:
//!   * without a mandatory assessment: `⌊100 · done / total⌋`;
//!   * with one: `⌊80 · done / total⌋ + (20 if passed else 0)`;
//!   * a lesson without content blocks counts its content as done.
//!
//!   The stored percentage never decreases: each update keeps the maximum of the old
//!   and the new value; only an instructor reset sets it back to 0.
//! * Blocked lessons accept no content progress or submission
//!   ([`Error::InvalidTransition`]); re-announcing the current situation (e.g.
//!   `PrerequisitesMet` on an unblocked lesson) is an idempotent no-op.
//!
//! `lms-db` usually calls [`lesson_progress`] with the facts it loaded; [`apply`] and
//! [`transition`] are the same rules seen as events.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::ProgressStatus;
use crate::{Error, Result};

/// Weight of content in the percentage of a lesson with a mandatory assessment.
pub const CONTENT_WEIGHT: i32 = 80;
/// Weight of passing the mandatory assessment in a lesson's percentage.
pub const ASSESSMENT_WEIGHT: i32 = 100 - CONTENT_WEIGHT;

/// Where the student stands with the lesson's mandatory assessment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentState {
    /// The lesson has no mandatory assessment (none, or `is_mandatory = false`).
    #[default]
    NotRequired,
    /// Mandatory, not attempted yet.
    NotAttempted,
    /// Mandatory, attempted, not passed (yet).
    Failed,
    /// Mandatory and passed by some attempt.
    Passed,
}

impl AssessmentState {
    /// Whether the assessment does not stand in the way of completion.
    pub fn satisfied(self) -> bool {
        matches!(self, Self::NotRequired | Self::Passed)
    }
}

/// The stored progress of one lesson: the `status` and `completion_percentage` columns of
/// `student_progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct LessonProgress {
    /// Status.
    pub status: ProgressStatus,
    /// Completion 0–100.
    pub completion_percentage: i32,
}

impl LessonProgress {
    /// No progress yet: `not_started` (or `blocked`), 0 %.
    pub fn initial(prerequisites_met: bool) -> Self {
        Self {
            status: if prerequisites_met {
                ProgressStatus::NotStarted
            } else {
                ProgressStatus::Blocked
            },
            completion_percentage: 0,
        }
    }
}

/// Something that happened to a lesson's progress. Events that can complete the lesson
/// carry a snapshot of the content and assessment facts *after* the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProgressEvent {
    /// Every prerequisite is now completed.
    PrerequisitesMet,
    /// Some prerequisite is not completed (any more).
    PrerequisitesUnmet,
    /// The student worked on content: `blocks_done` of `blocks_total` blocks are done.
    ContentProgress {
        /// Content blocks done, at most `blocks_total`.
        blocks_done: u32,
        /// Content blocks of the lesson.
        blocks_total: u32,
        /// The mandatory assessment's state.
        assessment: AssessmentState,
    },
    /// An attempt at the lesson's assessment was graded.
    AssessmentSubmitted {
        /// Whether the assessment counts for completion (`is_mandatory`).
        mandatory: bool,
        /// Whether the assessment is passed now (by this or an earlier attempt).
        passed: bool,
        /// Content blocks done, at most `blocks_total` (for an assessment's own progress
        /// row: 0 of 0).
        blocks_done: u32,
        /// Content blocks of the lesson.
        blocks_total: u32,
    },
    /// An instructor reset the student's progress on the lesson.
    InstructorReset {
        /// Whether the lesson's prerequisites are met after the reset.
        prerequisites_met: bool,
    },
}

impl ProgressEvent {
    /// The event's stable snake_case name, as in [`Error::InvalidTransition`].
    pub fn name(&self) -> &'static str {
        match self {
            Self::PrerequisitesMet => "prerequisites_met",
            Self::PrerequisitesUnmet => "prerequisites_unmet",
            Self::ContentProgress { .. } => "content_progress",
            Self::AssessmentSubmitted { .. } => "assessment_submitted",
            Self::InstructorReset { .. } => "instructor_reset",
        }
    }
}

/// The completion percentage of content and assessment facts (see the module docs for
/// the formula). `blocks_done > blocks_total` → [`Error::InvalidInput`].
pub fn completion_percentage(
    blocks_done: u32,
    blocks_total: u32,
    assessment: AssessmentState,
) -> Result<i32> {
    if blocks_done > blocks_total {
        return Err(Error::InvalidInput {
            field: "blocks_done",
            reason: format!("{blocks_done} blocks done of only {blocks_total}"),
        });
    }
    let content_weight = match assessment {
        AssessmentState::NotRequired => 100,
        _ => i64::from(CONTENT_WEIGHT),
    };
    let content = if blocks_total == 0 {
        content_weight
    } else {
        content_weight * i64::from(blocks_done) / i64::from(blocks_total)
    };
    let bonus = if assessment == AssessmentState::Passed {
        i64::from(ASSESSMENT_WEIGHT)
    } else {
        0
    };
    // content ≤ content_weight and content_weight + bonus ≤ 100.
    Ok(i32::try_from(content + bonus).unwrap_or(100))
}

/// Whether content and assessment facts make the lesson complete.
pub fn is_complete(blocks_done: u32, blocks_total: u32, assessment: AssessmentState) -> bool {
    blocks_done >= blocks_total && assessment.satisfied()
}

/// Apply an event to a lesson's stored progress (status and percentage).
///
/// | from \ event  | `prerequisites_met`          | `prerequisites_unmet` | `content_progress` / `assessment_submitted` | `instructor_reset` |
/// |---------------|------------------------------|-----------------------|---------------------------------------------|--------------------|
/// | `not_started` | no-op                        | `blocked`             | `completed` if complete, else `in_progress` | `not_started`/`blocked`, 0 % |
/// | `in_progress` | no-op                        | `blocked`             | `completed` if complete, else `in_progress` | same |
/// | `completed`   | no-op                        | no-op (stays)         | no-op (review, retake)                      | same |
/// | `blocked`     | `in_progress` if % > 0, else `not_started` | no-op   | **`InvalidTransition`**                     | same |
///
/// The percentage becomes the maximum of the old one and the event's
/// [`completion_percentage`] (100 once completed); only a reset lowers it.
pub fn apply(current: LessonProgress, event: &ProgressEvent) -> Result<LessonProgress> {
    use ProgressStatus::{Blocked, Completed, InProgress, NotStarted};
    let pct = current.completion_percentage.clamp(0, 100);
    let keep = |status| LessonProgress {
        status,
        completion_percentage: pct,
    };
    let facts = match *event {
        ProgressEvent::InstructorReset { prerequisites_met } => {
            return Ok(LessonProgress::initial(prerequisites_met))
        }
        ProgressEvent::PrerequisitesMet => {
            return Ok(match current.status {
                Blocked if pct > 0 => keep(InProgress),
                Blocked => keep(NotStarted),
                other => keep(other),
            })
        }
        ProgressEvent::PrerequisitesUnmet => {
            return Ok(match current.status {
                Completed => keep(Completed),
                _ => keep(Blocked),
            })
        }
        ProgressEvent::ContentProgress {
            blocks_done,
            blocks_total,
            assessment,
        } => (blocks_done, blocks_total, assessment),
        ProgressEvent::AssessmentSubmitted {
            mandatory,
            passed,
            blocks_done,
            blocks_total,
        } => {
            let assessment = match (mandatory, passed) {
                (false, _) => AssessmentState::NotRequired,
                (true, true) => AssessmentState::Passed,
                (true, false) => AssessmentState::Failed,
            };
            (blocks_done, blocks_total, assessment)
        }
    };
    match current.status {
        Blocked => Err(Error::InvalidTransition {
            from: Blocked,
            event: event.name(),
        }),
        Completed => Ok(LessonProgress {
            status: Completed,
            completion_percentage: 100,
        }),
        NotStarted | InProgress => {
            let (done, total, assessment) = facts;
            let new_pct = completion_percentage(done, total, assessment)?;
            Ok(if is_complete(done, total, assessment) {
                LessonProgress {
                    status: Completed,
                    completion_percentage: 100,
                }
            } else {
                LessonProgress {
                    status: InProgress,
                    completion_percentage: pct.max(new_pct),
                }
            })
        }
    }
}

/// The status machine alone: [`apply`] on a status whose percentage is unknown (taken as
/// 0, or 100 for `completed`). Hence `blocked` + `prerequisites_met` gives `not_started`
/// here; use [`apply`] when the percentage is at hand.
pub fn transition(current: ProgressStatus, event: &ProgressEvent) -> Result<ProgressStatus> {
    let completion_percentage = if current == ProgressStatus::Completed {
        100
    } else {
        0
    };
    apply(
        LessonProgress {
            status: current,
            completion_percentage,
        },
        event,
    )
    .map(|p| p.status)
}

/// What `lms-db` knows about a student and a lesson, for [`lesson_progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LessonFacts {
    /// Whether every prerequisite lesson is completed.
    pub prerequisites_met: bool,
    /// Content blocks done.
    pub blocks_done: u32,
    /// Content blocks of the lesson.
    pub blocks_total: u32,
    /// The mandatory assessment's state.
    pub assessment: AssessmentState,
    /// Whether the student has opened the lesson (e.g. `last_accessed` is set).
    pub accessed: bool,
    /// The stored progress, `None` when there is no row yet.
    pub previous: Option<LessonProgress>,
}

/// A lesson's full progress from facts: what to store in `student_progress`.
///
/// * previously `completed` → stays `completed`, 100 %;
/// * percentage = max(previous, [`completion_percentage`]);
/// * prerequisites unmet → `blocked` (percentage kept);
/// * complete → `completed`, 100 %;
/// * any activity (accessed, percentage > 0, assessment attempted, previously
///   `in_progress`) → `in_progress`; otherwise `not_started`.
pub fn lesson_progress(facts: &LessonFacts) -> Result<LessonProgress> {
    use ProgressStatus::{Blocked, Completed, InProgress, NotStarted};
    let new_pct = completion_percentage(facts.blocks_done, facts.blocks_total, facts.assessment)?;
    let previous = facts.previous.unwrap_or(LessonProgress::initial(true));
    if previous.status == Completed {
        return Ok(LessonProgress {
            status: Completed,
            completion_percentage: 100,
        });
    }
    let pct = previous.completion_percentage.clamp(0, 100).max(new_pct);
    let complete = is_complete(facts.blocks_done, facts.blocks_total, facts.assessment);
    let status = if !facts.prerequisites_met {
        Blocked
    } else if complete {
        Completed
    } else if facts.accessed
        || pct > 0
        || facts.blocks_done > 0
        || matches!(
            facts.assessment,
            AssessmentState::Failed | AssessmentState::Passed
        )
        || previous.status == InProgress
    {
        InProgress
    } else {
        NotStarted
    };
    Ok(LessonProgress {
        status,
        completion_percentage: if status == Completed { 100 } else { pct },
    })
}

/// Whether a course is complete: every lesson `completed` and the final assessment
/// satisfied ([`AssessmentState::NotRequired`] when the course has none).
pub fn course_complete(
    lessons: impl IntoIterator<Item = ProgressStatus>,
    final_assessment: AssessmentState,
) -> bool {
    final_assessment.satisfied() && lessons.into_iter().all(|s| s == ProgressStatus::Completed)
}

/// Share of a course's lessons completed, 0–100, rounded down (100 only when all are);
/// 0 for a course without lessons.
pub fn course_percentage(lessons: impl IntoIterator<Item = ProgressStatus>) -> i32 {
    let (done, total) = lessons.into_iter().fold((0_i64, 0_i64), |(d, t), s| {
        (d + i64::from(s == ProgressStatus::Completed), t + 1)
    });
    if total == 0 {
        0
    } else {
        i32::try_from(100 * done / total).unwrap_or(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use AssessmentState::{Failed, NotAttempted, NotRequired, Passed};
    use ProgressStatus::{Blocked, Completed, InProgress, NotStarted};

    fn lp(status: ProgressStatus, pct: i32) -> LessonProgress {
        LessonProgress {
            status,
            completion_percentage: pct,
        }
    }

    fn content(done: u32, total: u32, assessment: AssessmentState) -> ProgressEvent {
        ProgressEvent::ContentProgress {
            blocks_done: done,
            blocks_total: total,
            assessment,
        }
    }

    fn submitted(passed: bool, done: u32, total: u32) -> ProgressEvent {
        ProgressEvent::AssessmentSubmitted {
            mandatory: true,
            passed,
            blocks_done: done,
            blocks_total: total,
        }
    }

    #[test]
    fn percentage_table() {
        let cases = [
            (0, 4, NotRequired, 0),
            (1, 3, NotRequired, 33),
            (2, 3, NotRequired, 66),
            (3, 3, NotRequired, 100),
            (0, 0, NotRequired, 100),
            (1, 3, NotAttempted, 26),
            (3, 3, Failed, 80),
            (0, 4, Passed, 20),
            (3, 3, Passed, 100),
            (0, 0, NotAttempted, 80),
            (99, 100, NotRequired, 99),
        ];
        for (done, total, a, expected) in cases {
            assert_eq!(
                completion_percentage(done, total, a),
                Ok(expected),
                "{done}/{total} {a:?}"
            );
        }
        let err = completion_percentage(4, 3, NotRequired).unwrap_err();
        assert_eq!(err.code(), "invalid_document");
    }

    #[test]
    fn apply_table() {
        let reset = ProgressEvent::InstructorReset {
            prerequisites_met: true,
        };
        let cases: Vec<(LessonProgress, ProgressEvent, Result<LessonProgress>)> = vec![
            (
                lp(NotStarted, 0),
                ProgressEvent::PrerequisitesUnmet,
                Ok(lp(Blocked, 0)),
            ),
            (
                lp(InProgress, 40),
                ProgressEvent::PrerequisitesUnmet,
                Ok(lp(Blocked, 40)),
            ),
            (
                lp(Completed, 100),
                ProgressEvent::PrerequisitesUnmet,
                Ok(lp(Completed, 100)),
            ),
            (
                lp(Blocked, 0),
                ProgressEvent::PrerequisitesUnmet,
                Ok(lp(Blocked, 0)),
            ),
            (
                lp(Blocked, 0),
                ProgressEvent::PrerequisitesMet,
                Ok(lp(NotStarted, 0)),
            ),
            (
                lp(Blocked, 40),
                ProgressEvent::PrerequisitesMet,
                Ok(lp(InProgress, 40)),
            ),
            (
                lp(InProgress, 40),
                ProgressEvent::PrerequisitesMet,
                Ok(lp(InProgress, 40)),
            ),
            (
                lp(NotStarted, 0),
                content(0, 4, NotRequired),
                Ok(lp(InProgress, 0)),
            ),
            (
                lp(NotStarted, 0),
                content(1, 4, NotRequired),
                Ok(lp(InProgress, 25)),
            ),
            (
                lp(InProgress, 50),
                content(1, 4, NotRequired),
                Ok(lp(InProgress, 50)),
            ),
            (
                lp(InProgress, 50),
                content(4, 4, NotRequired),
                Ok(lp(Completed, 100)),
            ),
            (
                lp(InProgress, 50),
                content(4, 4, NotAttempted),
                Ok(lp(InProgress, 80)),
            ),
            (
                lp(InProgress, 80),
                submitted(false, 4, 4),
                Ok(lp(InProgress, 80)),
            ),
            (
                lp(InProgress, 80),
                submitted(true, 4, 4),
                Ok(lp(Completed, 100)),
            ),
            (
                lp(NotStarted, 0),
                submitted(true, 1, 2),
                Ok(lp(InProgress, 60)),
            ),
            (
                lp(InProgress, 60),
                content(2, 2, Passed),
                Ok(lp(Completed, 100)),
            ),
            (
                lp(Completed, 100),
                content(0, 2, NotRequired),
                Ok(lp(Completed, 100)),
            ),
            (
                lp(Completed, 100),
                submitted(false, 2, 2),
                Ok(lp(Completed, 100)),
            ),
            (lp(Completed, 100), reset, Ok(lp(NotStarted, 0))),
            (
                lp(InProgress, 70),
                ProgressEvent::InstructorReset {
                    prerequisites_met: false,
                },
                Ok(lp(Blocked, 0)),
            ),
            (
                lp(Blocked, 0),
                content(1, 2, NotRequired),
                Err(Error::InvalidTransition {
                    from: Blocked,
                    event: "content_progress",
                }),
            ),
            (
                lp(Blocked, 0),
                submitted(true, 2, 2),
                Err(Error::InvalidTransition {
                    from: Blocked,
                    event: "assessment_submitted",
                }),
            ),
        ];
        for (from, event, expected) in cases {
            assert_eq!(apply(from, &event), expected, "{from:?} + {event:?}");
            assert_eq!(
                transition(from.status, &event).map_err(|e| e.code()),
                apply(
                    lp(from.status, if from.status == Completed { 100 } else { 0 }),
                    &event
                )
                .map(|p| p.status)
                .map_err(|e| e.code()),
            );
        }
        let err = apply(lp(Blocked, 0), &content(0, 1, NotRequired)).unwrap_err();
        assert_eq!(err.code(), "invalid_transition");
        assert_eq!(
            err.to_string(),
            "invalid progress transition: `content_progress` is not allowed from `blocked`"
        );
        assert_eq!(
            transition(Blocked, &ProgressEvent::PrerequisitesMet),
            Ok(NotStarted)
        );
    }

    #[test]
    fn lesson_progress_table() {
        let facts = |met, done, total, assessment, accessed, previous| LessonFacts {
            prerequisites_met: met,
            blocks_done: done,
            blocks_total: total,
            assessment,
            accessed,
            previous,
        };
        let cases = vec![
            (
                facts(true, 0, 3, NotRequired, false, None),
                lp(NotStarted, 0),
            ),
            (facts(false, 0, 3, NotRequired, false, None), lp(Blocked, 0)),
            (
                facts(true, 0, 3, NotRequired, true, None),
                lp(InProgress, 0),
            ),
            (
                facts(true, 1, 3, NotAttempted, false, None),
                lp(InProgress, 26),
            ),
            (facts(true, 0, 3, Failed, false, None), lp(InProgress, 0)),
            (facts(true, 3, 3, Failed, true, None), lp(InProgress, 80)),
            (facts(true, 3, 3, Passed, true, None), lp(Completed, 100)),
            (
                facts(true, 3, 3, NotRequired, true, None),
                lp(Completed, 100),
            ),
            (facts(false, 3, 3, Passed, true, None), lp(Blocked, 100)),
            (
                facts(false, 1, 3, NotRequired, true, Some(lp(InProgress, 60))),
                lp(Blocked, 60),
            ),
            (
                facts(true, 1, 3, NotRequired, true, Some(lp(Blocked, 60))),
                lp(InProgress, 60),
            ),
            (
                facts(true, 0, 3, NotRequired, false, Some(lp(InProgress, 0))),
                lp(InProgress, 0),
            ),
            (
                facts(false, 0, 3, NotAttempted, false, Some(lp(Completed, 100))),
                lp(Completed, 100),
            ),
            (
                facts(true, 0, 0, NotRequired, false, None),
                lp(Completed, 100),
            ),
        ];
        for (f, expected) in cases {
            assert_eq!(lesson_progress(&f), Ok(expected), "{f:?}");
        }
        assert!(lesson_progress(&facts(true, 4, 3, NotRequired, false, None)).is_err());
    }

    #[test]
    fn course_completion() {
        let all = [Completed, Completed];
        assert!(course_complete(all, Passed));
        assert!(course_complete(all, NotRequired));
        assert!(!course_complete(all, Failed));
        assert!(!course_complete(all, NotAttempted));
        assert!(!course_complete([Completed, InProgress], Passed));
        assert!(course_complete([], Passed));
        assert_eq!(course_percentage([Completed, InProgress, Blocked]), 33);
        assert_eq!(course_percentage(all), 100);
        assert_eq!(course_percentage([]), 0);
    }

    fn event() -> impl Strategy<Value = ProgressEvent> {
        let assessment = prop_oneof![
            Just(NotRequired),
            Just(NotAttempted),
            Just(Failed),
            Just(Passed)
        ];
        prop_oneof![
            Just(ProgressEvent::PrerequisitesMet),
            Just(ProgressEvent::PrerequisitesUnmet),
            (0u32..6, 0u32..6, assessment).prop_map(|(a, b, s)| content(a.min(b), a.max(b), s)),
            (any::<bool>(), any::<bool>(), 0u32..6, 0u32..6).prop_map(|(m, p, a, b)| {
                ProgressEvent::AssessmentSubmitted {
                    mandatory: m,
                    passed: p,
                    blocks_done: a.min(b),
                    blocks_total: a.max(b),
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn percentage_never_decreases_without_reset(
            met in any::<bool>(),
            events in proptest::collection::vec(event(), 0..40),
        ) {
            let mut state = LessonProgress::initial(met);
            for e in &events {
                match apply(state, e) {
                    Ok(next) => {
                        prop_assert!(next.completion_percentage >= state.completion_percentage);
                        prop_assert!((0..=100).contains(&next.completion_percentage));
                        prop_assert_eq!(next.status == Completed, next.completion_percentage == 100);
                        if state.status == Completed {
                            prop_assert_eq!(next.status, Completed);
                        }
                        state = next;
                    }
                    Err(err) => {
                        prop_assert_eq!(state.status, Blocked);
                        prop_assert_eq!(err.code(), "invalid_transition");
                    }
                }
            }
        }

        #[test]
        fn lesson_progress_agrees_with_the_rules(
            met in any::<bool>(),
            a in 0u32..6,
            b in 0u32..6,
            s in 0usize..4,
            accessed in any::<bool>(),
            prev in proptest::option::of((0usize..4, 0i32..=100)),
        ) {
            let assessment = [NotRequired, NotAttempted, Failed, Passed][s];
            let previous = prev.map(|(st, pct)| {
                let status = ProgressStatus::ALL[st];
                lp(status, if status == Completed { 100 } else { pct.min(99) })
            });
            let f = LessonFacts {
                prerequisites_met: met,
                blocks_done: a.min(b),
                blocks_total: a.max(b),
                assessment,
                accessed,
                previous,
            };
            let p = lesson_progress(&f).unwrap();
            let was_completed = previous.is_some_and(|p| p.status == Completed);
            if let Some(prev) = previous {
                prop_assert!(p.completion_percentage >= prev.completion_percentage);
            }
            prop_assert_eq!(p.status == Blocked, !met && !was_completed);
            prop_assert_eq!(
                p.status == Completed,
                was_completed || (met && is_complete(f.blocks_done, f.blocks_total, assessment))
            );
        }
    }
}
