"""The whole journey from Python against a real PostgreSQL: author, publish, enrol, study,
fail, pass, unlock, the dashboard and the gradebook, GDPR export and erasure."""

from __future__ import annotations

import datetime
import uuid

import pytest

import lms
from conftest import World, answers, build_world


def test_author_publish_enrol_study_fail_pass_unlock(world: World) -> None:
    c = world.client
    me = c.as_user(world.student)
    assert me.actor == ("user", world.student)
    catalog = c.as_anon().list_courses()
    assert [course["id"] for course in catalog["items"]] == [world.course]
    assert catalog["total"] == 1 and catalog["next_offset"] is None
    outline = c.as_anon().course_outline(world.course)
    assert [lesson["title"] for lesson in outline] == ["Ownership", "Borrowing"]

    enrollment = me.enroll(world.course)
    assert enrollment["student_id"] == world.student
    assert isinstance(enrollment["enrolled_at"], datetime.datetime)
    assert enrollment["enrolled_at"].tzinfo is not None
    with pytest.raises(lms.AlreadyEnrolled):
        me.enroll(world.course)
    progress = {row["lesson_id"]: row for row in me.my_progress(world.course) if row["lesson_id"]}
    assert progress[world.lesson2]["status"] == "blocked"

    with pytest.raises(lms.PrerequisitesUnmet) as locked:
        me.start_attempt(world.quiz2)
    assert locked.value.missing == [world.lesson1]

    blocks = me.list_blocks(world.lesson1)
    assert blocks[0]["content"] == {"rich_text": {"html": "<p>Owners</p>", "plain_text": "Owners"}}
    row = me.record_content_progress(world.block1, {"completed": True, "percent": 100}, seconds=30)
    assert row["status"] == "in_progress"

    questions = me.assessment_questions(world.quiz1)
    assert all("fraction" not in o for o in questions[0]["options"])
    failed = me.submit_attempt(world.quiz1, answers(1))
    assert (failed["attempt"]["score"], failed["attempt"]["passed"]) == (50, False)
    assert failed["unlocked_lessons"] == []
    passed = me.submit_attempt(world.quiz1, answers(2))
    assert (passed["attempt"]["score"], passed["attempt"]["passed"]) == (100, True)
    assert passed["unlocked_lessons"] == [world.lesson2]
    assert isinstance(passed["attempt"]["feedback"], dict)
    assert len(me.my_attempts(world.quiz1)) == 2
    started = me.start_attempt(world.quiz2)
    assert started["attempt"]["attempt_number"] == 1 and not started["resumed"]

    mine = me.my_enrollments()
    assert mine[0]["course_title"] == "Rust"

    dashboard = me.student_dashboard()
    assert dashboard["student_id"] == world.student
    assert dashboard["courses"]["title"] == ["Rust"]
    assert dashboard["courses"]["completion_percentage"] == [50]
    assert dashboard["assessments"]["best_score"][dashboard["assessments"]["assessment_id"].index(world.quiz1)] == 100
    assert isinstance(dashboard["version"], str) and len(dashboard["version"]) == 32

    book = c.as_user(world.instructor).gradebook(world.course)
    assert book["student_email"] == ["sam@example.org", "sam@example.org"]
    row_of = book["assessment_id"].index(world.quiz1)
    assert (book["attempts"][row_of], book["best_score"][row_of], book["passed"][row_of]) == (2, 100, True)
    page = c.as_user(world.instructor).gradebook_page(world.course, limit=1)
    assert (page["total"], page["next_offset"], len(page["entries"])) == (2, 1, 1)


def test_authoring_through_the_library(client: lms.Client) -> None:
    w = build_world(client, publish=False)
    author = client.as_user(w.instructor)
    course = author.update_course(w.course, title="Rust, again", description="Ownership first")
    assert (course["title"], course["description"]) == ("Rust, again", "Ownership first")
    assert author.update_course(w.course, description=None)["description"] is None
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        author.update_course(w.course, titel="typo")  # type: ignore[call-arg]
    lesson = author.update_lesson(w.lesson2, title="Borrowing, really")
    assert lesson["prerequisites"] == [w.lesson1]
    assert [l["id"] for l in author.reorder_lessons(w.course, [w.lesson2, w.lesson1])] == [w.lesson2, w.lesson1]
    block = author.update_block(w.block1, content_type="rich_text",
                                content={"rich_text": {"html": "<b>bold</b><script>x</script>"}},
                                metadata={"source": "notes"})
    assert block["content"]["rich_text"]["html"] == "<b>bold</b>"
    assert block["metadata"] == {"source": "notes"}
    assessment = author.update_assessment(w.quiz1, time_limit_minutes=15, max_attempts=None)
    assert (assessment["time_limit_minutes"], assessment["max_attempts"]) == (15, None)
    assert author.get_assessment(w.quiz1)["questions"][0]["options"][1]["fraction"] == 1.0
    with pytest.raises(lms.NotPublishable) as refused:
        author.create_lesson(w.course, "Empty", 2)
        author.publish_course(w.course)
    assert {p["problem"] for p in refused.value.details["problems"]} == {"lesson_without_assessment"}
    with pytest.raises(TypeError, match="exactly one"):
        author.create_assessment("Nowhere", [])
    with pytest.raises(lms.InvalidDocument) as bad:
        author.create_block(w.lesson1, "image", {"image": {"url": "http://x.org/a.png", "alt_text": ""}}, 5)
    assert bad.value.problems[0][0] == "/image/url"
    author.delete_course(w.course)
    with pytest.raises(lms.NotFound):
        author.get_course(w.course)


def test_gdpr_export_and_erase(world: World) -> None:
    c = world.client
    me = c.as_user(world.student)
    me.enroll(world.course)
    me.submit_attempt(world.quiz1, answers(2))
    export = me.export_user_data(world.student)
    assert export["user_id"] == world.student
    assert len(export["tables"]["assessment_attempts"]) == 1
    assert export["tables"]["profiles"][0]["email"] == "sam@example.org"
    erased = me.erase_user(world.student)
    assert erased["deleted"]["assessment_attempts"] == 1 and erased["successor"] is None
    with pytest.raises(lms.NoProfile):
        me.my_profile()
    with pytest.raises(lms.Conflict):
        c.as_user(world.admin).erase_user(world.instructor)
    handed = c.as_user(world.admin).erase_user(world.instructor, successor=world.other_instructor)
    assert (handed["successor"], handed["transferred_courses"]) == (world.other_instructor, 1)


def test_people_audit_and_documents(world: World) -> None:
    c = world.client
    admin = c.as_user(world.admin)
    assert admin.set_role(world.student, "instructor")["role"] == "instructor"
    with pytest.raises(lms.Forbidden):
        admin.set_role(world.admin, lms.UserRole.STUDENT)
    me = c.as_user(world.other_student)
    prefs = {"preferred_pace": "slow", "preferred_media_types": ["video"], "learning_style": "visual"}
    assert me.update_profile(world.other_student, first_name="Kim", learning_preferences=prefs)["learning_preferences"] == prefs
    with pytest.raises(lms.InvalidDocument):
        me.update_profile(world.other_student, learning_preferences={"preferred_pace": "warp"})
    log = admin.audit_log(table_name="profiles", limit=5)
    assert log["items"] and all(e["table_name"] == "profiles" for e in log["items"])
    assert isinstance(log["items"][0]["occurred_at"], datetime.datetime)
    with pytest.raises(lms.Forbidden):
        me.audit_log()
    assert isinstance(c.as_anon().record_failed_sign_in("x@example.org", "bad password"), int)
    service = c.as_service()
    assert service.check_documents()["invalid"] == 0
    assert service.repair_documents()["repaired"] == 0
    fresh = uuid.uuid4()
    assert service.ensure_profile(fresh, "new@example.org")["id"] == fresh
