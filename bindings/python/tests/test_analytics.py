"""Course analytics from Python: the funnel, item analysis (checked against scipy and
pingouin), students at risk and activity, as columns that pandas takes as they are."""

from __future__ import annotations

import datetime
import math
import random
from typing import Any

import pandas as pd
import pingouin
import pytest
from scipy import stats

import lms

from conftest import World, answers


def test_completion_funnel_counts_each_lesson(world: World) -> None:
    c = world.client
    sam, kim = c.as_user(world.student), c.as_user(world.other_student)
    for s in (sam, kim):
        s.enroll(world.course)
    sam.record_content_progress(world.block1, {"completed": True}, 20)
    sam.submit_attempt(world.quiz1, answers(2))
    kim.record_content_progress(world.block1, {"completed": True}, 10)
    kim.submit_attempt(world.quiz1, answers(0))

    funnel = c.as_user(world.instructor).completion_funnel(world.course)
    assert funnel["course_id"] == world.course
    assert (funnel["enrolled"], funnel["completed"]) == (2, 0)
    assert funnel["final_assessment_id"] == world.final and funnel["final_passed"] == 0
    frame = pd.DataFrame(funnel["lessons"])
    assert list(frame["lesson_id"]) == [world.lesson1, world.lesson2]
    # lesson 1: both started (sam 20 s, kim 10 s), sam completed and passed the quiz
    first = frame.iloc[0]
    assert (first["started"], first["completed"], first["passed"]) == (2, 1, 1)
    assert first["median_seconds"] == pytest.approx(15.0)
    assert first["drop_off"] == pytest.approx(0.5)
    assert frame.iloc[1]["drop_off"] == pytest.approx(1.0)

    with pytest.raises(lms.Forbidden):
        c.as_user(world.other_instructor).completion_funnel(world.course)
    with pytest.raises(lms.Forbidden):
        sam.completion_funnel(world.course)


#: A question id that looks like a UUID: it stays the author's text.
T2 = "6f1c2a8e-0000-4000-8000-000000000002"


def _item_questions() -> list[dict[str, Any]]:
    """Four questions: a 2-point single choice (`a` right), two true/false, a short answer."""
    return [
        {"type": "multiple_choice", "id": "mc", "prompt": "Which borrows?", "points": 2,
         "options": [{"id": "a", "text": "&y", "fraction": 1.0},
                     {"id": "b", "text": "y", "fraction": 0.0},
                     {"id": "c", "text": "*y", "fraction": 0.0}]},
        {"type": "true_false", "id": "t1", "prompt": "One owner.", "points": 1, "correct": True},
        {"type": "true_false", "id": T2, "prompt": "Two owners.", "points": 1, "correct": False},
        {"type": "short_answer", "id": "sa", "prompt": "What does & do?", "points": 1,
         "accepted": [{"text": "borrow", "fraction": 1.0}]},
    ]


def test_item_analysis_equals_scipy_and_pingouin(world: World) -> None:
    c = world.client
    author = c.as_user(world.instructor)
    quiz = author.create_assessment("Practice", _item_questions(), course_id=world.course)["id"]
    author.update_course(world.course, final_assessment_id=quiz)
    rng = random.Random(7)
    rows: list[list[float]] = []
    picks: list[str] = []
    for i in range(14):
        ability = i / 13
        right = [rng.random() < 0.25 + 0.6 * ability for _ in range(4)]
        if i < 2:  # every item varies: one attempt all wrong, one all right
            right = [i == 1] * 4
        pick = "a" if right[0] else rng.choice(["b", "c", "b"])
        sheet = {
            "mc": {"type": "multiple_choice", "selected": [pick]},
            "t1": {"type": "true_false", "value": right[1]},
            T2: {"type": "true_false", "value": not right[2]},
            "sa": {"type": "short_answer", "text": "Borrow" if right[3] else " MOVE "},
        }
        student = c.as_service().sign_up(f"p{i}@example.org")["id"]
        me = c.as_user(student)
        me.enroll(world.course)
        me.submit_attempt(quiz, sheet)
        rows.append([2.0 * right[0], 1.0 * right[1], 1.0 * right[2], 1.0 * right[3]])
        picks.append(pick)

    report = author.item_analysis(quiz)
    assert report["attempts"] == report["complete_attempts"] == 14
    points = pd.DataFrame(rows, columns=["mc", "t1", T2, "sa"])
    expected_alpha, _ = pingouin.cronbach_alpha(data=points)
    assert report["cronbach_alpha"] == pytest.approx(expected_alpha, abs=1e-9)
    items = pd.DataFrame(report["items"]).set_index("question_id")
    total = points.sum(axis=1)
    for q, max_points in [("mc", 2), ("t1", 1), (T2, 1), ("sa", 1)]:
        r, _ = stats.pearsonr(points[q], total - points[q])
        assert items.loc[q, "discrimination"] == pytest.approx(r, abs=1e-9), q
        assert items.loc[q, "facility"] == pytest.approx(points[q].mean() / max_points, abs=1e-9)
        assert items.loc[q, "attempts"] == 14
    scores = [math.floor(100 * sum(r) / 5) for r in rows]
    assert report["mean_score"] == pytest.approx(sum(scores) / 14, abs=1e-9)
    assert report["std_dev_score"] == pytest.approx(pd.Series(scores).std(ddof=1), abs=1e-9)
    assert report["pass_rate"] == pytest.approx(sum(s >= 70 for s in scores) / 14)
    assert sum(report["histogram"]["count"]) == 14

    options = pd.DataFrame(report["options"])
    mc = options[options["question_id"] == "mc"].set_index("option_id")
    for option in "abc":
        assert mc.loc[option, "count"] == picks.count(option)
    assert bool(mc.loc["a", "correct"]) and not bool(mc.loc["b", "correct"])
    wrong = pd.DataFrame(report["wrong_answers"])
    assert list(wrong["answer"]) == ["move"]
    assert wrong["count"][0] == sum(r[3] == 0 for r in rows)

    assert author.item_analysis(quiz, attempts="first")["attempts"] == 14
    with pytest.raises(TypeError, match="attempts"):
        author.item_analysis(quiz, attempts="best")  # type: ignore[arg-type]
    # question and option ids are the author's text, even when they look like UUIDs
    assert report["items"]["question_id"] == ["mc", "t1", T2, "sa"]
    with pytest.raises(lms.Forbidden):  # a student of the course
        c.as_user(student).item_analysis(quiz)


def test_at_risk_students_explain_themselves(world: World) -> None:
    c = world.client
    kim = c.as_user(world.other_student)
    kim.enroll(world.course)
    for right in (0, 1, 0):
        kim.submit_attempt(world.quiz1, answers(right))
    c.as_user(world.student).enroll(world.course)

    report = c.as_user(world.instructor).at_risk_students(world.course, failed_attempts=3)
    assert report["cohort"] == 2
    assert report["thresholds"]["failed_attempts"] == 3
    students = report["students"]
    assert students["student_id"] == [world.other_student]
    [reasons] = students["reasons"]
    assert reasons == [{"reason": "repeatedly_failing", "assessment_id": world.quiz1,
                        "failed_attempts": 3}]
    assert students["student_email"] == ["kim@example.org"]
    assert isinstance(report["computed_at"], datetime.datetime)

    stricter = c.as_user(world.instructor).at_risk_students(world.course, failed_attempts=4)
    assert stricter["students"]["student_id"] == []
    with pytest.raises(lms.InvalidDocument, match="pace_ratio"):
        c.as_user(world.instructor).at_risk_students(world.course, pace_ratio=2.0)
    with pytest.raises(TypeError, match="unknown field"):
        c.as_user(world.instructor).at_risk_students(world.course, inactive=3)  # type: ignore[call-arg]
    with pytest.raises(lms.Forbidden):
        c.as_user(world.other_instructor).at_risk_students(world.course)


def test_activity_is_a_daily_series(world: World) -> None:
    c = world.client
    sam = c.as_user(world.student)
    sam.enroll(world.course)
    sam.record_content_progress(world.block1, {"completed": True}, 40)
    sam.submit_attempt(world.quiz1, answers(2))
    author = c.as_user(world.instructor)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    series = author.activity(world.course, since=today - datetime.timedelta(days=6))
    frame = pd.DataFrame(series)
    assert len(frame) == 7
    assert frame["start"].iloc[-1] == today and isinstance(frame["start"].iloc[0], datetime.date)
    assert list(frame["active_students"])[:-1] == [0] * 6
    last = frame.iloc[-1]
    assert (last["active_students"], last["submissions"], last["completions"]) == (1, 1, 1)
    assert last["seconds"] >= 40
    weeks = author.activity(world.course, bucket="week", since=today, until=today)
    assert len(weeks["start"]) == 1 and weeks["start"][0].isoweekday() == 1
    with pytest.raises(TypeError, match="bucket"):
        author.activity(world.course, bucket="month")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a datetime"):
        author.activity(world.course, since=datetime.datetime.now(datetime.timezone.utc))
    with pytest.raises(lms.InvalidDocument, match="is after"):
        author.activity(world.course, since=today, until=today - datetime.timedelta(days=1))
    with pytest.raises(lms.Forbidden):
        c.as_user(world.other_instructor).activity(world.course)
