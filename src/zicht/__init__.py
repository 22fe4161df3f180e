"""zicht: a privacy-safe monitor for the Dutch sociaal domein."""

from __future__ import annotations

__version__ = "0.1.0"
