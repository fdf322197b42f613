"""NumPy helpers shared by the linter and the checks."""

from __future__ import annotations

import numpy as np


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted, by a sort and a comparison of neighbours.

    NumPy 2.4's ``np.unique`` hashes integers instead: 35 s for 25,000,000 random 64-bit
    fingerprints, where this takes 0.7 s.
    """
    values = np.sort(values)
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    return values[first]
