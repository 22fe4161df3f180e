"""indicators layer; see docs/architecture.md."""
