"""Every pure rule from Python: the values in and out, and the refusals."""

from __future__ import annotations

import datetime
import uuid

import pytest

import lms

UTC = datetime.timezone.utc
A, B, C = (uuid.UUID(int=i) for i in (1, 2, 3))


def tf(qid: str = "q1", points: int = 1, correct: bool = True) -> dict[str, object]:
    return {"type": "true_false", "id": qid, "prompt": "?", "points": points, "correct": correct}


def test_validate_returns_the_normalized_document_or_every_problem() -> None:
    clean = lms.validate("content_data", {"rich_text": {"html": "<p onclick='x()'>Hi</p><script>1</script>"}})
    assert clean == {"rich_text": {"html": "<p>Hi</p>", "plain_text": "Hi"}}
    with pytest.raises(lms.InvalidDocument) as refused:
        lms.validate("learning_preferences", {"preferred_pace": "warp"})
    e = refused.value
    assert e.code == "invalid_document" and e.document == "learning_preferences"
    paths = {path for path, _ in e.problems}
    assert {"/preferred_pace", "/preferred_media_types", "/learning_style"} <= paths
    assert all(isinstance(reason, str) and reason for _, reason in e.problems)
    with pytest.raises(lms.InvalidDocument):
        lms.validate("recipe", {})
    assert set(lms.DOCUMENTS) >= {"question_set", "answers", "content_data", "block_metadata"}


def test_json_schema_of_every_document() -> None:
    for name in lms.DOCUMENTS:
        schema = lms.json_schema(name)
        assert schema["$schema"].startswith("https://json-schema.org/"), name


def test_validate_content_checks_the_type() -> None:
    image = {"image": {"url": "https://cdn.example.org/a.png", "alt_text": "A"}}
    assert lms.validate_content("image", image) == image
    assert lms.validate_content(lms.ContentType.IMAGE, image) == image
    with pytest.raises(lms.InvalidDocument):
        lms.validate_content("video", image)


def test_score_and_grade_an_essay() -> None:
    questions = [tf("q1", 2), {"type": "essay", "id": "q2", "prompt": "Why?", "points": 8}]
    scored = lms.score(questions, {"q1": {"type": "true_false", "value": True},
                                   "q2": {"type": "essay", "text": "Because"}})
    assert (scored["points_earned"], scored["total_points"], scored["score"], scored["passed"]) == (2, 10, None, None)
    graded = lms.grade_essay(scored, "q2", 6, "fine")
    assert (graded["score"], graded["passed"]) == (80, True)
    with pytest.raises(lms.InvalidDocument) as refused:
        lms.grade_essay(scored, "q2", 9)
    assert ("/points", refused.value.problems[0][1]) == refused.value.problems[0]


def test_score_refuses_answers_that_do_not_fit() -> None:
    with pytest.raises(lms.InvalidDocument) as refused:
        lms.score([tf()], {"q9": {"type": "true_false", "value": True}})
    assert refused.value.problems[0][0] == "/q9"
    assert refused.value.document == "answers"


def test_score_many_scores_each_sheet_and_names_the_bad_one() -> None:
    sheets = [{"q1": {"type": "true_false", "value": v}} for v in (True, False)] + [{}]
    columns = lms.score_many([tf()], sheets)
    assert columns == {"points_earned": [1, 0, 0], "total_points": [1, 1, 1], "score": [100, 0, 0],
                       "passed": [True, False, False]}
    with_feedback = lms.score_many([tf()], sheets, feedback=True)
    assert [f["questions"][0]["outcome"] for f in with_feedback["feedback"]] == ["correct", "incorrect", "unanswered"]
    with pytest.raises(TypeError):
        lms.score_many([tf()], {"not": "a list"})
    with pytest.raises(lms.InvalidDocument) as refused:
        lms.score_many([tf()], [{}, {"q7": {"type": "true_false", "value": True}}])
    assert refused.value.problems[0][0] == "/1/q7"


def test_may_start_and_submission() -> None:
    rules = {"max_attempts": 1, "time_limit_minutes": 10, "grace_seconds": 30, "retake_policy": "forbid",
             "time_limit_policy": "autosubmit", "grading_method": "highest"}
    assert lms.may_start(rules) == {"kind": "new", "attempt_number": 1}
    start = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    previous = [{"attempt_number": 1, "started_at": start, "submitted_at": start + datetime.timedelta(minutes=5),
                 "score": 40, "passed": False}]
    with pytest.raises(lms.AttemptLimitReached) as refused:
        lms.may_start(rules, previous, now=start + datetime.timedelta(hours=1))
    assert (refused.value.max, refused.value.max_attempts, refused.value.details) == (1, 1, {"max_attempts": 1})
    with pytest.raises(lms.PrerequisitesUnmet) as locked:
        lms.may_start(rules, [], [A])
    assert locked.value.missing == [A]
    verdict = lms.submission(start, start + datetime.timedelta(minutes=11),
                             [{"question_id": "q1", "answered_at": start + datetime.timedelta(minutes=10, seconds=20)},
                              {"question_id": "q2", "answered_at": start + datetime.timedelta(minutes=10, seconds=40)}],
                             rules)
    assert verdict == {"kept": ["q1"], "dropped": ["q2"], "late": True,
                       "submitted_at": start + datetime.timedelta(minutes=10), "time_spent_seconds": 600,
                       "past_due_seconds": None}
    with pytest.raises(ValueError, match="timezone-aware"):
        lms.submission(datetime.datetime(2026, 1, 1), datetime.datetime(2026, 1, 2))


def test_grade_over_attempts() -> None:
    assert lms.grade([40, 90, 70]) == 90
    assert lms.grade([70, 75], method="average") == 72  # the mean 72.5, rounded down
    assert lms.grade([70, 75], method=lms.GradingMethod.FIRST) == 70
    assert lms.grade([]) is None
    with pytest.raises(lms.InvalidDocument):
        lms.grade([1], method="median")


def test_prerequisites() -> None:
    lessons = [{"id": C, "prerequisites": [A, B]}, {"id": B, "prerequisites": [A]}, {"id": str(A)}]
    assert lms.topological_order(lessons) == [A, B, C]
    assert lms.unlocked(lessons, [A]) == [A, B]
    assert lms.missing(lessons, C, [A]) == [B]
    with pytest.raises(lms.InvalidDocument):
        lms.topological_order([{"id": A, "prerequisites": [A]}])
    with pytest.raises(lms.NotFound):
        lms.missing(lessons, uuid.UUID(int=9))


def test_progress() -> None:
    event = {"kind": "content_progress", "blocks_done": 1, "blocks_total": 4, "assessment": "not_required"}
    assert lms.transition("not_started", event) == "in_progress"
    assert lms.transition(lms.ProgressStatus.NOT_STARTED, event) == lms.ProgressStatus.IN_PROGRESS
    with pytest.raises(lms.InvalidTransition) as refused:
        lms.transition("blocked", event)
    assert refused.value.details == {"from": "blocked", "event": "content_progress"}
    assert lms.apply({"status": "not_started", "completion_percentage": 0}, event) == {
        "status": "in_progress", "completion_percentage": 25}
    facts = {"prerequisites_met": True, "blocks_done": 0, "blocks_total": 0, "assessment": "passed",
             "accessed": False, "previous": None}
    assert lms.lesson_progress(facts) == {"status": "completed", "completion_percentage": 100}
    assert lms.course_complete(["completed"], "passed") is True
    assert lms.course_complete(["completed", "in_progress"]) is False


def test_publish_problems_lists_every_one() -> None:
    now = datetime.datetime.now(UTC)
    course = {"id": A, "title": "Rust", "description": None, "instructor_id": B, "final_assessment_id": None,
              "tags": [], "difficulty_level": None, "estimated_duration_minutes": None, "is_published": False,
              "created_at": now, "updated_at": now}
    problems = lms.publish_problems({"course": course})
    assert {p["problem"] for p in problems} >= {"no_lessons"}


def test_student_view_keeps_no_answer_key() -> None:
    seen = lms.student_view([{**tf(), "explanation": "secret"}])
    assert seen == [{"type": "true_false", "id": "q1", "prompt": "?", "points": 1}]


def test_bad_values_from_python_are_type_and_value_errors() -> None:
    with pytest.raises(TypeError):
        lms.score([tf()], {"q1": object()})
    with pytest.raises(TypeError, match="keys must be str"):
        lms.validate("answers", {1: {}})
    with pytest.raises(ValueError, match="finite"):
        lms.validate("block_metadata", {"x": float("nan")})
    with pytest.raises(ValueError, match="too large"):
        lms.validate("block_metadata", {"x": 10**30})
    deep: object = {}
    for _ in range(200):
        deep = {"a": deep}
    with pytest.raises(ValueError, match="deeper"):
        lms.validate("block_metadata", deep)
    # A lone surrogate is no Unicode text: no JSON document or PostgreSQL text can hold it.
    with pytest.raises(ValueError, match="lone surrogate"):
        lms.score([{**tf(), "prompt": "\ud800"}], {})
    with pytest.raises(ValueError, match="lone surrogate"):
        lms.validate("answers", {"q\udfff": {"type": "true_false", "value": True}})
    with pytest.raises(ValueError, match="lone surrogate"):
        lms.unlocked([], ["\ud800"])
    with pytest.raises(TypeError):
        lms.score([tf()], {}, passing="seventy")  # type: ignore[arg-type]
    with pytest.raises(lms.InvalidDocument):
        lms.score(None, None)
    with pytest.raises(lms.InvalidDocument):
        lms.may_start({"max_attempts": "many"})


def test_every_error_code_has_its_class() -> None:
    names = {"invalid_document": lms.InvalidDocument, "not_found": lms.NotFound, "forbidden": lms.Forbidden,
             "no_profile": lms.NoProfile, "already_enrolled": lms.AlreadyEnrolled,
             "not_enrolled": lms.NotEnrolled, "attempt_limit_reached": lms.AttemptLimitReached,
             "attempt_not_started": lms.AttemptNotStarted, "no_answers": lms.NoAnswers,
             "time_limit_exceeded": lms.TimeLimitExceeded, "prerequisites_unmet": lms.PrerequisitesUnmet,
             "invalid_transition": lms.InvalidTransition, "not_publishable": lms.NotPublishable,
             "conflict": lms.Conflict, "database": lms.DatabaseError}
    assert sorted(names) == sorted(lms.ERROR_CODES)
    assert all(issubclass(cls, lms.LmsError) for cls in names.values())
