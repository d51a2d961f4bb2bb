//! Publishing: whether a course may be published, with every reason it may not.
//!
//! A course can be published only when
//!
//! - it has at least one lesson, and every lesson belongs to it;
//! - every lesson has an assessment, which is an assessment of that lesson
//!   (`assessments.lesson_id` is the lesson: a consistency the database cannot enforce);
//! - it has a final assessment, which is an assessment of this course
//!   (`assessments.course_id` is the course);
//! - the lesson prerequisites form a valid graph ([`prerequisites::Graph`]);
//! - every document validates: each content block's `content` against its `type`
//!   ([`ContentData::validate_for`]), each assessment's `questions` as a [`QuestionSet`];
//! - every assessment has at least one question (an empty one could not be scored).
//!
//! [`check`] reports **all** the problems at once, in a stable order: the course's
//! lessons in `(order_index, id)` order, each with its assessment and blocks, then the
//! prerequisites, then the final assessment, then any other assessment given.
//! [`ensure`] turns them into [`Error::NotPublishable`].
//!
//! ```
//! # use lms_core::publish::{check, CourseOutline, PublishProblem};
//! # fn demo(course: &lms_core::model::Course) {
//! let outline = CourseOutline { course, lessons: &[], blocks: &[], assessments: &[] };
//! let problems = check(&outline).unwrap_err();
//! assert!(problems.contains(&PublishProblem::NoLessons));
//! # }
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::documents::{ContentData, Document, InvalidDocument, Problem, QuestionSet};
use crate::model::{
    Assessment, AssessmentId, ContentBlock, ContentBlockId, Course, CourseId, Lesson, LessonId,
};
use crate::prerequisites;
use crate::{Error, Result};

/// Everything publishing looks at, as the database layer loads it: the course, its
/// lessons, the content blocks of those lessons, and the assessments of the course
/// (its lessons' assessments and its final assessment).
#[derive(Debug, Clone, Copy)]
pub struct CourseOutline<'a> {
    /// The course to publish.
    pub course: &'a Course,
    /// The course's lessons, in any order.
    pub lessons: &'a [Lesson],
    /// The content blocks of those lessons, in any order.
    pub blocks: &'a [ContentBlock],
    /// The assessments of the course and of its lessons, in any order.
    pub assessments: &'a [Assessment],
}

/// One reason a course cannot be published. Serialized with a `problem` tag
/// (`{"problem": "lesson_without_assessment", "lesson": "…"}`); its `Display` is a
/// sentence naming the ids involved and, for documents, the JSON paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PublishProblem {
    /// The course has no lesson.
    NoLessons,
    /// A lesson given with the course belongs to another course.
    LessonNotInCourse {
        /// The lesson.
        lesson: LessonId,
        /// The course it belongs to.
        course: CourseId,
    },
    /// A lesson has no assessment.
    LessonWithoutAssessment {
        /// The lesson.
        lesson: LessonId,
    },
    /// A lesson's assessment is not among the course's assessments.
    UnknownLessonAssessment {
        /// The lesson.
        lesson: LessonId,
        /// Its `assessment_id`.
        assessment: AssessmentId,
    },
    /// A lesson's assessment is not an assessment of that lesson.
    AssessmentOfAnotherLesson {
        /// The lesson.
        lesson: LessonId,
        /// Its `assessment_id`.
        assessment: AssessmentId,
        /// The assessment's own `lesson_id`.
        assessment_lesson: Option<LessonId>,
    },
    /// A content block given with the course belongs to none of its lessons.
    BlockNotInCourse {
        /// The block.
        block: ContentBlockId,
        /// The lesson it belongs to.
        lesson: LessonId,
    },
    /// A content block's `content` is invalid, or disagrees with its `type`.
    InvalidContent {
        /// The lesson.
        lesson: LessonId,
        /// The block.
        block: ContentBlockId,
        /// Every problem of the document, with its JSON path.
        problems: Vec<Problem>,
    },
    /// The lesson prerequisites form a cycle.
    PrerequisiteCycle {
        /// The lessons of the cycle, each requiring the next (the last the first).
        cycle: Vec<LessonId>,
    },
    /// A lesson requires a lesson that is not a lesson of the course.
    UnknownPrerequisite {
        /// The lesson.
        lesson: LessonId,
        /// The prerequisite.
        prerequisite: LessonId,
    },
    /// The prerequisite graph is invalid for another reason (a lesson given twice).
    InvalidPrerequisites {
        /// Why, in lowercase English.
        reason: String,
    },
    /// The course has no final assessment.
    NoFinalAssessment,
    /// The course's final assessment is not among the course's assessments.
    UnknownFinalAssessment {
        /// The course's `final_assessment_id`.
        assessment: AssessmentId,
    },
    /// The course's final assessment is not an assessment of this course.
    FinalAssessmentOfAnotherCourse {
        /// The course's `final_assessment_id`.
        assessment: AssessmentId,
        /// The assessment's own `course_id`.
        assessment_course: Option<CourseId>,
    },
    /// An assessment's `questions` is not a valid [`QuestionSet`].
    InvalidQuestions {
        /// The assessment.
        assessment: AssessmentId,
        /// Every problem of the document, with its JSON path.
        problems: Vec<Problem>,
    },
    /// An assessment has no question, so it could not be scored.
    NoQuestions {
        /// The assessment.
        assessment: AssessmentId,
    },
}

/// `; `-separated problems of a document.
struct Listed<'a>(&'a [Problem]);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl fmt::Display for PublishProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishProblem::NoLessons => f.write_str("the course has no lesson"),
            PublishProblem::LessonNotInCourse { lesson, course } => {
                write!(f, "lesson {lesson} belongs to another course ({course})")
            }
            PublishProblem::LessonWithoutAssessment { lesson } => {
                write!(f, "lesson {lesson} has no assessment")
            }
            PublishProblem::UnknownLessonAssessment { lesson, assessment } => write!(
                f,
                "the assessment {assessment} of lesson {lesson} is not an assessment of the course"
            ),
            PublishProblem::AssessmentOfAnotherLesson {
                lesson,
                assessment,
                assessment_lesson,
            } => {
                write!(
                    f,
                    "the assessment {assessment} of lesson {lesson} belongs to "
                )?;
                match assessment_lesson {
                    Some(other) => write!(f, "lesson {other}"),
                    None => f.write_str("no lesson"),
                }
            }
            PublishProblem::BlockNotInCourse { block, lesson } => write!(
                f,
                "content block {block} belongs to lesson {lesson}, not a lesson of the course"
            ),
            PublishProblem::InvalidContent {
                lesson,
                block,
                problems,
            } => write!(
                f,
                "content block {block} of lesson {lesson} is invalid: {}",
                Listed(problems)
            ),
            PublishProblem::PrerequisiteCycle { cycle } => write!(
                f,
                "lesson prerequisites form a cycle: {}",
                crate::error::fmt_cycle(cycle)
            ),
            PublishProblem::UnknownPrerequisite {
                lesson,
                prerequisite,
            } => write!(
                f,
                "prerequisite {prerequisite} of lesson {lesson} is not a lesson of the course"
            ),
            PublishProblem::InvalidPrerequisites { reason } => {
                write!(f, "invalid lesson prerequisites: {reason}")
            }
            PublishProblem::NoFinalAssessment => f.write_str("the course has no final assessment"),
            PublishProblem::UnknownFinalAssessment { assessment } => write!(
                f,
                "the final assessment {assessment} is not an assessment of the course"
            ),
            PublishProblem::FinalAssessmentOfAnotherCourse {
                assessment,
                assessment_course,
            } => {
                write!(f, "the final assessment {assessment} belongs to ")?;
                match assessment_course {
                    Some(other) => write!(f, "course {other}"),
                    None => f.write_str("no course"),
                }
            }
            PublishProblem::InvalidQuestions {
                assessment,
                problems,
            } => write!(
                f,
                "the questions of assessment {assessment} are invalid: {}",
                Listed(problems)
            ),
            PublishProblem::NoQuestions { assessment } => {
                write!(f, "assessment {assessment} has no question")
            }
        }
    }
}

/// Every reason `outline.course` cannot be published (see the [module docs](self)), or
/// `Ok` when it can.
pub fn check(outline: &CourseOutline<'_>) -> Result<(), Vec<PublishProblem>> {
    let mut problems = Vec::new();
    let course = outline.course;
    let assessments: HashMap<AssessmentId, &Assessment> =
        outline.assessments.iter().map(|a| (a.id, a)).collect();
    let mut checked: HashSet<AssessmentId> = HashSet::new();
    let mut check_questions = |assessment: &Assessment, problems: &mut Vec<PublishProblem>| {
        if checked.insert(assessment.id) {
            questions_problems(assessment, problems);
        }
    };

    let mut lessons: Vec<&Lesson> = outline.lessons.iter().collect();
    lessons.sort_by_key(|l| (l.order_index, l.id));
    if lessons.is_empty() {
        problems.push(PublishProblem::NoLessons);
    }
    let mut blocks: HashMap<LessonId, Vec<&ContentBlock>> = HashMap::new();
    for block in outline.blocks {
        blocks.entry(block.lesson_id).or_default().push(block);
    }
    for lesson in &lessons {
        if lesson.course_id != course.id {
            problems.push(PublishProblem::LessonNotInCourse {
                lesson: lesson.id,
                course: lesson.course_id,
            });
        }
        match lesson.assessment_id {
            None => problems.push(PublishProblem::LessonWithoutAssessment { lesson: lesson.id }),
            Some(id) => match assessments.get(&id) {
                None => problems.push(PublishProblem::UnknownLessonAssessment {
                    lesson: lesson.id,
                    assessment: id,
                }),
                Some(assessment) => {
                    if assessment.lesson_id != Some(lesson.id) {
                        problems.push(PublishProblem::AssessmentOfAnotherLesson {
                            lesson: lesson.id,
                            assessment: id,
                            assessment_lesson: assessment.lesson_id,
                        });
                    }
                    check_questions(assessment, &mut problems);
                }
            },
        }
        let mut own = blocks.remove(&lesson.id).unwrap_or_default();
        own.sort_by_key(|b| (b.order_index, b.id));
        for block in own {
            if let Err(e) = ContentData::validate_for(block.content_type, &block.content) {
                problems.push(PublishProblem::InvalidContent {
                    lesson: lesson.id,
                    block: block.id,
                    problems: e.problems,
                });
            }
        }
    }
    // Blocks left over belong to no lesson of the course.
    let mut foreign: Vec<&ContentBlock> = blocks.into_values().flatten().collect();
    foreign.sort_by_key(|b| (b.lesson_id, b.id));
    for block in foreign {
        problems.push(PublishProblem::BlockNotInCourse {
            block: block.id,
            lesson: block.lesson_id,
        });
    }

    if let Err(e) = prerequisites::Graph::from_lessons(lessons.iter().copied()) {
        problems.push(match e {
            Error::PrerequisiteCycle { cycle } => PublishProblem::PrerequisiteCycle { cycle },
            Error::UnknownPrerequisite {
                lesson,
                prerequisite,
            } => PublishProblem::UnknownPrerequisite {
                lesson,
                prerequisite,
            },
            other => PublishProblem::InvalidPrerequisites {
                reason: other.to_string(),
            },
        });
    }

    match course.final_assessment_id {
        None => problems.push(PublishProblem::NoFinalAssessment),
        Some(id) => match assessments.get(&id) {
            None => problems.push(PublishProblem::UnknownFinalAssessment { assessment: id }),
            Some(assessment) => {
                if assessment.course_id != Some(course.id) {
                    problems.push(PublishProblem::FinalAssessmentOfAnotherCourse {
                        assessment: id,
                        assessment_course: assessment.course_id,
                    });
                }
                check_questions(assessment, &mut problems);
            }
        },
    }
    for assessment in outline.assessments {
        check_questions(assessment, &mut problems);
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Like [`check`], as an [`Error::NotPublishable`].
pub fn ensure(outline: &CourseOutline<'_>) -> Result<()> {
    check(outline).map_err(|problems| Error::NotPublishable { problems })
}

/// The problems of an assessment's questions: an invalid document, or no question.
fn questions_problems(assessment: &Assessment, problems: &mut Vec<PublishProblem>) {
    match QuestionSet::validate(&assessment.questions) {
        Ok(set) if set.0.is_empty() => problems.push(PublishProblem::NoQuestions {
            assessment: assessment.id,
        }),
        Ok(_) => {}
        Err(InvalidDocument { problems: list, .. }) => {
            problems.push(PublishProblem::InvalidQuestions {
                assessment: assessment.id,
                problems: list,
            })
        }
    }
}

#[cfg(test)]
mod tests;
