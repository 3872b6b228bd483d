# The report schemas kept in fixtures/schemas/ (SARIF 2.1.0 from OASIS, Jenkins' JUnit XSD) and
# what GitHub code scanning needs beyond the SARIF schema; shared by the tests in tests/ci/.
import json
import os

import jsonschema
from lxml import etree

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures")

with open(os.path.join(FIXTURES, "schemas/sarif-2.1.0.json"), encoding="utf-8") as f:
    # The schema is draft-04; FormatChecker checks "uri"/"uri-reference" with python3-rfc3987.
    _SARIF = jsonschema.Draft4Validator(json.load(f), format_checker=jsonschema.FormatChecker())
if "uri-reference" not in jsonschema.FormatChecker.checkers:
    raise SystemExit("jsonschema cannot check uri-reference formats: install python3-rfc3987 "
                     "(ci/install-deps.sh)")
JUNIT = etree.XMLSchema(etree.parse(os.path.join(FIXTURES, "schemas/junit-10.xsd")))


def sarif_errors(doc):
    """Violations of the SARIF 2.1.0 schema and of GitHub's ingestion rules, as strings."""
    out = [f"SARIF schema: {e.message} at /{'/'.join(map(str, e.path))}"
           for e in _SARIF.iter_errors(doc)]
    for run in doc.get("runs", []):
        rules = run["tool"]["driver"].get("rules", [])
        ids = [r["id"] for r in rules]
        if len(ids) != len(set(ids)):
            out.append(f"rule ids repeat: {ids}")
        for r in run.get("results", []):
            # GitHub rejects the whole upload for a result without a location or uri.
            locations = r.get("locations", [])
            if not locations or not locations[0]["physicalLocation"]["artifactLocation"].get("uri"):
                out.append(f"result {r.get('ruleId')} has no location with a uri")
            if "ruleIndex" in r and rules[r["ruleIndex"]]["id"] != r.get("ruleId"):
                out.append(f"ruleIndex {r['ruleIndex']} is not rule {r.get('ruleId')}")
    return out


def junit_errors(path):
    tree = etree.parse(path)
    if JUNIT.validate(tree):
        return []
    return [f"JUnit schema: line {e.line}: {e.message}" for e in JUNIT.error_log]
