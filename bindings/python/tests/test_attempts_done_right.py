"""Attempts done right, from Python: exact scoring, frozen questions, regrade, manual
override, the stored attempt policy, closing overdue attempts."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

import lms

from conftest import World, answers


def multi(points: int = 1) -> dict[str, Any]:
    return {"type": "multiple_choice", "id": "m", "prompt": "Both?", "points": points, "multiple": True,
            "options": [{"id": "a", "text": "A", "fraction": 0.5}, {"id": "b", "text": "B", "fraction": 0.5},
                        {"id": "c", "text": "C", "fraction": -1}]}


def test_exact_points_and_passing_on_the_exact_percentage() -> None:
    # half of a 1-point multi-select is 0.5 points, partially correct
    half = lms.score([multi()], {"m": {"type": "multiple_choice", "selected": ["a"]}}, passing=50)
    assert (half["points_earned"], half["score"], half["percentage"], half["passed"]) == (0.5, 50, 50.0, True)
    assert half["feedback"]["questions"][0]["outcome"] == "partial"
    # 69.5 % fails a 70 % bar; the stored score is 69
    q = {"type": "multiple_choice", "id": "m", "prompt": "?", "points": 2, "multiple": True,
         "options": [{"id": "a", "text": "A", "fraction": 0.695}, {"id": "b", "text": "B", "fraction": 0.305}]}
    near = lms.score([q], {"m": {"type": "multiple_choice", "selected": ["a"]}})
    assert (near["points_earned"], near["score"], near["passed"]) == (1.39, 69, False)
    # a literal star in a short answer
    star = {"type": "short_answer", "id": "s", "prompt": "?", "points": 1, "accepted": [{"text": "a \\* b", "fraction": 1}]}
    assert lms.score([star], {"s": {"type": "short_answer", "text": " a * b "}})["points_earned"] == 1
    assert lms.score([star], {"s": {"type": "short_answer", "text": "a x b"}})["points_earned"] == 0
    # columns of a batch carry the exact points
    columns = lms.score_many([multi()], [{"m": {"type": "multiple_choice", "selected": ["a"]}}])
    assert columns["points_earned"] == [0.5]


def test_override_regrade_and_grade_attempts_as_pure_rules() -> None:
    given = {"m": {"type": "multiple_choice", "selected": ["a"]}}
    scored = lms.score([multi()], given, passing=70)
    over = lms.grade_question(scored, "m", 0.75, "close enough")
    entry = over["feedback"]["questions"][0]
    assert (entry["points_earned"], entry["manual"], entry["grader_comment"]) == (0.75, True, "close enough")
    assert (over["score"], over["passed"]) == (75, True)
    with pytest.raises(lms.InvalidDocument):
        lms.grade_question(scored, "m", 1.5)
    # the override survives a regrade; an unchanged set changes nothing
    assert lms.regrade([multi()], given, over["feedback"], passing=70) == over
    fresh = lms.regrade([multi()], given, scored["feedback"], passing=70)
    assert fresh["points_earned"] == 0.5
    attempt = {"attempt_number": 1, "started_at": "2026-12-01T09:00:00Z", "submitted_at": "2026-12-01T09:05:00Z"}
    grade = lms.grade_attempts(
        [{**attempt, "score": 69, "passed": False, "points_earned": 6.95, "total_points": 10},
         {**attempt, "attempt_number": 2, "score": 70, "passed": True, "points_earned": 7.05, "total_points": 10}],
        method="average", passing=70)
    assert (grade["score"], grade["passed"], grade["percentage"]) == (70, True, pytest.approx(70.0))
    pending = lms.grade_attempts([{**attempt, "score": None, "passed": None}], method="last")
    assert (pending["score"], pending["pending_review"], pending["attempt_number"]) == (None, True, 1)


def test_frozen_questions_regrade_and_override_through_the_database(world: World) -> None:
    c = world.client
    me = c.as_user(world.student)
    author = c.as_user(world.instructor)
    me.enroll(world.course)
    started = me.start_attempt(world.quiz1)
    assert started["attempt"]["questions_version"] == 1
    # the author flips the true/false key while the attempt is open
    edited = author.get_assessment(world.quiz1)["questions"]
    edited[1]["correct"] = False
    changed = author.update_assessment(world.quiz1, questions=edited)
    assert changed["questions_version"] == 2
    assert me.start_attempt(world.quiz1)["resumed"]
    # scored against the questions it started with: q2 true is right
    submitted = me.submit_attempt(world.quiz1, answers(2))["attempt"]
    assert (submitted["score"], submitted["questions_version"]) == (100, 1)
    assert submitted["exact_points_earned"] == 2

    dry = author.regrade_assessment(world.quiz1, dry_run=True)
    assert dry["dry_run"] and dry["attempts_regraded"] == 1 and dry["questions_version"] == 2
    [change] = dry["changes"]
    assert (change["attempt_id"], change["old_score"], change["new_score"]) == (submitted["id"], 100, 50)
    assert (change["old_passed"], change["new_passed"]) == (True, False)
    assert me.my_attempts(world.quiz1)[0]["score"] == 100
    with pytest.raises(lms.Forbidden):
        me.regrade_assessment(world.quiz1)

    real = author.regrade_assessment(world.quiz1)
    assert not real["dry_run"] and len(real["changes"]) == 1
    after = me.my_attempts(world.quiz1)[0]
    assert (after["score"], after["passed"], after["questions_version"]) == (50, False, 2)
    quiz_row = next(p for p in me.my_progress(world.course) if p["assessment_id"] == world.quiz1)
    assert quiz_row["best_score"] == 50

    # the instructor overrides q2 with 0.75 points: 1.75 of 2 is 87.5 %
    over = author.override_question(after["id"], "q2", 0.75, "half right")
    assert (over["exact_points_earned"], over["points_earned"], over["score"], over["passed"]) == (1.75, 1, 87, True)
    with pytest.raises(lms.Forbidden):
        me.override_question(after["id"], "q2", 1)
    with pytest.raises(lms.InvalidDocument):
        author.override_question(after["id"], "q2", 2)
    # a regrade keeps it
    assert author.regrade_assessment(world.quiz1)["changes"] == []
    assert me.my_attempts(world.quiz1)[0]["exact_points_earned"] == 1.75
    # no attempts: an empty report
    assert author.regrade_assessment(world.quiz2)["changes"] == []


def test_the_stored_policy_governs_retakes_delays_and_grading(world: World) -> None:
    c = world.client
    me = c.as_user(world.student)
    author = c.as_user(world.instructor)
    me.enroll(world.course)
    assessment = author.get_assessment(world.quiz1)
    assert (assessment["grading_method"], assessment["retake_policy"], assessment["grace_seconds"]) == (
        "highest", "allow", 30)
    with pytest.raises(lms.InvalidDocument) as bad:
        author.update_assessment(world.quiz1, grace_seconds=86_401)
    assert [p[0] for p in bad.value.problems] == ["/grace_seconds"]
    with pytest.raises(TypeError, match="grading_method: unknown variant `median`"):
        author.update_assessment(world.quiz1, grading_method="median")  # type: ignore[typeddict-item]
    me.submit_attempt(world.quiz1, answers(2))
    # retakes after a pass are allowed by default, as in Moodle
    me.submit_attempt(world.quiz1, answers(1))
    row = next(p for p in me.my_progress(world.course) if p["assessment_id"] == world.quiz1)
    assert row["best_score"] == 100
    # under "last", the grade is the last attempt's
    author.update_assessment(world.quiz1, grading_method="last")
    row = next(p for p in me.my_progress(world.course) if p["assessment_id"] == world.quiz1)
    assert row["best_score"] == 50
    book = author.gradebook(world.course)
    at = book["assessment_id"].index(world.quiz1)
    assert (book["best_score"][at], book["passed"][at]) == (50, False)
    # a delay before the next attempt, refused with when it ends
    author.update_assessment(world.quiz1, later_attempt_delay_seconds=3600)
    with pytest.raises(lms.Conflict) as soon:
        me.submit_attempt(world.quiz1, answers(2))
    assert soon.value.details["reason"] == "attempt_delay" and "available_at" in soon.value.details


def test_close_overdue_attempts_by_policy(world: World, database_url: str) -> None:
    c = world.client
    me = c.as_user(world.student)
    author = c.as_user(world.instructor)
    service = c.as_service()
    me.enroll(world.course)
    author.update_assessment(world.quiz1, time_limit_minutes=10, time_limit_policy="abandon")
    attempt = me.start_attempt(world.quiz1)["attempt"]
    with pytest.raises(lms.Forbidden):
        me.close_overdue_attempts()
    with pytest.raises(lms.InvalidDocument):
        service.close_overdue_attempts(0)
    assert service.close_overdue_attempts()["closed"] == []
    # an hour ago: long past its deadline and grace
    subprocess.run(["psql", database_url, "-qc",
                    "update public.assessment_attempts set started_at = now() - interval '1 hour' "
                    f"where id = '{attempt['id']}'"], check=True)
    report = service.close_overdue_attempts(limit=10)
    assert [(a["attempt_id"], a["closed_as"]) for a in report["closed"]] == [(attempt["id"], "abandoned")]
    assert service.close_overdue_attempts()["closed"] == []
    [abandoned] = me.my_attempts(world.quiz1)
    assert abandoned["abandoned_at"] is not None and abandoned["score"] is None
