"""The CLI, the runner and the demo."""

from sources.common.memory import prefer_system_allocator

# before anything imports pyarrow: arrow's buffers from the system allocator, which hands
# freed memory back (mimalloc kept 65-85 MB during an OpenPanel crawl)
prefer_system_allocator()
