from __future__ import annotations

from hygie import proc


def test_run_missing_program_is_reported_not_raised() -> None:
    c = proc.run(["hygie-no-such-program-xyz"])
    assert c.missing and not c.ok
    assert "not installed" in c.why()


def test_run_timeout_and_exit_codes() -> None:
    c = proc.run(["sleep", "5"], timeout=0.2)
    assert c.timed_out and c.returncode is None
    bad = proc.run(["sh", "-c", "echo oops >&2; exit 3"])
    assert bad.returncode == 3 and "oops" in bad.why()


def test_run_uses_c_locale_by_default() -> None:
    c = proc.run(["sh", "-c", "echo $LC_ALL"])
    assert c.stdout.strip() == "C"


def test_stream_calls_back_each_line_and_collects_stderr() -> None:
    lines: list[str] = []
    c = proc.stream(["sh", "-c", "echo one; echo err >&2; echo two"], on_line=lines.append)
    assert lines == ["one", "two"]
    assert c.returncode == 0 and c.stderr.strip() == "err"


def test_stream_timeout_kills_the_process_group() -> None:
    c = proc.stream(["sh", "-c", "sleep 30 & sleep 30"], timeout=0.3)
    assert c.timed_out and c.returncode is None


def test_run_reads_utf8_then_the_ansi_page_with_universal_newlines() -> None:
    crlf = proc.run(["printf", "État : ACTIF\\r\\nligne 2\\r\\n"])
    assert crlf.stdout == "État : ACTIF\nligne 2\n"
    # bytes that are not UTF-8 (a console code page) still arrive, decoded, never raising
    cp850 = proc.run(["printf", "Activ\\202\\n"])
    assert cp850.ok and cp850.stdout.startswith("Activ") and cp850.stdout.endswith("\n")
