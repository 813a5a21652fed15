"""The CLI, the runner and the demo."""
