#!/usr/bin/env python3
"""Counts a runner's own JUnit/xUnit results (Swift Testing, XCTest and pytest all write one).

Usage: junit-summary.py FILE...   prints "PASSED FAILED SKIPPED", then one line per failing test
("FAIL suite.name: message"). A file that is missing, empty or not well-formed XML counts as one
failure: a runner that crashed before writing its results must never read as green.
"""
import sys
import xml.etree.ElementTree as ET


def main(paths: list[str]) -> int:
    passed = failed = skipped = 0
    lines: list[str] = []
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as error:
            failed += 1
            lines.append(f"FAIL {path}: no readable results ({error})")
            continue
        for case in root.iter("testcase"):
            name = f"{case.get('classname', '')}.{case.get('name', '')}".strip(".")
            problems = [child for child in case if child.tag in ("failure", "error")]
            if problems:
                failed += 1
                message = (problems[0].get("message") or problems[0].text or "").strip()
                lines.append(f"FAIL {name}: {message.splitlines()[0] if message else problems[0].tag}")
            elif any(child.tag == "skipped" for child in case):
                skipped += 1
            else:
                passed += 1
    print(passed, failed, skipped)
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
