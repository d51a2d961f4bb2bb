"""Teaching staff from Python: co-instructors author and grade, graders read the gradebook
and grade; the course's instructor manages them."""

from __future__ import annotations

import pytest

import lms
from lms import records

from conftest import World, answers


def test_a_grader_grades_and_a_co_instructor_authors(world: World) -> None:
    owner = world.client.as_user(world.instructor)
    service = world.client.as_service()
    ta = service.sign_up("ta@example.org", role="student")["id"]
    co = world.other_instructor
    student = world.client.as_user(world.student)
    student.enroll(world.course)
    added = owner.add_staff(world.course, ta, "grader")
    assert set(added) == set(records.CourseStaff.__annotations__)
    assert (added["user_id"], added["role"]) == (ta, "grader")
    owner.add_staff(world.course, co, "co_instructor")
    assert {m["user_id"]: m["role"] for m in owner.list_staff(world.course)} == {ta: "grader", co: "co_instructor"}
    assert student.list_staff(world.course) == []

    attempt = student.submit_attempt(world.quiz1, answers(1))["attempt"]
    grader = world.client.as_user(ta)
    book = grader.gradebook(world.course)
    assert world.student in book["student_id"]
    overridden = grader.override_question(attempt["id"], "q2", 1.0)
    assert overridden["score"] == 100
    with pytest.raises(lms.Forbidden):
        grader.update_lesson(world.lesson1, title="Mine")
    with pytest.raises(lms.Forbidden):
        grader.add_staff(world.course, ta, "co_instructor")

    author = world.client.as_user(co)
    assert author.update_lesson(world.lesson1, title="Ownership, again")["title"] == "Ownership, again"
    with pytest.raises(lms.Forbidden):
        author.delete_course(world.course)
    with pytest.raises(lms.Forbidden):
        author.remove_staff(world.course, ta)

    owner.remove_staff(world.course, ta)
    with pytest.raises(lms.Forbidden):
        grader.gradebook(world.course)
    with pytest.raises(lms.NotFound):
        owner.remove_staff(world.course, ta)


def test_staff_are_not_students_of_their_course(world: World) -> None:
    owner = world.client.as_user(world.instructor)
    world.client.as_user(world.student).enroll(world.course)
    with pytest.raises(lms.Conflict):
        owner.add_staff(world.course, world.student, "grader")
    owner.add_staff(world.course, world.other_student, "grader")
    with pytest.raises(lms.Conflict):
        world.client.as_user(world.other_student).enroll(world.course)
    with pytest.raises(ValueError, match="role"):
        owner.add_staff(world.course, world.other_student, "dean")


def test_a_grader_leaves_and_a_co_instructor_is_an_instructor(world: World) -> None:
    owner = world.client.as_user(world.instructor)
    ta = world.other_student
    owner.add_staff(world.course, ta, "grader")
    with pytest.raises(lms.Conflict, match="co-instructor"):
        owner.add_staff(world.course, ta, "co_instructor")
    grader = world.client.as_user(ta)
    grader.remove_staff(world.course, ta)
    assert owner.list_staff(world.course) == []
    with pytest.raises(lms.Forbidden):
        grader.gradebook(world.course)
