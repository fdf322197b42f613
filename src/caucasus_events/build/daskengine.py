"""The per-article stage on a Dask cluster: ``caucasus-events build --engine dask``.

The registries are read and checked once, by the build, and sent to every worker; the articles
are sent in chunks, each checked by :func:`caucasus_events.build.stage.process_article` on a worker,
and the results come back in the order of the articles, so that assembly, checks and
serialization (here, as in the local engine) give the same bytes. Dask is an optional extra
(``pip install 'caucasus-events[dask]'``); see docs/scaling.md for a real cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
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
    """
    client, cluster = connect(scheduler, workers)
    try:
        slots = sum(client.nthreads().values()) or 1
        size = max(1, len(ids) // (slots * 8))  # a few chunks per thread: even load, few messages
        chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
        shared = client.scatter(reg, broadcast=True)
        futures = client.map(_chunk, [str(root)] * len(chunks), chunks, reg=shared, pure=False)
        for future in futures:
            yield from future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
