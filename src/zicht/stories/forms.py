"""Loading story forms from YAML, with errors that name file, line and field.

The shipped forms live in ``src/zicht/defaults/forms/``; a workspace may add or override
forms in ``DIR/forms/*.yaml`` (same id = override).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from zicht.errors import MappingError
from zicht.model.stories import StoryForm

DEFAULT_FORMS_DIR = Path(__file__).resolve().parent.parent / "defaults" / "forms"


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """1-based line of the deepest YAML node along the pydantic location ``loc``."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if str(k.value) == str(part)), None)
            if nxt is None:
                break
            key = next(k for k, v in node.value if v is nxt)
            line = key.start_mark.line + 1
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _clean(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # Drop the discriminator tags pydantic inserts ("triad", "dyad", ...) after a list index.
    tags = ("triad", "dyad", "stones", "choice")
    return tuple(
        p for i, p in enumerate(loc) if not (i > 0 and isinstance(loc[i - 1], int) and p in tags)
    )


def load_form(path: Path) -> StoryForm:
    """Read and validate one form; :class:`MappingError` says ``file:line: veld x: ...``."""
    text = path.read_text(encoding="utf-8")
    try:
        data: Any = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise MappingError(f"{path}:{line}: geen geldige YAML") from None
    if not isinstance(data, dict):
        raise MappingError(f"{path}:1: verwacht een mapping met velden (id, title, ...)")
    try:
        form = StoryForm.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = _clean(tuple(p for p in err["loc"] if isinstance(p, int | str)))
        msg = str(err["msg"]).removeprefix("Value error, ")
        name = ".".join(str(p) for p in loc)
        if not name and ":" in msg:  # model-level check: "field: message"
            name, msg = (s.strip() for s in msg.split(":", 1))
            loc = (name,)
        raise MappingError(f"{path}:{_line_of(root, loc)}: veld {name or '?'}: {msg}") from None
    if form.id != path.stem:
        raise MappingError(
            f"{path}:{_line_of(root, ('id',))}: veld id: {form.id!r} moet gelijk zijn aan "
            f"de bestandsnaam {path.stem!r}"
        )
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
