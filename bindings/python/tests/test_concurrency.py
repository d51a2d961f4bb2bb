"""One client shared by many threads; `os.fork()`; a database that is gone."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

import lms
from conftest import World, answers


def test_sixteen_threads_share_one_client(world: World) -> None:
    c = world.client
    students = [c.as_service().sign_up(f"s{i}@example.org")["id"] for i in range(16)]
    errors: list[BaseException] = []
    results: dict[int, int | None] = {}
    barrier = threading.Barrier(16)

    def study(i: int) -> None:
        try:
            me = c.as_user(students[i])
            barrier.wait()
            me.enroll(world.course)
            done = me.submit_attempt(world.quiz1, answers(i % 3))
            results[i] = done["attempt"]["score"]
            me.student_dashboard()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=study, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(results) == list(range(16))
    assert all(results[i] == [0, 50, 100][i % 3] for i in range(16))
    book = c.as_user(world.instructor).gradebook(world.course)
    assert len(book["student_id"]) == 16


def test_threads_run_in_parallel_while_rust_works(world: World) -> None:
    # the GIL is released during a call: a Python thread keeps counting meanwhile
    c = world.client
    stop = threading.Event()
    ticks = [0]

    def count() -> None:
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=count)
    t.start()
    before = ticks[0]
    for _ in range(20):
        c.as_anon().list_courses()
    stop.set()
    t.join()
    assert ticks[0] > before


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_after_fork_the_child_is_told_to_connect_again(world: World, database_url: str) -> None:
    c = world.client
    c.as_anon().list_courses()  # the runtime and the pool are alive in the parent
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            status = "no error"
            try:
                c.as_anon().list_courses()
            except lms.LmsError as e:
                status = "refused: " + str(e) if "connect" in str(e) else "other: " + str(e)
            # pure rules and a new client work in the child
            assert lms.grade([1, 2]) == 2
            with lms.connect(database_url) as fresh:
                n = fresh.as_anon().list_courses()["total"]
            os.write(write, f"{status}|{n}".encode())
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + 60
    while True:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        assert time.monotonic() < deadline, "the child hangs"
        time.sleep(0.05)
    message = os.read(read, 1000).decode()
    assert message.startswith("refused:") and message.endswith("|1"), message
    # the parent's client still works
    assert c.as_anon().list_courses()["total"] == 1


def test_a_database_that_is_gone_fails_fast_with_database_error(database_url: str) -> None:
    url = database_url.rsplit("/", 1)[0] + "/no_such_database_here"
    started = time.monotonic()
    with pytest.raises(lms.DatabaseError) as refused:
        lms.connect(url, acquire_timeout=1)
    assert refused.value.code == "database"
    assert time.monotonic() - started < 10
    with pytest.raises(ValueError):
        lms.connect(database_url, max_connections=0)


def test_a_closed_client_refuses_calls(database_url: str) -> None:
    c = lms.connect(database_url)
    scope = c.as_anon()
    c.close()
    c.close()
    assert c.closed
    with pytest.raises(lms.LmsError, match="closed"):
        scope.list_courses()
