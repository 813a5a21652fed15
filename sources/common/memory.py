"""Process memory between the phases of a run: glibc's heap handed back to the OS.

A run's peak is a load (DuckDB's buffers, the parquet readers) on top of whatever the
extraction before it left in the process. What Python, pyarrow and the fetch threads
freed stays in the heap, fragmented, unless it is trimmed. glibc only; elsewhere these
are no-ops.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc

import pyarrow as pa

M_MMAP_THRESHOLD, MMAP_THRESHOLD = -3, 256 * 1024  # glibc's mallopt parameter, its value


def map_large_blocks() -> None:
    """Have glibc serve allocations of ``MMAP_THRESHOLD`` bytes and more from their own maps.

    glibc raises that threshold as large blocks are freed, after which response bodies
    and DuckDB's 256 KiB blocks come from the heap, where what is freed stays
    fragmented: a 1,000,000-event OpenPanel run peaked ~45 MB higher. A fixed threshold
    hands such blocks back to the OS when they are freed. Process-wide; glibc only.

    (pyarrow keeps its default pool, mimalloc: measured with the system allocator
    instead, the OpenPanel benchmark's extraction peaked lower but its loads higher,
    and the runs ~15 MB higher overall.)
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_free_memory() -> None:
    """Hand what the process freed back to the OS (before a load, after a crawl).

    The OpenPanel fetch threads parse pages in their own malloc arenas; what they free
    stays in the process (~80 MB after 200,000 events) unless trimmed, and the load that
    follows would come on top of it. Before each load the runner trims again what dlt's
    extract freed (~9 MB for a 200,000-event step). ~10 ms.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)  # the process's own symbols include glibc's
