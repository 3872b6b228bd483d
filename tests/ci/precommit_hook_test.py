# The pre-commit hook (.pre-commit-hooks.yaml) run the way pre-commit runs it: its `files`
# pattern picks the files, its `entry` is split like a shell word list and run with them
# appended, `stairway` found on PATH. Usage: precommit_hook_test.py STAIRWAY_BINARY SOURCE_DIR.
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

STAIRWAY, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)
    return ok


with open(os.path.join(SOURCE, ".pre-commit-hooks.yaml"), encoding="utf-8") as f:
    hooks = {h["id"]: h for h in yaml.safe_load(f)}
hook = hooks["stairway-lint"]
check(hook["language"] == "system" and hook.get("pass_filenames", True),
      f"stairway-lint should run the installed stairway with the files: {hook}")
pattern = re.compile(hook["files"])

# What the pattern selects (pre-commit uses re.search on repository-relative paths).
selected = ["migrations/0001_create_users.sql", "db/V2__add_index.sql",
            "backend/alembic/versions/3f1c9a2b7d10_create_users.py", "versions/abc_x.py"]
ignored = ["backend/alembic/env.py", "backend/app/models.py", "README.md",
           "backend/alembic/script.py.mako", "migrations/README.md", "versions/sub/x.pyc"]
for path in selected:
    check(pattern.search(path), f"files pattern {hook['files']!r} misses {path}")
for path in ignored:
    check(not pattern.search(path), f"files pattern {hook['files']!r} selects {path}")

with tempfile.TemporaryDirectory(prefix="stairway-precommit-") as tmp:
    os.symlink(STAIRWAY, os.path.join(tmp, "stairway"))
    env = dict(os.environ, PATH=tmp + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1")

    def run_hook(files, cwd=SOURCE):
        files = [f for f in files if pattern.search(f)]
        argv = shlex.split(hook["entry"]) + hook.get("args", []) + files
        return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)

    def lint(*args):
        return subprocess.run([STAIRWAY, "lint", *args], cwd=SOURCE, env=env,
                              capture_output=True, text=True)

    # 1. Every migration of this repository, one by one as a commit would pass them: the same
    # findings as linting the directory (each file keeps its set's context: markers,
    # transaction mode, tables earlier revisions create), so the hook passes.
    mine = sorted(os.path.join("migrations", f) for f in os.listdir(os.path.join(SOURCE,
                                                                               "migrations")))
    proc = run_hook(mine + ["README.md", "stairway.toml"])
    whole = lint("migrations")
    check(proc.returncode == 0, f"hook on migrations/: exit {proc.returncode}\n{proc.stdout}"
          f"{proc.stderr}")
    check(proc.stdout == whole.stdout, "hook on migrations/ reports differently from "
          f"`stairway lint migrations`:\n{proc.stdout}\n---\n{whole.stdout}")

    # 2. Two changed files of a set: only they are reported. The bundled history lints clean,
    # so in a copy of it 0002 loses its lock_timeout (a warning and a note) and 0008's down its
    # IF EXISTS (a note); 0006, which alters the table 0002 triggers on, stays unreported.
    copy = os.path.join(tmp, "repo")
    shutil.copytree(os.path.join(SOURCE, "migrations"), os.path.join(copy, "migrations"))

    def rewrite(name, old, new):
        path = os.path.join(copy, "migrations", name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        check(old in text, f"{name} no longer holds {old!r}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, 1))

    rewrite("0002_updated_at_trigger.sql", "SET LOCAL lock_timeout = '5s';\n\nCREATE FUNCTION",
            "CREATE FUNCTION")
    rewrite("0008_index_chat_messages_by_time.sql", "DROP INDEX CONCURRENTLY IF EXISTS",
            "DROP INDEX CONCURRENTLY")
    two = ["migrations/0008_index_chat_messages_by_time.sql",
           "migrations/0002_updated_at_trigger.sql"]
    proc = run_hook(two, cwd=copy)
    reported = set(re.findall(r"^(migrations/[^:]+):\d+", proc.stdout, re.M))
    check(proc.returncode == 1 and reported == set(two),
          f"hook on two files: exit {proc.returncode}, reported {reported}\n{proc.stdout}"
          f"{proc.stderr}")
    check("[mixed-txn-modes]" not in proc.stdout,
          f"0008's transaction:false marker was not read:\n{proc.stdout}")

    # 3. A file with findings, a loose .sql outside any migration set, and an Alembic revision:
    # the commit is stopped (exit 1), each finding at its file and line.
    bad = ["fixtures/lint/require-concurrent-index-create/bad.sql",
           "fixtures/alembic/plain/alembic/versions/3b8f1e0c9d2a_drop_legacy_sessions.py"]
    proc = run_hook(bad)
    check(proc.returncode == 1, f"hook on bad files: exit {proc.returncode}\n{proc.stderr}")
    for path, rule in ((bad[0], "require-concurrent-index-create"), (bad[1], "drop-table")):
        check(re.search(rf"^{re.escape(path)}:\d+:\d+: \w+: .*\[{rule}\]$", proc.stdout, re.M),
              f"hook on bad files: no {rule} finding at {path}:\n{proc.stdout}")

    # A file named like a migration in a directory that does not load: the load error, exit 2,
    # not a lint of the file on its own.
    proc = run_hook(["fixtures/bad/missing-up-marker/migrations/0001_create_users.sql"])
    with open(os.path.join(SOURCE, "fixtures/bad/missing-up-marker/expected_error.txt"),
              encoding="utf-8") as f:
        expected = f.read().strip()
    check(proc.returncode == 2 and expected in proc.stderr,
          f"hook on a migration without its marker: exit {proc.returncode}, want 2 and "
          f"{expected!r}\n{proc.stdout}{proc.stderr}")

    # 4. pre-commit itself (the Debian package): a repository using the hook from a hooks
    # repository holding this .pre-commit-hooks.yaml, run on its staged migrations. Offline: the
    # hooks repository is a local path and language: system installs nothing.
    precommit = shutil.which("pre-commit")
    if check(precommit, "pre-commit is not installed (ci/install-deps.sh installs it)"):
        hooks_repo = os.path.join(tmp, "hooks")
        project = os.path.join(tmp, "project")
        os.makedirs(hooks_repo)
        shutil.copy(os.path.join(SOURCE, ".pre-commit-hooks.yaml"), hooks_repo)
        shutil.copytree(os.path.join(SOURCE, "migrations"), os.path.join(project, "migrations"))

        def git(cwd, *args):
            return subprocess.run(
                ["git", "-c", "user.name=stairway test", "-c", "user.email=test@example.com",
                 "-c", "init.defaultBranch=main", *args],
                cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()

        git(hooks_repo, "init", "-q")
        git(hooks_repo, "add", ".")
        git(hooks_repo, "commit", "-qm", "hooks")
        rev = git(hooks_repo, "rev-parse", "HEAD")
        with open(os.path.join(project, ".pre-commit-config.yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump({"repos": [{"repo": hooks_repo, "rev": rev,
                                       "hooks": [{"id": "stairway-lint"}]}]}, f)
        git(project, "init", "-q")
        git(project, "add", ".")
        pc_env = dict(env, PRE_COMMIT_HOME=os.path.join(tmp, "pre-commit-home"))

        def pre_commit():
            return subprocess.run([precommit, "run", "--color", "never"], cwd=project,
                                  env=pc_env, capture_output=True, text=True)

        proc = pre_commit()
        check(proc.returncode == 0 and "stairway lint" in proc.stdout and "Passed" in proc.stdout,
              f"pre-commit on migrations/: exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
        with open(os.path.join(project, "migrations", "0009_index_users_by_email.sql"), "w",
                  encoding="utf-8") as f:
            f.write("-- migrate:up\nCREATE INDEX users_email_idx ON users (email);\n\n"
                    "-- migrate:down\nDROP INDEX users_email_idx;\n")
        git(project, "add", ".")
        proc = pre_commit()
        check(proc.returncode == 1 and "Failed" in proc.stdout and re.search(
            r"^migrations/0009_index_users_by_email\.sql:\d+:\d+: error: .*"
            r"\[require-concurrent-index-create\]$", proc.stdout, re.M),
            f"pre-commit with a bad migration: exit {proc.returncode}\n{proc.stdout}"
            f"{proc.stderr}")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("the pre-commit hook lints the files it is given")
