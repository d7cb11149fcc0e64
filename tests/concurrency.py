"""Run the same call from several threads at once (each with its own database connection)."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def run_concurrently(count: int, call: Callable[[int], T], timeout: float = 60) -> list[T]:
    """Start `count` threads that call `call(i)` together; return results (or raised errors)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call(index)
        except Exception as exc:  # the caller asserts on what came back, errors included
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results
