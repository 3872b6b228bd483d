#!/usr/bin/env bash
# The GitHub Action's work (action.yml calls it; docs/ci.md): `stairway verify` on the pull
# request's changes, its Markdown summary into the job summary, annotations on stdout, and the
# SARIF, JUnit and JSON reports as files. Inputs come from the environment, so a plain workflow,
# another CI or a test can run it too:
#   STAIRWAY_BIN        the stairway binary (default: stairway on PATH)
#   STAIRWAY_DIRECTORY  the migrations directory or Alembic project (default: stairway's own:
#                       [verify] in stairway.toml, else ./migrations)
#   STAIRWAY_BASE       git ref of the base branch, e.g. origin/main: revisions changed since it
#                       are round-tripped, older ones only applied (empty: verify everything)
#   STAIRWAY_ARGS       more `stairway verify` arguments, one per line
#   STAIRWAY_REPORTS    folder for the report files (default: $RUNNER_TEMP/stairway-reports,
#                       else ./stairway-reports)
#   STAIRWAY_FAIL_ON_FINDINGS  "false": exit 0 when verify exits 1 (findings); default true
#   STAIRWAY_FETCH_BASE "false": never `git fetch` a base ref the checkout does not have
#   GITHUB_STEP_SUMMARY, GITHUB_OUTPUT  set by GitHub Actions; skipped when unset
# Exit code: stairway verify's (0 ok, 1 findings, 2 usage, 3 could not run, 4 internal).
set -euo pipefail

stairway=${STAIRWAY_BIN:-stairway}
if ! command -v "$stairway" >/dev/null 2>&1; then
  echo "::error title=stairway::no stairway binary at '$stairway': set the action's stairway" \
    "input (or STAIRWAY_BIN) to a built binary, or leave it empty to build one" >&2
  exit 2
fi
reports=${STAIRWAY_REPORTS:-${RUNNER_TEMP:-.}/stairway-reports}
mkdir -p "$reports"
reports=$(cd "$reports" && pwd)

args=(verify)
if [[ -n ${STAIRWAY_DIRECTORY:-} ]]; then args+=("$STAIRWAY_DIRECTORY"); fi

base=${STAIRWAY_BASE:-}
if [[ -n $base ]]; then
  # actions/checkout fetches one commit unless told otherwise: get the base branch if missing.
  # When that fails, stairway names the missing ref (exit 2).
  if [[ ${STAIRWAY_FETCH_BASE:-true} != false && $base == origin/* ]] &&
    git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
    ! git rev-parse --verify --quiet --end-of-options "$base^{commit}" >/dev/null; then
    branch=${base#origin/}
    fetch=(git fetch --no-tags --quiet)
    if [[ $(git rev-parse --is-shallow-repository) == true ]]; then fetch+=(--unshallow); fi
    echo "stairway: fetching $base (check out with fetch-depth: 0 to skip this)" >&2
    "${fetch[@]}" origin "+refs/heads/$branch:refs/remotes/origin/$branch" ||
      echo "stairway: could not fetch $base" >&2
  fi
  args+=(--changed-since "$base")
fi
if [[ -n ${STAIRWAY_ARGS:-} ]]; then
  while IFS= read -r arg; do
    if [[ -n $arg ]]; then args+=("$arg"); fi
  done <<<"$STAIRWAY_ARGS"
fi

sarif=$reports/stairway.sarif
junit=$reports/stairway.junit.xml
json=$reports/stairway.json
markdown=$reports/stairway.md
rm -f "$sarif" "$junit" "$json" "$markdown"
# Text for the log, then the annotations (errors first), both on stdout; the rest to files.
args+=(--report text --report github --report sarif -o "$sarif" --report junit -o "$junit"
  --report json -o "$json" --report markdown -o "$markdown")

code=0
"$stairway" "${args[@]}" || code=$?

if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  if [[ -s $markdown ]]; then
    cat "$markdown" >>"$GITHUB_STEP_SUMMARY"
  else
    # Usage errors and a check that could not run write no report: say so where people look.
    printf '## stairway verify\n\nstairway verify exited %d without a report; see the step log.\n' \
      "$code" >>"$GITHUB_STEP_SUMMARY"
  fi
fi
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  {
    echo "exit-code=$code"
    for name in sarif junit json markdown; do
      if [[ -s ${!name} ]]; then echo "$name=${!name}"; else echo "$name="; fi
    done
  } >>"$GITHUB_OUTPUT"
fi
if [[ $code -eq 1 && ${STAIRWAY_FAIL_ON_FINDINGS:-true} == false ]]; then exit 0; fi
exit "$code"
