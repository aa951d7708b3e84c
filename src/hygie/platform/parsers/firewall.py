"""Firewall configuration: ufw.conf, firewall-cmd, nftables rulesets (pure)."""

from __future__ import annotations

import re


def parse_ufw_conf(text: str) -> bool | None:
    """/etc/ufw/ufw.conf ``ENABLED=yes|no`` -> True/False, None when absent."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("ENABLED="):
            value = line.partition("=")[2].strip().strip("'\"").lower()
            return value == "yes"
    return None


def parse_firewalld_state(stdout: str, returncode: int | None) -> bool | None:
    """``firewall-cmd --state``: "running" (exit 0) or "not running" (exit 252)."""
    text = stdout.strip().lower()
    if text == "running":
        return True
    if text == "not running" or returncode == 252:
        return False
    return None


_CHAIN = re.compile(r"^\s*chain\s+(\S+)\s*\{")
_HOOK = re.compile(r"\bhook\s+input\b")
_POLICY_DROP = re.compile(r"\bpolicy\s+(drop|reject)\b")
_VERDICT = re.compile(r"\b(drop|reject)\b")


def nft_filters_input(text: str) -> bool:
    """Does an nftables ruleset (``nft list ruleset`` or /etc/nftables.conf) filter
    incoming traffic? True when a chain hooked on ``input`` has a drop policy or a
    drop/reject rule. An empty ruleset, or Debian's default file (chains with no rule and
    an accept policy), does not.
    """
    in_input = False
    depth_at_chain = 0
    depth = 0
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if _CHAIN.match(line):
            in_input = False
            depth_at_chain = depth
        if _HOOK.search(line):
            in_input = True
            if _POLICY_DROP.search(line):
                return True
        elif in_input and (
            _POLICY_DROP.search(line) or (_VERDICT.search(line) and "policy" not in line)
        ):
            return True
        depth += line.count("{") - line.count("}")
        if depth <= depth_at_chain:
            in_input = False
    return False


PERMISSION_MARKERS = ("Operation not permitted", "Permission denied", "must be root")


def permission_denied(stderr: str) -> bool:
    return any(m.lower() in stderr.lower() for m in PERMISSION_MARKERS)
