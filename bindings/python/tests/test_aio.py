"""`lms.aio`: the same use cases as coroutines, many at once on one client."""

from __future__ import annotations

import asyncio

import pytest

import lms
import lms.aio
from conftest import answers, build_world


def test_the_async_surface(database_url: str) -> None:
    async def main() -> None:
        async with await lms.aio.connect(database_url) as client:
            await client.migrate()
            world = build_world(lms.connect(database_url))
            me = client.as_user(world.student)
            assert me.actor == ("user", world.student)
            await me.enroll(world.course)
            results = await asyncio.gather(*(client.as_anon().list_courses() for _ in range(20)))
            assert all(r["total"] == 1 for r in results)
            done = await me.submit_attempt(world.quiz1, answers(2))
            assert done["attempt"]["score"] == 100
            with pytest.raises(lms.AlreadyEnrolled):
                await me.enroll(world.course)
            dashboard = await me.student_dashboard()
            assert dashboard["courses"]["title"] == ["Rust"]
        assert client.closed

    asyncio.run(main())


def test_every_use_case_has_its_coroutine(client: lms.Client) -> None:
    native = {n for n in dir(lms.Scope) if not n.startswith("_") and callable(getattr(lms.Scope, n))}
    scope = lms.aio.Client(client).as_anon()
    assert native <= set(dir(scope))
    for name in native:
        assert asyncio.iscoroutinefunction(getattr(scope, name)), name
