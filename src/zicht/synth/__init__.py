"""synth layer; see docs/architecture.md."""
