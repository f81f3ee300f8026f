#!/usr/bin/env python3
"""Prints each failed test recorded in a results folder: the .NET ones from the .trx files, with the
first lines of their message and stack, and the JavaScript ones from the TAP report. Prints nothing
when every test passed, so the end of a CI log names what failed.

    scripts/failures.py artifacts/test-results
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
LINES = 12


def dotnet_failures(folder):
    for trx in sorted(folder.glob("*.trx")):
        try:
            root = ET.parse(trx).getroot()
        except ET.ParseError as error:
            yield f"{trx.name}: unreadable ({error})", []
            continue
        for result in root.iter(NS + "UnitTestResult"):
            if result.get("outcome") not in ("Failed", "Error", "Timeout", "Aborted"):
                continue
            detail = []
            for tag in ("Message", "StackTrace"):
                node = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}{tag}")
                if node is not None and node.text:
                    detail.extend(node.text.strip().splitlines()[:LINES])
            yield f"{result.get('testName')} ({result.get('outcome')}, {trx.name})", detail


def js_failures(folder):
    tap = folder / "js.tap"
    if not tap.exists():
        return
    lines = tap.read_text(encoding="utf-8", errors="replace").splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("not ok "):
            yield f"js: {stripped}", [l.rstrip() for l in lines[index + 1:index + 1 + LINES]]


def main():
    folder = pathlib.Path(sys.argv[1])
    failures = list(dotnet_failures(folder)) + list(js_failures(folder))
    if not failures:
        return
    print(f"==> failed tests ({len(failures)})")
    for title, detail in failures:
        print(f"FAILED {title}")
        for line in detail:
            print(f"    {line}")


if __name__ == "__main__":
    main()
