"""The six-step guide, scripted: order, journal, drill without action, no store writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ReplayRunner, fixture_text
from hygie import proc
from hygie.incident.guide import run_guide, start
from hygie.incident.journal import verify
from hygie.incident.state import last_drill_at
from hygie.incident.steps import STEPS, Step
from hygie.store import open_store
from incident_helpers import run_cli


class ScriptedUI:
    def __init__(self, confirms: list[bool], asks: list[str]) -> None:
        self.confirms = confirms
        self.asks = asks
        self.shown: list[int] = []

    def show_step(self, step: Step, lines: list[str]) -> None:
        self.shown.append(step.number)

    def confirm(self, question: str, default: bool = True) -> bool:
        return self.confirms.pop(0)

    def ask(self, question: str, default: str = "") -> str:
        return self.asks.pop(0)

    def info(self, text: str) -> None:
        pass


def _runner() -> ReplayRunner:
    return ReplayRunner(
        {"ip -o link show": fixture_text("cmd", "linux", "ip_link", "default.txt"), "ip": ""}
    )


def test_leaflet_order() -> None:
    assert [s.number for s in STEPS] == [1, 2, 3, 4, 5, 6]
    assert "redémarrez" in STEPS[0].title and "CNIL" in STEPS[5].title


def test_drill_walks_six_steps_and_acts_on_nothing(tmp_path: Path) -> None:
    rr = _runner()
    folder = tmp_path / "usb"
    j = start(folder, drill=True)
    ui = ScriptedUI([True, True, True, True], ["écran de rançon", "?"])
    with proc.use_runner(rr):
        result = run_guide(j, ui, drill=True, backend="ip")
    assert ui.shown == [1, 2, 3, 4, 5, 6]
    assert result.steps_done == (1, 2, 3, 4, 5, 6) and not result.isolated
    assert not any("down" in c for c in rr.calls)  # nothing applied in a drill
    entries = j.entries()
    steps = [e["step"] for e in entries if e["kind"] == "step"]
    assert steps == sorted(steps) and set(steps) == {1, 2, 3, 4, 5}
    assert all(e["action"].startswith("[exercice]") for e in entries if e["kind"] == "step")
    assert "ip link set dev enp3s0 down" in entries[3]["action"]
    assert (folder / "drafts" / "cnil-notification.txt").exists()
    assert verify(folder).intact


def test_real_guide_applies_isolation_when_confirmed(tmp_path: Path) -> None:
    rr = _runner()
    j = start(tmp_path / "usb")
    ui = ScriptedUI([True, True, True, True, False], ["fichiers renommés", "oui"])
    with proc.use_runner(rr):
        result = run_guide(j, ui, backend="ip")
    assert result.isolated
    assert ("ip", "link", "set", "dev", "enp3s0", "down") in rr.calls
    kinds = [e["kind"] for e in j.entries()]
    assert "isolate" in kinds and kinds[-1] == "guide"
    assert (tmp_path / "usb" / "state" / "isolation.json").exists()


def test_cli_drill_records_a_drill_and_real_start_writes_only_its_anchor(
    tmp_path: Path,
    hygie_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HYGIE_NET_BACKEND", "ip")
    stdin = "o\no\nn\no\no\nordinateur lent\nnon\n"
    with proc.use_runner(_runner()):
        code, _out, err = run_cli(
            ["incident", "start", "--to", str(tmp_path / "drill"), "--drill", "--json"],
            capsys,
            stdin=stdin,
        )
    assert code == 0, err
    store = open_store()
    try:
        assert last_drill_at(store) is not None
    finally:
        store.close()

    def rows() -> set[tuple[str, str]]:
        s = open_store()
        try:
            return set(s.conn.execute("SELECT module, key FROM state").fetchall())
        finally:
            s.close()

    before = rows()
    code, out, _err = run_cli(
        ["incident", "start", "--to", str(tmp_path / "real"), "--no-guide", "--json"], capsys
    )
    assert code == 0
    doc = json.loads(out)["data"]
    assert doc["drill"] is False
    # a real incident records no drill: only the new journal's anchor (its head) is added
    added = rows() - before
    assert len(added) == 1 and next(iter(added))[1].startswith("journal:")


def test_the_six_steps_are_one_list() -> None:
    """The steps live in hygie.incident.steps; the M12 measure quotes them word for word and no
    other source file writes them again (issue #15: three copies with different wording)."""
    from pathlib import Path

    import hygie
    from hygie.audit.catalogue import load_catalogue
    from hygie.incident import STEPS

    assert [s.number for s in STEPS] == [1, 2, 3, 4, 5, 6]
    m12 = next(m for m in load_catalogue() if m.measure_id == "M12")
    why = " ".join(m12.why.split())
    positions = [why.find(f"{s.number}. {s.title}") for s in STEPS]
    assert -1 not in positions and positions == sorted(positions), why
    src = Path(hygie.__file__).parent
    copies = [
        str(p.relative_to(src))
        for p in [*src.rglob("*.py"), *src.rglob("*.j2")]
        if p.name != "steps.py"
        and any(s.title[:-1] in p.read_text(encoding="utf-8") for s in STEPS)
    ]
    assert copies == []
