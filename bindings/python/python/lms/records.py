"""The shapes of what the library takes and returns, for annotations:
``from lms.records import Course, GradebookPage…``. At run time the values are plain ``dict``s
and ``list``s (ids ``uuid.UUID``, times aware ``datetime``, documents as stored)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Generic, Literal, Mapping, TypeVar, Union

from typing_extensions import NotRequired, TypedDict

__all__ = [
    "Assessment", "AssessmentChanges", "AssessmentGrade", "AssessmentStateName", "Attempt", "AttemptPolicy",
    "AuditEntry", "ClosedAttempt", "ClosedAttempts", "ContentBlock", "RegradeChange", "RegradeReport",
    "RetakePolicyName", "TimeLimitPolicyName",
    "ContentTypeName", "Course", "CourseChanges", "Dashboard", "DashboardCourseColumns", "DifficultyName",
    "DocumentRepair", "DocumentReport", "Enrollment", "Erasure", "GradeSummaryColumns", "GradebookColumns",
    "GradebookEntry", "GradebookPage", "IdLike", "Json", "LearningProgress", "Lesson", "LessonChanges",
    "LessonProgress", "MethodName", "MyEnrollment", "OutlineLesson", "Paged", "Profile", "ProfileChanges",
    "Progress", "ProgressStatusName", "Roadmap", "RoadmapStatusName", "CourseRoadmap", "ProposalOutcome",
    "FittedModel", "SkillFit", "Regenerated", "RegenerationFailure", "BktParams", "BktStep", "PlannedRoadmap", "Violation",
    "RoadmapDecision", "KnowledgeModel", "TracedKnowledge", "AnswerRow", "ScoreColumns", "Scored", "StartDecision", "StartedAttempt",
    "SubmissionVerdict", "SubmittedAttempt", "UserExport", "UserRoleName",
    "CompletionFunnel", "FunnelColumns", "ItemAnalysis", "ItemColumns", "OptionColumns",
    "WrongAnswerColumns", "HistogramColumns", "AtRiskReport", "AtRiskColumns", "RiskReason",
    "RiskThresholds", "ActivityColumns", "AttemptFilterName", "BucketName",
    "GradeGroup", "GradedAssessment", "GradingScheme", "GroupGrade", "CourseGrade", "StudentCourseGrade",
    "CourseGradesPage", "CourseGradeColumns", "ReviewMomentName", "ReviewShown", "AttemptReview",
    "PoolStats",
]

#: A JSON value: what documents are made of.
Json = Any
#: An id argument: a ``uuid.UUID`` or its text.
IdLike = Union[uuid.UUID, str]
T = TypeVar("T")

UserRoleName = Literal["student", "instructor", "admin"]
DifficultyName = Literal["beginner", "intermediate", "advanced"]
ContentTypeName = Literal["rich_text", "image", "video", "file", "youtube"]
ProgressStatusName = Literal["not_started", "in_progress", "completed", "blocked"]
RoadmapStatusName = Literal["active", "completed", "paused"]
AssessmentStateName = Literal["not_required", "not_attempted", "failed", "passed"]
MethodName = Literal["highest", "first", "last", "average"]
RetakePolicyName = Literal["allow", "forbid"]
TimeLimitPolicyName = Literal["autosubmit", "grace_period", "abandon", "reject"]
LateIntervalName = Literal["hour", "day"]
StaffRoleName = Literal["co_instructor", "grader"]
#: When a student sees a part of a finished attempt's review.
ReviewMomentName = Literal["immediately", "after_close", "never"]


class Paged(TypedDict, Generic[T]):
    items: list[T]
    next_offset: int | None
    total: int | None

class Profile(TypedDict):
    id: uuid.UUID
    email: str | None
    role: UserRoleName
    first_name: str | None
    last_name: str | None
    avatar_url: str | None
    learning_preferences: dict[str, Any] | None
    knowledge_profile: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime

class LatePolicy(TypedDict):
    """What late work is worth (Canvas's late policy): ``deduction_percent`` percentage
    points off per late ``interval`` begun, never below ``floor_percent``."""

    deduction_percent: float
    interval: LateIntervalName
    floor_percent: float
    #: the grade of work not submitted by the close time (in the course grade)
    missing_percent: NotRequired[float]

class GradeGroup(TypedDict):
    """A group of assessments with its weight among the groups; ``drop_lowest`` of its
    lowest grades are dropped."""

    name: str
    weight: float
    drop_lowest: NotRequired[int]

class GradedAssessment(TypedDict):
    """How one assessment counts: its group (by name) and its weight (default 1)."""

    assessment_id: str
    group: NotRequired[str]
    weight: NotRequired[float]

class GradingScheme(TypedDict, total=False):
    """A course's grading scheme (a document, as stored: ids are text). ``{}``: every
    assessment counts alike."""

    groups: list[GradeGroup]
    assessments: list[GradedAssessment]

class GroupGrade(TypedDict):
    name: str
    weight: float
    current_percent: float | None
    final_percent: float | None
    dropped: list[uuid.UUID]
    final_dropped: list[uuid.UUID]
    counted: int
    graded: int

class CourseGrade(TypedDict):
    """A course grade: ``current_percent`` over graded work, ``final_percent`` with
    ungraded work as 0 (each None when nothing counts), per group."""

    current_percent: float | None
    final_percent: float | None
    counted: int
    graded: int
    groups: list[GroupGrade]
    #: the assessments graded as missing work (the late policy's grade)
    missing_work: list[uuid.UUID]

class StudentCourseGrade(CourseGrade):
    student_id: uuid.UUID
    student_name: str | None
    student_email: str | None

class CourseGradesPage(TypedDict):
    course_id: uuid.UUID
    grades: list[StudentCourseGrade]
    next_offset: int | None
    total: int
    version: str

class CourseGradeColumns(TypedDict):
    """Course grades as columns, one value per enrolled student."""

    student_id: list[uuid.UUID]
    student_name: list[str | None]
    student_email: list[str | None]
    current_percent: list[float | None]
    final_percent: list[float | None]
    counted: list[int]
    graded: list[int]
    groups: list[list[GroupGrade]]
    missing_work: list[list[uuid.UUID]]

class Course(TypedDict):
    id: uuid.UUID
    title: str
    description: str | None
    instructor_id: uuid.UUID
    final_assessment_id: uuid.UUID | None
    tags: list[str]
    difficulty_level: DifficultyName | None
    estimated_duration_minutes: int | None
    is_published: bool
    late_policy: LatePolicy | None
    grading_scheme: GradingScheme
    created_at: datetime.datetime
    updated_at: datetime.datetime

class Lesson(TypedDict):
    id: uuid.UUID
    course_id: uuid.UUID
    title: str
    description: str | None
    order_index: int
    learning_objectives: list[str]
    estimated_duration_minutes: int | None
    assessment_id: uuid.UUID | None
    prerequisites: list[uuid.UUID]
    is_published: bool
    #: when it opens to its students (None: as soon as it is published)
    unlocks_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

class OutlineLesson(TypedDict):
    id: uuid.UUID
    course_id: uuid.UUID
    title: str
    description: str | None
    order_index: int
    learning_objectives: list[str]
    estimated_duration_minutes: int | None
    unlocks_at: datetime.datetime | None

ContentBlock = TypedDict(
    "ContentBlock",
    {
        "id": uuid.UUID,
        "lesson_id": uuid.UUID,
        "type": ContentTypeName,
        "content": dict[str, Any],
        "order_index": int,
        "metadata": dict[str, Any],
        "created_at": datetime.datetime,
        "updated_at": datetime.datetime,
    },
)

class Assessment(TypedDict):
    id: uuid.UUID
    lesson_id: uuid.UUID | None
    course_id: uuid.UUID | None
    title: str
    description: str | None
    questions: list[dict[str, Any]]
    ai_generated: bool
    source_content_ids: list[uuid.UUID]
    is_mandatory: bool
    minimum_passing_score: int
    max_attempts: int | None
    time_limit_minutes: int | None
    grading_method: MethodName
    retake_policy: RetakePolicyName
    attempt_delay_seconds: int
    later_attempt_delay_seconds: int
    time_limit_policy: TimeLimitPolicyName
    grace_seconds: int
    shuffle_questions: bool
    shuffle_options: bool
    draw_questions: int | None
    review_score: ReviewMomentName
    review_correctness: ReviewMomentName
    review_feedback: ReviewMomentName
    review_answers: ReviewMomentName
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    due_at: datetime.datetime | None
    late_policy: LatePolicy | None
    questions_version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

class AttemptPolicy(TypedDict, total=False):
    """An assessment's attempt policy (``create_assessment(policy=…)``); each key left out
    takes its default."""

    grading_method: MethodName
    retake_policy: RetakePolicyName
    attempt_delay_seconds: int
    later_attempt_delay_seconds: int
    time_limit_policy: TimeLimitPolicyName
    grace_seconds: int
    shuffle_questions: bool
    shuffle_options: bool
    draw_questions: int | None
    review_score: ReviewMomentName
    review_correctness: ReviewMomentName
    review_feedback: ReviewMomentName
    review_answers: ReviewMomentName

class CourseStaff(TypedDict):
    """A member of a course's staff besides its instructor."""

    course_id: uuid.UUID
    user_id: uuid.UUID
    role: StaffRoleName
    created_at: datetime.datetime
    updated_at: datetime.datetime

class Accommodation(TypedDict):
    """A student's accommodation at one assessment (``assessment_id``) or every assessment
    of a course (``assessment_id`` None)."""

    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    assessment_id: uuid.UUID | None
    extra_minutes: int
    time_factor: float
    extra_attempts: int
    closes_at: datetime.datetime | None
    due_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

class AttemptRules(TypedDict):
    """The attempt rules that apply to one student at an assessment, accommodations
    applied (``assessment_rules``)."""

    max_attempts: int | None
    time_limit_minutes: int | None
    grading_method: MethodName
    retake_policy: RetakePolicyName
    attempt_delay_seconds: int
    later_attempt_delay_seconds: int
    time_limit_policy: TimeLimitPolicyName
    grace_seconds: int
    shuffle_questions: bool
    shuffle_options: bool
    draw_questions: int | None
    review_score: ReviewMomentName
    review_correctness: ReviewMomentName
    review_feedback: ReviewMomentName
    review_answers: ReviewMomentName
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    due_at: datetime.datetime | None
    late_policy: LatePolicy | None

class Enrollment(TypedDict):
    id: uuid.UUID
    student_id: uuid.UUID
    course_id: uuid.UUID
    enrolled_at: datetime.datetime
    completed_at: datetime.datetime | None
    progress: dict[str, Any]

class MyEnrollment(Enrollment):
    course_title: str

class Attempt(TypedDict):
    id: uuid.UUID
    assessment_id: uuid.UUID
    student_id: uuid.UUID
    attempt_number: int
    answers: dict[str, Any]
    score: int | None
    points_earned: int | None
    exact_points_earned: float | None
    total_points: int | None
    passed: bool | None
    time_spent_seconds: int | None
    started_at: datetime.datetime
    submitted_at: datetime.datetime | None
    abandoned_at: datetime.datetime | None
    questions_version: int
    feedback: dict[str, Any] | None
    late_seconds: int | None
    raw_points_earned: float | None
    raw_score: int | None

class StartedAttempt(TypedDict):
    attempt: Attempt
    questions: list[dict[str, Any]]
    deadline: datetime.datetime | None
    resumed: bool

class PoolStats(TypedDict):
    """A client's pool now (``Client.pool_stats()``)."""

    size: int
    idle: int
    in_use: int
    max_connections: int
    closed: bool

class ReviewShown(TypedDict):
    """What the review of an attempt shows the actor now."""

    score: bool
    correctness: bool
    feedback: bool
    answers: bool

class AttemptReview(TypedDict):
    """An attempt's review as the actor may see it now (``attempt_review``): the attempt
    without its score while hidden, without its feedback document unless score,
    correctness and feedback are all shown; ``feedback`` with the hidden fields left
    out; ``questions`` with their answer keys once the right answers are shown (``None``
    while the attempt is open)."""

    attempt: Attempt
    shown: ReviewShown
    feedback: dict[str, Any] | None
    questions: list[dict[str, Any]] | None

class SubmittedAttempt(TypedDict):
    attempt: Attempt
    late: bool
    dropped_answers: list[str]
    pending_review: list[str]
    unlocked_lessons: list[uuid.UUID]
    course_completed: bool

class Progress(TypedDict):
    id: uuid.UUID
    student_id: uuid.UUID
    course_id: uuid.UUID
    lesson_id: uuid.UUID | None
    assessment_id: uuid.UUID | None
    status: ProgressStatusName
    completion_percentage: int
    last_accessed: datetime.datetime | None
    time_spent_seconds: int
    attempts_count: int
    best_score: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

class Roadmap(TypedDict):
    id: uuid.UUID
    student_id: uuid.UUID
    course_id: uuid.UUID | None
    roadmap_data: dict[str, Any]
    ai_reasoning: str | None
    status: RoadmapStatusName
    generated_at: datetime.datetime
    updated_at: datetime.datetime

class LearningProgress(TypedDict):
    id: uuid.UUID
    student_id: uuid.UUID
    content_id: uuid.UUID
    content_type: str
    progress_data: dict[str, Any]
    completed_at: datetime.datetime | None
    time_spent_seconds: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

class UserExport(TypedDict):
    format: str
    exported_at: datetime.datetime
    user_id: uuid.UUID
    tables: dict[str, list[dict[str, Any]]]

class Erasure(TypedDict):
    user_id: uuid.UUID
    successor: uuid.UUID | None
    transferred_courses: int
    deleted: dict[str, int]

class AuditEntry(TypedDict):
    id: int
    occurred_at: datetime.datetime
    actor_id: uuid.UUID | None
    actor_role: Literal["authenticated", "anon", "service", "system"]
    action: Literal["insert", "update", "delete", "sign_in_failed"]
    table_name: str
    row_id: uuid.UUID | None
    old_data: dict[str, Any] | None
    new_data: dict[str, Any] | None

class GradebookColumns(TypedDict):
    """A gradebook as columns, one value per student and assessment."""

    student_id: list[uuid.UUID]
    assessment_id: list[uuid.UUID]
    course_id: list[uuid.UUID]
    attempts: list[int]
    submitted: list[int]
    awaiting_grading: list[int]
    best_score: list[int | None]
    passed: list[bool]
    last_submitted_at: list[datetime.datetime | None]
    assessment_title: list[str | None]
    student_name: list[str | None]
    student_email: list[str | None]

class GradeSummaryColumns(TypedDict):
    student_id: list[uuid.UUID]
    assessment_id: list[uuid.UUID]
    course_id: list[uuid.UUID]
    attempts: list[int]
    submitted: list[int]
    awaiting_grading: list[int]
    best_score: list[int | None]
    passed: list[bool]
    last_submitted_at: list[datetime.datetime | None]
    assessment_title: list[str | None]

class DashboardCourseColumns(TypedDict):
    course_id: list[uuid.UUID]
    title: list[str]
    enrolled_at: list[datetime.datetime]
    completed_at: list[datetime.datetime | None]
    completion_percentage: list[int]
    last_accessed: list[datetime.datetime | None]
    grade: list[CourseGrade]

class Dashboard(TypedDict):
    student_id: uuid.UUID
    version: str
    courses: DashboardCourseColumns
    assessments: GradeSummaryColumns

class GradebookEntry(TypedDict):
    student_id: uuid.UUID
    assessment_id: uuid.UUID
    course_id: uuid.UUID
    attempts: int
    submitted: int
    awaiting_grading: int
    best_score: int | None
    passed: bool
    last_submitted_at: datetime.datetime | None
    assessment_title: str | None
    student_name: str | None
    student_email: str | None

class GradebookPage(TypedDict):
    course_id: uuid.UUID
    entries: list[GradebookEntry]
    next_offset: int | None
    total: int
    course_grades: list[StudentCourseGrade]
    version: str

class DocumentReport(TypedDict):
    checked: int
    invalid: int
    not_normalized: int
    documents: list[dict[str, Any]]

class DocumentRepair(TypedDict):
    repaired: int
    remaining: DocumentReport

class Scored(TypedDict):
    points_earned: float
    total_points: int
    percentage: float | None
    score: int | None
    passed: bool | None
    feedback: dict[str, Any]

class AssessmentGrade(TypedDict):
    score: int | None
    percentage: float | None
    passed: bool | None
    attempt_number: int | None
    pending_review: bool

class RegradeChange(TypedDict):
    attempt_id: uuid.UUID
    student_id: uuid.UUID
    attempt_number: int
    old_points_earned: float
    new_points_earned: float
    total_points: int
    old_score: int | None
    new_score: int | None
    old_passed: bool | None
    new_passed: bool | None

class RegradeReport(TypedDict):
    assessment_id: uuid.UUID
    dry_run: bool
    questions_version: int
    attempts_regraded: int
    changes: list[RegradeChange]

class ClosedAttempt(TypedDict):
    attempt_id: uuid.UUID
    assessment_id: uuid.UUID
    student_id: uuid.UUID
    closed_as: Literal["submitted", "abandoned"]

class ClosedAttempts(TypedDict):
    closed: list[ClosedAttempt]
    busy: int

class ScoreColumns(TypedDict):
    """`score_many`'s results as columns, one value per answer sheet."""

    points_earned: list[float]
    total_points: list[int]
    score: list[int | None]
    passed: list[bool | None]
    feedback: NotRequired[list[dict[str, Any]]]

class StartDecision(TypedDict):
    kind: Literal["new", "resume", "close_expired"]
    attempt_number: int
    deadline: NotRequired[datetime.datetime | None]

class SubmissionVerdict(TypedDict):
    kept: list[str]
    dropped: list[str]
    late: bool
    submitted_at: datetime.datetime
    time_spent_seconds: int
    past_due_seconds: int | None

class LessonProgress(TypedDict):
    status: ProgressStatusName
    completion_percentage: int

# patches (keyword arguments of the update_* methods) ---------------------------------

class CourseChanges(TypedDict, total=False):
    title: str
    description: str | None
    final_assessment_id: IdLike | None
    tags: list[str]
    difficulty_level: DifficultyName | None
    estimated_duration_minutes: int | None
    late_policy: LatePolicy | None

class LessonChanges(TypedDict, total=False):
    title: str
    description: str | None
    order_index: int
    learning_objectives: list[str]
    estimated_duration_minutes: int | None
    assessment_id: IdLike | None
    prerequisites: list[IdLike]
    is_published: bool
    #: an aware datetime; None: as soon as it is published
    unlocks_at: datetime.datetime | None

class AssessmentChanges(TypedDict, total=False):
    title: str
    description: str | None
    questions: list[Mapping[str, Any]]
    is_mandatory: bool
    minimum_passing_score: int
    max_attempts: int | None
    time_limit_minutes: int | None
    grading_method: MethodName
    retake_policy: RetakePolicyName
    attempt_delay_seconds: int
    later_attempt_delay_seconds: int
    time_limit_policy: TimeLimitPolicyName
    grace_seconds: int
    shuffle_questions: bool
    shuffle_options: bool
    draw_questions: int | None
    review_score: ReviewMomentName
    review_correctness: ReviewMomentName
    review_feedback: ReviewMomentName
    review_answers: ReviewMomentName
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    due_at: datetime.datetime | None
    late_policy: LatePolicy | None

class ProfileChanges(TypedDict, total=False):
    first_name: str | None
    last_name: str | None
    avatar_url: str | None
    learning_preferences: Mapping[str, Any]
    knowledge_profile: Mapping[str, Any]


# roadmaps and knowledge tracing ------------------------------------------------------

class BktParams(TypedDict):
    prior: float
    learn: float
    guess: float
    slip: float
    forget: NotRequired[float]

class BktStep(TypedDict):
    predicted: float
    mastery: float

class AnswerRow(TypedDict):
    student: str
    skill: str
    correct: bool

class SkillFit(TypedDict):
    skill: str
    params: BktParams
    log_likelihood: float
    iterations: int
    answers: int
    sequences: int

class KnowledgeModel(TypedDict):
    default: BktParams | None
    skills: dict[str, BktParams]

class TracedKnowledge(TypedDict):
    profile: dict[str, Any]
    changes: list[dict[str, Any]]

class PlannedRoadmap(TypedDict):
    data: dict[str, Any]
    reasoning: str

class Violation(TypedDict):
    code: Literal["wrong_course", "not_in_plan", "duplicate_step", "required_step_dropped",
                  "prerequisite_order", "final_before_lessons", "unknown_content", "status_changed",
                  "invalid_document"]
    step: int | None
    message: str

class RoadmapDecision(TypedDict):
    roadmap: PlannedRoadmap
    accepted: bool
    violations: list[Violation]

class CourseRoadmap(Roadmap):
    stale: bool

class ProposalOutcome(TypedDict):
    accepted: bool
    roadmap: CourseRoadmap | None
    violations: list[Violation]

class FittedModel(TypedDict):
    course_id: uuid.UUID
    skills: list[SkillFit]
    answers: int

class RegenerationFailure(TypedDict):
    student_id: uuid.UUID
    code: str
    message: str

class Regenerated(TypedDict):
    regenerated: int
    fresh: int
    failed: list[RegenerationFailure]


# course analytics ---------------------------------------------------------------------

#: Which graded attempts item analysis reads.
AttemptFilterName = Literal["all", "first", "last"]
#: The width of an activity bucket.
BucketName = Literal["day", "week"]

class FunnelColumns(TypedDict):
    """A completion funnel's lessons as columns, in course order."""

    lesson_id: list[uuid.UUID]
    title: list[str]
    enrolled: list[int]
    started: list[int]
    completed: list[int]
    assessment_id: list[uuid.UUID | None]
    passed: list[int | None]
    median_seconds: list[float | None]
    drop_off: list[float | None]

class CompletionFunnel(TypedDict):
    """``Scope.completion_funnel``: the course's totals and its lessons as columns."""

    course_id: uuid.UUID
    enrolled: int
    completed: int
    final_assessment_id: uuid.UUID | None
    final_passed: int | None
    lessons: FunnelColumns

class ItemColumns(TypedDict):
    """One line per question of an item analysis, with its outcome counts."""

    question_id: list[str]
    kind: list[Literal["multiple_choice", "true_false", "short_answer", "essay"]]
    prompt: list[str]
    max_points: list[int]
    attempts: list[int]
    facility: list[float | None]
    discrimination: list[float | None]
    mean_points: list[float | None]
    correct: list[int]
    partial: list[int]
    incorrect: list[int]
    unanswered: list[int]
    pending_review: list[int]

class OptionColumns(TypedDict):
    """One line per option of each choice question (``true``/``false`` for true/false)."""

    question_id: list[str]
    option_id: list[str]
    text: list[str]
    correct: list[bool]
    count: list[int]
    share: list[float]

class WrongAnswerColumns(TypedDict):
    """The most common wrong short answers, per question."""

    question_id: list[str]
    answer: list[str]
    count: list[int]
    share: list[float]

HistogramColumns = TypedDict("HistogramColumns", {"from": list[int], "to": list[int], "count": list[int]})

class ItemAnalysis(TypedDict):
    """``Scope.item_analysis``: the test's statistics and its questions as columns."""

    assessment_id: uuid.UUID
    title: str
    attempts_read: AttemptFilterName
    attempts: int
    complete_attempts: int
    mean_score: float | None
    std_dev_score: float | None
    cronbach_alpha: float | None
    pass_rate: float | None
    histogram: HistogramColumns
    items: ItemColumns
    options: OptionColumns
    wrong_answers: WrongAnswerColumns

class RiskReason(TypedDict):
    """Why a student is at risk: ``reason`` and the numbers behind it (``days`` and
    ``last_active_at``; ``pace`` and ``cohort_median``; ``assessment_id`` and
    ``failed_attempts``; ``skill``, ``mastery`` and ``evidence``)."""

    reason: Literal["inactive", "behind_pace", "repeatedly_failing", "low_mastery"]
    days: NotRequired[int]
    last_active_at: NotRequired[datetime.datetime | None]
    pace: NotRequired[float]
    cohort_median: NotRequired[float]
    assessment_id: NotRequired[uuid.UUID]
    failed_attempts: NotRequired[int]
    skill: NotRequired[str]
    mastery: NotRequired[float]
    evidence: NotRequired[int]

class RiskThresholds(TypedDict, total=False):
    """When a student is at risk (each optional; the defaults in brackets)."""

    #: inactive for at least this many days [14]
    inactive_days: int
    #: behind below this share of the cohort's median pace [0.5]
    pace_ratio: float
    #: pace judged after this many days of enrolment [7]
    min_days_enrolled: int
    #: failed attempts at one assessment never passed [3]
    failed_attempts: int
    #: a course skill's mastery below this [0.4] …
    mastery_below: float
    #: … on at least this many graded answers [3]
    min_evidence: int

class AtRiskColumns(TypedDict):
    """The students at risk as columns, most reasons first."""

    student_id: list[uuid.UUID]
    student_name: list[str | None]
    student_email: list[str | None]
    enrolled_at: list[datetime.datetime]
    last_active_at: list[datetime.datetime | None]
    completed_lessons: list[int]
    pace: list[float]
    reasons: list[list[RiskReason]]

class AtRiskReport(TypedDict):
    """``Scope.at_risk_students``."""

    course_id: uuid.UUID
    computed_at: datetime.datetime
    thresholds: dict[str, float]
    cohort: int
    cohort_median_pace: float | None
    students: AtRiskColumns

class ActivityColumns(TypedDict):
    """``Scope.activity``: one line per day or week."""

    start: list[datetime.date]
    active_students: list[int]
    submissions: list[int]
    completions: list[int]
    seconds: list[int]
