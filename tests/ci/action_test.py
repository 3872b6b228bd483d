# action.yml's wiring, then the GitHub Action's script (ci/action/run.sh) end to end, as a pull
# request's job runs it: this repository's own migrations/ in a temporary git repository whose
# main branch is the base, a clone with a feature branch on top, GITHUB_STEP_SUMMARY and
# GITHUB_OUTPUT pointed at files.
# Usage: action_test.py STAIRWAY_BINARY SOURCE_DIR (ctest passes both; nothing is built).
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

import schemas

STAIRWAY, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCRIPT = os.path.join(SOURCE, "ci/action/run.sh")
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)
    return ok


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=stairway test", "-c", "user.email=test@example.com",
                    "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false", *args],
                   cwd=cwd, check=True, capture_output=True)


def outputs(path):
    with open(path, encoding="utf-8") as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def run_action(label, cwd, tmp, want, verify_code=None, **env_extra):
    """Runs the script like the action does; checks exit code, summary, outputs and SARIF."""
    summary = os.path.join(tmp, f"{label}.summary.md")
    output = os.path.join(tmp, f"{label}.output")
    for p in (summary, output):
        open(p, "w").close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "STAIRWAY_"))}
    env.pop("RUNNER_TEMP", None)
    env.update(STAIRWAY_BIN=STAIRWAY, GITHUB_STEP_SUMMARY=summary, GITHUB_OUTPUT=output,
               STAIRWAY_REPORTS=os.path.join(tmp, f"{label}-reports"), **env_extra)
    proc = subprocess.run([SCRIPT], cwd=cwd, env=env, capture_output=True, text=True)
    check(proc.returncode == want, f"{label}: exit {proc.returncode}, want {want}\n"
          f"{proc.stdout[-4000:]}{proc.stderr[-4000:]}")
    with open(summary, encoding="utf-8") as f:
        md = f.read()
    check(md.startswith("## stairway verify"), f"{label}: step summary: {md[:300]!r}")
    check(len(md) < 65536, f"{label}: step summary has {len(md)} characters")
    out = outputs(output)
    check(out.get("exit-code") == str(want if verify_code is None else verify_code),
          f"{label}: GITHUB_OUTPUT exit-code: {out}")
    sarif = None
    if check(out.get("sarif") and os.path.isfile(out["sarif"]), f"{label}: no SARIF: {out}"):
        with open(out["sarif"], encoding="utf-8") as f:
            sarif = json.load(f)
        problems.extend(f"{label}: {e}" for e in schemas.sarif_errors(sarif))
    for name in ("junit", "json", "markdown"):
        check(out.get(name) and os.path.isfile(out[name]), f"{label}: no {name} report: {out}")
    if out.get("junit") and os.path.isfile(out["junit"]):
        problems.extend(f"{label}: {e}" for e in schemas.junit_errors(out["junit"]))
    report = None
    if out.get("json") and os.path.isfile(out["json"]):
        with open(out["json"], encoding="utf-8") as f:
            report = json.load(f)
    return proc, md, sarif, report


def round_tripped(report):
    """Revisions whose down step ran (the others were only applied up)."""
    return sorted({s["name"].rsplit(" ", 1)[0] for s in report["steps"]
                   if s["check"] == "roundtrip" and s["name"].endswith(" down") and
                   not s["skipped"]})


# action.yml hands its inputs to the script tested below: every input it names exists, the
# verify step runs ci/action/run.sh, and SARIF goes to code scanning.
with open(os.path.join(SOURCE, "action.yml"), encoding="utf-8") as f:
    action = yaml.safe_load(f)
check(action["runs"]["using"] == "composite", "action.yml: not a composite action")
steps = {s.get("id", s.get("name")): s for s in action["runs"]["steps"]}
check("ci/action/run.sh" in steps.get("verify", {}).get("run", ""),
      "action.yml: the verify step does not run ci/action/run.sh")
check("ci/action/build.sh" in steps.get("build", {}).get("run", ""),
      "action.yml: the build step does not run ci/action/build.sh")
used = set(re.findall(r"inputs\.([a-z-]+)", open(os.path.join(SOURCE, "action.yml")).read()))
check(used <= set(action["inputs"]),
      f"action.yml uses undeclared inputs {used - set(action['inputs'])}")
check(set(steps["verify"]["env"]) >= {"STAIRWAY_BIN", "STAIRWAY_BASE", "STAIRWAY_DIRECTORY"},
      f"action.yml: verify step env {steps['verify']['env']}")
check(any(s.get("uses", "").startswith("github/codeql-action/upload-sarif")
          for s in action["runs"]["steps"]), "action.yml: no upload-sarif step")

with tempfile.TemporaryDirectory(prefix="stairway-action-") as tmp:
    # The base branch: the repository's migrations without the newest, its stairway.toml and
    # the SQLAlchemy model it names (verify's drift check reads it).
    upstream = os.path.join(tmp, "upstream")
    migrations = sorted(f for f in os.listdir(os.path.join(SOURCE, "migrations"))
                        if f.endswith(".sql"))
    os.makedirs(os.path.join(upstream, "migrations"))
    for f in migrations[:-1]:
        shutil.copy(os.path.join(SOURCE, "migrations", f), os.path.join(upstream, "migrations"))
    shutil.copy(os.path.join(SOURCE, "stairway.toml"), upstream)
    os.makedirs(os.path.join(upstream, "examples/sqlalchemy"))
    shutil.copy(os.path.join(SOURCE, "examples/sqlalchemy/model.sql"),
                os.path.join(upstream, "examples/sqlalchemy"))
    git(upstream, "init", "-q")
    git(upstream, "add", ".")
    git(upstream, "commit", "-qm", "base")

    # 1. A pull request adding the newest migration: clean, only it is round-tripped.
    work = os.path.join(tmp, "work")
    git(tmp, "clone", "-q", upstream, work)
    git(work, "checkout", "-qb", "feature")
    shutil.copy(os.path.join(SOURCE, "migrations", migrations[-1]),
                os.path.join(work, "migrations"))
    git(work, "add", ".")
    git(work, "commit", "-qm", "add the newest migration")
    proc, md, sarif, report = run_action("clean", work, tmp, 0, STAIRWAY_BASE="origin/main")
    newest = migrations[-1][:-len(".sql")]
    if report:
        check(round_tripped(report) == [newest],
              f"clean: round-tripped {round_tripped(report)}, want only {newest}")
        check(report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0,
              f"clean: {report['summary']}")
    check("::error" not in proc.stdout, f"clean: error annotations:\n{proc.stdout}")

    # 2. The same pull request with a migration that blocks writes: findings, exit 1, error
    # annotations first, the finding in the SARIF and the summary.
    bad = os.path.join(work, "migrations", "0100_index_sessions_by_expiry.sql")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("-- migrate:up\nCREATE INDEX sessions_expires_at_idx ON sessions (expires_at);\n\n"
                "-- migrate:down\nDROP INDEX sessions_expires_at_idx;\n")
    git(work, "add", ".")
    git(work, "commit", "-qm", "index sessions")
    proc, md, sarif, report = run_action("findings", work, tmp, 1, STAIRWAY_BASE="origin/main")
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    check(annotations and annotations[0].startswith(
        "::error file=migrations/0100_index_sessions_by_expiry.sql,line=2"),
        f"findings: annotations should start with the error on 0100: {annotations[:3]}")
    kinds = [a.split(" ", 1)[0] for a in annotations]
    check(kinds == sorted(kinds, key=["::error", "::warning", "::notice"].index),
          f"findings: annotations not worst first: {kinds}")
    if sarif:
        hits = [r for r in sarif["runs"][0]["results"]
                if r["ruleId"] == "require-concurrent-index-create"]
        check(hits and hits[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
              "migrations/0100_index_sessions_by_expiry.sql", f"findings: SARIF results {hits}")
    check("require-concurrent-index-create" in md, f"findings: summary:\n{md[:2000]}")
    if report:
        check(round_tripped(report) == [newest, "0100_index_sessions_by_expiry"],
              f"findings: round-tripped {round_tripped(report)}")

    # 3. fail-on-findings: false lets the step pass and still reports the exit code.
    run_action("no-fail", work, tmp, 0, verify_code=1, STAIRWAY_BASE="origin/main",
               STAIRWAY_FAIL_ON_FINDINGS="false")

    # 4. A shallow single-branch checkout (actions/checkout's default): the script fetches the
    # base branch itself.
    git(work, "push", "-q", "origin", "feature")
    shallow = os.path.join(tmp, "shallow")
    git(tmp, "clone", "-q", "--depth=1", "--single-branch", "--branch=feature",
        "file://" + upstream, shallow)
    proc, _, _, report = run_action("shallow", shallow, tmp, 1, STAIRWAY_BASE="origin/main")
    if report:
        check(round_tripped(report) == [newest, "0100_index_sessions_by_expiry"],
              f"shallow: round-tripped {round_tripped(report)}")

    # 5. A base branch that does not exist: the fetch fails, stairway names the ref (exit 2), the
    # summary says no report was written and the outputs give no report paths.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "STAIRWAY_"))}
    summary, output = os.path.join(tmp, "nobase.md"), os.path.join(tmp, "nobase.out")
    env.update(STAIRWAY_BIN=STAIRWAY, STAIRWAY_BASE="origin/no-such-branch",
               GITHUB_STEP_SUMMARY=summary, GITHUB_OUTPUT=output,
               STAIRWAY_REPORTS=os.path.join(tmp, "nobase-reports"))
    proc = subprocess.run([SCRIPT], cwd=work, env=env, capture_output=True, text=True)
    check(proc.returncode == 2 and "no-such-branch" in proc.stderr,
          f"missing base: exit {proc.returncode}: {proc.stderr}")
    with open(summary, encoding="utf-8") as f:
        check("exited 2 without a report" in f.read(), "missing base: summary")
    out = outputs(output)
    check(out.get("exit-code") == "2" and out.get("sarif") == "", f"missing base: outputs {out}")

    # 6. No binary: a clear error, exit 2, and the summary says stairway did not run.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "STAIRWAY_"))}
    summary = os.path.join(tmp, "nobin.md")
    env.update(STAIRWAY_BIN=os.path.join(tmp, "missing/stairway"), GITHUB_STEP_SUMMARY=summary)
    proc = subprocess.run([SCRIPT], cwd=work, env=env, capture_output=True, text=True)
    check(proc.returncode == 2 and "no stairway binary" in proc.stderr,
          f"no binary: exit {proc.returncode}: {proc.stderr}")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("the action script works end to end")
