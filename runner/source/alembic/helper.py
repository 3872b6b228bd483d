# stairway's Alembic helper. stairway starts it in the project's own Python (the interpreter
# that has the project's Alembic, SQLAlchemy and packages) and talks to it over stdin/stdout,
# one JSON object a line. It holds one database connection for the whole run and runs exactly
# one revision per command, so a step costs a function call, not an interpreter start.
# Compatible with Alembic 1.8+ and SQLAlchemy 1.4 and 2.0. It never runs the project's env.py.
import importlib.util
import io
import json
import os
import sys
import time
import traceback

PROTOCOL = 1

# The protocol owns the original stdout; whatever the revisions print goes to stderr.
_channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr


def send(obj):
    _channel.write(json.dumps(obj) + "\n")
    _channel.flush()


def receive():
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    return json.loads(line)


class Rollback(Exception):
    """stairway asked for the step's transaction to be rolled back."""


class State:
    project = {}
    engine = None
    connection = None  # a sync Connection, or an AsyncConnection for asyncpg
    loop = None
    driver = None
    env = None  # EnvironmentContext, entered for the life of the process
    context = None  # its MigrationContext
    modules = {}  # revision file path -> module
    statements = None  # list while a step records what it executes
    capture = False  # the step answers what it executed, with origins (for lint)
    step_path = ""  # the revision file of the running step
    trace = None  # Trace while a step is traced (preflight's lock trace)
    prepared = {}  # trace query -> the name it is prepared under on this connection
    model = None  # MetaData list of the model (the `model` command)
    model_opts = {}  # the other options env.py hands configure() (compare_type...)


# ---------------------------------------------------------------- errors


def project_frames(tb):
    """(file, line, function) of traceback frames outside Python's and the libraries' code."""
    frames = []
    for frame in traceback.extract_tb(tb):
        name = frame.filename
        if "site-packages" in name or "dist-packages" in name or name.startswith("<"):
            continue
        if name.startswith(sys.prefix) or name.startswith(sys.base_prefix):
            continue
        frames.append({"file": name, "line": frame.lineno, "function": frame.name,
                       "text": (frame.line or "").strip()})
    return frames


def server_facts(exc):
    """sqlstate, message, detail, hint from a DBAPI error of psycopg2, psycopg or asyncpg."""
    facts = {}
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        code = getattr(exc, "pgcode", None) or getattr(exc, "sqlstate", None)
        if isinstance(code, str) and len(code) == 5:
            facts.setdefault("sqlstate", code)
        diag = getattr(exc, "diag", None)
        if diag is not None and getattr(diag, "message_primary", None):
            facts.setdefault("server_message", diag.message_primary)
            if getattr(diag, "message_detail", None):
                facts.setdefault("detail", diag.message_detail)
            if getattr(diag, "message_hint", None):
                facts.setdefault("hint", diag.message_hint)
        if "sqlstate" in facts and "server_message" not in facts:
            # asyncpg: the exception carries the fields itself
            message = getattr(exc, "message", None)
            if isinstance(message, str):
                facts["server_message"] = message
                if getattr(exc, "detail", None):
                    facts["detail"] = exc.detail
                if getattr(exc, "hint", None):
                    facts["hint"] = exc.hint
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return facts


def describe(exc):
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    error = {
        "type": type(exc).__name__,
        "message": text,
        "frames": project_frames(exc.__traceback__),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    }
    statement = getattr(exc, "statement", None)
    if isinstance(statement, str):
        error["statement"] = statement
    if isinstance(exc, SyntaxError) and exc.filename:
        error["frames"].append({"file": exc.filename, "line": exc.lineno or 0,
                                "function": "<module>", "text": (exc.text or "").strip()})
    error.update(server_facts(exc))
    return error


# ---------------------------------------------------------------- commands


def hello(msg):
    missing = []
    versions = {}
    for name in ("sqlalchemy", "alembic"):
        try:
            module = __import__(name)
            versions[name] = getattr(module, "__version__", "?")
        except Exception as exc:  # ImportError, or a broken install
            missing.append("%s (%s)" % (name, exc))
    if missing:
        send({"ok": False, "missing": missing, "executable": sys.executable,
              "python": sys.version.split()[0]})
        sys.exit(0)
    State.project = msg.get("project", {})
    for entry in reversed(State.project.get("sys_path", [])):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    drivers = [d for d in ("psycopg2", "psycopg", "asyncpg") if importlib.util.find_spec(d)]
    send({"ok": True, "protocol": PROTOCOL, "executable": sys.executable,
          "python": sys.version.split()[0], "alembic": versions["alembic"],
          "sqlalchemy": versions["sqlalchemy"], "drivers": drivers})


def preload_env_imports():
    """Imports the modules env.py imports (best effort): plugins such as alembic_postgresql_enum
    add operations that revisions use, and Alembic would have imported them through env.py."""
    env_py = os.path.join(State.project.get("script_location", ""), "env.py")
    try:
        import ast
        with open(env_py, "rb") as f:
            tree = ast.parse(f.read(), env_py)
    except Exception:
        return
    skip = {"alembic", "sqlalchemy", "logging", "os", "sys", "asyncio", "typing", "re"}
    for node in tree.body:
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in skip:
                continue
            try:
                if importlib.util.find_spec(name.split(".")[0]) is not None:
                    __import__(name)
            except Exception:
                pass


def make_environment():
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config_file = State.project.get("config_file") or ""
    if config_file.endswith(".ini"):
        config = Config(config_file)
    else:
        config = Config()
    script_location = State.project["script_location"]
    config.set_main_option("script_location", script_location.replace("%", "%%"))
    script = ScriptDirectory(script_location)
    return config, script


def in_connection(work):
    """Runs work(sync_connection): directly, or through run_sync for an async driver."""
    if State.loop is None:
        return work(State.connection)
    return State.loop.run_until_complete(State.connection.run_sync(work))


def connect(msg):
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    url = msg["url"]
    wanted = msg.get("driver") or ""
    available = [d for d in ("psycopg2", "psycopg", "asyncpg") if importlib.util.find_spec(d)]
    order = [wanted] if wanted else available
    errors = []
    for driver in order:
        try:
            if driver == "psycopg2":
                import psycopg2

                engine = sa.create_engine("postgresql+psycopg2://", poolclass=NullPool,
                                          creator=lambda: psycopg2.connect(url))
                State.connection = engine.connect()
            elif driver == "psycopg":
                import psycopg

                engine = sa.create_engine("postgresql+psycopg://", poolclass=NullPool,
                                          creator=lambda: psycopg.connect(url))
                State.connection = engine.connect()
            elif driver == "asyncpg":
                State.connection, engine = connect_async(url)
            else:
                errors.append("%s: unknown driver (psycopg2, psycopg or asyncpg)" % driver)
                continue
            State.engine = engine
            State.driver = driver
            break
        except Exception as exc:
            errors.append("%s: %s" % (driver, str(exc).strip().splitlines()[0] if str(exc) else
                                      type(exc).__name__))
    if State.connection is None:
        if not order:
            errors.append("no PostgreSQL driver importable (psycopg2, psycopg or asyncpg)")
        send({"ok": False, "error": {"type": "ConnectError", "message": "; ".join(errors)}})
        return

    settings = msg.get("settings") or {}
    State.prepared = {}  # prepared statements belong to a connection

    def configure(conn):
        raw = conn.connection.cursor()
        raw.execute("SET application_name = 'stairway (alembic)'")
        for key, value in settings.items():
            raw.execute("SET %s = '%s'" % (key, value.replace("'", "''")))
        raw.close()
        commit_idle(conn)
        preload_env_imports()
        config, script = make_environment()
        from alembic.runtime.environment import EnvironmentContext

        State.env = EnvironmentContext(config, script)
        State.env.__enter__()
        install_recorder(conn)

    try:
        in_connection(configure)
    except Exception as exc:
        send({"ok": False, "error": describe(exc)})
        return
    server = in_connection(lambda conn: conn.dialect.server_version_info)
    send({"ok": True, "driver": State.driver, "server_version": list(server or [])})


def connect_async(url):
    import asyncio

    import asyncpg
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    loop = asyncio.new_event_loop()
    try:
        engine = create_async_engine("postgresql+asyncpg://", poolclass=NullPool,
                                     async_creator=lambda: asyncpg.connect(url))
    except TypeError:
        # SQLAlchemy before 2.0.16 has no async_creator: hand the URL's parts over instead.
        engine = create_async_engine(async_url(url), poolclass=NullPool)
    connection = loop.run_until_complete(engine.connect())
    State.loop = loop
    return connection, engine


def async_url(url):
    from urllib.parse import parse_qsl, unquote, urlsplit

    from sqlalchemy.engine import URL

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    host = query.pop("host", None) or unquote(parts.hostname or "") or None
    port = query.pop("port", None) or parts.port
    user = query.pop("user", None) or (unquote(parts.username) if parts.username else None)
    password = query.pop("password", None) or (
        unquote(parts.password) if parts.password else None)
    database = query.pop("dbname", None) or unquote(parts.path.lstrip("/")) or None
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    query.pop("connect_timeout", None)
    query.pop("application_name", None)
    if host and host.startswith("/"):
        query["host"] = host
        host = None
    return URL.create("postgresql+asyncpg", username=user, password=password, host=host,
                      port=int(port) if port else None, database=database, query=query)


def execute_script(conn, sql):
    """Runs stairway's own SQL (one or more statements, no parameters) in the step's
    transaction, beside SQLAlchemy: through the DBAPI cursor, or for asyncpg, whose cursor
    prepares each statement, through its connection's simple-query execute."""
    cursor = conn.connection.cursor()
    try:
        if State.driver != "asyncpg":
            cursor.execute(sql)
            return
        cursor.execute("SELECT 1")  # makes the adapter open its transaction first
        from sqlalchemy.util import await_only

        fairy = conn.connection
        adapted = getattr(fairy, "dbapi_connection", None) or fairy.connection
        await_only(adapted._connection.execute(sql))
    finally:
        cursor.close()


def commit_idle(conn):
    """Ends whatever transaction SQLAlchemy 2.0's autobegin left open."""
    raw = conn.connection
    try:
        raw.commit()
    except Exception:
        pass


class Trace:
    """A step's lock trace: stairway's read-only catalog queries (msg["trace"]) run on this
    connection, in the step's own transaction, before its first statement and after each one
    (around each one of an autocommit_block()); their rows go back as text with the statements'
    lines and durations. The queries' own time is not in the durations."""

    def __init__(self, queries, received):
        self.queries = queries
        self.received = received
        self.begin = []
        self.statements = []
        self.pending = None  # (entry, start) of the statement running now
        self.read_ms = 0.0  # the trace's own queries

    def ms(self, since):
        return (time.perf_counter() - since) * 1000.0

    def rows(self, connection, sql, arg=None):
        """The rows of `sql` (its $1 is `arg`, text, when given)."""
        # The DBAPI connection's own cursor: SQLAlchemy's events do not see these queries.
        started = time.perf_counter()
        cursor = connection.connection.cursor()
        literal = None if arg is None else "'" + arg.replace("'", "''") + "'"
        try:
            if State.driver != "asyncpg":
                # Planning these catalog joins costs more than running them: prepared once per
                # connection (PREPARE outlives the transaction it ran in, even rolled back).
                # asyncpg prepares and caches every statement itself.
                name = State.prepared.get(sql)
                if name is None:
                    name = "stairway_trace_%d" % len(State.prepared)
                    cursor.execute("PREPARE %s%s AS %s" % (name, "" if arg is None else "(text)",
                                                            sql))
                    State.prepared[sql] = name
                sql = "EXECUTE " + name + ("" if arg is None else "(%s)" % literal)
            elif arg is not None:
                sql = sql.replace("$1", literal)
            cursor.execute(sql)
            return [[None if v is None else str(v) for v in row] for row in cursor.fetchall()]
        finally:
            cursor.close()
            self.read_ms += self.ms(started)

    def starting(self, connection, statement, autocommit):
        self.failed()  # one still pending raised, and the revision caught it (a savepoint)
        where = origin(State.step_path) or (0, 0)
        entry = {"sql": statement, "line": where[0], "column": where[1], "autocommit": autocommit}
        if autocommit:
            entry["before"] = self.rows(connection, self.queries["around"])
        entry["start_ms"] = self.ms(self.received)
        self.pending = (entry, time.perf_counter())

    def finished(self, connection):
        if self.pending is None:
            return
        entry, start = self.pending
        self.pending = None
        entry["ms"] = self.ms(start)
        entry["after"] = self.rows(
            connection, self.queries["around" if entry["autocommit"] else "after"])
        self.statements.append(entry)

    def failed(self):
        """The statement running when the step failed (none: Python itself raised)."""
        if self.pending is not None:
            entry, start = self.pending
            self.pending = None
            entry["ms"] = self.ms(start)
            entry["failed"] = True
            self.statements.append(entry)

    def result(self):
        return {"begin": self.begin, "statements": self.statements,
                "end_ms": self.ms(self.received), "read_ms": self.read_ms}


def install_recorder(conn):
    from sqlalchemy import event

    def before(connection, cursor, statement, parameters, context, executemany):
        if State.statements is not None:
            level = connection.get_execution_options().get("isolation_level")
            where = origin(State.step_path) if State.capture else None
            State.statements.append((statement, level == "AUTOCOMMIT", where, bool(parameters)))
            if State.trace is not None:
                State.trace.starting(connection, statement, level == "AUTOCOMMIT")

    def after(connection, cursor, statement, parameters, context, executemany):
        if State.statements is not None and State.trace is not None:
            State.trace.finished(connection)

    target = conn.engine if hasattr(conn, "engine") else conn
    event.listen(target, "before_cursor_execute", before)
    event.listen(target, "after_cursor_execute", after)


def load_revision(path):
    module = State.modules.get(path)
    if module is None:
        module_id = "stairway_revision_" + "".join(c if c.isalnum() else "_" for c in path)
        spec = importlib.util.spec_from_file_location(module_id, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        State.modules[path] = module
    return module


def fresh_context(conn):
    """A new MigrationContext for each step, as each `alembic` invocation has: its DDL memo (which
    enum types it already created, say) must not carry over from an earlier step."""
    version_table = State.project.get("version_table") or "alembic_version"
    State.env.configure(connection=conn, version_table=version_table,
                        version_table_schema=State.project.get("version_table_schema") or None,
                        transaction_per_migration=False)
    return State.env.get_context()


def step_function(msg):
    """The revision's upgrade() or downgrade(); None (the failure already answered) when the file
    cannot be imported."""
    try:
        module = load_revision(msg["path"])
        return getattr(module, "upgrade" if msg["direction"] == "up" else "downgrade")
    except Exception as exc:
        send({"ok": False, "stage": "import", "error": describe(exc)})
        return None


def run(msg):
    from alembic.operations import Operations

    fn = step_function(msg)
    if fn is None:
        return
    outcome = {}
    State.capture = bool(msg.get("capture"))
    State.step_path = msg["path"]
    received = time.perf_counter()
    trace = Trace(msg["trace"], received) if msg.get("trace") else None

    def work(conn):
        context = fresh_context(conn)
        start = time.perf_counter()
        State.statements = []
        try:
            with Operations.context(context), context.begin_transaction():
                if trace is not None:
                    trace.begin = trace.rows(conn, trace.queries["begin"],
                                             trace.queries.get("begin_arg"))
                    State.trace = trace
                try:
                    fn()
                except Exception as exc:
                    if trace is not None:
                        trace.failed()
                    outcome["error"] = describe(exc)
                    # An autocommit_block() committed what ran before it and in it.
                    flags = [entry[1] for entry in State.statements]
                    last = len(flags) - 1 - flags[::-1].index(True) if True in flags else -1
                    outcome["error"]["committed"] = [e[0] for e in State.statements[:last + 1]]
                    outcome["stage"] = "run"
                    raise Rollback()
                ran_ms = (time.perf_counter() - start) * 1000.0
                ran = {"ok": True, "event": "ran", "ms": ran_ms,
                       "statements": len(State.statements)}
                if State.capture:
                    # For lint: what the revision itself executed, at its call's line. Statements
                    # with bound parameters are data, not DDL, and their placeholders not SQL.
                    ran["captured"] = [[sql, where[0], where[1], autocommit]
                                       for sql, autocommit, where, params in State.statements
                                       if where is not None and not params]
                if "commit" in msg:
                    # The bookkeeping SQL came with the request (one pipe round trip fewer): a
                    # [before, after] item takes the step's duration in ms between its halves.
                    ms = str(int((time.perf_counter() - received) * 1000.0))
                    reply = {"cmd": "commit", "sql": [
                        item if isinstance(item, str) else item[0] + ms + item[1]
                        for item in msg["commit"]]}
                    outcome["captured"] = ran.get("captured")
                else:
                    send(ran)
                    reply = receive()
                if reply.get("cmd") != "commit":
                    outcome["rolled_back"] = True
                    raise Rollback()
                try:
                    if "commit" in msg:
                        execute_script(conn, ";\n".join(reply["sql"]))  # one round trip
                    else:
                        for sql in reply.get("sql", []):
                            execute_script(conn, sql)
                except Exception as exc:
                    outcome["error"] = describe(exc)
                    outcome["stage"] = "record"
                    raise Rollback()
        except Rollback:
            pass
        except Exception as exc:  # the COMMIT itself, or Alembic's transaction handling
            outcome["error"] = describe(exc)
            outcome["stage"] = outcome.get("stage", "commit")
        finally:
            State.statements = None
            State.trace = None
            commit_idle(conn)

    try:
        in_connection(work)
    except Exception as exc:
        outcome["error"] = describe(exc)
        outcome["stage"] = "connection"
    if "error" in outcome:
        reply = {"ok": False, "stage": outcome["stage"], "error": outcome["error"]}
    elif outcome.get("rolled_back"):
        reply = {"ok": True, "event": "rolled_back"}
    elif outcome.get("captured") is not None:
        reply = {"ok": True, "event": "committed", "captured": outcome["captured"]}
    else:
        reply = {"ok": True, "event": "committed"}
    if trace is not None:
        reply["trace"] = trace.result()
    send(reply)


def render(msg):
    """The SQL of one revision and direction, rendered offline with the PostgreSQL dialect."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    fn = step_function(msg)
    if fn is None:
        return
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql", dialect_opts={"paramstyle": "named"},
        opts={"as_sql": True, "output_buffer": buffer, "transactional_ddl": True})
    try:
        with Operations.context(context):
            fn()
    except Exception as exc:
        send({"ok": False, "stage": "render", "error": describe(exc)})
        return
    send({"ok": True, "sql": buffer.getvalue()})


def origin(path):
    """(line, column) of the innermost frame running in the revision file `path`: the op.* or
    op.execute call that produced the statement being emitted. Column is 1-based, from the
    code's positions where Python has them (3.11+), else the line's first non-blank."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != path:
        frame = frame.f_back
    if frame is None:
        return None
    line = frame.f_lineno
    column = 0
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is not None:
        try:
            start, _, col, _ = list(positions())[frame.f_lasti // 2]
            if start is not None and col is not None:
                line, column = start, col + 1
        except Exception:
            pass
    return line, column


def function_lines(fn):
    """First and last line of a function's source (its def and its body)."""
    import inspect

    try:
        lines, first = inspect.getsourcelines(fn)
        return [first, first + len(lines) - 1]
    except Exception:
        return [0, 0]


def render_statements(msg):
    """Renders revisions offline, one statement at a time, for lint: each statement with the
    line and column of the call in the revision that produced it, and whether it runs in an
    autocommit_block() (outside the revision's transaction). `items`: [{path, direction}]; the answer has one
    result per item, in order."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    results = []
    for item in msg.get("items", []):
        path = item["path"]
        try:
            module = load_revision(path)
            fn = getattr(module, "upgrade" if item["direction"] == "up" else "downgrade")
        except Exception as exc:
            results.append({"ok": False, "stage": "import", "error": describe(exc)})
            continue
        statements = []
        context = MigrationContext.configure(
            dialect_name="postgresql", dialect_opts={"paramstyle": "named"},
            opts={"as_sql": True, "output_buffer": io.StringIO(), "transactional_ddl": True})
        impl = context.impl
        # autocommit_block() emits COMMIT on entry and BEGIN on exit: its statements are marked
        # as running outside the revision's transaction instead.
        outside = [False]

        def capture(text, statements=statements, path=path, outside=outside):
            where = origin(path) or (0, 0)
            statements.append([text, where[0], where[1], outside[0]])

        def leave(outside=outside):
            outside[0] = True

        def enter(outside=outside):
            outside[0] = False

        impl.static_output = capture
        impl.emit_commit = leave
        impl.emit_begin = enter
        try:
            with Operations.context(context):
                fn()
        except Exception as exc:
            results.append({"ok": False, "stage": "render", "error": describe(exc),
                            "lines": function_lines(fn)})
            continue
        results.append({"ok": True, "statements": statements, "lines": function_lines(fn)})
    send({"ok": True, "results": results})


def load(msg):
    """Imports revision files ahead of a run, so one that cannot be imported stops the run
    before anything is applied. Answers the failures, one per file."""
    failures = []
    for path in msg.get("paths", []):
        try:
            load_revision(path)
        except Exception as exc:
            failures.append({"path": path, "error": describe(exc)})
    send({"ok": True, "failures": failures})


def read_header(msg):
    """revision, down_revision, branch_labels, depends_on of a file whose header is not plain
    literals: the module is run, as Alembic itself would."""
    try:
        module = load_revision(msg["path"])
    except Exception as exc:
        send({"ok": False, "stage": "import", "error": describe(exc)})
        return

    def as_list(value):
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value]

    revision = getattr(module, "revision", None)
    if not isinstance(revision, str):
        send({"ok": False, "stage": "header",
              "error": {"type": "ValueError", "message": "no `revision` string in the module",
                        "frames": []}})
        return
    send({"ok": True, "revision": revision,
          "down_revision": as_list(getattr(module, "down_revision", None)),
          "branch_labels": as_list(getattr(module, "branch_labels", None)),
          "depends_on": as_list(getattr(module, "depends_on", None))})


# ---------------------------------------------------------------- the model


class StopEnv(Exception):
    """Raised from the intercepted configure(): env.py has handed over what it hands Alembic."""


def metadata_list(value):
    """A MetaData, a declarative Base (its .metadata) or a sequence of them, as MetaData list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(metadata_list(v))
        return out
    if hasattr(value, "tables") and hasattr(value, "create_all"):
        return [value]
    inner = getattr(value, "metadata", None)
    if inner is not None and hasattr(inner, "tables"):
        return [inner]
    raise TypeError("%r is neither a MetaData nor a declarative Base" % (value,))


def env_target():
    """Runs env.py in offline mode with its configure() call intercepted: the keyword arguments
    it hands Alembic (target_metadata, compare_type, include_object...) after it imported the
    models, and env.py's module globals (target_metadata even when configure was never reached,
    as in an env.py that only connects)."""
    from alembic.runtime.environment import EnvironmentContext

    config, script = make_environment()
    env_py = os.path.join(script.dir, "env.py")
    captured = {}
    namespace = {"__name__": "stairway_env_py", "__file__": env_py}
    problem = None

    def configure(*args, **kw):
        captured.update(kw)
        raise StopEnv()

    env = EnvironmentContext(config, script, as_sql=True, fn=lambda rev, ctx: [])
    env.configure = configure
    try:
        with env:
            with open(env_py, "rb") as f:
                code = compile(f.read(), env_py, "exec")
            exec(code, namespace)
    except StopEnv:
        pass
    except BaseException as exc:  # SystemExit too: env.py may exit when a setting is missing
        problem = describe(exc)
    finally:
        if State.env is not None:
            State.env._install_proxy()  # exiting the interception removed the live proxy
    return captured, namespace, problem


def model_sources(tables):
    """table name -> "file:line" of the mapped class that defines it, where SQLAlchemy knows."""
    import inspect

    sources = {}
    try:
        from sqlalchemy.orm import mapperlib

        registries = list(mapperlib._mapper_registries)
    except Exception:
        return sources
    wanted = {id(t): name for name, t in tables.items()}
    for registry in registries:
        for mapper in list(getattr(registry, "mappers", [])):
            for table in getattr(mapper, "tables", []):
                name = wanted.get(id(table))
                if name is None or name in sources:
                    continue
                try:
                    path = inspect.getsourcefile(mapper.class_)
                    line = inspect.getsourcelines(mapper.class_)[1]
                    sources[name] = "%s:%d" % (path, line)
                except Exception:
                    pass
    return sources


def model(msg):
    """Finds the model: `spec` ("module:attr", a MetaData or a declarative Base), else the
    target_metadata env.py hands Alembic. Keeps it (and env.py's configure options) for
    create_model and autogenerate; answers its tables and where each is defined."""
    spec = msg.get("spec") or ""
    warnings = []
    opts = {}
    if spec:
        module_name, _, attr = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
            value = module
            if attr:
                for part in attr.split("."):
                    value = getattr(value, part)
            else:
                # "module" alone: the names projects give their model, in that order.
                for name in ("target_metadata", "metadata", "Base"):
                    value = getattr(module, name, None)
                    if value is not None:
                        break
                else:
                    raise LookupError("%s has no target_metadata, metadata or Base; name the "
                                      "attribute: --model %s:ATTR" % (module_name, module_name))
            metadata = metadata_list(value)
        except BaseException as exc:
            send({"ok": False, "stage": "model", "error": describe(exc)})
            return
        origin = spec
    else:
        captured, namespace, problem = env_target()
        value = captured.get("target_metadata", namespace.get("target_metadata"))
        if value is None:
            error = problem or {"type": "LookupError", "frames": [],
                                "message": "env.py hands Alembic no target_metadata"}
            send({"ok": False, "stage": "model", "error": error})
            return
        try:
            metadata = metadata_list(value)
        except TypeError as exc:
            send({"ok": False, "stage": "model", "error": describe(exc)})
            return
        opts = {k: v for k, v in captured.items()
                if k not in ("url", "connection", "target_metadata", "literal_binds",
                             "dialect_opts", "dialect_name", "output_buffer", "as_sql")}
        origin = "env.py target_metadata"
    State.model = metadata
    State.model_opts = opts
    tables = {}
    for md in metadata:
        for key, table in md.tables.items():
            tables[key] = table
    if not tables:
        warnings.append("the model has 0 tables: are the modules that define the models "
                        "imported where %s is built?" % (spec or "target_metadata"))
    send({"ok": True, "origin": origin, "tables": sorted(tables),
          "sources": model_sources(tables), "warnings": warnings,
          "options": sorted(opts)})


def create_model(msg):
    """Creates the kept model on the helper's connection (metadata.create_all) and commits."""
    if not getattr(State, "model", None):
        send({"ok": False, "stage": "model",
              "error": {"type": "ProtocolError", "message": "no model loaded", "frames": []}})
        return

    import warnings

    def work(conn):
        try:
            with warnings.catch_warnings():
                # SQLAlchemy 1.4 warns that create_all on a plain Connection autocommits: the
                # commit below is explicit, so the warning says nothing to the user.
                try:
                    from sqlalchemy.exc import RemovedIn20Warning

                    warnings.simplefilter("ignore", RemovedIn20Warning)
                except ImportError:
                    pass
                for md in State.model:
                    md.create_all(conn)
            conn.connection.commit()
        except BaseException:
            try:
                conn.connection.rollback()
            except Exception:
                pass
            raise
        finally:
            commit_idle(conn)

    try:
        in_connection(work)
    except Exception as exc:
        send({"ok": False, "stage": "create", "error": describe(exc)})
        return
    send({"ok": True})


# ---------------------------------------------------------------- new revisions


def revision(msg):
    """A new revision file, made by Alembic's own RevisionContext exactly as `alembic revision`
    makes it (script.py.mako, file_template, truncate_slug_length, version_locations, post-write
    hooks). With `autogenerate` the kept model is compared with the helper's database (stairway
    migrated it to the heads) under env.py's configure() options; env.py itself never connects.
    Without it, a project with revision_environment = true gets env.py's options (template_args,
    process_revision_directives) from an offline run of env.py."""
    from alembic import util as alembic_util
    from alembic.autogenerate import RevisionContext
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    autogenerate = bool(msg.get("autogenerate"))
    config, _ = make_environment()
    script = ScriptDirectory.from_config(config)
    command_args = {"message": msg.get("message") or None, "autogenerate": autogenerate,
                    "sql": False, "head": msg.get("head") or "head",
                    "splice": bool(msg.get("splice")),
                    "branch_label": msg.get("branch_label") or None,
                    "version_path": msg.get("version_path") or None,
                    "rev_id": msg.get("rev_id") or None,
                    "depends_on": msg.get("depends_on") or None}
    revision_context = RevisionContext(config, script, command_args)
    environment = alembic_util.asbool(config.get_main_option("revision_environment"))
    if autogenerate and not State.model:
        send({"ok": False, "stage": "model",
              "error": {"type": "ProtocolError", "message": "no model loaded", "frames": []}})
        return
    opts = {}
    if autogenerate:
        opts = dict(State.model_opts)
    elif environment:
        captured, _, problem = env_target()
        if problem is not None:
            send({"ok": False, "stage": "env", "error": problem})
            return
        opts = {k: v for k, v in captured.items()
                if k not in ("url", "connection", "literal_binds", "dialect_opts",
                             "dialect_name", "output_buffer", "as_sql")}
    excluded = [(e.get("schema") or None, e.get("name")) for e in msg.get("exclude", [])]
    user_filter = opts.get("include_object")

    def include_object(obj, name, type_, reflected, compare_to):
        # stairway's own history table lives in the database it compared with, not the model.
        if type_ == "table" and reflected and compare_to is None:
            schema = getattr(obj, "schema", None)
            for ex_schema, ex_name in excluded:
                if name == ex_name and schema in (None, ex_schema):
                    return False
        return user_filter(obj, name, type_, reflected, compare_to) if user_filter else True

    if excluded:
        opts["include_object"] = include_object

    def retrieve(rev, context):
        if autogenerate:
            revision_context.run_autogenerate(rev, context)
        else:
            revision_context.run_no_autogenerate(rev, context)
        return []

    def run_env(conn):
        env = EnvironmentContext(config, script, fn=retrieve, as_sql=conn is None,
                                 template_args=revision_context.template_args,
                                 revision_context=revision_context)
        try:
            with env:
                if conn is None:
                    env.configure(dialect_name="postgresql", output_buffer=io.StringIO(),
                                  **opts)
                else:
                    env.configure(connection=conn, target_metadata=State.model, **opts)
                with env.begin_transaction():
                    env.run_migrations()
        finally:
            if conn is not None:
                try:
                    conn.connection.rollback()  # autogenerate only reads
                except Exception:
                    pass
                commit_idle(conn)
            if State.env is not None:
                State.env._install_proxy()  # leaving `env` removed the live proxy

    try:
        if autogenerate:
            if State.connection is None:
                send({"ok": False, "stage": "connection",
                      "error": {"type": "ProtocolError", "message": "not connected",
                                "frames": []}})
                return
            in_connection(run_env)
        elif environment:
            run_env(None)
        scripts = [s for s in revision_context.generate_scripts() if s is not None]
    except alembic_util.CommandError as exc:
        send({"ok": False, "stage": "command",
              "error": {"type": "CommandError", "message": str(exc), "frames": []}})
        return
    except Exception as exc:
        send({"ok": False, "stage": "revision", "error": describe(exc)})
        return
    empty = all(ms.upgrade_ops_list[-1].is_empty() for ms in revision_context.generated_revisions
                if ms.upgrade_ops_list) if autogenerate else True
    send({"ok": True, "environment": environment, "empty": empty,
          "scripts": [{"path": os.path.abspath(s.path), "revision": s.revision} for s in scripts]})


COMMANDS = {"hello": hello, "connect": connect, "run": run, "render": render, "load": load,
            "read_header": read_header, "model": model, "create_model": create_model,
            "render_statements": render_statements, "revision": revision}


def main():
    while True:
        msg = receive()
        cmd = msg.get("cmd")
        if cmd == "quit":
            break
        handler = COMMANDS.get(cmd)
        if handler is None:
            send({"ok": False, "error": {"type": "ProtocolError",
                                         "message": "unknown command %r" % cmd, "frames": []}})
            continue
        try:
            handler(msg)
        except SystemExit:
            raise
        except BaseException as exc:
            send({"ok": False, "stage": "helper", "error": describe(exc)})
    if State.connection is not None:
        try:
            if State.loop is None:
                State.connection.close()
            else:
                State.loop.run_until_complete(State.connection.close())
        except Exception:
            pass


main()
