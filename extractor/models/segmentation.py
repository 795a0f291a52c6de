"""The segmenter's output: items (bullets) and section headings with offsets into the criteria text."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from extractor.models.criteria import Polarity

__all__ = ["Item", "Section", "Segmentation"]


class Item(BaseModel):
    """One criteria item (bullet, numbered entry or paragraph) with its verbatim span."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int = Field(ge=0)
    text: str = Field(description="Verbatim source text of the item, bullet marker excluded.")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    polarity: Polarity
    section: str | None = Field(default=None, description="Heading of the inclusion/exclusion section, verbatim.")
    cohort: str | None = Field(default=None, description="Sub-heading (cohort, part, arm) the item falls under.")
    depth: int = Field(default=0, ge=0, description="Nesting depth: 0 for top-level bullets.")
    parent: int | None = Field(default=None, description="Index of the enclosing item for nested bullets.")
    marker: str | None = Field(default=None, description="The bullet or number marker, e.g. '*', '2.', '-'.")


class Section(BaseModel):
    """A heading of the criteria text and the polarity it sets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    heading: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    polarity: Polarity | None = Field(description="Polarity set by the heading; None for a cohort sub-heading.")


class Segmentation(BaseModel):
    """The segmenter's output: headings and items, all with offsets into ``text``."""

    model_config = ConfigDict(extra="forbid")

    text: str
    sections: list[Section] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
