"""The workbench tests' report and address."""

from __future__ import annotations

from pathlib import Path

PORT = 5123
BASE = f"http://127.0.0.1:{PORT}"
# An invented report (no such article was found; see docs/contribute/workbench.md) in the shape of the one
# issue 20's tester coded: a market shelling, "at least three" killed, "five" per a doctor, 11 wounded.
REPORT = (Path(__file__).parent / "shelling-report.txt").read_text(encoding="utf-8")
