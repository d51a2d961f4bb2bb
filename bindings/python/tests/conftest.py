"""Fixtures: a fresh PostgreSQL database per test (created from ``DATABASE_URL``, whose
user may create databases, and dropped afterwards), a migrated client on it, and a small
course world built through the library."""

from __future__ import annotations

import os
import subprocess
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any, Iterator

import pytest

import lms

ADMIN_URL = os.environ.get("DATABASE_URL", "")


def _psql(sql: str) -> None:
    subprocess.run(["psql", ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@pytest.fixture
def database_url() -> Iterator[str]:
    if not ADMIN_URL:
        pytest.fail("set DATABASE_URL (scripts/with-postgres does)")
    name = f"lms_py_{uuid.uuid4().hex[:16]}"
    _psql(f'create database "{name}"')
    try:
        yield _with_database(ADMIN_URL, name)
    finally:
        _psql(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def client(database_url: str) -> Iterator[lms.Client]:
    with lms.connect(database_url) as c:
        c.migrate()
        yield c


def questions() -> list[dict[str, Any]]:
    """Two questions of 1 point: a single choice (`b` is right), a true/false (true)."""
    return [
        {"type": "multiple_choice", "id": "q1", "prompt": "Which one borrows?", "points": 1,
         "options": [{"id": "a", "text": "let x = y;", "fraction": 0.0},
                     {"id": "b", "text": "let x = &y;", "fraction": 1.0}],
         "explanation": "A reference borrows."},
        {"type": "true_false", "id": "q2", "prompt": "A value has one owner.", "points": 1,
         "correct": True},
    ]


def answers(right: int) -> dict[str, Any]:
    """Answers getting `right` of the two questions right."""
    return {
        "q1": {"type": "multiple_choice", "selected": ["b" if right >= 1 else "a"]},
        "q2": {"type": "true_false", "value": right >= 2},
    }


@dataclass
class World:
    client: lms.Client
    instructor: uuid.UUID
    other_instructor: uuid.UUID
    admin: uuid.UUID
    student: uuid.UUID
    other_student: uuid.UUID
    course: uuid.UUID
    lesson1: uuid.UUID
    lesson2: uuid.UUID
    block1: uuid.UUID
    block2: uuid.UUID
    quiz1: uuid.UUID
    quiz2: uuid.UUID
    final: uuid.UUID


def build_world(client: lms.Client, publish: bool = True) -> World:
    """Users signed up by the service; a course of two lessons (lesson 2 needs lesson 1),
    each with a block and a quiz (3 attempts, pass at 70), and a final exam."""
    service = client.as_service()
    people = {
        name: service.sign_up(f"{name}@example.org", role=role)["id"]
        for name, role in [("ada", "instructor"), ("grace", "instructor"), ("root", "admin"),
                           ("sam", "student"), ("kim", "student")]
    }
    author = client.as_user(people["ada"])
    course = author.create_course("Rust", people["ada"], tags=["rust"], difficulty_level="beginner")["id"]
    lesson1 = author.create_lesson(course, "Ownership", 0)["id"]
    lesson2 = author.create_lesson(course, "Borrowing", 1, prerequisites=[lesson1])["id"]
    block1 = author.create_block(lesson1, "rich_text", {"rich_text": {"html": "<p>Owners</p>"}}, 0)["id"]
    block2 = author.create_block(lesson2, "rich_text", {"rich_text": {"html": "<p>Borrows</p>"}}, 0)["id"]
    quiz1 = author.create_assessment("Ownership quiz", questions(), lesson_id=lesson1, max_attempts=3)["id"]
    quiz2 = author.create_assessment("Borrowing quiz", questions(), lesson_id=lesson2, max_attempts=3)["id"]
    final = author.create_assessment("Final", questions(), course_id=course)["id"]
    if publish:
        author.publish_course(course)
    return World(client, people["ada"], people["grace"], people["root"], people["sam"], people["kim"],
                 course, lesson1, lesson2, block1, block2, quiz1, quiz2, final)


@pytest.fixture
def world(client: lms.Client) -> World:
    return build_world(client)
