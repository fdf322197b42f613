"""The Dask engine: the per-article stage on a real LocalCluster of two worker processes gives
the bytes of the local engine; the same problems; exit 2 naming the extra without Dask.

The project is a small synthetic corpus written by ``benchmarks/synthetic.py``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from caucasus_events.build.models import MODELS
from caucasus_events.build.pipeline import build
from caucasus_events.cli import main

distributed = pytest.importorskip("dask.distributed")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synthetic  # noqa: E402
from test_scale import outputs, quiet  # noqa: E402

N_ARTICLES = 36


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dask") / "corpus"
    synthetic.generate(root, N_ARTICLES, seed=11, n_actors=40)
    return root


@pytest.fixture(scope="module")
def local(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The outputs of the local engine, one process, no cache."""
    root = tmp_path_factory.mktemp("local") / "project"
    shutil.copytree(corpus, root)
    assert build(root, say=quiet, cache=False) == 0
    return outputs(root)


@pytest.fixture
def project(corpus: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(corpus, root)
    return root


@pytest.fixture
def small_partitions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Partitions of 40 rows for the row-local checks: several per large table."""
    from caucasus_events.build import partchecks

    monkeypatch.setattr(partchecks, "PARTITION_ROWS", 40)


def test_dask_local_cluster_gives_the_bytes_of_the_local_engine(
    project: Path, local: dict[str, str], small_partitions: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caucasus_events.build import daskengine

    started = []
    connect = daskengine.connect
    monkeypatch.setattr(daskengine, "connect", lambda *a: started.append(a) or connect(*a))
    # No address: the build starts a LocalCluster of two worker processes and stops it.
    assert main(["build", "--root", str(project), "--quiet", "--no-cache", "--engine", "dask"]) == 0
    assert outputs(project) == local
    assert len(local) > 20  # every table's CSV and Parquet, the schemas and the descriptor
    assert started == [(None, 2)]  # one cluster for the stage and the checks


def test_process_pool_gives_the_bytes_of_one_process(
    project: Path, local: dict[str, str], small_partitions: None
) -> None:
    assert main(["build", "--root", str(project), "--quiet", "--no-cache", "--workers", "2"]) == 0
    assert outputs(project) == local


def test_dask_scheduler_address_runs_the_stage_and_the_checks_on_both_workers(
    project: Path, local: dict[str, str], small_partitions: None
) -> None:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as stream,
    ):
        code = build(project, say=quiet, cache=False, engine="dask", scheduler=cluster.scheduler_address)
        workers = set(client.scheduler_info()["workers"])
    assert code == 0
    assert outputs(project) == local
    chunks = [task for task in stream.data if task["key"].startswith("_chunk")]
    assert len(chunks) > 2
    assert {task["worker"] for task in chunks} == workers and len(workers) == 2
    parts = [task for task in stream.data if task["key"].startswith("row_problems")]
    assert len(parts) > 2 * len(MODELS)  # the large tables in several partitions


def test_dask_engine_reports_problems_like_the_local_engine(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    path = project / "raw" / "annotations" / "syn-000004.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('quote: "', 'quote: "nowhere ', 1), encoding="utf-8"
    )
    messages = []
    for engine in ("local", "dask"):
        args = ["build", "--root", str(project), "--quiet", "--no-cache", "--engine", engine]
        assert main(args) == 2
        messages.append(capsys.readouterr().err)
    assert messages[0] == messages[1]
    assert "raw/annotations/syn-000004.yaml:" in messages[0] and "quote not found in the text" in messages[0]
    assert not (project / "processed").exists()


def test_without_dask_the_engine_exits_2_naming_the_extra(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if not installed
    assert main(["build", "--root", str(project), "--quiet", "--engine", "dask"]) == 2
    err = capsys.readouterr().err
    assert "build --engine dask needs the 'dask' extra (dask.distributed is not installed)" in err
    assert 'pip install "caucasus-events[dask]"' in err
    assert "Traceback" not in err
    assert not (project / "processed").exists()


def test_scheduler_without_the_dask_engine_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["build", "--root", str(project), "--quiet", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "expected only with --engine dask" in capsys.readouterr().err
