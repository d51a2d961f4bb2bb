"""Through PgBouncer in transaction mode (``connect(..., pooled=True)``): a real pooler
(``scripts/pgbouncer``) with two server connections in front of the test's database."""

from __future__ import annotations

import concurrent.futures
import pathlib
import subprocess
import tempfile
import urllib.parse
import uuid
from typing import Iterator

import pytest

import lms

from conftest import World, answers

SCRIPT = pathlib.Path(__file__).resolve().parents[3] / "scripts" / "pgbouncer"


@pytest.fixture
def pooled_url(database_url: str) -> Iterator[str]:
    directory = pathlib.Path(tempfile.gettempdir()) / f"lms-bouncer-{uuid.uuid4().hex}"
    port = subprocess.run([str(SCRIPT), "start", str(directory)], check=True,
                          capture_output=True, text=True).stdout.strip()
    parts = urllib.parse.urlsplit(database_url)
    try:
        yield urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))
    finally:
        subprocess.run([str(SCRIPT), "stop", str(directory)], check=False)


def test_use_cases_run_through_a_transaction_pooler(world: World, pooled_url: str) -> None:
    with lms.connect(pooled_url, pooled=True, max_connections=6) as client:
        assert client.pooled and not world.client.pooled
        with pytest.raises(lms.Conflict, match="direct connection"):
            client.migrate()
        sam, kim = client.as_user(world.student), client.as_user(world.other_student)
        sam.enroll(world.course)
        kim.enroll(world.course)

        def take(scope: lms.Scope, right: int) -> uuid.UUID:
            done = scope.submit_attempt(world.quiz1, answers(right))
            mine = scope.my_attempts(world.quiz1)
            assert all(a["student_id"] == done["attempt"]["student_id"] for a in mine)
            return done["attempt"]["student_id"]

        # six transactions of two students at once, over two server connections
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            students = list(pool.map(lambda job: take(*job), [(sam, 2), (kim, 1)] * 3))
        assert students.count(world.student) == 3 and students.count(world.other_student) == 3
        with pytest.raises(lms.AttemptLimitReached):
            sam.submit_attempt(world.quiz1, answers(2))
        stats = client.pool_stats()
        assert set(stats) == {"size", "idle", "in_use", "max_connections", "closed"}
        assert stats["max_connections"] == 6 and 1 <= stats["size"] <= 6
        assert stats["in_use"] == stats["size"] - stats["idle"]
    assert client.pool_stats()["closed"]


def test_read_replicas_are_skipped_when_not_standbys(world: World, database_url: str) -> None:
    # the "replica" is the primary itself: not in recovery, so never used; the read
    # models read on the primary (a real standby is tested in Rust, lms-db/tests/replicas.rs)
    with lms.connect(database_url, replicas=[database_url], max_replica_lag=5) as client:
        assert client.replica_count == 1
        grades = client.as_user(world.instructor).course_grades_page(world.course)
        assert grades["total"] == 0
        assert client.as_anon().list_courses()["items"]
    with pytest.raises(ValueError, match="max_replica_lag"):
        lms.connect(database_url, max_replica_lag=-1)
    with pytest.raises(lms.DatabaseError):
        lms.connect(database_url, replicas=["nonsense"])


def test_slow_statements_are_logged_to_python_logging(
    client: lms.Client, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="lms")
    with lms.connect(database_url, slow_statement_ms=0) as slow:
        slow.as_anon().list_courses()
    records = [r for r in caplog.records if r.name == "lms.sqlx.query"]
    assert records and all(r.levelname == "WARNING" for r in records)
    assert any("slow statement" in r.getMessage() for r in records)
    caplog.clear()
    # the default threshold, a second: nothing
    client.as_anon().list_courses()
    assert not [r for r in caplog.records if r.name.startswith("lms.")]
