# SARIF, JUnit and GitLab Code Quality reports of real `stairway lint` and `stairway verify` runs:
# SARIF against the official 2.1.0 schema, JUnit against Jenkins' JUnit schema (both in
# fixtures/schemas/), plus what GitHub code scanning, JUnit readers and GitLab need beyond the
# schemas (a location on every result, failure counts, Code Quality's required fields).
# Usage: report_schemas_test.py STAIRWAY_BINARY SOURCE_DIR (ctest passes both).
import json
import os
import shutil
import subprocess
import sys
import tempfile

from lxml import etree

import schemas

STAIRWAY, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
FIXTURES = os.path.join(SOURCE, "fixtures")
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)
    return ok


def run(args, cwd, want_codes=(0, 1)):
    """Runs stairway with argv (never a shell); returns the exit code."""
    proc = subprocess.run([STAIRWAY] + args, cwd=cwd, capture_output=True, text=True)
    check(proc.returncode in want_codes,
          f"stairway {' '.join(args)} exited {proc.returncode}, want one of {want_codes}:\n"
          f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc.returncode


def check_sarif(path, summary, label):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    problems.extend(f"{label}: {e}" for e in schemas.sarif_errors(doc))
    results = doc["runs"][0].get("results", [])
    levels = [r["level"] for r in results]
    check(levels.count("error") == summary["errors"] and
          levels.count("warning") == summary["warnings"] and
          levels.count("note") == summary["notes"],
          f"{label}: SARIF levels {levels} do not match the JSON summary {summary}")
    return doc


def check_junit(path, report, label):
    """The schema, then the counts: one failure per case with errors or warnings, notes never."""
    problems.extend(f"{label}: {e}" for e in schemas.junit_errors(path))
    root = etree.parse(path).getroot()
    check(root.tag == "testsuites", f"{label}: root is {root.tag}")
    suites = root.findall("testsuite")
    check(len(suites) == 1, f"{label}: {len(suites)} testsuites")
    suite = suites[0]
    cases = suite.findall("testcase")
    failures = [c.find("failure") for c in cases if c.find("failure") is not None]
    check(int(suite.get("tests")) == len(cases), f"{label}: tests={suite.get('tests')} "
          f"but {len(cases)} testcases")
    check(int(suite.get("failures")) == len(failures) == int(root.get("failures")),
          f"{label}: failures={suite.get('failures')} but {len(failures)} failure elements")
    check(int(suite.get("skipped")) == sum(c.find("skipped") is not None for c in cases),
          f"{label}: skipped count")
    # A failure's message is the finding's message, or "N findings" for several.
    failing = 0
    for fail in failures:
        msg = fail.get("message")
        words = msg.split(" ")
        failing += int(words[0]) if len(words) == 2 and words[1] == "findings" else 1
    summary = report["summary"]
    check(failing == summary["errors"] + summary["warnings"],
          f"{label}: the failures hold {failing} findings; the report has "
          f"{summary['errors']} errors and {summary['warnings']} warnings")
    failure_text = "".join(f.text or "" for f in failures)
    notes_text = "".join(c.findtext("system-out") or "" for c in cases)
    for finding in report["findings"]:
        if finding["severity"] != "info":
            continue
        needle = f"info: {finding['message']}"
        check(needle not in failure_text, f"{label}: note '{finding['message']}' is a failure")
        check(needle in notes_text, f"{label}: note '{finding['message']}' is in no system-out")


def check_codequality(path, report, label):
    """GitLab Code Quality: an array of issues with the fields GitLab requires, fingerprints
    unique, one issue per finding."""
    with open(path, encoding="utf-8") as f:
        issues = json.load(f)
    if not check(isinstance(issues, list), f"{label}: Code Quality report is not an array"):
        return
    check(len(issues) == len(report["findings"]),
          f"{label}: {len(issues)} Code Quality issues for {len(report['findings'])} findings")
    severities = {"info", "minor", "major", "critical", "blocker"}
    for i in issues:
        check(isinstance(i.get("description"), str) and i["description"] and
              isinstance(i.get("check_name"), str) and i.get("severity") in severities and
              isinstance(i.get("location", {}).get("path"), str) and i["location"]["path"] and
              isinstance(i["location"].get("lines", {}).get("begin"), int) and
              i["location"]["lines"]["begin"] >= 1,
              f"{label}: Code Quality issue lacks a required field: {i}")
    prints = [i.get("fingerprint") for i in issues]
    check(len(set(prints)) == len(prints) and all(isinstance(p, str) and p for p in prints),
          f"{label}: Code Quality fingerprints missing or repeated")


def reports(name, tmp):
    base = os.path.join(tmp, name)
    return base, ["--report", "sarif", "-o", base + ".sarif", "--report", "junit", "-o",
                  base + ".xml", "--report", "json", "-o", base + ".json", "--report",
                  "codequality", "-o", base + ".codequality.json"]


def check_all(name, tmp):
    base = os.path.join(tmp, name)
    if not check(os.path.exists(base + ".json"), f"{name}: no reports written"):
        return None, None
    with open(base + ".json", encoding="utf-8") as f:
        report = json.load(f)
    sarif = check_sarif(base + ".sarif", report["summary"], name)
    check_junit(base + ".xml", report, name)
    check_codequality(base + ".codequality.json", report, name)
    return report, sarif


def uris(sarif):
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]]


with tempfile.TemporaryDirectory(prefix="stairway-report-schemas-") as tmp:
    # 1. lint on several files: errors, warnings and notes; one file in a folder whose name needs
    # percent-encoding in a URI, one given by its absolute path (a file:// URI).
    odd = os.path.join(tmp, "my migrations#1", "0001 ä%.sql")
    os.makedirs(os.path.dirname(odd))
    shutil.copy(os.path.join(FIXTURES, "lint/set-not-null-scan/bad.sql"), odd)
    absolute = os.path.join(FIXTURES, "lint/drop-table/bad.sql")
    files = [f"fixtures/lint/{rule}/bad.sql" for rule in
             ("require-concurrent-index-create", "drop-schema-or-database", "prefer-bigint",
              "fk-missing-on-delete")]
    _, args = reports("lint", tmp)
    run(["lint"] + files + [os.path.relpath(odd, SOURCE), absolute] + args, SOURCE, (1,))
    report, sarif = check_all("lint", tmp)
    if report:
        s = report["summary"]
        check(s["errors"] > 0 and s["warnings"] > 0 and s["notes"] > 0,
              f"lint: want errors, warnings and notes, got {s}")
        got = set(uris(sarif))
        check(any("my%20migrations%231/0001%20%C3%A4%25.sql" in u for u in got),
              f"lint: the odd file name is not percent-encoded: {sorted(got)}")
        check(f"file://{absolute}" in got, f"lint: no file:// URI for {absolute}: {sorted(got)}")

    # 2. Notes only: JUnit has no failure, the run exits 0 at the default --fail-level.
    _, args = reports("notes", tmp)
    run(["lint", "fixtures/lint/prefer-bigint/bad.sql"] + args, SOURCE, (0,))
    report, _ = check_all("notes", tmp)
    if report:
        check(report["summary"]["notes"] > 0 and report["summary"]["errors"] == 0 and
              report["summary"]["warnings"] == 0, f"notes: {report['summary']}")

    # 3. An Alembic revision file: findings at the op.* call's line in the .py file.
    _, args = reports("alembic", tmp)
    py = "fixtures/alembic/plain/alembic/versions/3b8f1e0c9d2a_drop_legacy_sessions.py"
    run(["lint", py] + args, SOURCE, (1,))
    report, sarif = check_all("alembic", tmp)
    if sarif:
        regions = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"))
                   for r in sarif["runs"][0]["results"]]
        check(regions and all(u == py and (line or 0) > 1 for u, line in regions),
              f"alembic: want findings at lines of {py}, got {regions}")

    # 4. verify on a history whose down leaves an index behind (roundtrip findings, a failing
    # re-up), with lint findings and drift against another model; run from outside the
    # repository so no stairway.toml is picked up.
    work = os.path.join(tmp, "project")
    shutil.copytree(os.path.join(FIXTURES, "roundtrip/index/broken"),
                    os.path.join(work, "migrations"))
    shutil.copy(os.path.join(FIXTURES, "drift/model.sql"), os.path.join(work, "model.sql"))
    _, args = reports("verify", tmp)
    run(["verify", "migrations", "--model", "model.sql"] + args, work, (1,))
    report, sarif = check_all("verify", tmp)
    if report:
        checks = {f["check"] for f in report["findings"]}
        check({"lint", "roundtrip", "drift"} <= checks, f"verify: findings of {checks}")
        check(all(not u.startswith("/") and "://" not in u for u in uris(sarif)),
              f"verify: relative paths should stay relative: {uris(sarif)}")

    # 5. verify on a history whose up fails (keep-going: the failure is a finding, exit 1).
    failing = os.path.join(tmp, "failing")
    shutil.copytree(os.path.join(FIXTURES, "failing"), os.path.join(failing, "migrations"))
    _, args = reports("failing", tmp)
    run(["verify", "migrations"] + args, failing, (1,))
    report, sarif = check_all("failing", tmp)
    if report:
        check(any(f["rule"] == "roundtrip-step-failed" and f["severity"] == "error"
                  for f in report["findings"]), "failing: no roundtrip-step-failed error")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("SARIF, JUnit and Code Quality reports valid")
