// The Alembic helper: a small Python program shipped inside the stairway binary (helper.py),
// started once per run in the project's own interpreter. It holds one database connection
// and runs exactly one revision per command (docs/alembic.md, "How revisions run").
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"
#include "runner/common/process.h"
#include "runner/source/migration.h"

namespace stairway::source::alembic {

// The helper's source, as compiled into the binary.
std::string_view HelperSource();

// Where to look for the project's Python, in order; the first that imports alembic and
// sqlalchemy wins.
struct PythonChoice {
  std::optional<std::string> flag;    // --python
  std::optional<std::string> config;  // stairway.toml [alembic] python
  std::filesystem::path search_from;  // .venv/venv are looked for here and above
};

struct Candidate {
  std::string program;  // a path, or a name looked up in PATH
  std::string origin;   // "--python", "STAIRWAY_PYTHON", "$VIRTUAL_ENV", ".venv", "PATH" ...
};
std::vector<Candidate> PythonCandidates(const PythonChoice& choice);

// A Python traceback frame in the project's code (library frames are left out).
struct Frame {
  std::string file;
  int line = 0;
  std::string function;
  std::string text;
};

// A failure the helper reported.
struct HelperError {
  std::string stage;  // import, run, record, commit, render, header, connection, helper
  std::string type;   // the Python exception's class
  std::string message;
  std::string statement;  // the SQL the server rejected, when it was SQL
  std::string sqlstate;
  std::string server_message;
  std::string detail;
  std::string hint;
  std::string traceback;
  std::vector<Frame> frames;
  // Statements of the failed step that stay done: autocommit_block() committed them.
  std::vector<std::string> committed;

  // The innermost frame in `file` (the revision), else the innermost project frame.
  const Frame* FrameIn(const std::filesystem::path& file) const;
};

// A statement a revision emitted, at the line and column (1-based; 0 unknown) of the call in
// the revision file that produced it.
struct EmittedStatement {
  std::string sql;
  int line = 0;
  int column = 0;
  bool autocommit = false;  // ran in an autocommit_block() (online capture only)
};

// A lock trace of a step on the helper's own connection (preflight, verify --lock-trace): SQL
// stairway wants run there, without parameters, whose rows come back as text.
struct TraceQueries {
  std::string begin;  // in the step's transaction, before the revision's first statement
  std::optional<std::string> begin_arg;  // begin's $1 (text), when it has one
  std::string after;                     // after each statement that runs in the transaction
  std::string around;                    // before and after each statement of an autocommit_block()
};
using TextRow = std::vector<std::optional<std::string>>;
struct TracedStatement {
  std::string sql;
  int line = 0;  // of the call in the revision file that produced it; 0 unknown
  int column = 0;
  bool autocommit = false;      // ran in an autocommit_block(): outside the step's transaction
  bool failed = false;          // the step failed while it ran (it has no `after`)
  double start_ms = 0;          // since the helper received the step
  double duration_ms = 0;       // the statement alone, the trace's own queries excluded
  std::vector<TextRow> before;  // autocommit: the `around` rows before it
  std::vector<TextRow> after;   // the `after` (autocommit: `around`) rows after it
};
struct StepTrace {
  std::vector<TextRow> begin;
  std::vector<TracedStatement> statements;
  double end_ms = 0;   // the step's COMMIT (or rollback) done, since the helper received it
  double read_ms = 0;  // the helper's time in the trace's queries
};

// What a step's run also hands back (PythonHelper::Run).
struct RunExtras {
  std::vector<EmittedStatement>* captured = nullptr;
  const TraceQueries* queries = nullptr;
  StepTrace* trace = nullptr;
};

// One revision and direction rendered offline statement by statement (for lint).
struct RenderedStatements {
  bool ok = false;
  HelperError error;  // when not ok: why it cannot be rendered without a database
  std::vector<EmittedStatement> statements;
  int first_line = 0, last_line = 0;  // the upgrade()/downgrade() function's lines
};

struct HelperInfo {
  std::string executable;  // sys.executable
  std::string origin;      // which candidate it was
  std::string python;
  std::string alembic;
  std::string sqlalchemy;
  std::vector<std::string> drivers;
};

class PythonHelper {
 public:
  // Starts the first candidate whose Python imports alembic and sqlalchemy. Error(kInput) when
  // none does, naming each candidate and why.
  static Expected<PythonHelper> Start(const AlembicProject& project, const PythonChoice& choice);
  PythonHelper(PythonHelper&&) noexcept;
  PythonHelper& operator=(PythonHelper&&) = delete;
  ~PythonHelper();

  const HelperInfo& info() const { return info_; }

  // Opens the helper's database connection (`url` in libpq form; the password goes over the
  // pipe, never on a command line). `driver` empty: psycopg2, then psycopg, then asyncpg.
  // `settings`: SET name = value on the connection (lock_timeout, statement_timeout).
  Status Connect(const std::string& url, const std::string& driver,
                 const std::map<std::string, std::string>& settings);
  const std::string& driver() const { return driver_; }

  // Runs upgrade() or downgrade() of `file` in one transaction on the helper's connection.
  // Once it ran, `finish(took)` gives the SQL that goes into the same transaction before its
  // COMMIT (history and version rows); nullopt rolls the step back. `finish` must depend on
  // nothing but `took`: it is rendered ahead, and the helper writes the duration it measured in.
  // Returns the time taken, or the failure (its transaction rolled back). StopError when the helper
  // itself broke.
  using Finish = std::function<std::optional<std::vector<std::string>>(std::chrono::milliseconds)>;
  // With `captured`, it also receives what the revision executed itself (not the bookkeeping),
  // each statement at its call's line in the file: lint of revisions that need a database.
  // With `queries`, `trace` receives what they read around each statement (also when the step
  // failed).
  Expected<std::chrono::milliseconds> Run(const std::filesystem::path& file, bool up,
                                          const Finish& finish, HelperError* error,
                                          const RunExtras& extras = {});

  // The SQL of upgrade() or downgrade() rendered offline (PostgreSQL dialect); nullopt and
  // `error` when the revision cannot be rendered without a database.
  std::optional<std::string> Render(const std::filesystem::path& file, bool up, HelperError* error);

  // Renders each (file, up) offline, statement by statement with the line of the call that
  // produced it; one result per item, in order. StopError when the helper itself broke.
  std::vector<RenderedStatements> RenderStatements(
      const std::vector<std::pair<std::filesystem::path, bool>>& items);

  // Imports the revision files (once each) before a run: the files that fail, with why.
  std::vector<std::pair<std::filesystem::path, HelperError>> Load(
      const std::vector<std::filesystem::path>& files);

  struct Header {
    std::string revision;
    std::vector<std::string> down_revision, branch_labels, depends_on;
  };
  // The graph facts of a file whose header is not plain literals, by running it.
  std::optional<Header> ReadHeader(const std::filesystem::path& file, HelperError* error);

  // The SQLAlchemy model: `spec` "module:attr" (a MetaData or a declarative Base), "module",
  // or empty for the target_metadata env.py hands Alembic. The helper keeps it for CreateModel.
  struct Model {
    std::string origin;                          // "env.py target_metadata" or the spec
    std::vector<std::string> tables;             // metadata keys: "users", "audit.events"
    std::map<std::string, std::string> sources;  // table key -> "/abs/app/models.py:24"
    std::vector<std::string> warnings;           // e.g. the model has 0 tables
  };
  std::optional<Model> LoadModel(const std::string& spec, HelperError* error);
  // metadata.create_all of the loaded model on the helper's connection, committed.
  bool CreateModel(HelperError* error);

  // `stairway revision`: a new revision file made by the project's Alembic (its
  // RevisionContext, as `alembic revision` makes it). With `autogenerate` the model LoadModel
  // kept is compared with the helper's connected database, which must be at the heads.
  struct RevisionRequest {
    std::string message, head = "head", branch_label, rev_id, version_path, depends_on;
    bool splice = false;
    bool autogenerate = false;
    // Tables in the compared database that are not the project's (schema, name): left out.
    std::vector<std::pair<std::string, std::string>> exclude;
  };
  struct NewRevision {
    std::filesystem::path path;
    std::string revision;
  };
  struct Revisions {
    std::vector<NewRevision> files;
    bool empty = true;         // autogenerate found no difference
    bool environment = false;  // alembic.ini's revision_environment was on
  };
  // nullopt and `error` when Alembic refused (stage "command": a CommandError such as several
  // heads without --head) or failed.
  std::optional<Revisions> MakeRevision(const RevisionRequest& request, HelperError* error);

 private:
  PythonHelper() = default;
  std::string Call(const std::string& request);  // one request line, one reply line
  void Send(const std::string& line);
  std::string ReadLine();

  process::Child child_;
  int to_ = -1;    // the helper's stdin
  int from_ = -1;  // its protocol channel
  std::string buffer_;
  HelperInfo info_;
  std::string driver_;
};

}  // namespace stairway::source::alembic
