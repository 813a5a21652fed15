"""Process memory between the phases of a run: freed memory handed back to the OS.

A run's peak is a load (DuckDB's buffers, the parquet readers) on top of whatever the
extraction before it left in the process. What Python, pyarrow and the fetch threads
freed stays in the process unless it is handed back: glibc's heap fragments unless it
is trimmed, and pyarrow's default allocator, mimalloc, keeps freed pages for reuse.
The glibc calls are no-ops elsewhere.

pyarrow is imported only where it is used: ``prefer_system_allocator`` must run before
the process's first ``import pyarrow``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os

M_MMAP_THRESHOLD, MMAP_THRESHOLD = -3, 256 * 1024  # glibc's mallopt parameter, its value


def map_large_blocks() -> None:
    """Have glibc serve allocations of ``MMAP_THRESHOLD`` bytes and more from their own maps.

    glibc raises that threshold as large blocks are freed, after which response bodies
    and DuckDB's 256 KiB blocks come from the heap, where what is freed stays
    fragmented: a 1,000,000-event OpenPanel run peaked ~45 MB higher. A fixed threshold
    hands such blocks back to the OS when they are freed. Process-wide; glibc only.
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"  # arrow's own switch: mimalloc, jemalloc, system


def prefer_system_allocator() -> None:
    """Have arrow allocate from the system allocator, unless the user chose one.

    mimalloc, pyarrow's default, keeps the pages it freed: the OpenPanel fetch threads
    each parse pages into arrow buffers, and during a crawl mimalloc held 65-85 MB of
    freed pages while arrow had 2-4 MB allocated. From glibc, with large blocks mapped
    (``map_large_blocks``), freed buffers go back to the OS: a crawl's private memory
    dropped from ~190-210 MB to ~125-145 MB (``benchmarks/openpanel_events.py``, 200,000
    and 1,000,000 events), at the same speed. (Measured before DuckDB's loads ran on one
    thread without vacuum tasks, the system allocator made loads peak higher; no more.)

    Arrow reads ``ARROW_DEFAULT_MEMORY_POOL`` once, when pyarrow is imported, and its
    C++ code allocates from that pool; ``pyarrow.set_memory_pool`` later would switch
    pyarrow's Python calls only, and two allocators held more than one (measured). So
    this sets the variable, and only takes effect when it runs before the process's
    first ``import pyarrow``: ``pipelines/__init__.py`` calls it. A value already in the
    environment is the user's choice and is kept.

    Usage (a process that runs the sources without the CLI)::

        from sources.common.memory import prefer_system_allocator
        prefer_system_allocator()  # first, before dlt sources or pyarrow are imported
    """
    os.environ.setdefault(ARROW_POOL_ENV, "system")


def release_free_memory() -> None:
    """Hand what the process freed back to the OS (before a load, after a crawl).

    The OpenPanel fetch threads parse pages in their own malloc arenas; what they free
    stays in the process (~80 MB after 200,000 events) unless trimmed, and the load that
    follows would come on top of it. Before each load the runner trims again what dlt's
    extract freed (~9 MB for a 200,000-event step). ~10 ms.
    """
    import pyarrow as pa  # here, not at the top: see prefer_system_allocator

    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)  # the process's own symbols include glibc's
