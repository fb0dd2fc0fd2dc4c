"""Where the checks run: in this process on threads (`local`), or as tasks on a Dask cluster (`dask`).

An engine takes tasks (functions of no arguments, picklable: `functools.partial` of module functions) and
returns their results in the order given, so both engines give the same problems in the same order.
Dask is optional (`pip install incidents[scale]`) and imported only when asked for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from typing import TypeVar

T = TypeVar("T")
NAMES = ("local", "dask")


class EngineError(Exception):
    """An engine that cannot run here (dask not installed, scheduler unreachable)."""


def use_jemalloc() -> None:
    """Use jemalloc for Arrow's memory where this pyarrow has it: with many large short-lived buffers the
    default (mimalloc) spent 3-4 s of a 1M-incident check in the kernel returning and re-faulting pages,
    and peaked 300 MB higher; a rebuild at 100k puts its rows in build order in half the time."""
    import pyarrow as pa  # here: the CLI imports this module for every command, most never touch Arrow

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:
        pass


class _NoPandas:
    """An import finder that says pandas is not installed."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not imported while tables are validated")
        return None


@contextmanager
def without_pandas() -> Iterator[None]:
    """pyarrow imports pandas (0.2-0.3 s of CPU, holding the GIL) on its first conversion of a Python value
    (`pa.scalar`, `pa.array`, a compute function given a Python number, even `pc.fill_null(mask, False)`) to
    recognise pandas objects, and its C++ side tries again on each conversion until pandas is imported.
    Validation passes it none: while it runs, pandas cannot be imported, so pyarrow takes it as absent.
    Afterwards pandas imports as before, and pyarrow imports it when asked for a pandas object (`to_pandas`).
    Nothing is changed in a process that has imported pandas already."""
    if "pandas" in sys.modules:
        yield
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def local(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Threads in this process: pyarrow releases the GIL, so the partitions' checks use every core. One
    task runs on this thread (the single-file layout is one task), more on a pool."""
    if len(tasks) == 1:
        return [tasks[0]()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(lambda task: task(), tasks))


def dask(scheduler: str | None = None, **cluster: object) -> Callable[[Sequence[Callable[[], T]]], list[T]]:
    """Tasks on a Dask cluster: the scheduler at `scheduler` (tcp://host:8786), or else a LocalCluster
    started for the run (`cluster` keyword arguments are passed to it, e.g. processes=False)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(
            "--engine dask needs dask.distributed: pip install 'incidents[scale]' (or dask[distributed])"
        ) from None

    def run(tasks: Sequence[Callable[[], T]]) -> list[T]:
        try:
            if scheduler:
                client = Client(scheduler, timeout="10s")
                local_cluster = None
            else:
                local_cluster = LocalCluster(**({"dashboard_address": None} | cluster))  # type: ignore[arg-type]
                client = Client(local_cluster)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        try:
            futures = [client.submit(_call, task, pure=False) for task in tasks]
            return list(client.gather(futures))
        finally:
            client.close()
            if local_cluster is not None:
                local_cluster.close()

    return run


def _call(task: Callable[[], T]) -> T:
    return task()


def engine(name: str, scheduler: str | None = None) -> Callable[[Sequence[Callable[[], T]]], list[T]]:
    """The engine called `name` (one of NAMES)."""
    if name == "dask":
        return dask(scheduler)
    if scheduler:
        raise EngineError("--scheduler is for --engine dask")
    return local
