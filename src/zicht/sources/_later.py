"""Files still being written: plan them (and parse their messages ahead) once they exist.

``ingest_files(..., written=...)`` loads the exports that are complete at once and hands
the rest to :class:`Later`: a thread that starts the workers of a
:class:`~zicht.sources.xml_load.Prefetch`, waits in ``written()`` until another process
(the demo's message writer) has finished the files, then lists the folders, hands the
XML files to the workers and groups the files (a file that turns out not to be a message
is loaded by its mapping; its parse is never used), all while this process is still
writing the exports into the workspace. The workspace has one
writer throughout: the thread reads files, never the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from zicht.sources.mapping import Mapping, mapping_path_for

if TYPE_CHECKING:
    from zicht.sources.xml_load import Prefetch
    from zicht.workspace import Workspace

Plan = list[tuple[str, list[Path], Mapping | None]]


def ready_prefix(files: Sequence[Path], mapping: Path | None) -> int:
    """How many leading entries are exports that can be loaded now: files (not folders,
    not messages) with a mapping, given or lying next to them."""
    n = 0
    for f in files:
        f = Path(f)
        if not f.is_file() or f.suffix.lower() == ".xml":
            break
        if mapping is None and not mapping_path_for(f).is_file():
            break
        n += 1
    return n


class Later:
    """The files after the ready prefix, planned in a thread once ``written()`` returns.

    :meth:`result` joins the thread and returns the paths, their plan and the prefetch
    (or raises what ``written()`` or the planning raised). :meth:`abandon` is for the
    caller's error path: it does not wait for the writer, and a prefetch started after
    it is closed at once.
    """

    def __init__(
        self,
        ws: Workspace,
        files: Sequence[Path],
        mapping: Path | None,
        written: Callable[[], object],
        plan: Callable[[list[Path], Path | None], Plan],
        expand: Callable[[Sequence[Path]], list[Path]],
    ) -> None:
        self._lock = threading.Lock()
        self._abandoned = False
        self._error: BaseException | None = None
        self._out: tuple[list[Path], Plan, Prefetch | None] | None = None

        def run() -> None:
            ahead: Prefetch | None = None
            try:
                # Spawn the parsing workers (imports, XSDs) while the files are written.
                from zicht.sources.xml_load import Prefetch

                ahead = Prefetch(ws, warm=True)
                written()
                paths = expand(files)
                if ahead is not None:  # parse while the files are grouped below
                    ahead.add([p for p in paths if p.suffix.lower() == ".xml"])
                planned = plan(paths, mapping)
                with self._lock:
                    if not self._abandoned:
                        self._out = (paths, planned, ahead)
                        ahead = None
            except BaseException as exc:  # re-raised in the caller's thread by result()
                self._error = exc
            finally:
                if ahead is not None:  # abandoned, or failed: nobody will read it
                    ahead.close()

        self._thread = threading.Thread(target=run, name="ingest-later", daemon=True)
        self._thread.start()

    def result(self) -> tuple[list[Path], Plan, Prefetch | None]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._out is not None
        return self._out

    def abandon(self) -> None:
        """Give up on the rest (the caller failed): close a prefetch that was started."""
        with self._lock:
            self._abandoned = True
            out, self._out = self._out, None
        if out is not None and out[2] is not None:
            out[2].close()
