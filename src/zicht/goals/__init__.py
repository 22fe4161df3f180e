"""Goals of the council: ambition, baseline, indicators, targets, progress (docs/goals.md)."""
