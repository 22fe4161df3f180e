"""The one root exception and its kinds.

The command line turns every :class:`ZichtError` into a one-line message and exit code 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ZichtError(Exception):
    """A problem the user can fix; its message is shown as one line."""


class ConfigError(ZichtError):
    """A setting is missing or invalid."""


class WorkspaceError(ZichtError):
    """The workspace does not exist, is incomplete or is in use."""


class SourceError(ZichtError):
    """An input file cannot be read at all (malformed, wrong encoding, missing columns)."""


class MappingError(ZichtError):
    """A mapping or definition file is invalid; the message names file, line and field."""


class RefreshError(ZichtError):
    """The published layer could not be rebuilt; the previous one stays in place."""


class AccessError(ZichtError):
    """An account cannot be created, changed or used (bad name, role or password)."""


class GenerateError(ZichtError):
    """The synthetic gemeente could not be written (e.g. its message writer failed)."""
