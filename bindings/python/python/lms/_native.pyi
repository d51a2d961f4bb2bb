"""Type stubs of the native module ``lms._native`` (the Rust bindings). Import ``lms``."""

import datetime
import uuid
from typing import Any, Iterable, Literal, Mapping, Sequence

from typing_extensions import Unpack, final

from .records import (
    CourseGradeColumns,
    CourseGradesPage,
    CourseStaff,
    StaffRoleName,
    Accommodation,
    AttemptRules,
    LatePolicy,
    ActivityColumns,
    AtRiskReport,
    AttemptFilterName,
    BucketName,
    CompletionFunnel,
    ItemAnalysis,
    RiskThresholds,
    Assessment,
    AssessmentChanges,
    AssessmentGrade,
    AttemptPolicy,
    ClosedAttempts,
    RegradeReport,
    AssessmentStateName,
    Attempt,
    AttemptReview,
    PoolStats,
    AuditEntry,
    ContentBlock,
    ContentTypeName,
    Course,
    CourseChanges,
    Dashboard,
    DifficultyName,
    DocumentRepair,
    DocumentReport,
    Enrollment,
    Erasure,
    GradebookColumns,
    GradebookPage,
    IdLike,
    Json,
    LearningProgress,
    Lesson,
    LessonChanges,
    LessonProgress,
    MethodName,
    MyEnrollment,
    OutlineLesson,
    Paged,
    ProfileChanges,
    Profile,
    Progress,
    ProgressStatusName,
    Roadmap,
    AnswerRow,
    BktParams,
    BktStep,
    CourseRoadmap,
    FittedModel,
    KnowledgeModel,
    PlannedRoadmap,
    ProposalOutcome,
    Regenerated,
    RoadmapDecision,
    SkillFit,
    TracedKnowledge,
    Violation,
    ScoreColumns,
    Scored,
    StartDecision,
    StartedAttempt,
    SubmissionVerdict,
    SubmittedAttempt,
    UserExport,
    UserRoleName,
)

__all__ = [
    "DOCUMENTS",
    "ERROR_CODES",
    "HTTP_STATUS",
    "RULES",
    "AlreadyEnrolled",
    "AttemptLimitReached",
    "AttemptNotStarted",
    "Client",
    "Conflict",
    "DatabaseError",
    "Forbidden",
    "InvalidDocument",
    "InvalidTransition",
    "LmsError",
    "NoAnswers",
    "NoProfile",
    "NotEnrolled",
    "NotFound",
    "NotPublishable",
    "PrerequisitesUnmet",
    "Scope",
    "TimeLimitExceeded",
    "apply",
    "auc",
    "bkt_predict",
    "bkt_update",
    "call_rule",
    "check_roadmap",
    "decide_roadmap",
    "fit_bkt",
    "plan_roadmap",
    "trace_knowledge",
    "connect",
    "course_complete",
    "grade",
    "grade_attempts",
    "grade_essay",
    "grade_question",
    "json_schema",
    "lesson_progress",
    "may_start",
    "missing",
    "publish_problems",
    "regrade",
    "score",
    "score_many",
    "student_view",
    "submission",
    "topological_order",
    "transition",
    "unlocked",
    "validate",
    "validate_content",
    "__version__",
]

__version__: str

DOCUMENTS: list[str]
ERROR_CODES: list[str]
HTTP_STATUS: dict[str, int]
RULES: list[str]

# errors -----------------------------------------------------------------------------

class LmsError(Exception):
    """Every refusal of the library: ``code`` is the stable code, ``problems`` and
    ``details`` say more; each detail is also an attribute of its own."""

    code: str
    http_status: int
    message: str
    document: str | None
    problems: list[tuple[str, str]]
    details: dict[str, Any]

class InvalidDocument(LmsError): ...
class NotFound(LmsError): ...
class Forbidden(LmsError): ...
class NoProfile(LmsError): ...
class AlreadyEnrolled(LmsError): ...
class NotEnrolled(LmsError): ...
class AttemptLimitReached(LmsError):
    max: int
    max_attempts: int

class AttemptNotStarted(LmsError): ...
class NoAnswers(LmsError): ...
class TimeLimitExceeded(LmsError):
    limit_minutes: int
    deadline: datetime.datetime
    submitted_at: datetime.datetime

class PrerequisitesUnmet(LmsError):
    missing: list[uuid.UUID]
    missing_lessons: list[uuid.UUID]

class InvalidTransition(LmsError): ...
class NotPublishable(LmsError): ...
class Conflict(LmsError): ...
class DatabaseError(LmsError): ...

# pure rules -------------------------------------------------------------------------

def validate(document: str, value: Json) -> Json: ...
def json_schema(document: str) -> dict[str, Any]: ...
def validate_content(content_type: ContentTypeName | str, value: Json) -> dict[str, Any]: ...
def score(questions: Json, answers: Json, passing: int = 70) -> Scored: ...
def score_many(questions: Json, answers: Iterable[Json], passing: int = 70, *, feedback: bool = False) -> ScoreColumns: ...
def grade_essay(scored: Mapping[str, Any], question_id: str, points: int, comment: str | None = None) -> Scored: ...
def grade_question(scored: Mapping[str, Any], question_id: str, points: float, comment: str | None = None) -> Scored: ...
def regrade(questions: Json, answers: Json, previous: Mapping[str, Any], passing: int = 70) -> Scored: ...
def may_start(
    rules: Mapping[str, Any] | None = None,
    previous: Sequence[Mapping[str, Any]] | None = None,
    missing: Sequence[IdLike] | None = None,
    now: datetime.datetime | None = None,
) -> StartDecision: ...
def submission(
    started_at: datetime.datetime,
    submitted_at: datetime.datetime,
    answers: Sequence[Mapping[str, Any]] | None = None,
    rules: Mapping[str, Any] | None = None,
) -> SubmissionVerdict: ...
def grade(scores: Sequence[int], method: MethodName | str = "highest") -> int | None: ...
def grade_attempts(
    attempts: Sequence[Mapping[str, Any]], method: MethodName | str = "highest", passing: int = 70
) -> AssessmentGrade: ...
def unlocked(lessons: Sequence[Mapping[str, Any]], completed: Sequence[IdLike] | None = None) -> list[uuid.UUID]: ...
def missing(
    lessons: Sequence[Mapping[str, Any]], lesson: IdLike, completed: Sequence[IdLike] | None = None
) -> list[uuid.UUID]: ...
def topological_order(lessons: Sequence[Mapping[str, Any]]) -> list[uuid.UUID]: ...
def transition(status: ProgressStatusName | str, event: Mapping[str, Any]) -> ProgressStatusName: ...
def apply(progress: Mapping[str, Any], event: Mapping[str, Any]) -> LessonProgress: ...
def lesson_progress(facts: Mapping[str, Any]) -> LessonProgress: ...
def course_complete(
    lessons: Sequence[ProgressStatusName | str], final_assessment: AssessmentStateName | str | None = None
) -> bool: ...
def publish_problems(outline: Mapping[str, Any]) -> list[dict[str, Any]]: ...
def student_view(questions: Json) -> list[dict[str, Any]]: ...
def bkt_update(mastery: float, correct: bool, params: Mapping[str, float] | None = None) -> BktStep: ...
def bkt_predict(rows: Sequence[Mapping[str, Any]], model: Mapping[str, Any] | None = None) -> list[float]: ...
def fit_bkt(
    rows: Sequence[Mapping[str, Any]],
    *,
    restarts: int = 5,
    seed: int = 42,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
    forgets: bool = False,
) -> list[SkillFit]: ...
def trace_knowledge(observations: Sequence[Mapping[str, Any]], model: Mapping[str, Any] | None = None) -> TracedKnowledge: ...
def plan_roadmap(input: Mapping[str, Any]) -> PlannedRoadmap: ...
def check_roadmap(input: Mapping[str, Any], proposal: Json) -> list[Violation]: ...
def decide_roadmap(
    input: Mapping[str, Any], proposal: Json, source: str = "advisor", reasoning: str | None = None
) -> RoadmapDecision: ...
def auc(predictions: Sequence[float], outcomes: Sequence[bool]) -> float | None: ...
def call_rule(function: str, input: Mapping[str, Any]) -> Json: ...

# the database -----------------------------------------------------------------------

def connect(url: str, *, max_connections: int | None = None, acquire_timeout: float | None = None, pooled: bool = False, replicas: Sequence[str] | None = None, max_replica_lag: float = 10.0, slow_statement_ms: int = 1000) -> Client: ...

@final
class Client:
    """A pool of connections, safe to share between threads; a context manager."""

    @property
    def closed(self) -> bool: ...
    @property
    def pooled(self) -> bool: ...
    @property
    def replica_count(self) -> int: ...
    def pool_stats(self) -> PoolStats: ...
    def migrate(self) -> None: ...
    def as_user(self, user_id: IdLike) -> Scope: ...
    def as_anon(self) -> Scope: ...
    def as_service(self) -> Scope: ...
    def close(self) -> None: ...
    def __enter__(self) -> Client: ...
    def __exit__(self, *_exc: object) -> bool: ...

@final
class Scope:
    """Every use case, acting for one actor; each call is one transaction."""

    @property
    def actor(self) -> tuple[Literal["user", "anon", "service"], uuid.UUID | None]: ...
    # authoring
    def create_course(
        self,
        title: str,
        instructor_id: IdLike,
        *,
        description: str | None = None,
        tags: Sequence[str] | None = None,
        difficulty_level: DifficultyName | str | None = None,
        estimated_duration_minutes: int | None = None,
    ) -> Course: ...
    def get_course(self, course_id: IdLike) -> Course: ...
    def list_courses(
        self,
        *,
        tag: str | None = None,
        difficulty: DifficultyName | str | None = None,
        published: bool | None = None,
        instructor_id: IdLike | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Paged[Course]: ...
    def update_course(self, course_id: IdLike, **changes: Unpack[CourseChanges]) -> Course: ...
    def delete_course(self, course_id: IdLike) -> None: ...
    def create_lesson(
        self,
        course_id: IdLike,
        title: str,
        order_index: int,
        *,
        description: str | None = None,
        learning_objectives: Sequence[str] | None = None,
        estimated_duration_minutes: int | None = None,
        prerequisites: Sequence[IdLike] | None = None,
    ) -> Lesson: ...
    def list_lessons(self, course_id: IdLike) -> list[Lesson]: ...
    def course_outline(self, course_id: IdLike) -> list[OutlineLesson]: ...
    def update_lesson(self, lesson_id: IdLike, **changes: Unpack[LessonChanges]) -> Lesson: ...
    def reorder_lessons(self, course_id: IdLike, order: Sequence[IdLike]) -> list[Lesson]: ...
    def create_block(
        self,
        lesson_id: IdLike,
        content_type: ContentTypeName | str,
        content: Mapping[str, Any],
        order_index: int,
        *,
        metadata: Mapping[str, Any] | None = None,
    ) -> ContentBlock: ...
    def list_blocks(self, lesson_id: IdLike) -> list[ContentBlock]: ...
    def update_block(
        self,
        block_id: IdLike,
        *,
        content_type: ContentTypeName | str | None = None,
        content: Mapping[str, Any] | None = None,
        order_index: int | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> ContentBlock: ...
    def reorder_blocks(self, lesson_id: IdLike, order: Sequence[IdLike]) -> list[ContentBlock]: ...
    def create_assessment(
        self,
        title: str,
        questions: Sequence[Mapping[str, Any]],
        *,
        lesson_id: IdLike | None = None,
        course_id: IdLike | None = None,
        description: str | None = None,
        ai_generated: bool = False,
        source_content_ids: Sequence[IdLike] | None = None,
        is_mandatory: bool = True,
        minimum_passing_score: int = 70,
        max_attempts: int | None = None,
        time_limit_minutes: int | None = None,
        policy: AttemptPolicy | None = None,
        opens_at: datetime.datetime | None = None,
        closes_at: datetime.datetime | None = None,
        due_at: datetime.datetime | None = None,
        late_policy: LatePolicy | None = None,
    ) -> Assessment: ...
    def update_assessment(self, assessment_id: IdLike, **changes: Unpack[AssessmentChanges]) -> Assessment: ...
    def get_assessment(self, assessment_id: IdLike) -> Assessment: ...
    def assessment_questions(self, assessment_id: IdLike) -> list[dict[str, Any]]: ...
    def publish_course(self, course_id: IdLike) -> Course: ...
    # studying
    def enroll(self, course_id: IdLike) -> Enrollment: ...
    def record_content_progress(self, block_id: IdLike, progress_data: Mapping[str, Any], seconds: int = 0) -> Progress: ...
    def start_attempt(self, assessment_id: IdLike) -> StartedAttempt: ...
    def save_answers(self, assessment_id: IdLike, answers: Mapping[str, Any]) -> Attempt: ...
    def submit_attempt(self, assessment_id: IdLike, answers: Mapping[str, Any], *, allow_empty: bool = False) -> SubmittedAttempt: ...
    def my_attempts(self, assessment_id: IdLike) -> list[Attempt]: ...
    def attempt_review(self, attempt_id: IdLike) -> AttemptReview: ...
    def grade_essay(self, attempt_id: IdLike, question_id: str, points: int, comment: str | None = None) -> Attempt: ...
    def override_question(self, attempt_id: IdLike, question_id: str, points: float, comment: str | None = None) -> Attempt: ...
    def regrade_assessment(self, assessment_id: IdLike, *, dry_run: bool = False) -> RegradeReport: ...
    def close_overdue_attempts(self, limit: int = 500) -> ClosedAttempts: ...
    # staff
    def add_staff(self, course_id: IdLike, user_id: IdLike, role: StaffRoleName) -> CourseStaff: ...
    def remove_staff(self, course_id: IdLike, user_id: IdLike) -> None: ...
    def set_grading_scheme(self, course_id: IdLike, scheme: Mapping[str, Json]) -> Course: ...
    def course_grades(self, course_id: IdLike) -> CourseGradeColumns: ...
    def course_grades_page(self, course_id: IdLike, *, limit: int = 50, offset: int = 0) -> CourseGradesPage: ...
    def list_staff(self, course_id: IdLike) -> list[CourseStaff]: ...
    # delivery
    def set_accommodation(
        self,
        course_id: IdLike,
        student_id: IdLike,
        *,
        assessment_id: IdLike | None = None,
        extra_minutes: int = 0,
        time_factor: float = 1.0,
        extra_attempts: int = 0,
        closes_at: datetime.datetime | None = None,
        due_at: datetime.datetime | None = None,
    ) -> Accommodation: ...
    def remove_accommodation(self, accommodation_id: IdLike) -> None: ...
    def list_accommodations(self, course_id: IdLike) -> list[Accommodation]: ...
    def assessment_rules(self, assessment_id: IdLike, student_id: IdLike) -> AttemptRules: ...
    def my_progress(self, course_id: IdLike) -> list[Progress]: ...
    def my_enrollments(self) -> list[MyEnrollment]: ...
    def my_learning_progress(self) -> list[LearningProgress]: ...
    def my_roadmaps(self) -> list[Roadmap]: ...
    # roadmaps
    def roadmap_input(self, course_id: IdLike) -> dict[str, Any]: ...
    def generate_roadmap(self, course_id: IdLike, student_id: IdLike | None = None) -> CourseRoadmap: ...
    def current_roadmap(self, course_id: IdLike, student_id: IdLike | None = None) -> CourseRoadmap | None: ...
    def propose_roadmap(
        self, course_id: IdLike, proposal: Mapping[str, Any], *, source: str = "advisor", reasoning: str | None = None
    ) -> ProposalOutcome: ...
    def regenerate_roadmaps(self, course_id: IdLike) -> Regenerated: ...
    def knowledge_model(self, course_id: IdLike) -> KnowledgeModel: ...
    def set_knowledge_model(self, course_id: IdLike, params: Mapping[str, float], skill: str | None = None) -> KnowledgeModel: ...
    def fit_knowledge_model(
        self,
        course_id: IdLike,
        *,
        restarts: int = 5,
        seed: int = 42,
        max_iterations: int = 100,
        tolerance: float = 1e-6,
        forgets: bool = False,
    ) -> FittedModel: ...
    # people
    def my_profile(self) -> Profile: ...
    def update_profile(self, user_id: IdLike, **changes: Unpack[ProfileChanges]) -> Profile: ...
    def set_role(self, user_id: IdLike, role: UserRoleName | str) -> Profile: ...
    def sign_up(
        self,
        email: str,
        *,
        role: UserRoleName | str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> Profile: ...
    def ensure_profile(self, user_id: IdLike, email: str | None = None) -> Profile: ...
    def export_user_data(self, user_id: IdLike) -> UserExport: ...
    def erase_user(self, user_id: IdLike, successor: IdLike | None = None) -> Erasure: ...
    # audit
    def audit_log(
        self,
        *,
        table_name: str | None = None,
        row_id: IdLike | None = None,
        actor_id: IdLike | None = None,
        action: str | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Paged[AuditEntry]: ...
    def record_failed_sign_in(self, email: str, reason: str) -> int: ...
    # read models
    def gradebook(self, course_id: IdLike) -> GradebookColumns: ...
    def gradebook_page(self, course_id: IdLike, *, limit: int = 50, offset: int = 0) -> GradebookPage: ...
    def student_dashboard(self) -> Dashboard: ...
    # course analytics
    def completion_funnel(self, course_id: IdLike) -> CompletionFunnel: ...
    def item_analysis(self, assessment_id: IdLike, *, attempts: AttemptFilterName = "all") -> ItemAnalysis: ...
    def at_risk_students(self, course_id: IdLike, **thresholds: Unpack[RiskThresholds]) -> AtRiskReport: ...
    def activity(
        self,
        course_id: IdLike,
        *,
        bucket: BucketName = "day",
        since: datetime.date | None = None,
        until: datetime.date | None = None,
    ) -> ActivityColumns: ...
    # stored documents
    def check_documents(self) -> DocumentReport: ...
    def repair_documents(self) -> DocumentRepair: ...
