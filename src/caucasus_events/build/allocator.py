"""How the C allocator of a build's process gives memory back to the system.

glibc's ``malloc`` serves a block of 128 KiB or more with a mapping of its own, returned to
the system when the block is freed, but only until such a block is freed: it then raises that
threshold to the freed block's size (up to 32 MiB), so that the middle-sized arrays a build
makes by the thousand (NumPy's fingerprints, Arrow's record batches) come from the heap, and
the heap keeps their pages after they are freed. Fixing the threshold turns that off: about
20 MB of the peak of a build of 10,000 articles.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: ``mallopt`` parameter numbers (glibc's malloc.h).
M_MMAP_THRESHOLD = -3
#: Blocks of this size or more get a mapping of their own: glibc's initial threshold.
MMAP_THRESHOLD = 128 * 1024
#: Set by hand, the variable fixes the threshold already (glibc reads it at start).
VARIABLE = "MALLOC_MMAP_THRESHOLD_"


def fix_mmap_threshold() -> bool:
    """Keep glibc's mapping threshold at MMAP_THRESHOLD for the rest of this process.

    Returns whether it was set: not where the C library is not glibc (``mallopt`` missing or
    refusing), nor when the user's environment sets the threshold already.
    """
    if not sys.platform.startswith("linux") or VARIABLE in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
