"""A build's process gives freed arrays back to the system (build.allocator)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from caucasus_events.build import allocator

# Frees a large array (which raises glibc's dynamic threshold), then makes and frees many
# middle-sized ones, keeping every tenth: what stays in the process's memory after that?
PROGRAM = """
import sys
import numpy as np
from caucasus_events.build.allocator import fix_mmap_threshold

def rss():
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) * 1024

fixed = fix_mmap_threshold() if sys.argv[1] == "fixed" else False
big = np.ones(8 << 20, dtype=np.uint8); del big
before = rss()
arrays = [np.ones(300_000, dtype=np.uint8) for _ in range(400)]
kept = arrays[::10]
del arrays
print(fixed, rss() - before)
"""


def _retained(mode: str) -> tuple[bool, int]:
    env = {k: v for k, v in os.environ.items() if k != allocator.VARIABLE}
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_freed_middle_sized_arrays_go_back_to_the_system_once_the_threshold_is_fixed() -> None:
    fixed, retained = _retained("fixed")
    default_fixed, default_retained = _retained("default")
    assert fixed and not default_fixed
    kept = 40 * 300_000
    # Without the fix, the freed arrays' pages stay with the process (the heap keeps them).
    assert default_retained > 3 * kept
    assert retained < 1.5 * kept


def test_a_threshold_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(allocator.VARIABLE, "65536")
    assert allocator.fix_mmap_threshold() is False
