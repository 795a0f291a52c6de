"""Deterministic rules backend: one grammar, one context pass, one trigger pass, one extractor per kind.

* :mod:`~extractor.rules.grammar`: numbers, comparators, phrases, clauses, durations (one of each);
* :mod:`~extractor.rules.ruledata`: each kind's rule file (``extractor/kinds/<kind>.yaml``), typed and validated;
* :mod:`~extractor.rules.context`: ConText-style cues (negation, permission, exception, ...) applied once per item;
* :mod:`~extractor.rules.triggers`: the trigger pass that picks the kinds an item mentions;
* :mod:`~extractor.rules.item`: the per-item view kind extractors read;
* :mod:`~extractor.rules.engine`: items -> criteria (``extract_item``, ``extract_segmentation``).

The kind extractors themselves live with their models in ``extractor/kinds/<kind>.py``.
"""
