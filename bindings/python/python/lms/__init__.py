"""lms: the data layer of a personalized learning-management system, from Python.

The rules (scoring, attempt and time limits, prerequisites, progress, publishing,
document validation) and the PostgreSQL use cases are the Rust library's, called through
the native module ``lms._native``: nothing is re-implemented in Python.

Pure rules need no database::

    import lms
    lms.score(questions, answers, passing=70)

The database goes through a client, and a scope per actor::

    client = lms.connect("postgres://…")
    me = client.as_user(user_id)      # the sub of a token your back end verified
    me.enroll(course_id)

Every refusal is an ``lms.LmsError`` subclass with ``.code`` (the Rust
``ErrorCode``), ``.problems`` and ``.details``. ``lms.aio`` has the same surface as
coroutines.
"""

from __future__ import annotations

import enum

from . import _native
from ._native import (
    DOCUMENTS,
    ERROR_CODES,
    HTTP_STATUS,
    RULES,
    AlreadyEnrolled,
    AttemptLimitReached,
    AttemptNotStarted,
    Client,
    Conflict,
    DatabaseError,
    Forbidden,
    InvalidDocument,
    InvalidTransition,
    LmsError,
    NoAnswers,
    NoProfile,
    NotEnrolled,
    NotFound,
    NotPublishable,
    PrerequisitesUnmet,
    Scope,
    TimeLimitExceeded,
    apply,
    auc,
    bkt_predict,
    bkt_update,
    call_rule,
    check_roadmap,
    decide_roadmap,
    fit_bkt,
    plan_roadmap,
    trace_knowledge,
    connect,
    course_complete,
    grade,
    grade_attempts,
    grade_essay,
    grade_question,
    json_schema,
    lesson_progress,
    may_start,
    missing,
    publish_problems,
    regrade,
    score,
    score_many,
    student_view,
    submission,
    topological_order,
    transition,
    unlocked,
    validate,
    validate_content,
)

__version__: str = _native.__version__


class UserRole(str, enum.Enum):
    """Role of a user (`user_role`)."""

    STUDENT = "student"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class DifficultyLevel(str, enum.Enum):
    """Difficulty of a course (`difficulty_level`)."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class ContentType(str, enum.Enum):
    """Kind of a content block (`content_type`)."""

    RICH_TEXT = "rich_text"
    IMAGE = "image"
    VIDEO = "video"
    FILE = "file"
    YOUTUBE = "youtube"


class RoadmapStatus(str, enum.Enum):
    """Status of a personalized roadmap (`roadmap_status`)."""

    ACTIVE = "active"
    COMPLETED = "completed"
    PAUSED = "paused"


class ProgressStatus(str, enum.Enum):
    """Progress on a lesson or assessment (`progress_status`)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    BLOCKED = "blocked"


class GradingMethod(str, enum.Enum):
    """How the scores of several attempts combine (`lms.grade`)."""

    HIGHEST = "highest"
    FIRST = "first"
    LAST = "last"
    AVERAGE = "average"


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
    "ContentType",
    "DatabaseError",
    "DifficultyLevel",
    "Forbidden",
    "GradingMethod",
    "InvalidDocument",
    "InvalidTransition",
    "LmsError",
    "NoAnswers",
    "NoProfile",
    "NotEnrolled",
    "NotFound",
    "NotPublishable",
    "PrerequisitesUnmet",
    "ProgressStatus",
    "RoadmapStatus",
    "Scope",
    "TimeLimitExceeded",
    "UserRole",
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
]
