"""Meta-tests: every recognizer has its table test, a spec, a label; findings never hold
the clear value."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.id_helpers import with_key

from hygie.identifiers import analyze, recognizers
from hygie.identifiers.registry import all_types, label_of

HERE = Path(__file__).parent


def _module_of(rec: object) -> str:
    """The recognizers/<name>.py module whose RECOGNIZER is ``rec``."""
    import importlib
    import pkgutil

    # (the package, not the function hygie.identifiers.recognizers of the same name)
    pkg = importlib.import_module("hygie.identifiers.recognizers")
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if getattr(module, "RECOGNIZER", None) is rec:
            return info.name
    raise AssertionError(f"no module exports {rec!r} as RECOGNIZER")


@pytest.mark.parametrize("rec", recognizers(), ids=lambda r: r.id)
def test_every_recognizer_has_a_table_test_and_a_spec(rec: object) -> None:
    assert (HERE / f"test_{_module_of(rec)}.py").exists()
    assert rec.spec  # type: ignore[attr-defined]


def test_every_recognizer_module_is_registered() -> None:
    import importlib
    import pkgutil

    pkg = importlib.import_module("hygie.identifiers.recognizers")
    modules = {i.name for i in pkgutil.iter_modules(pkg.__path__) if not i.name.startswith("_")}
    registered = {_module_of(rec) for rec in recognizers()}
    assert modules - {"health_terms"} == registered


def test_labels_exist_for_every_type() -> None:
    for t in all_types():
        assert label_of(t) != t


def test_to_dict_never_holds_the_clear_value() -> None:
    nir = with_key("1850375116001")
    text = f"Mme Durand, née le 12/03/1985, NIR {nir}, RPPS 10005173140, insuline"
    for f in analyze(text):
        d = f.to_dict()
        blob = repr(d)
        assert nir not in blob and "Durand" not in blob and "1985" not in blob
        assert "10005173140" not in blob
