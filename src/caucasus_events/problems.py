"""Problems found in input, reported all at once as ``path:line: field: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input.

    Parameters
    ----------
    path : str
        File the problem is in, relative to the project root where possible.
    line : int or None
        1-based line number, when known.
    field : str
        The field (key path) at fault, or ``-`` for the file as a whole.
    message : str
        What is wrong, with what was expected in parentheses.
    """

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


class InputError(Exception):
    """Raised with every problem of a run when the input is bad (exit code 2)."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """A command was used wrongly or its environment is unusable (exit code 2)."""

    exit_code = 2


def _sort_key(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.field, problem.message)


def relpath(path: Path, root: Path) -> str:
    """Show ``path`` relative to ``root`` when it is inside it.

    The path is tried as given before it is resolved, so that a symbolic link inside the
    project is named where it lies, not where it points.
    """
    # Resolved only when needed: resolving takes a system call per path component.
    for pair in (lambda: (path.absolute(), root.absolute()), lambda: (path.resolve(), root.resolve())):
        inner, outer = pair()
        try:
            return inner.relative_to(outer).as_posix()
        except ValueError:
            continue
    return str(path)
