"""Row Level Security seen from Python, and what the binding does not expose."""

from __future__ import annotations

import uuid

import pytest

import lms
from conftest import World, answers


def test_a_student_cannot_read_another_students_attempts_or_an_answer_key(world: World) -> None:
    c = world.client
    sam, kim = c.as_user(world.student), c.as_user(world.other_student)
    sam.enroll(world.course)
    kim.enroll(world.course)
    attempt = sam.submit_attempt(world.quiz1, answers(2))["attempt"]
    assert kim.my_attempts(world.quiz1) == []
    # the gradebook and the service see it; kim does not
    with pytest.raises(lms.Forbidden):
        kim.gradebook(world.course)
    with pytest.raises(lms.NotFound):  # RLS: kim does not even see it
        kim.grade_essay(attempt["id"], "q1", 1)
    # answer keys: students get the student view; get_assessment is for authors
    for question in kim.assessment_questions(world.quiz1):
        assert not {"fraction", "correct", "accepted", "explanation"} & question.keys()
        for option in question.get("options", []):
            assert set(option) == {"id", "text"}
    with pytest.raises(lms.Forbidden):
        kim.get_assessment(world.quiz1)
    with pytest.raises(lms.Forbidden):
        kim.export_user_data(world.student)


def test_an_instructor_cannot_read_another_instructors_gradebook(world: World) -> None:
    grace = world.client.as_user(world.other_instructor)
    with pytest.raises(lms.Forbidden) as refused:
        grace.gradebook(world.course)
    assert refused.value.code == "forbidden"
    with pytest.raises(lms.Forbidden):
        grace.update_course(world.course, title="mine now")
    assert world.client.as_user(world.instructor).gradebook(world.course)["student_id"] == []


def test_anonymous_visitors_read_the_catalog_only(world: World) -> None:
    anon = world.client.as_anon()
    assert anon.actor == ("anon", None)
    assert anon.get_course(world.course)["title"] == "Rust"
    for call in (anon.student_dashboard, anon.my_profile, lambda: anon.enroll(world.course),
                 lambda: anon.list_blocks(world.lesson1)):
        with pytest.raises(lms.LmsError) as refused:
            call()
        assert refused.value.code in {"forbidden", "not_found"}


def test_the_binding_exposes_no_sql_transaction_or_role_switch() -> None:
    public = {name for cls in (lms.Client, lms.Scope) for name in dir(cls) if not name.startswith("_")}
    for forbidden in ("begin", "execute", "query", "sql", "conn", "transaction", "set_role_to", "pool", "raw"):
        # set_role: an admin's use case on profiles; pool_stats, pooled: the pool's
        # statistics and whether it goes through a pooler (numbers and a flag, no connection)
        allowed = {"set_role", "pool_stats", "pooled"}
        assert not any(forbidden in name for name in public if name not in allowed), (forbidden, public)


def test_errors_carry_their_code_and_details(world: World) -> None:
    c = world.client
    me = c.as_user(world.student)
    with pytest.raises(lms.NotEnrolled) as not_enrolled:
        me.assessment_questions(world.quiz1)
    assert not_enrolled.value.details["course_id"] == world.course
    me.enroll(world.course)
    with pytest.raises(lms.NoAnswers):
        me.submit_attempt(world.quiz1, {})
    for _ in range(3):
        me.submit_attempt(world.quiz1, answers(0))
    with pytest.raises(lms.AttemptLimitReached) as limit:
        me.submit_attempt(world.quiz1, answers(2))
    assert (limit.value.code, limit.value.max) == ("attempt_limit_reached", 3)
    assert "3" in str(limit.value)
    c.as_user(world.instructor).update_assessment(world.quiz2, time_limit_minutes=5)
    with pytest.raises(lms.PrerequisitesUnmet):
        me.start_attempt(world.quiz2)
    c.as_user(world.instructor).update_assessment(world.final, time_limit_minutes=5)
    with pytest.raises(lms.AttemptNotStarted) as not_started:
        me.assessment_questions(world.final)
    assert not_started.value.details["assessment_id"] == world.final
    with pytest.raises(lms.NotFound) as missing:
        me.get_course("00000000-0000-4000-8000-000000000000")
    assert missing.value.details == {"entity": "course", "id": uuid.UUID("00000000-0000-4000-8000-000000000000")}
    with pytest.raises(lms.InvalidDocument) as nul:
        me.list_courses(tag="a\0b")
    assert nul.value.problems[0][0] == "/tag"
    with pytest.raises(ValueError, match="not a UUID"):
        me.get_course("nope")
    with pytest.raises(TypeError):
        me.get_course(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        me.create_course(None, world.student)  # type: ignore[arg-type]
