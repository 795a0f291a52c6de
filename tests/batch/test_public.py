"""The batch and io packages export exactly their documented names."""

from __future__ import annotations

import extractor.batch
import extractor.io


def test_all_names_exist() -> None:
    for mod in (extractor.io, extractor.batch):
        assert len(set(mod.__all__)) == len(mod.__all__)
        for name in mod.__all__:
            assert hasattr(mod, name), f"{mod.__name__}.{name}"
        public = {n for n in vars(mod) if not n.startswith("_") and n not in {"annotations"}}
        submodules = {n for n in public if type(getattr(mod, n)).__name__ == "module"}
        assert public - submodules == set(mod.__all__)
