"""Matcher settings: how old a measurement may be, and how undated ones are read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MatchSettings"]


class MatchSettings(BaseModel):
    """Freshness windows (days before the assessment date) and the reading of undated measurements."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lab_max_age_days: int = Field(default=28, ge=0, description="Labs older than this are unknown.")
    performance_max_age_days: int = Field(default=28, ge=0, description="Performance scores older than this.")
    cardiac_max_age_days: int = Field(default=90, ge=0, description="LVEF / QTc older than this are unknown.")
    undated_is_current: bool = Field(
        default=True, description="A lab, score or cardiac measurement without a date is taken as current."
    )
