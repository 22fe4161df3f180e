"""Loading story forms from YAML, with errors that name file, line and field.

The shipped forms live in ``src/zicht/defaults/forms/``; a workspace may add or override
forms in ``DIR/forms/*.yaml`` (same id = override).
"""

from __future__ import annotations

from pathlib import Path

from zicht.model._yaml import Loc, read_mapping, validate
from zicht.model.stories import StoryForm

DEFAULT_FORMS_DIR = Path(__file__).resolve().parent.parent / "defaults" / "forms"


def _clean(loc: Loc) -> Loc:
    # Drop the discriminator tags pydantic inserts ("triad", "dyad", ...) after a list index.
    tags = ("triad", "dyad", "stones", "choice")
    return tuple(
        p for i, p in enumerate(loc) if not (i > 0 and isinstance(loc[i - 1], int) and p in tags)
    )


def load_form(path: Path) -> StoryForm:
    """Read and validate one form; :class:`MappingError` says ``file:line: veld x: ...``."""
    doc = read_mapping(path)
    form = validate(doc, StoryForm, clean_loc=_clean)
    doc.check_id(form.id)
    return form


def load_forms(extra_dir: Path | None = None) -> dict[str, StoryForm]:
    """The shipped forms, overridden or extended by ``extra_dir/*.yaml``; ordered by id."""
    found: dict[str, StoryForm] = {}
    dirs = [DEFAULT_FORMS_DIR]
    if extra_dir is not None and extra_dir.is_dir():
        dirs.append(extra_dir)
    for folder in dirs:
        for path in sorted(folder.glob("*.yaml")):
            form = load_form(path)
            found[form.id] = form
    return dict(sorted(found.items()))
