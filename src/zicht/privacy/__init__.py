"""privacy layer; see docs/architecture.md."""
