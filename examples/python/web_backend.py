"""The pattern for a web back end (FastAPI, Django, Flask…): the user is the `sub` of a
token the back end has verified; every library refusal becomes the HTTP status its code
recommends, with the library's error body. Framework-free here, so it runs anywhere:
`handle` takes what a route handler has (the verified subject, the request's data) and
returns `(status, json_body)`.

    python examples/python/web_backend.py   # a demo against $DATABASE_URL
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Callable

import lms


def error_body(e: lms.LmsError) -> dict[str, Any]:
    """The JSON body of a refusal: the same fields as the Rust `ErrorBody`."""
    body: dict[str, Any] = {"code": e.code, "message": e.message}
    if e.document:
        body["document"] = e.document
    if e.problems:
        body["problems"] = [{"path": path, "reason": reason} for path, reason in e.problems]
    if e.details:
        body["details"] = {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in e.details.items()}
    return body


def handle(client: lms.Client, verified_sub: str | None, call: Callable[[lms.Scope], Any]) -> tuple[int, Any]:
    """Runs `call` as the request's user (anonymous without a token) and maps the
    outcome to `(status, body)`. `verified_sub` must come from a token whose signature
    the back end checked: the library trusts it as given."""
    scope = client.as_user(verified_sub) if verified_sub else client.as_anon()
    try:
        return 200, call(scope)
    except lms.LmsError as e:
        return e.http_status, error_body(e)


def demo(url: str) -> None:
    with lms.connect(url) as client:
        client.migrate()
        service = client.as_service()
        teacher = service.sign_up(f"teacher-{uuid.uuid4().hex[:8]}@example.org", role="instructor")["id"]
        student = str(service.sign_up(f"student-{uuid.uuid4().hex[:8]}@example.org")["id"])
        author = client.as_user(teacher)
        course = author.create_course("Web demo", teacher)["id"]
        lesson = author.create_lesson(course, "Only lesson", 0)["id"]
        author.create_block(lesson, "rich_text", {"rich_text": {"html": "<p>Hello</p>"}}, 0)
        quiz = author.create_assessment(
            "Quiz", [{"type": "true_false", "id": "q1", "prompt": "Yes?", "points": 1, "correct": True}],
            lesson_id=lesson, max_attempts=1)["id"]
        author.create_assessment(
            "Final", [{"type": "true_false", "id": "q1", "prompt": "Yes?", "points": 1, "correct": True}],
            course_id=course)
        author.publish_course(course)

        status, _ = handle(client, None, lambda s: s.list_courses())
        assert status == 200
        status, body = handle(client, student, lambda s: s.submit_attempt(quiz, {"q1": {"type": "true_false", "value": True}}))
        assert (status, body["code"]) == (403, "not_enrolled"), body
        handle(client, student, lambda s: s.enroll(course))
        status, body = handle(client, student, lambda s: s.submit_attempt(quiz, {}))
        assert (status, body["code"]) == (422, "no_answers"), body
        status, body = handle(client, student, lambda s: s.submit_attempt(quiz, {"q1": {"type": "true_false", "value": False}}))
        assert status == 200 and body["attempt"]["score"] == 0
        status, body = handle(client, student, lambda s: s.submit_attempt(quiz, {"q1": {"type": "true_false", "value": True}}))
        assert (status, body["code"], body["details"]) == (409, "attempt_limit_reached", {"max_attempts": 1}), body
        print("web back end demo: catalog 200, not enrolled 403, nothing answered 422, limit 409")


if __name__ == "__main__":
    demo(os.environ["DATABASE_URL"])
