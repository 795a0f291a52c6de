"""Gold label files: one trial's hand-labelled criteria, in the same typed model as predictions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds import Criterion


class GoldTrial(BaseModel):
    """One gold file (``gold_labels/<trial_id>.yaml``).

    The source text itself lives in ``evals/data/gold_texts.jsonl`` (same ``trial_id``), checked against
    ``text_sha256``; every criterion's evidence must stand verbatim at its offsets in that text.
    """

    model_config = ConfigDict(extra="forbid")

    trial_id: str = Field(min_length=1, description="NCT id for corpus trials, 'seed-00N' for seed documents.")
    nct_id: str | None = Field(default=None, description="The trial's NCT id, when it has one.")
    origin: Literal["corpus", "seed", "external"] = Field(
        description="corpus: shared/corpus/trials.jsonl; seed: shared/seeds; external: an annotated corpus of another "
        "group (shared/external), a text no rule writer has read, scored apart."
    )
    source: str = Field(description="Where the text came from: the corpus record's `source`, or the file name(s).")
    text_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the UTF-8 source text.")
    reviewed: bool = Field(default=False, description="True once a second read against the text was done.")
    notes: str | None = None
    criteria: list[Criterion] = Field(default_factory=list)


class GoldText(BaseModel):
    """A line of ``evals/data/gold_texts.jsonl``: the exact text a gold file's offsets refer to."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str
    text: str
    source: str
    seed_offset: int | None = Field(
        default=None, description="For seeds: offset of this text inside the seed document it was cut from."
    )
