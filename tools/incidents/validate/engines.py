"""Where the checks run: in this process on threads (`local`), or as tasks on a Dask cluster (`dask`).

An engine takes tasks (functions of no arguments, picklable: `functools.partial` of module functions) and
returns their results in the order given, so both engines give the same problems in the same order. A task
may also be a `Shuffle`: map tasks that each split their result into pieces, and reduce tasks that each take
one piece of every map's result (on Dask the pieces go from worker to worker, never through this process);
its result is the list of the reducers' results. Dask is optional (`pip install incidents[scale]`) and
imported only when asked for.
"""

from __future__ import annotations

import gc
import operator
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from typing import Any, TypeVar

T = TypeVar("T")
NAMES = ("local", "dask")


@dataclass(frozen=True)
class Shuffle:
    """Map tasks whose results are sequences of pieces, one per reducer; `reduces[k]` is called with the
    k-th piece of every map's result, in the maps' order. Its result is the reducers' results, in order."""

    maps: Sequence[Callable[[], Sequence[Any]]]
    reduces: Sequence[Callable[..., Any]]


Task = Callable[[], Any] | Shuffle
Engine = Callable[[Sequence[Task]], list[Any]]


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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while. Checking a dataset makes hundreds of thousands of
    small objects (parsed values, paths, stats, ids) that hold no cycles: set off by the count of objects
    made, the collector would walk all that is kept again and again and find nothing. Measured: a cold
    `incidents build` of 100k synthetic records took 63 and 88 s paused, 106 and 120 s running; within a
    chunk of files, collection took a tenth of the parse. It runs again afterwards, if it ran before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def local(tasks: Sequence[Task]) -> list[Any]:
    """Threads in this process: pyarrow releases the GIL, so the partitions' checks use every core. One
    task runs on this thread (the single-file layout is one task), more on a pool. A shuffle's map outputs
    wait for their reducers on disk, in a private temporary folder (see _spill)."""
    if len(tasks) == 1 and not isinstance(tasks[0], Shuffle):
        return [tasks[0]()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool, tempfile.TemporaryDirectory() as folder:
        started: list[Future[Any] | tuple[Shuffle, list[Future[Any]]]] = [
            (task, [pool.submit(_spill, m, os.path.join(folder, f"{i}-{j}")) for j, m in enumerate(task.maps)])
            if isinstance(task, Shuffle)
            else pool.submit(task)
            for i, task in enumerate(tasks)
        ]
        reduced: dict[int, list[Future[Any]]] = {}
        for index, job in enumerate(started):  # each shuffle's reducers once its maps are done, the rest running
            if isinstance(job, tuple):
                shuffle, maps = job
                wait(maps)
                spilled = [m.result() for m in maps]
                reduced[index] = [
                    pool.submit(_unspill, r, [paths[k] for paths in spilled]) for k, r in enumerate(shuffle.reduces)
                ]
        return [
            [r.result() for r in reduced[index]] if index in reduced else job.result()  # type: ignore[union-attr]
            for index, job in enumerate(started)
        ]


def _spill(task: Callable[[], Sequence[Any]], stem: str) -> list[str]:
    """Run a map task and write each of its pieces to a file of its own, returning their paths. Held in
    memory until every map was done, the pieces outgrew the machine: at 10M incidents each of 7 maps gave
    2.1 GiB of key buckets, and the process was killed at 16.6 GiB. On disk, memory holds the pieces of the
    maps running and of the reducers running. The files are this process's own, in a folder only it can
    read (tempfile), so pickle reads back nothing it did not write."""
    paths = []
    for k, piece in enumerate(task()):
        path = f"{stem}-{k}.pickle"
        with open(path, "wb") as out:
            pickle.dump(piece, out, protocol=5)
        paths.append(path)
    return paths


def _unspill(reduce: Callable[..., Any], paths: list[str]) -> Any:
    """Run a reducer on the pieces `_spill` wrote, deleting each file once read."""
    pieces = []
    for path in paths:
        with open(path, "rb") as read:
            pieces.append(pickle.load(read))
        os.remove(path)
    return reduce(*pieces)


def dask(scheduler: str | None = None, **cluster: object) -> Engine:
    """Tasks on a Dask cluster: the scheduler at `scheduler` (tcp://host:8786), or else a LocalCluster
    started for the run (`cluster` keyword arguments are passed to it, e.g. processes=False, n_workers=4)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(
            "--engine dask needs dask.distributed: pip install 'incidents[scale]' (or dask[distributed])"
        ) from None

    def run(tasks: Sequence[Task]) -> list[Any]:
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
            futures: list[Any] = []
            for task in tasks:
                if isinstance(task, Shuffle):
                    maps = [client.submit(_call, m, pure=False) for m in task.maps]
                    futures.append(
                        [
                            client.submit(reduce, *(client.submit(operator.getitem, m, k) for m in maps), pure=False)
                            for k, reduce in enumerate(task.reduces)
                        ]
                    )
                    del maps  # their results are freed on the workers once every piece is taken
                else:
                    futures.append(client.submit(_call, task, pure=False))
            return list(client.gather(futures))
        finally:
            client.close()
            if local_cluster is not None:
                local_cluster.close()

    return run


def _call(task: Callable[[], T]) -> T:
    return task()


def engine(name: str, scheduler: str | None = None, workers: int | None = None) -> Engine:
    """The engine called `name` (one of NAMES); for dask without a scheduler, a local cluster of `workers`
    processes of one thread each (default: dask's choice for this machine)."""
    if name == "dask":
        if workers is not None and scheduler:
            raise EngineError("--workers is for the local cluster: a --scheduler has its own workers")
        if workers is not None and workers < 1:
            raise EngineError(f"--workers {workers}: expected 1 or more")
        return dask(scheduler) if workers is None else dask(n_workers=workers, threads_per_worker=1)
    if scheduler or workers is not None:
        raise EngineError("--scheduler and --workers are for --engine dask")
    return local
