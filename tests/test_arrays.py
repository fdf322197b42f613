"""NumPy helpers (build.arrays)."""

import numpy as np
import pytest

from caucasus_events.build.arrays import sorted_distinct


@pytest.mark.parametrize("size", [0, 1, 2, 1000])
def test_sorted_distinct_gives_what_np_unique_gives(size: int) -> None:
    values = np.random.default_rng(size).integers(0, max(size // 3, 1), size, dtype=np.uint64)
    found = sorted_distinct(values)
    assert found.dtype == values.dtype
    assert np.array_equal(found, np.unique(values))
