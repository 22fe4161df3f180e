"""quality layer; see docs/architecture.md."""
