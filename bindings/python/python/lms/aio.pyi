"""Type stubs of ``lms.aio``: ``lms.Scope``'s use cases as coroutines."""

import datetime
import uuid
from typing import Any, Literal, Mapping, Sequence

from typing_extensions import Unpack

from . import _native
from .records import (
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
    AssessmentChanges,
    Assessment,
    Attempt,
    AttemptPolicy,
    ClosedAttempts,
    RegradeReport,
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
    LearningProgress,
    Lesson,
    LessonChanges,
    MyEnrollment,
    OutlineLesson,
    Paged,
    Profile,
    ProfileChanges,
    Progress,
    Roadmap,
    CourseRoadmap,
    FittedModel,
    KnowledgeModel,
    ProposalOutcome,
    Regenerated,
    StartedAttempt,
    SubmittedAttempt,
    UserExport,
    UserRoleName,
)

__all__ = ["Client", "Scope", "connect"]

async def connect(url: str, *, max_connections: int | None = None, acquire_timeout: float | None = None) -> Client: ...

class Client:
    def __init__(self, native: _native.Client) -> None: ...
    @property
    def closed(self) -> bool: ...
    async def migrate(self) -> None: ...
    def as_user(self, user_id: IdLike) -> Scope: ...
    def as_anon(self) -> Scope: ...
    def as_service(self) -> Scope: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> Client: ...
    async def __aexit__(self, *_exc: object) -> bool: ...

class Scope:
    def __init__(self, native: _native.Scope) -> None: ...
    @property
    def actor(self) -> tuple[Literal["user", "anon", "service"], uuid.UUID | None]: ...
    async def create_course(
        self,
        title: str,
        instructor_id: IdLike,
        *,
        description: str | None = None,
        tags: Sequence[str] | None = None,
        difficulty_level: DifficultyName | str | None = None,
        estimated_duration_minutes: int | None = None,
    ) -> Course: ...
    async def get_course(self, course_id: IdLike) -> Course: ...
    async def list_courses(
        self,
        *,
        tag: str | None = None,
        difficulty: DifficultyName | str | None = None,
        published: bool | None = None,
        instructor_id: IdLike | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Paged[Course]: ...
    async def update_course(self, course_id: IdLike, **changes: Unpack[CourseChanges]) -> Course: ...
    async def delete_course(self, course_id: IdLike) -> None: ...
    async def create_lesson(
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
    async def list_lessons(self, course_id: IdLike) -> list[Lesson]: ...
    async def course_outline(self, course_id: IdLike) -> list[OutlineLesson]: ...
    async def update_lesson(self, lesson_id: IdLike, **changes: Unpack[LessonChanges]) -> Lesson: ...
    async def reorder_lessons(self, course_id: IdLike, order: Sequence[IdLike]) -> list[Lesson]: ...
    async def create_block(
        self,
        lesson_id: IdLike,
        content_type: ContentTypeName | str,
        content: Mapping[str, Any],
        order_index: int,
        *,
        metadata: Mapping[str, Any] | None = None,
    ) -> ContentBlock: ...
    async def list_blocks(self, lesson_id: IdLike) -> list[ContentBlock]: ...
    async def update_block(
        self,
        block_id: IdLike,
        *,
        content_type: ContentTypeName | str | None = None,
        content: Mapping[str, Any] | None = None,
        order_index: int | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> ContentBlock: ...
    async def reorder_blocks(self, lesson_id: IdLike, order: Sequence[IdLike]) -> list[ContentBlock]: ...
    async def create_assessment(
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
    async def update_assessment(self, assessment_id: IdLike, **changes: Unpack[AssessmentChanges]) -> Assessment: ...
    async def get_assessment(self, assessment_id: IdLike) -> Assessment: ...
    async def assessment_questions(self, assessment_id: IdLike) -> list[dict[str, Any]]: ...
    async def publish_course(self, course_id: IdLike) -> Course: ...
    async def enroll(self, course_id: IdLike) -> Enrollment: ...
    async def record_content_progress(self, block_id: IdLike, progress_data: Mapping[str, Any], seconds: int = 0) -> Progress: ...
    async def start_attempt(self, assessment_id: IdLike) -> StartedAttempt: ...
    async def save_answers(self, assessment_id: IdLike, answers: Mapping[str, Any]) -> Attempt: ...
    async def submit_attempt(self, assessment_id: IdLike, answers: Mapping[str, Any], *, allow_empty: bool = False) -> SubmittedAttempt: ...
    async def my_attempts(self, assessment_id: IdLike) -> list[Attempt]: ...
    async def grade_essay(self, attempt_id: IdLike, question_id: str, points: int, comment: str | None = None) -> Attempt: ...
    async def override_question(self, attempt_id: IdLike, question_id: str, points: float, comment: str | None = None) -> Attempt: ...
    async def regrade_assessment(self, assessment_id: IdLike, *, dry_run: bool = False) -> RegradeReport: ...
    async def close_overdue_attempts(self, limit: int = 500) -> ClosedAttempts: ...
    # staff
    async def add_staff(self, course_id: IdLike, user_id: IdLike, role: StaffRoleName) -> CourseStaff: ...
    async def remove_staff(self, course_id: IdLike, user_id: IdLike) -> None: ...
    async def list_staff(self, course_id: IdLike) -> list[CourseStaff]: ...
    # delivery
    async def set_accommodation(
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
    async def remove_accommodation(self, accommodation_id: IdLike) -> None: ...
    async def list_accommodations(self, course_id: IdLike) -> list[Accommodation]: ...
    async def assessment_rules(self, assessment_id: IdLike, student_id: IdLike) -> AttemptRules: ...
    async def my_progress(self, course_id: IdLike) -> list[Progress]: ...
    async def my_enrollments(self) -> list[MyEnrollment]: ...
    async def my_learning_progress(self) -> list[LearningProgress]: ...
    async def my_roadmaps(self) -> list[Roadmap]: ...
    async def roadmap_input(self, course_id: IdLike) -> dict[str, Any]: ...
    async def generate_roadmap(self, course_id: IdLike, student_id: IdLike | None = None) -> CourseRoadmap: ...
    async def current_roadmap(self, course_id: IdLike, student_id: IdLike | None = None) -> CourseRoadmap | None: ...
    async def propose_roadmap(
        self, course_id: IdLike, proposal: Mapping[str, Any], *, source: str = "advisor", reasoning: str | None = None
    ) -> ProposalOutcome: ...
    async def regenerate_roadmaps(self, course_id: IdLike) -> Regenerated: ...
    async def knowledge_model(self, course_id: IdLike) -> KnowledgeModel: ...
    async def set_knowledge_model(self, course_id: IdLike, params: Mapping[str, float], skill: str | None = None) -> KnowledgeModel: ...
    async def fit_knowledge_model(
        self,
        course_id: IdLike,
        *,
        restarts: int = 5,
        seed: int = 42,
        max_iterations: int = 100,
        tolerance: float = 1e-6,
        forgets: bool = False,
    ) -> FittedModel: ...
    async def my_profile(self) -> Profile: ...
    async def update_profile(self, user_id: IdLike, **changes: Unpack[ProfileChanges]) -> Profile: ...
    async def set_role(self, user_id: IdLike, role: UserRoleName | str) -> Profile: ...
    async def sign_up(
        self,
        email: str,
        *,
        role: UserRoleName | str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> Profile: ...
    async def ensure_profile(self, user_id: IdLike, email: str | None = None) -> Profile: ...
    async def export_user_data(self, user_id: IdLike) -> UserExport: ...
    async def erase_user(self, user_id: IdLike, successor: IdLike | None = None) -> Erasure: ...
    async def audit_log(
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
    async def record_failed_sign_in(self, email: str, reason: str) -> int: ...
    async def gradebook(self, course_id: IdLike) -> GradebookColumns: ...
    async def gradebook_page(self, course_id: IdLike, *, limit: int = 50, offset: int = 0) -> GradebookPage: ...
    async def student_dashboard(self) -> Dashboard: ...
    # course analytics
    async def completion_funnel(self, course_id: IdLike) -> CompletionFunnel: ...
    async def item_analysis(self, assessment_id: IdLike, *, attempts: AttemptFilterName = "all") -> ItemAnalysis: ...
    async def at_risk_students(self, course_id: IdLike, **thresholds: Unpack[RiskThresholds]) -> AtRiskReport: ...
    async def activity(
        self,
        course_id: IdLike,
        *,
        bucket: BucketName = "day",
        since: datetime.date | None = None,
        until: datetime.date | None = None,
    ) -> ActivityColumns: ...
    async def check_documents(self) -> DocumentReport: ...
    async def repair_documents(self) -> DocumentRepair: ...
