"""Course delivery from Python: open, close and due times, late policies with the raw
result kept, accommodations for one student — the same calls and shapes as Rust's."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import lms
from lms import records

from conftest import World, answers

UTC = datetime.timezone.utc


def now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def keys(typed: Any) -> set[str]:
    return set(typed.__annotations__)


def test_an_assessment_opens_and_closes(world: World) -> None:
    author = world.client.as_user(world.instructor)
    student = world.client.as_user(world.student)
    student.enroll(world.course)
    opens = (now() + datetime.timedelta(hours=1)).replace(microsecond=0)
    quiz = author.update_assessment(world.quiz1, opens_at=opens)
    assert quiz["opens_at"] == opens
    assert keys(records.Assessment) == set(quiz)
    with pytest.raises(lms.Conflict) as refused:
        student.start_attempt(world.quiz1)
    assert refused.value.details == {"reason": "not_open", "opens_at": opens}
    # a student sees no question before the open time
    with pytest.raises(lms.NotFound):
        student.assessment_questions(world.quiz1)

    closes = (now() + datetime.timedelta(minutes=10)).replace(microsecond=0)
    author.update_assessment(world.quiz1, opens_at=None, closes_at=closes)
    started = student.start_attempt(world.quiz1)
    assert started["deadline"] == closes
    author.update_assessment(world.quiz1, closes_at=now() - datetime.timedelta(minutes=1))
    # (kim is not enrolled: that is checked first; enrolled, the close time refuses)
    with pytest.raises(lms.NotEnrolled):
        world.client.as_user(world.other_student).start_attempt(world.quiz1)
    world.client.as_user(world.other_student).enroll(world.course)
    with pytest.raises(lms.Conflict) as refused:
        world.client.as_user(world.other_student).start_attempt(world.quiz1)
    assert refused.value.details["reason"] == "closed"


def test_dates_out_of_order_name_their_field(world: World) -> None:
    author = world.client.as_user(world.instructor)
    with pytest.raises(lms.InvalidDocument) as bad:
        author.update_assessment(world.quiz1, opens_at=now(), closes_at=now() - datetime.timedelta(hours=1))
    assert bad.value.document == "assessment"
    assert [p for p, _ in bad.value.problems] == ["/closes_at"]
    with pytest.raises(lms.InvalidDocument) as bad:
        author.update_course(world.course, late_policy={"deduction_percent": 120, "interval": "day", "floor_percent": 0})
    assert [p for p, _ in bad.value.problems] == ["/late_policy/deduction_percent"]
    with pytest.raises(lms.InvalidDocument) as bad:
        author.create_assessment("Dated", [], lesson_id=world.lesson1, opens_at=now(), due_at=now() - datetime.timedelta(days=1))
    assert [p for p, _ in bad.value.problems] == ["/due_at"]
    with pytest.raises(ValueError, match="late_policy"):
        author.create_assessment("Dated", [], lesson_id=world.lesson1, late_policy={"interval": "week"})  # type: ignore[arg-type]


def test_late_work_is_deducted_and_recorded_again_when_the_policy_changes(world: World) -> None:
    author = world.client.as_user(world.instructor)
    student = world.client.as_user(world.student)
    student.enroll(world.course)
    policy: records.LatePolicy = {"deduction_percent": 10, "interval": "day", "floor_percent": 50}
    course = author.update_course(world.course, late_policy=policy)
    assert course["late_policy"] == policy
    assert keys(records.Course) == set(course)
    author.update_assessment(world.quiz1, due_at=now() - datetime.timedelta(hours=25))
    attempt = student.submit_attempt(world.quiz1, answers(2))["attempt"]
    assert keys(records.Attempt) == set(attempt)
    # two days begun: -20 %
    assert (attempt["raw_score"], attempt["score"], attempt["passed"]) == (100, 80, True)
    assert (attempt["raw_points_earned"], attempt["exact_points_earned"]) == (2, 1.6)
    assert attempt["late_seconds"] is not None and attempt["late_seconds"] >= 25 * 3600
    # the assessment's own policy overrides the course's: 12.5 % an hour, no floor
    quiz = author.update_assessment(world.quiz1, late_policy={"deduction_percent": 12.5, "interval": "hour", "floor_percent": 0})
    assert quiz["late_policy"] == {"deduction_percent": 12.5, "interval": "hour", "floor_percent": 0}
    again = student.my_attempts(world.quiz1)[0]
    assert (again["raw_score"], again["score"], again["passed"]) == (100, 0, False)
    author.update_assessment(world.quiz1, late_policy=None, due_at=now() + datetime.timedelta(hours=1))
    again = student.my_attempts(world.quiz1)[0]
    assert (again["late_seconds"], again["score"]) == (None, 100)


def test_an_accommodation_is_one_students(world: World) -> None:
    author = world.client.as_user(world.instructor)
    student = world.client.as_user(world.student)
    other = world.client.as_user(world.other_student)
    for s in (student, other):
        s.enroll(world.course)
    author.update_assessment(world.quiz1, time_limit_minutes=30)
    set_ = author.set_accommodation(world.course, world.student, assessment_id=world.quiz1, time_factor=1.5, extra_attempts=1)
    assert keys(records.Accommodation) == set(set_)
    assert (set_["time_factor"], set_["extra_attempts"], set_["assessment_id"]) == (1.5, 1, world.quiz1)
    rules = student.assessment_rules(world.quiz1, world.student)
    assert keys(records.AttemptRules) == set(rules)
    assert (rules["time_limit_minutes"], rules["max_attempts"]) == (45, 4)
    assert other.assessment_rules(world.quiz1, world.other_student)["time_limit_minutes"] == 30
    mine, theirs = student.start_attempt(world.quiz1), other.start_attempt(world.quiz1)
    assert mine["deadline"] == mine["attempt"]["started_at"] + datetime.timedelta(minutes=45)
    assert theirs["deadline"] == theirs["attempt"]["started_at"] + datetime.timedelta(minutes=30)
    # its student reads it, nobody else of the course's students does
    assert student.list_accommodations(world.course) == [set_]
    assert other.list_accommodations(world.course) == []
    # students and other instructors set none
    with pytest.raises(lms.Forbidden):
        student.set_accommodation(world.course, world.student, extra_minutes=600)
    with pytest.raises((lms.Forbidden, lms.NotFound)):
        world.client.as_user(world.other_instructor).set_accommodation(world.course, world.student, extra_minutes=600)
    author.remove_accommodation(set_["id"])
    assert author.list_accommodations(world.course) == []
    with pytest.raises(lms.NotFound):
        author.remove_accommodation(set_["id"])


def test_bad_accommodations_are_typed_errors(world: World) -> None:
    author = world.client.as_user(world.instructor)
    with pytest.raises(lms.InvalidDocument) as bad:
        author.set_accommodation(world.course, world.student, extra_minutes=-5, time_factor=0.5)
    assert bad.value.document == "accommodation"
    assert [p for p, _ in bad.value.problems] == ["/extra_minutes", "/time_factor"]
    later, earlier = now() + datetime.timedelta(days=2), now() + datetime.timedelta(days=1)
    with pytest.raises(lms.InvalidDocument) as bad:
        author.set_accommodation(world.course, world.student, due_at=later, closes_at=earlier)
    assert [p for p, _ in bad.value.problems] == ["/due_at"]
    with pytest.raises(ValueError, match="set_accommodation"):
        author.set_accommodation(world.course, world.student, time_factor=float("nan"))
    with pytest.raises(ValueError):
        author.set_accommodation(world.course, world.student, closes_at=datetime.datetime(2027, 1, 1))


def test_a_lesson_opens_to_its_students_at_its_unlock_time(world: World) -> None:
    author = world.client.as_user(world.instructor)
    student = world.client.as_user(world.student)
    student.enroll(world.course)
    later = (now() + datetime.timedelta(hours=2)).replace(microsecond=0)
    lesson = author.update_lesson(world.lesson1, unlocks_at=later)
    assert lesson["unlocks_at"] == later
    assert keys(records.Lesson) == set(lesson)
    (first, *_) = student.course_outline(world.course)
    assert keys(records.OutlineLesson) == set(first)
    assert first["unlocks_at"] == later
    # before: no content, no study, no attempt
    assert student.list_blocks(world.lesson1) == []
    with pytest.raises(lms.Conflict) as refused:
        student.record_content_progress(world.block1, {"completed": True}, 5)
    assert refused.value.details == {"reason": "locked", "lesson_id": world.lesson1, "unlocks_at": later}
    with pytest.raises(lms.Conflict) as refused:
        student.start_attempt(world.quiz1)
    assert refused.value.details["reason"] == "locked"
    # the staff see it all; once unlocked, so do the students
    assert len(author.list_blocks(world.lesson1)) == 1
    author.update_lesson(world.lesson1, unlocks_at=now() - datetime.timedelta(minutes=1))
    assert len(student.list_blocks(world.lesson1)) == 1
    student.record_content_progress(world.block1, {"completed": True}, 5)
    assert author.update_lesson(world.lesson1, unlocks_at=None)["unlocks_at"] is None


def test_a_shuffled_attempt_keeps_its_order(world: World) -> None:
    author = world.client.as_user(world.instructor)
    student = world.client.as_user(world.student)
    student.enroll(world.course)
    eight = [{"type": "multiple_choice", "id": f"s{i}", "prompt": f"{i}?", "points": 1,
              "options": [{"id": o, "text": o.upper(), "fraction": 1.0 if o == "a" else 0.0}
                          for o in "abcd"]} for i in range(1, 9)]
    quiz = author.update_assessment(world.final, questions=eight, shuffle_questions=True, shuffle_options=True)
    assert quiz["shuffle_questions"] and quiz["shuffle_options"]
    assert keys(records.Assessment) == set(quiz)
    started = student.start_attempt(world.final)
    order = [q["id"] for q in started["questions"]]
    assert sorted(order) == [f"s{i}" for i in range(1, 9)]
    resumed = student.start_attempt(world.final)
    assert resumed["resumed"] and resumed["questions"] == started["questions"]
    assert student.assessment_questions(world.final) == started["questions"]
    done = student.submit_attempt(world.final, {i: {"type": "multiple_choice", "selected": ["a"]} for i in order})
    assert done["attempt"]["score"] == 100


def test_review_options_decide_what_a_student_sees_and_when(world: World) -> None:
    author = world.client.as_user(world.instructor)
    student = world.client.as_user(world.student)
    student.enroll(world.course)
    quiz = author.update_assessment(world.quiz1, review_score="never", review_feedback="after_close",
                                    review_answers="after_close", closes_at=now() + datetime.timedelta(hours=1))
    assert (quiz["review_score"], quiz["review_correctness"], quiz["review_feedback"], quiz["review_answers"]) == (
        "never", "immediately", "after_close", "after_close")
    done = student.submit_attempt(world.quiz1, answers(1))
    assert (done["attempt"]["score"], done["attempt"]["passed"], done["attempt"]["feedback"]) == (None, None, None)
    assert student.my_attempts(world.quiz1)[0]["score"] is None
    review = student.attempt_review(done["attempt"]["id"])
    assert keys(records.AttemptReview) == set(review)
    assert review["shown"] == {"score": False, "correctness": True, "feedback": False, "answers": False}
    feedback = review["feedback"]
    assert feedback is not None
    assert [q["outcome"] for q in feedback["questions"]] == ["correct", "incorrect"]
    assert all("points_earned" not in q and "explanation" not in q for q in feedback["questions"])
    assert "score" not in feedback["summary"]
    questions = review["questions"]
    assert questions is not None
    assert all("fraction" not in o for o in questions[0]["options"])
    # the staff see it all
    theirs = author.attempt_review(done["attempt"]["id"])
    assert theirs["shown"] == {"score": True, "correctness": True, "feedback": True, "answers": True}
    assert theirs["attempt"]["score"] == 50
    # closed: the explanations and the right answers; the score never
    author.update_assessment(world.quiz1, closes_at=now() - datetime.timedelta(minutes=1))
    later = student.attempt_review(done["attempt"]["id"])
    assert later["shown"] == {"score": False, "correctness": True, "feedback": True, "answers": True}
    assert later["feedback"] is not None and later["questions"] is not None
    assert later["feedback"]["questions"][0]["explanation"] == "A reference borrows."
    assert later["questions"][0]["options"][1]["fraction"] == 1.0
    assert later["attempt"]["score"] is None
    # the same rule by name
    rule = lms.call_rule("review", {"options": {"review_score": "never"}, "now": now().isoformat()})
    assert rule["shown"] == {"score": False, "correctness": True, "feedback": True, "answers": False}
    # a moment is one of three; another student's attempt is not theirs to review
    with pytest.raises(TypeError, match="review_answers: unknown variant `sometimes`"):
        author.update_assessment(world.quiz1, review_answers="sometimes")  # type: ignore[arg-type]
    with pytest.raises(lms.NotFound):
        world.client.as_user(world.other_student).attempt_review(done["attempt"]["id"])


def test_an_attempt_draws_its_questions_from_the_pool(world: World) -> None:
    author = world.client.as_user(world.instructor)
    student = world.client.as_user(world.student)
    student.enroll(world.course)
    pool = [{"type": "true_false", "id": f"t{i}", "prompt": f"{i}?", "points": 1, "correct": True}
            for i in range(1, 7)]
    quiz = author.update_assessment(world.final, questions=pool, draw_questions=2)
    assert quiz["draw_questions"] == 2
    # the pool stays hidden: questions only within an attempt, which is started first
    with pytest.raises(lms.AttemptNotStarted):
        student.assessment_questions(world.final)
    with pytest.raises(lms.AttemptNotStarted):
        student.submit_attempt(world.final, {"t1": {"type": "true_false", "value": True}})
    started = student.start_attempt(world.final)
    drawn = [q["id"] for q in started["questions"]]
    assert len(drawn) == 2 and drawn == sorted(drawn, key=lambda i: int(i[1:]))
    assert student.start_attempt(world.final)["questions"] == started["questions"]
    done = student.submit_attempt(world.final, {i: {"type": "true_false", "value": True} for i in drawn})
    assert (done["attempt"]["score"], done["attempt"]["total_points"]) == (100, 2)
    # at least 1, at most the pool
    for bad in (0, 7):
        with pytest.raises(lms.InvalidDocument) as refused:
            author.update_assessment(world.final, draw_questions=bad)
        assert [p[0] for p in refused.value.problems] == ["/draw_questions"]
    assert author.update_assessment(world.final, draw_questions=None)["draw_questions"] is None
