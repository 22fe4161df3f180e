"""Story forms and told stories: the schema of the warm data.

A *story form* (YAML under ``src/zicht/defaults/forms/``) asks for one free story and
lets the teller give it meaning with *signifiers*:

``triad``
    a point in a triangle of three labels; stored as three weights summing to 1.
``dyad``
    a slider between two poles; stored as a value in [0, 1] (0 = left pole).
``stones``
    a few items placed on a two-axis canvas; stored as (x, y) in [0, 1]² per item.
``choice``
    multiple choice, one option or (``multiple: true``) several.

plus *context* questions (role, law, wijk, age group). Every signifier and context
question may offer "niet van toepassing" (``allow_na``), which is stored as such and is
different from an unanswered question.

Example::

    form = load_form(DEFAULT_FORMS_DIR / "bewoner.yaml")
    answer = form.signifier("gehoord")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CONTEXT_FIELDS = ("role", "law", "wijk", "age_group")
"""Context a teller may give; ``wijk`` options come from the workspace's areas."""

ROLES = ("inwoner", "professional", "aanbieder")
AGE_GROUPS = ("0-17", "18-26", "27-44", "45-66", "67+")

_ID = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_OPTION_ID = r"^[a-z0-9][a-z0-9_+\-]*$"  # age groups are "18-26", "67+"


class Option(_Strict):
    id: str = Field(pattern=_OPTION_ID)
    label: str = Field(min_length=1)


class _SignifierBase(_Strict):
    id: str = Field(pattern=_ID)
    question: str = Field(min_length=1)
    allow_na: bool = True
    help: str = ""


class Triad(_SignifierBase):
    type: Literal["triad"]
    labels: tuple[str, str, str]


class Dyad(_SignifierBase):
    type: Literal["dyad"]
    left: str = Field(min_length=1)
    right: str = Field(min_length=1)


class Stones(_SignifierBase):
    type: Literal["stones"]
    x_axis: tuple[str, str]
    y_axis: tuple[str, str]
    items: list[Option] = Field(min_length=1, max_length=8)


class Choice(_SignifierBase):
    type: Literal["choice"]
    options: list[Option] = Field(min_length=2)
    multiple: bool = False


Signifier = Annotated[Triad | Dyad | Stones | Choice, Field(discriminator="type")]


class ContextQuestion(_Strict):
    field: Literal["role", "law", "wijk", "age_group"]
    question: str = Field(min_length=1)
    allow_na: bool = True
    options: list[Option] = Field(default_factory=list)


class StoryForm(_Strict):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    audience: Literal["inwoner", "professional"]
    intro: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    story_title_question: str = "Geef uw verhaal een korte titel"
    consent: str = Field(min_length=1)
    follow_up_allowed: bool = False
    min_story_chars: int = Field(default=20, ge=1)
    max_story_chars: int = Field(default=5000, ge=100)
    signifiers: list[Signifier] = Field(min_length=1)
    context: list[ContextQuestion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> StoryForm:
        seen: set[str] = set()
        for s in self.signifiers:
            if s.id in seen:
                raise ValueError(f"signifiers: id {s.id!r} komt twee keer voor")
            seen.add(s.id)
            if isinstance(s, Stones | Choice):
                ids = [o.id for o in (s.items if isinstance(s, Stones) else s.options)]
                if len(set(ids)) != len(ids):
                    raise ValueError(f"signifiers: dubbele optie-id in {s.id!r}")
        fields = [c.field for c in self.context]
        if len(set(fields)) != len(fields):
            raise ValueError("context: een contextvraag komt twee keer voor")
        for c in self.context:
            if c.field != "wijk" and not c.options:
                raise ValueError(f"context: {c.field} heeft opties nodig")
        return self

    def signifier(self, signifier_id: str) -> Triad | Dyad | Stones | Choice:
        for s in self.signifiers:
            if s.id == signifier_id:
                return s
        raise KeyError(signifier_id)

    def context_question(self, name: str) -> ContextQuestion | None:
        return next((c for c in self.context if c.field == name), None)


# --- told stories ----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer to one signifier.

    ``na`` means "niet van toepassing". Otherwise: triad → ``values`` = (a, b, c)
    summing to 1; dyad → (v,); stones → ``points`` = {item: (x, y)}; choice →
    ``options`` = chosen option ids.
    """

    signifier_id: str
    na: bool = False
    values: tuple[float, ...] = ()
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    """A story as stored: its text is already scrubbed of personal data."""

    story_id: str
    form_id: str
    told_on: date
    title: str
    text: str
    answers: dict[str, Answer]
    context: dict[str, str | None]  # field -> option id, "nvt" or None (unanswered)
    pseudonym: str | None = None
    source: str = "web"

    @property
    def period(self) -> int:
        return self.told_on.year
