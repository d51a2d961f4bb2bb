"""``lms.aio``: the library's database surface as coroutines, for asyncio back ends
(FastAPI, aiohttp, Starlette).

Each call runs the synchronous call of :mod:`lms` in a worker thread
(:func:`asyncio.to_thread`); the Rust side releases the GIL while it works, so the event
loop keeps running and calls proceed in parallel. The pure rules (``lms.score`` …) are
fast and stay synchronous: call them directly.

    import lms.aio
    client = await lms.aio.connect(url)
    me = client.as_user(user_id)
    await me.enroll(course_id)
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable, Sequence

from . import _native

__all__ = ["Client", "Scope", "connect"]


async def connect(
    url: str,
    *,
    max_connections: int | None = None,
    acquire_timeout: float | None = None,
    pooled: bool = False,
    replicas: Sequence[str] | None = None,
    max_replica_lag: float = 10.0,
    slow_statement_ms: int = 1000,
) -> Client:
    """Connects as :func:`lms.connect` does, without blocking the event loop."""
    native = await asyncio.to_thread(
        _native.connect,
        url,
        max_connections=max_connections,
        acquire_timeout=acquire_timeout,
        pooled=pooled,
        replicas=replicas,
        max_replica_lag=max_replica_lag,
        slow_statement_ms=slow_statement_ms,
    )
    return Client(native)


class Client:
    """:class:`lms.Client` with coroutine methods; an async context manager."""

    def __init__(self, native: _native.Client) -> None:
        self._native = native

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native.closed

    @property
    def pooled(self) -> bool:
        """Whether it goes through a transaction pooler (``connect(..., pooled=True)``)."""
        return self._native.pooled

    @property
    def replica_count(self) -> int:
        """The number of read replicas."""
        return self._native.replica_count

    def pool_stats(self) -> Any:
        """The pool's statistics now (:meth:`lms.Client.pool_stats`): no I/O."""
        return self._native.pool_stats()

    async def migrate(self) -> None:
        """Applies the pending migrations."""
        await asyncio.to_thread(self._native.migrate)

    def as_user(self, user_id: Any) -> Scope:
        """A scope acting as the user (see :meth:`lms.Client.as_user`)."""
        return Scope(self._native.as_user(user_id))

    def as_anon(self) -> Scope:
        """A scope for an anonymous visitor."""
        return Scope(self._native.as_anon())

    def as_service(self) -> Scope:
        """A scope for trusted back-office jobs."""
        return Scope(self._native.as_service())

    async def close(self) -> None:
        """Closes the pool."""
        await asyncio.to_thread(self._native.close)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *_exc: object) -> bool:
        await self.close()
        return False


class Scope:
    """:class:`lms.Scope` whose every use case is a coroutine with the same name and
    arguments."""

    def __init__(self, native: _native.Scope) -> None:
        self._native = native

    @property
    def actor(self) -> Any:
        """Who this scope acts for."""
        return self._native.actor


def _coroutine(name: str) -> Callable[..., Any]:
    native = getattr(_native.Scope, name)

    @functools.wraps(native)
    async def method(self: Scope, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self._native, name), *args, **kwargs)

    return method


# every use case of the native scope, as a coroutine of the same name and signature
for _name in dir(_native.Scope):
    if not _name.startswith("_") and callable(getattr(_native.Scope, _name)):
        setattr(Scope, _name, _coroutine(_name))
del _name
