"""Course grades from Python: a grading scheme with groups, weights and drops, set by the
course's authors, and the grades it gives in the gradebook, the course's grades and the
student's dashboard."""

from __future__ import annotations

import pytest

import lms
from lms import records

from conftest import World, answers


def scheme(world: World) -> dict[str, object]:
    """Quizzes 40 % (quiz1 and quiz2, the lowest dropped), the final 60 %."""
    return {
        "groups": [{"name": "Quizzes", "weight": 40, "drop_lowest": 1}, {"name": "Exam", "weight": 60}],
        "assessments": [
            {"assessment_id": str(world.quiz1), "group": "Quizzes"},
            {"assessment_id": world.quiz2, "group": "Quizzes"},
            {"assessment_id": world.final, "group": "Exam"},
        ],
    }


def test_a_weighted_scheme_with_drops_grades_the_course(world: World) -> None:
    owner = world.client.as_user(world.instructor)
    course = owner.set_grading_scheme(world.course, scheme(world))
    assert set(course) == set(records.Course.__annotations__)
    # a document, as stored: ids stay text
    assert course["grading_scheme"]["assessments"][1]["assessment_id"] == str(world.quiz2)
    assert owner.get_course(world.course)["grading_scheme"] == course["grading_scheme"]

    sam = world.client.as_user(world.student)
    kim = world.client.as_user(world.other_student)
    for s in (sam, kim):
        s.enroll(world.course)
    # sam: quiz1 50, final 100; quiz2 (locked behind lesson 1) never taken
    sam.submit_attempt(world.quiz1, answers(1))
    sam.submit_attempt(world.final, answers(2))
    # current: quizzes 50, exam 100 → 0.4 × 50 + 0.6 × 100 = 80
    # final: quizzes 50 and 0, the 0 dropped → 50 → 80 too
    page = owner.gradebook_page(world.course)
    (mine,) = [g for g in page["course_grades"] if g["student_id"] == world.student]
    assert set(mine) == set(records.StudentCourseGrade.__annotations__) | set(records.CourseGrade.__annotations__)
    assert (mine["current_percent"], mine["final_percent"]) == (80, 80)
    quizzes = mine["groups"][0]
    assert set(quizzes) == set(records.GroupGrade.__annotations__)
    assert quizzes["final_dropped"] == [world.quiz2]
    assert quizzes["dropped"] == []

    # kim did nothing: no current grade, final 0
    grades = owner.course_grades(world.course)
    assert set(grades) == set(records.CourseGradeColumns.__annotations__)
    by_student = dict(zip(grades["student_id"], zip(grades["current_percent"], grades["final_percent"])))
    assert by_student == {world.student: (80, 80), world.other_student: (None, 0)}
    first = owner.course_grades_page(world.course, limit=1)
    assert (len(first["grades"]), first["next_offset"], first["total"]) == (1, 1, 2)

    # the student sees their grade on the dashboard
    dash = sam.student_dashboard()
    (grade,) = dash["courses"]["grade"]
    assert grade["current_percent"] == 80

    # the rule is the same in lms.call_rule
    again = lms.call_rule("course_grade", {
        "scheme": course["grading_scheme"],
        "items": [{"assessment_id": str(world.quiz1), "grade": 50},
                  {"assessment_id": str(world.quiz2), "grade": None},
                  {"assessment_id": str(world.final), "grade": 100}],
    })
    assert {k: again[k] for k in ("current_percent", "final_percent")} == {"current_percent": 80, "final_percent": 80}


def test_bad_schemes_and_other_people_are_refused(world: World) -> None:
    owner = world.client.as_user(world.instructor)
    with pytest.raises(lms.InvalidDocument) as bad:
        owner.set_grading_scheme(world.course, {"groups": [{"name": "A", "weight": 0}, {"name": "B", "weight": 0}]})
    assert [p for p, _ in bad.value.problems] == ["/groups"]
    with pytest.raises(lms.InvalidDocument) as bad:
        owner.set_grading_scheme(world.course, {"assessments": [{"assessment_id": world.quiz1, "group": "Nope"}]})
    assert [p for p, _ in bad.value.problems] == ["/assessments/0/group"]
    other = world.client.as_user(world.other_instructor).create_course("Go", world.other_instructor)["id"]
    theirs = world.client.as_user(world.other_instructor).create_assessment(
        "Go final", [], course_id=other)["id"]
    with pytest.raises(lms.InvalidDocument) as bad:
        owner.set_grading_scheme(world.course, {"assessments": [{"assessment_id": theirs}]})
    assert [p for p, _ in bad.value.problems] == ["/assessments/0/assessment_id"]
    with pytest.raises(lms.InvalidDocument):
        owner.set_grading_scheme(world.course, {"groups": [{"name": "A", "weight": -1}]})
    for who in (world.student, world.other_instructor):
        with pytest.raises((lms.Forbidden, lms.NotFound)):
            world.client.as_user(who).set_grading_scheme(world.course, {})
        with pytest.raises((lms.Forbidden, lms.NotFound)):
            world.client.as_user(who).course_grades(world.course)
    assert owner.get_course(world.course)["grading_scheme"] == {}


def test_missing_work_after_the_close_gets_the_late_policys_grade(world: World) -> None:
    import datetime

    owner = world.client.as_user(world.instructor)
    course = owner.update_course(world.course, late_policy={
        "deduction_percent": 0, "interval": "day", "floor_percent": 0, "missing_percent": 10})
    assert course["late_policy"] is not None and course["late_policy"]["missing_percent"] == 10
    sam = world.client.as_user(world.student)
    sam.enroll(world.course)
    sam.submit_attempt(world.quiz1, answers(2))
    # the final closed an hour ago: sam submitted nothing to it
    owner.update_assessment(world.final, closes_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1))
    (grade,) = sam.student_dashboard()["courses"]["grade"]
    # quiz1 100, quiz2 open, the final missing at 10 %: (100 + 10) / 2
    assert grade["current_percent"] == 55
    assert grade["missing_work"] == [world.final]
    with pytest.raises(lms.InvalidDocument) as bad:
        owner.update_course(world.course, late_policy={
            "deduction_percent": 0, "interval": "day", "floor_percent": 0, "missing_percent": 101})
    assert [p for p, _ in bad.value.problems] == ["/late_policy/missing_percent"]
