"""Tumours named by their organ alone (``site_tumours`` in ``diagnosis.yaml``: "brain tumor"): no diagnosis of their own
when the item takes another cancer, whose metastases they are ("metastatic breast/lung cancer ... and one or more
brain tumor(s) planned for neurosurgical resection")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import DiagnosisReading, Rules

__all__ = ["drop_site_tumours"]


def drop_site_tumours(rules: Rules, out: DiagnosisReading) -> None:
    """Remove the organ-only tumours from ``out.names`` when another name is taken."""
    if len(out.names) < 2 or not any(n in rules.site_tumours for n in out.names):
        return
    kept = [n for n in out.names if n not in rules.site_tumours]
    if kept:
        for n in out.names:
            if n not in kept:
                out.where.pop(n, None)
        out.names[:] = kept
