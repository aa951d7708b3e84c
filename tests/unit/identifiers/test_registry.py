"""Meta-tests: every recognizer has its table test, a spec, a label; findings never hold
the clear value."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.id_helpers import with_key

from hygie.identifiers import analyze, recognizers
from hygie.identifiers.registry import all_types, label_of

HERE = Path(__file__).parent


@pytest.mark.parametrize("rec", recognizers(), ids=lambda r: r.id)
def test_every_recognizer_has_a_table_test_and_a_spec(rec: object) -> None:
    module = type(rec).__module__  # Recognizer instances live in their own module
    assert module
    name = {
        "FR_NIR": "fr_nir",
        "FR_NIR_NOKEY": "fr_nir_nokey",
        "FR_RPPS": "fr_rpps",
        "FR_ADELI": "fr_adeli",
        "FR_FINESS": "fr_finess",
        "BIRTH_DATE": "birth_date",
        "PATIENT_NAME": "patient_name",
        "MSSANTE_PATIENT": "mssante_patient",
        "PATIENT_LIST_DATE": "patient_list",
    }[rec.id]  # type: ignore[attr-defined]
    assert (HERE / f"test_{name}.py").exists()
    assert rec.spec  # type: ignore[attr-defined]


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
