"""A goal as the council agreed it: ambition, begroting programme, indicators with a
baseline, a target and its date, optional milestones, and the analysts' duiding.

Goals are YAML files (``src/zicht/defaults/goals/<id>.yaml``, a workspace may override
or add them in ``WORKSPACE/goals/``), validated here; :mod:`zicht.goals.load` turns a
validation error into ``file:line: veld <field>: <reason>``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Direction = Literal["omlaag", "omhoog"]
"""Which way the indicator must move: ``omlaag`` (fewer, lower) or ``omhoog``."""


class Milestone(BaseModel):
    """An intermediate value the indicator should have reached in ``period``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period: int = Field(ge=1990, le=2100)
    value: float


class GoalIndicator(BaseModel):
    """One indicator agreed with the council, with its baseline and target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    indicator: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    baseline_period: int = Field(ge=1990, le=2100)
    target: float
    target_date: date
    direction: Direction
    milestones: tuple[Milestone, ...] = ()
    note: str = ""

    @property
    def target_period(self) -> int:
        """The (yearly) period the target applies to: the year of the target date."""
        return self.target_date.year

    @model_validator(mode="after")
    def _consistent(self) -> GoalIndicator:
        if self.target_period <= self.baseline_period:
            raise ValueError("target_date: moet na de basisperiode (baseline_period) liggen")
        seen: set[int] = set()
        for m in self.milestones:
            if not self.baseline_period < m.period < self.target_period:
                raise ValueError(
                    "milestones: een tussendoel ligt tussen basisperiode en doeljaar "
                    f"({self.baseline_period}–{self.target_period}), niet in {m.period}"
                )
            if m.period in seen:
                raise ValueError(f"milestones: periode {m.period} staat er twee keer in")
            seen.add(m.period)
        return self

    def path(self) -> list[tuple[int, float]]:
        """Milestones and the target as (period, value), ordered; the baseline comes from
        the data, so it is not here."""
        points = [(m.period, m.value) for m in self.milestones]
        points.append((self.target_period, self.target))
        return sorted(points)


class Duiding(BaseModel):
    """An analyst's interpretation of the figures of one period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period: int = Field(ge=1990, le=2100)
    author: str = Field(min_length=1)
    date: date
    text: str = Field(min_length=1)
    indicator: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")


class StoryLink(BaseModel):
    """Story patterns that illustrate a goal: the patterns of form ``form`` between any
    two of ``signifiers`` (signifier ids or context fields such as ``law``), see
    :mod:`zicht.analysis.patterns`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    form: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    signifiers: tuple[str, ...] = Field(min_length=2)
    note: str = ""

    @model_validator(mode="after")
    def _distinct(self) -> StoryLink:
        if len(set(self.signifiers)) != len(self.signifiers):
            raise ValueError("signifiers: een signifier staat er meer dan eens in")
        return self


class Goal(BaseModel):
    """One goal of the council (docs/goals.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    ambition: str = Field(min_length=1)
    programme: str = Field(min_length=1)
    indicators: tuple[GoalIndicator, ...] = Field(min_length=1)
    duiding: tuple[Duiding, ...] = ()
    stories: tuple[StoryLink, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Goal:
        ids = [gi.indicator for gi in self.indicators]
        if len(set(ids)) != len(ids):
            raise ValueError("indicators: een indicator staat er meer dan eens in")
        for d in self.duiding:
            if d.indicator is not None and d.indicator not in ids:
                raise ValueError(
                    f"duiding: indicator {d.indicator!r} hoort niet bij dit doel ({ids})"
                )
        return self

    def duiding_for(self, indicator: str | None = None) -> list[Duiding]:
        """Duiding of the goal (indicator None) or of one indicator, newest period first."""
        rows = [d for d in self.duiding if d.indicator == indicator]
        return sorted(rows, key=lambda d: (d.period, d.date), reverse=True)
