"""Every problem code the code can answer with is documented in docs/errors.md, and none is listed twice."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "libs", ROOT / "services", ROOT / "gateway"]
CODE_PATTERNS = [
    re.compile(r"""\bcode\s*=\s*["']([a-z][a-z0-9_.]+)["']"""),  # code = "x" and code="x"
    re.compile(r"""status,\s*title,\s*code\s*=\s*\d+,\s*"[^"]*",\s*"([a-z][a-z0-9_.]+)\""""),
]
DOC_CODE = re.compile(r"^\|\s*`([a-z][a-z0-9_.]+)`\s*\|", re.MULTILINE)


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for folder in SOURCES:
        for path in folder.glob("**/src/**/*.py"):
            text = path.read_text()
            for pattern in CODE_PATTERNS:
                found.update(pattern.findall(text))
    return found


def documented_codes() -> list[str]:
    return DOC_CODE.findall((ROOT / "docs" / "errors.md").read_text())


def test_every_problem_code_is_documented() -> None:
    missing = codes_in_source() - set(documented_codes())
    assert not missing, f"add these codes to docs/errors.md: {sorted(missing)}"


def test_no_code_is_documented_twice() -> None:
    codes = documented_codes()
    assert len(codes) == len(set(codes))


def test_scanner_finds_the_kit_codes() -> None:
    assert {"validation_failed", "stale_version", "auth.missing_token"} <= codes_in_source()
