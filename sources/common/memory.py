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


def use_returnable_memory() -> None:
    """Allocate so that what is freed can go back to the OS: for a crawl of many pages.

    - glibc serves allocations of ``MMAP_THRESHOLD`` bytes and more from their own maps.
      It otherwise raises that threshold as large blocks are freed, after which response
      bodies and DuckDB's 256 KiB blocks come from the heap, where what is freed stays
      fragmented: a 1,000,000-event OpenPanel run peaked ~45 MB higher.
    - pyarrow allocates through the system allocator, not its default mimalloc, which
      keeps the heaps of the threads that parsed pages after they end: an OpenPanel step's
      extraction peaked ~35 MB higher (``benchmarks/openpanel_events.py``), and no
      ``release_unused`` gave it back. Where there is no glibc, arrow's pool stays.

    Process-wide.
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        if pa.system_memory_pool().backend_name == "system":
            pa.set_memory_pool(pa.system_memory_pool())


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
