"""Progress of long work on stderr: a bar with counts and rate in a terminal, silence otherwise.

A :class:`Reporter` is made once per command from its ``--quiet`` / ``--verbose`` flags and
hands out one :class:`Progress` per phase::

    report = Reporter.from_flags(quiet=args.quiet, verbose=args.verbose)
    with report.bar("articles", total=len(ids)) as bar:
        for article_id in ids:
            ...
            bar(1, item=f"raw/articles/{article_id}.yaml")

The bar is drawn only when stderr is a terminal and the ``CI`` environment variable is unset
(or ``0``/``false``), so logs of piped runs and CI jobs stay clean. ``--verbose`` adds one line
per item (file) even when the output is piped; ``--quiet`` silences everything. Counts in bytes
(``unit="B"``, for downloads) are shown as KiB/MiB. Nothing here imports anything heavy.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")
#: Redraw at most this often (seconds): a bar must not slow down the work it reports.
REFRESH = 0.1


def interactive(stream: IO[str] | None = None) -> bool:
    """Whether a bar may be drawn on ``stream``: a terminal, outside CI."""
    stream = sys.stderr if stream is None else stream
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


def _amount(value: float, unit: str) -> str:
    if unit != "B":
        return f"{value:,.0f}{unit}"
    for prefix in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or prefix == "GiB":
            return f"{value:,.0f} {prefix}" if prefix == "B" else f"{value:,.1f} {prefix}"
        value /= 1024
    return f"{value:,.1f} GiB"  # pragma: no cover - the loop always returns


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else f"{seconds // 60}:{seconds % 60:02d}"
    )


class Progress:
    """One phase of work: call it with the amount done (and, for ``--verbose``, the item).

    Parameters
    ----------
    label : str
        What is being counted ("articles", "files", "download").
    total : int, optional
        How much there is to do, when known.
    unit : str
        ``"B"`` for bytes, else a suffix for counts (default none).
    draw : bool
        Draw the bar (the stream is a terminal and the user did not ask for quiet).
    verbose : bool
        Write one line per item.
    stream : file, optional
        Where to write (default: stderr).
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        unit: str = "",
        draw: bool = False,
        verbose: bool = False,
        stream: IO[str] | None = None,
    ):
        self.label, self.total, self.unit = label, total, unit
        self.draw, self.verbose = draw, verbose
        self.stream = sys.stderr if stream is None else stream
        self.done = 0
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._width = 0

    def __call__(self, amount: int = 1, item: str | None = None) -> None:
        """Record ``amount`` more done; ``item`` names what was done, for ``--verbose``."""
        self.done += amount
        if self.verbose and item is not None:
            self.note(item)
        if self.draw:
            now = time.monotonic()
            if now - self._drawn_at >= REFRESH or (self.total is not None and self.done >= self.total):
                self._drawn_at = now
                self._render(now)

    def note(self, message: str) -> None:
        """Write a detail line (``--verbose`` only), keeping the bar below it."""
        if not self.verbose:
            return
        self._clear()
        self.stream.write(f"{self.label}: {message}\n")
        if self.draw:
            self._render(time.monotonic())
        self.stream.flush()

    def line(self, now: float | None = None) -> str:
        """The text of the bar: label, counts, percentage, rate and time left."""
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        rate = self.done / elapsed
        parts = [self.label]
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = int(share * 20)
            parts.append(f"[{'#' * filled}{'.' * (20 - filled)}] {share:4.0%}")
            parts.append(f"{_amount(self.done, self.unit)}/{_amount(self.total, self.unit)}")
        else:
            parts.append(_amount(self.done, self.unit))
        parts.append(f"{_amount(rate, self.unit)}/s")
        if self.total and rate > 0 and self.done < self.total:
            parts.append(f"ETA {_clock((self.total - self.done) / rate)}")
        else:
            parts.append(_clock(elapsed))
        return "  ".join(parts)

    def _render(self, now: float) -> None:
        text = self.line(now)
        columns = shutil.get_terminal_size((80, 24)).columns
        text = text[: max(columns - 1, 10)]
        self.stream.write("\r" + text + " " * max(self._width - len(text), 0))
        self._width = len(text)
        self.stream.flush()

    def _clear(self) -> None:
        if self.draw and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0

    def close(self) -> None:
        """Finish the bar: leave its last state on its own line."""
        if self.draw:
            self._render(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
            self.draw = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Reporter:
    """Makes the progress bars of one command, all obeying the same flags.

    Parameters
    ----------
    mode : str
        ``"auto"`` (bar in a terminal outside CI), ``"quiet"`` (nothing) or ``"verbose"``
        (a line per item, plus the bar in a terminal).
    stream : file, optional
        Where to write (default: stderr).
    """

    def __init__(self, mode: str = "auto", stream: IO[str] | None = None):
        if mode not in ("auto", "quiet", "verbose"):
            raise ValueError(f"unknown progress mode {mode!r} (expected auto, quiet or verbose)")
        self.mode = mode
        self.stream = stream

    @classmethod
    def from_flags(
        cls, quiet: bool = False, verbose: bool = False, stream: IO[str] | None = None
    ) -> Reporter:
        """The reporter for a command's ``--quiet`` and ``--verbose`` flags (quiet wins)."""
        return cls("quiet" if quiet else "verbose" if verbose else "auto", stream)

    def bar(self, label: str, total: int | None = None, unit: str = "") -> Progress:
        """A new bar for one phase of work."""
        draw = self.mode != "quiet" and interactive(self.stream)
        return Progress(
            label, total, unit=unit, draw=draw, verbose=self.mode == "verbose", stream=self.stream
        )

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        """Yield ``items``, counting each one (named by ``str(item)`` for ``--verbose``)."""
        if total is None and hasattr(items, "__len__"):
            total = len(items)  # type: ignore[arg-type]
        with self.bar(label, total) as bar:
            for item in items:
                yield item
                bar(1, item=str(item))


#: A reporter that never writes: the default of library calls.
QUIET = Reporter("quiet")
