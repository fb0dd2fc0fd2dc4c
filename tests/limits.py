"""A time limit for tests of inputs that could make the code under test hang (a FIFO opened, a bomb
expanded): the test fails instead of waiting forever."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class TookTooLong(Exception):
    """Not a TimeoutError: that is an OSError, which the code under test may catch (and so hide the hang)."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise TookTooLong(f"validation took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
