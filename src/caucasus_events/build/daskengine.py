"""The per-article stage on a Dask cluster: ``caucasus-events build --engine dask``.

The registries are read and checked once, by the build, and sent to every worker; the articles
are sent in chunks, each checked by :func:`caucasus_events.build.stage.process_article` on a worker,
and the results come back in the order of the articles, so that assembly, checks and
serialization (here, as in the local engine) give the same bytes. The row-local part of the
tables' model checks also runs on the cluster (:func:`mapper`), on partitions of rows; one
cluster serves the whole build (:func:`session`). Dask is an optional extra
(``pip install 'caucasus-events[dask]'``); see docs/scaling.md for a real cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from caucasus_events.build.rawdata import Registries
from caucasus_events.build.stage import ArticleResult, process_article
from caucasus_events.extras import missing
from caucasus_events.problems import UsageError

#: Workers of the LocalCluster started when no scheduler is given.
LOCAL_WORKERS = 2


def require() -> None:
    """Raise :class:`MissingExtra` (exit 2, naming the extra) unless Dask's scheduler is installed."""
    try:
        import dask.distributed  # noqa: F401
    except ModuleNotFoundError as exc:
        raise missing(exc, "build --engine dask") from None


def connect(scheduler: str | None, workers: int):
    """A Dask client for ``scheduler``, or for a new LocalCluster of ``workers`` processes.

    Returns
    -------
    tuple
        The client and the cluster this call started (``None`` with a scheduler address).

    Raises
    ------
    MissingExtra
        Dask is not installed (exit 2, naming the extra).
    UsageError
        The scheduler cannot be reached.
    """
    require()
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="30s"), None
        except OSError as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot reach a Dask scheduler ({exc})") from None
    # Real processes, one thread each: the stage is pure Python and holds the GIL.
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


class _Session:
    """The cluster of one build: connected when first needed, closed when the build ends."""

    def __init__(self, scheduler: str | None, workers: int) -> None:
        self.scheduler, self.workers = scheduler, workers
        self.client, self.cluster = None, None

    def get(self):
        if self.client is None:
            self.client, self.cluster = connect(self.scheduler, self.workers)
        return self.client

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


_SESSION: _Session | None = None


@contextmanager
def session(scheduler: str | None, workers: int) -> Iterator[None]:
    """Share one cluster among the steps of a build that run on Dask (the stage, the checks).

    Nothing is started until a step asks for the client (:func:`current`), so a build that
    stops early, or finds every article in its cache, starts no cluster for the stage.
    """
    global _SESSION
    previous, _SESSION = _SESSION, _Session(scheduler, workers)
    try:
        yield
    finally:
        _SESSION.close()
        _SESSION = previous


def current():
    """The client of the build's session (connected now if need be), or ``None`` outside one."""
    return _SESSION.get() if _SESSION is not None else None


def mapper(client) -> Callable[..., Iterator]:
    """A ``map`` that runs each call on the cluster and gives the results in order.

    The arguments are scattered first: sent to the workers as data, not inside the task graph.
    """

    def run(function: Callable, *iterables: Iterable) -> Iterator:
        columns = [client.scatter(list(values)) for values in iterables]
        futures = client.map(function, *columns, pure=False)
        for future in futures:
            yield future.result()

    return run


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator:
    """The session's client, or a client of its own, closed afterwards, outside a session."""
    if _SESSION is not None:
        yield _SESSION.get()
        return
    client, cluster = connect(scheduler, workers)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _chunk(root: str, ids: list[str], reg: Registries) -> list[ArticleResult]:
    from caucasus_events.build.pipeline import fewer_collections  # the worker's own process

    with fewer_collections():
        return [process_article(Path(root), article_id, reg) for article_id in ids]


def stage(
    root: Path, ids: list[str], reg: Registries, scheduler: str | None, workers: int
) -> Iterator[ArticleResult]:
    """Results of the stage for ``ids``, in order, computed on a Dask cluster.

    Parameters
    ----------
    root : Path
        Project root; every worker must read raw/ at this same path.
    ids : list of str
        The articles to check.
    reg : Registries
        The checked registries, sent once to each worker.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); a LocalCluster when ``None``.
    workers : int
        Worker processes of the LocalCluster (ignored with a scheduler).

    Within a :func:`session`, the session's cluster is used (and left running for the next
    step); outside one, a cluster is started for the stage and stopped after it.
    """
    with _client(scheduler, workers) as client:
        slots = sum(client.nthreads().values()) or 1
        size = max(1, len(ids) // (slots * 8))  # a few chunks per thread: even load, few messages
        chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
        shared = client.scatter(reg, broadcast=True)
        futures = client.map(_chunk, [str(root)] * len(chunks), chunks, reg=shared, pure=False)
        for future in futures:
            yield from future.result()
