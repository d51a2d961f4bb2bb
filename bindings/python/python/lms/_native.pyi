"""Type stubs of the native module ``lms._native`` (the Rust bindings). Import ``lms``."""

import datetime
import uuid
from typing import Any, Generic, Literal, Mapping, Sequence, TypeVar, TypedDict, Union

from typing_extensions import NotRequired, Unpack

__all__ = [
    "DOCUMENTS",
    "ERROR_CODES",
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
    "call_rule",
    "connect",
    "course_complete",
    "grade",
    "grade_essay",
    "json_schema",
    "lesson_progress",
    "may_start",
    "missing",
    "publish_problems",
    "score",
    "score_many",
    "student_view",
    "submission",
    "topological_order",
    "transition",
    "unlocked",
    "validate",
    "validate_content",
]

__version__: str

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

DOCUMENTS: list[str]
ERROR_CODES: list[str]
RULES: list[str]

# errors -----------------------------------------------------------------------------

class LmsError(Exception):
    """Every refusal of the library: ``code`` is the stable code, ``problems`` and
    ``details`` say more; each detail is also an attribute of its own."""

    code: str
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

# results ----------------------------------------------------------------------------

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
    created_at: datetime.datetime
    updated_at: datetime.datetime

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
    total_points: int | None
    passed: bool | None
    time_spent_seconds: int | None
    started_at: datetime.datetime
    submitted_at: datetime.datetime | None
    feedback: dict[str, Any] | None

class StartedAttempt(TypedDict):
    attempt: Attempt
    questions: list[dict[str, Any]]
    deadline: datetime.datetime | None
    resumed: bool

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
    points_earned: int
    total_points: int
    score: int | None
    passed: bool | None
    feedback: dict[str, Any]

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

class LessonChanges(TypedDict, total=False):
    title: str
    description: str | None
    order_index: int
    learning_objectives: list[str]
    estimated_duration_minutes: int | None
    assessment_id: IdLike | None
    prerequisites: list[IdLike]
    is_published: bool

class AssessmentChanges(TypedDict, total=False):
    title: str
    description: str | None
    questions: list[Mapping[str, Any]]
    is_mandatory: bool
    minimum_passing_score: int
    max_attempts: int | None
    time_limit_minutes: int | None

class ProfileChanges(TypedDict, total=False):
    first_name: str | None
    last_name: str | None
    avatar_url: str | None
    learning_preferences: Mapping[str, Any]
    knowledge_profile: Mapping[str, Any]

# pure rules -------------------------------------------------------------------------

def validate(document: str, value: Json) -> Json: ...
def json_schema(document: str) -> dict[str, Any]: ...
def validate_content(content_type: ContentTypeName | str, value: Json) -> dict[str, Any]: ...
def score(questions: Json, answers: Json, passing: int = 70) -> Scored: ...
def score_many(questions: Json, answers: Sequence[Json], passing: int = 70) -> list[Scored]: ...
def grade_essay(scored: Mapping[str, Any], question_id: str, points: int, comment: str | None = None) -> Scored: ...
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
def call_rule(function: str, input: Mapping[str, Any]) -> Json: ...

# the database -----------------------------------------------------------------------

def connect(url: str, *, max_connections: int | None = None, acquire_timeout: float | None = None) -> Client: ...

class Client:
    """A pool of connections, safe to share between threads; a context manager."""

    @property
    def closed(self) -> bool: ...
    def migrate(self) -> None: ...
    def as_user(self, user_id: IdLike) -> Scope: ...
    def as_anon(self) -> Scope: ...
    def as_service(self) -> Scope: ...
    def close(self) -> None: ...
    def __enter__(self) -> Client: ...
    def __exit__(self, *_exc: object) -> bool: ...

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
    def grade_essay(self, attempt_id: IdLike, question_id: str, points: int, comment: str | None = None) -> Attempt: ...
    def my_progress(self, course_id: IdLike) -> list[Progress]: ...
    def my_enrollments(self) -> list[MyEnrollment]: ...
    def my_learning_progress(self) -> list[LearningProgress]: ...
    def my_roadmaps(self) -> list[Roadmap]: ...
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
    # stored documents
    def check_documents(self) -> DocumentReport: ...
    def repair_documents(self) -> DocumentRepair: ...
