// Starting the Alembic helper in the project's Python and the JSON-lines protocol to it.
#include "runner/source/alembic/python_helper.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace stairway::source::alembic {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr char kHelperSource[] =
#include "alembic_helper_py.inc"
    ;

// A placeholder for settings code that reads DATABASE_URL when a revision imports the app:
// the real URL reaches the helper over its pipe only, and this one can reach no server.
constexpr std::string_view kPlaceholderUrl =
    "DATABASE_URL=postgresql://stairway-helper@placeholder.invalid/not_a_database";

std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// The helper runs in the project directory: it gets absolute paths.
std::string Absolute(const fs::path& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  return (ec ? path : absolute.lexically_normal()).string();
}

bool Executable(const fs::path& path) {
  return access(path.c_str(), X_OK) == 0;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// [[sql, line, column], ...] or [[sql, line, column, autocommit], ...]; malformed rows dropped.
std::vector<EmittedStatement> Statements(const json& rows) {
  std::vector<EmittedStatement> out;
  if (!rows.is_array()) return out;
  for (const json& row : rows) {
    if (!row.is_array() || row.size() < 3 || !row[0].is_string() || !row[1].is_number_integer() ||
        !row[2].is_number_integer()) {
      continue;
    }
    EmittedStatement& st = out.emplace_back();
    st.sql = row[0].get<std::string>();
    st.line = row[1].get<int>();
    st.column = row[2].get<int>();
    st.autocommit = row.size() > 3 && row[3].is_boolean() && row[3].get<bool>();
  }
  return out;
}

// [[text or null, ...], ...]; a value that is neither is dropped with its row.
std::vector<TextRow> TextRows(const json& rows) {
  std::vector<TextRow> out;
  if (!rows.is_array()) return out;
  for (const json& row : rows) {
    if (!row.is_array()) continue;
    TextRow values;
    bool ok = true;
    for (const json& v : row) {
      if (v.is_string()) {
        values.emplace_back(v.get<std::string>());
      } else if (v.is_null()) {
        values.emplace_back(std::nullopt);
      } else {
        ok = false;
      }
    }
    if (ok) out.push_back(std::move(values));
  }
  return out;
}

double Number(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

bool Flag(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

StepTrace TraceFrom(const json& trace) {
  StepTrace out;
  if (!trace.is_object()) return out;
  out.begin = TextRows(trace.value("begin", json::array()));
  out.end_ms = Number(trace, "end_ms");
  out.read_ms = Number(trace, "read_ms");
  const json statements = trace.value("statements", json::array());
  if (!statements.is_array()) return out;
  for (const json& s : statements) {
    if (!s.is_object()) continue;
    TracedStatement& t = out.statements.emplace_back();
    t.sql = Str(s, "sql");
    t.line = static_cast<int>(Number(s, "line"));
    t.column = static_cast<int>(Number(s, "column"));
    t.autocommit = Flag(s, "autocommit");
    t.failed = Flag(s, "failed");
    t.start_ms = Number(s, "start_ms");
    t.duration_ms = Number(s, "ms");
    t.before = TextRows(s.value("before", json::array()));
    t.after = TextRows(s.value("after", json::array()));
  }
  return out;
}

HelperError ErrorFrom(const json& reply) {
  HelperError e;
  e.stage = Str(reply, "stage");
  const json& err = reply.contains("error") ? reply["error"] : json::object();
  e.type = Str(err, "type");
  e.message = Str(err, "message");
  e.statement = Str(err, "statement");
  e.sqlstate = Str(err, "sqlstate");
  e.server_message = Str(err, "server_message");
  e.detail = Str(err, "detail");
  e.hint = Str(err, "hint");
  e.traceback = Str(err, "traceback");
  if (err.contains("committed") && err["committed"].is_array()) {
    for (const json& c : err["committed"]) {
      if (c.is_string()) e.committed.push_back(c.get<std::string>());
    }
  }
  if (err.contains("frames") && err["frames"].is_array()) {
    for (const json& f : err["frames"]) {
      e.frames.push_back({Str(f, "file"), f.value("line", 0), Str(f, "function"), Str(f, "text")});
    }
  }
  return e;
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const json& v : j[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

// Absolute: the helper runs in the project directory, and these are relative to stairway's
// (e.g. "backend/alembic.ini" from the repository root).
json ProjectJson(const AlembicProject& project) {
  auto absolute = [](const fs::path& p) { return p.empty() ? std::string() : Absolute(p); };
  json sys_path = json::array();
  for (const fs::path& p : project.prepend_sys_path) sys_path.push_back(absolute(p));
  return {{"config_file", absolute(project.config_file)},
          {"project_dir", absolute(project.project_dir)},
          {"script_location", absolute(project.script_location)},
          {"sys_path", sys_path},
          {"version_table", project.version_table},
          {"version_table_schema", project.version_table_schema}};
}

}  // namespace

std::string_view HelperSource() {
  return {kHelperSource, sizeof kHelperSource - 1};
}

const Frame* HelperError::FrameIn(const fs::path& file) const {
  std::error_code ec;
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    if (fs::equivalent(it->file, file, ec)) return &*it;
  }
  return frames.empty() ? nullptr : &frames.back();
}

std::vector<Candidate> PythonCandidates(const PythonChoice& choice) {
  std::vector<Candidate> out;
  if (choice.flag) return {{*choice.flag, "--python"}};
  if (auto env = Env("STAIRWAY_PYTHON")) return {{*env, "STAIRWAY_PYTHON"}};
  if (choice.config) return {{*choice.config, "stairway.toml [alembic] python"}};
  if (auto venv = Env("VIRTUAL_ENV")) {
    out.push_back({(fs::path(*venv) / "bin" / "python").string(), "$VIRTUAL_ENV"});
  }
  std::error_code ec;
  fs::path dir =
      fs::absolute(choice.search_from.empty() ? fs::current_path(ec) : choice.search_from, ec);
  for (; !dir.empty(); dir = dir.parent_path()) {
    for (const char* name : {".venv", "venv"}) {
      const fs::path python = dir / name / "bin" / "python";
      if (Executable(python)) out.push_back({python.string(), (dir / name).string()});
    }
    if (dir == dir.root_path()) break;
  }
  out.push_back({"python3", "PATH"});
  out.push_back({"/usr/bin/python3", "the system's Python"});
  return out;
}

PythonHelper::PythonHelper(PythonHelper&& other) noexcept
    : child_(std::move(other.child_)),
      to_(std::exchange(other.to_, -1)),
      from_(std::exchange(other.from_, -1)),
      buffer_(std::move(other.buffer_)),
      info_(std::move(other.info_)),
      driver_(std::move(other.driver_)) {}

PythonHelper::~PythonHelper() {
  if (child_.pid() <= 0) return;
  if (to_ >= 0) {
    process::WriteAll(to_, "{\"cmd\": \"quit\"}\n");
    close(to_);
    to_ = -1;
  }
  if (from_ >= 0) {
    close(from_);
    from_ = -1;
  }
  child_.Wait();
}

void PythonHelper::Send(const std::string& line) {
  if (to_ < 0 || !process::WriteAll(to_, line + "\n")) {
    throw StopError(Error::Database(
        "the Alembic helper (Python) is gone: it ended while stairway was talking to it; what it "
        "printed is above. Its open transaction, if any, was rolled back by the server"));
  }
}

std::string PythonHelper::ReadLine() {
  for (;;) {
    const std::size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    char chunk[65536];
    const ssize_t n = from_ >= 0 ? read(from_, chunk, sizeof chunk) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int code = child_.Wait();
      throw StopError(Error::Database(fmt::format(
          "the Alembic helper (Python) ended unexpectedly (exit status {}); what it printed is "
          "above. Its open transaction, if any, was rolled back by the server",
          code)));
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string PythonHelper::Call(const std::string& request) {
  Send(request);
  return ReadLine();
}

Expected<PythonHelper> PythonHelper::Start(const AlembicProject& project,
                                           const PythonChoice& choice) {
  std::vector<std::string> tried;
  const json hello = {{"cmd", "hello"}, {"project", ProjectJson(project)}};
  for (const Candidate& candidate : PythonCandidates(choice)) {
    process::SpawnOptions options;
    options.argv = {candidate.program, "-B", "-c", std::string(HelperSource())};
    options.env = process::MinimalEnvironment(
        {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "HOME", "USER", "LOGNAME"},
        {"PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8", std::string(kPlaceholderUrl)});
    options.cwd = project.project_dir;
    options.in = process::Stream::kPipe;
    options.out = process::Stream::kPipe;
    options.err = process::Stream::kInherit;
    Expected<process::Child> child = process::Spawn(options);
    if (!child) {
      tried.push_back(fmt::format("{} ({}): cannot run it", candidate.program, candidate.origin));
      continue;
    }
    PythonHelper helper;
    helper.child_ = std::move(*child);
    helper.to_ = helper.child_.TakeStdin();
    helper.from_ = helper.child_.TakeStdout();
    std::string line;
    try {
      line = helper.Call(hello.dump());
    } catch (const StopError&) {
      tried.push_back(fmt::format("{} ({}): it did not start the helper (is it Python 3?)",
                                  candidate.program, candidate.origin));
      continue;
    }
    const json reply = json::parse(line, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) {
      tried.push_back(
          fmt::format("{} ({}): unexpected answer", candidate.program, candidate.origin));
      continue;
    }
    if (!reply.value("ok", false)) {
      std::string missing;
      for (const std::string& m : Strings(reply, "missing")) {
        missing += (missing.empty() ? "" : "; ") + m;
      }
      tried.push_back(fmt::format("{} ({}, Python {}): cannot import {}", candidate.program,
                                  candidate.origin, Str(reply, "python"), missing));
      continue;
    }
    helper.info_ = {Str(reply, "executable"), candidate.origin,         Str(reply, "python"),
                    Str(reply, "alembic"),    Str(reply, "sqlalchemy"), Strings(reply, "drivers")};
    return helper;
  }
  std::string list;
  for (const std::string& t : tried) list += "\n  " + t;
  return Error::Input(fmt::format(
      "no Python that can import alembic and sqlalchemy was found for {}; tried:{}\nPoint stairway "
      "at the project's interpreter with --python PATH (e.g. --python .venv/bin/python), "
      "STAIRWAY_PYTHON, or `python = \"...\"` under [alembic] in stairway.toml",
      project.config_file.empty() ? project.script_location.string() : project.config_file.string(),
      list));
}

Status PythonHelper::Connect(const std::string& url, const std::string& driver,
                             const std::map<std::string, std::string>& settings) {
  json request = {{"cmd", "connect"}, {"url", url}, {"driver", driver}};
  request["settings"] = json::object();
  for (const auto& [key, value] : settings) request["settings"][key] = value;
  const json reply = json::parse(Call(request.dump()), nullptr, false);
  if (reply.is_discarded()) return Error::Internal("the Alembic helper sent an unreadable answer");
  if (!reply.value("ok", false)) {
    const HelperError e = ErrorFrom(reply);
    return Error::Database(fmt::format("the Alembic helper (Python {} at {}) could not connect: {}",
                                       info_.python, info_.executable,
                                       e.server_message.empty() ? e.message : e.server_message));
  }
  driver_ = Str(reply, "driver");
  return Status::Ok();
}

namespace {

// The step's bookkeeping SQL sent with the run request, so that the helper commits without a
// second exchange over the pipe (about a tenth of a step's time): `finish` rendered for 0 and
// for 1 ms, and where the two differ is where the helper writes the duration in (an item
// [before, after]). nullopt when that is not one lone digit in one statement, or `finish` rolls
// back: then the helper asks once the step ran, as before.
std::optional<json> CommitTemplate(const PythonHelper::Finish& finish) {
  const std::optional<std::vector<std::string>> zero = finish(std::chrono::milliseconds(0));
  const std::optional<std::vector<std::string>> one = finish(std::chrono::milliseconds(1));
  if (!zero || !one || zero->size() != one->size()) return std::nullopt;
  json items = json::array();
  int slots = 0;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < zero->size(); ++i) {
    const std::string& a = (*zero)[i];
    const std::string& b = (*one)[i];
    if (a == b) {
      items.push_back(a);
      continue;
    }
    if (a.size() != b.size() || ++slots > 1) return std::nullopt;
    std::size_t at = 0;
    while (a[at] == b[at]) ++at;
    if (a[at] != '0' || b[at] != '1' || a.compare(at + 1, std::string::npos, b, at + 1) != 0 ||
        (at > 0 && digit(a[at - 1])) || (at + 1 < a.size() && digit(a[at + 1]))) {
      return std::nullopt;
    }
    items.push_back(json::array({a.substr(0, at), a.substr(at + 1)}));
  }
  return items;
}

}  // namespace

Expected<std::chrono::milliseconds> PythonHelper::Run(const fs::path& file, bool up,
                                                      const Finish& finish, HelperError* error,
                                                      const RunExtras& extras) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<EmittedStatement>* captured = extras.captured;
  json request = {{"cmd", "run"}, {"path", Absolute(file)}, {"direction", up ? "up" : "down"}};
  if (captured != nullptr) request["capture"] = true;
  if (extras.queries != nullptr && extras.trace != nullptr) {
    request["trace"] = {{"begin", extras.queries->begin},
                        {"after", extras.queries->after},
                        {"around", extras.queries->around}};
    if (extras.queries->begin_arg) request["trace"]["begin_arg"] = *extras.queries->begin_arg;
  }
  if (std::optional<json> commit = CommitTemplate(finish)) request["commit"] = std::move(*commit);
  json reply = json::parse(Call(request.dump()), nullptr, false);
  if (reply.is_discarded()) return Error::Internal("the Alembic helper sent an unreadable answer");
  if (captured != nullptr && reply.value("ok", false) && reply.contains("captured") &&
      Str(reply, "event") == "committed") {
    *captured = Statements(reply.value("captured", json::array()));
  }
  if (reply.value("ok", false) && Str(reply, "event") == "ran") {
    if (captured != nullptr) *captured = Statements(reply.value("captured", json::array()));
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::optional<std::vector<std::string>> sql = finish(took);
    json next = sql ? json{{"cmd", "commit"}, {"sql", *sql}} : json{{"cmd", "rollback"}};
    reply = json::parse(Call(next.dump()), nullptr, false);
    if (reply.is_discarded()) {
      return Error::Internal("the Alembic helper sent an unreadable answer");
    }
  }
  if (extras.trace != nullptr && reply.contains("trace")) *extras.trace = TraceFrom(reply["trace"]);
  if (!reply.value("ok", false)) {
    if (error != nullptr) *error = ErrorFrom(reply);
    return Error::Database(ErrorFrom(reply).message);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

std::optional<std::string> PythonHelper::Render(const fs::path& file, bool up, HelperError* error) {
  const json request = {
      {"cmd", "render"}, {"path", Absolute(file)}, {"direction", up ? "up" : "down"}};
  const json reply = json::parse(Call(request.dump()), nullptr, false);
  if (reply.is_discarded() || !reply.value("ok", false)) {
    if (error != nullptr && !reply.is_discarded()) *error = ErrorFrom(reply);
    return std::nullopt;
  }
  return Str(reply, "sql");
}

std::vector<RenderedStatements> PythonHelper::RenderStatements(
    const std::vector<std::pair<fs::path, bool>>& items) {
  json list = json::array();
  for (const auto& [file, up] : items) {
    list.push_back({{"path", Absolute(file)}, {"direction", up ? "up" : "down"}});
  }
  const json reply =
      json::parse(Call(json{{"cmd", "render_statements"}, {"items", list}}.dump()), nullptr, false);
  if (reply.is_discarded() || !reply.contains("results") ||
      reply["results"].size() != items.size()) {
    throw StopError(Error::Internal("the Alembic helper sent an unreadable answer"));
  }
  std::vector<RenderedStatements> out;
  for (const json& r : reply["results"]) {
    RenderedStatements& rendered = out.emplace_back();
    rendered.ok = r.value("ok", false);
    if (!rendered.ok) rendered.error = ErrorFrom(r);
    rendered.statements = Statements(r.value("statements", json::array()));
    const json lines = r.value("lines", json::array());
    if (lines.size() == 2 && lines[0].is_number_integer() && lines[1].is_number_integer()) {
      rendered.first_line = lines[0].get<int>();
      rendered.last_line = lines[1].get<int>();
    }
  }
  return out;
}

std::vector<std::pair<fs::path, HelperError>> PythonHelper::Load(
    const std::vector<fs::path>& files) {
  json paths = json::array();
  for (const fs::path& f : files) paths.push_back(Absolute(f));
  const json reply =
      json::parse(Call(json{{"cmd", "load"}, {"paths", paths}}.dump()), nullptr, false);
  std::vector<std::pair<fs::path, HelperError>> out;
  if (reply.is_discarded() || !reply.contains("failures")) {
    throw StopError(Error::Internal("the Alembic helper sent an unreadable answer"));
  }
  for (const json& f : reply["failures"]) {
    // Back to the path as the caller gave it.
    fs::path path = Str(f, "path");
    for (const fs::path& given : files) {
      if (Absolute(given) == path.string()) path = given;
    }
    out.emplace_back(path, ErrorFrom(f));
  }
  return out;
}

std::optional<PythonHelper::Header> PythonHelper::ReadHeader(const fs::path& file,
                                                             HelperError* error) {
  const json request = {{"cmd", "read_header"}, {"path", Absolute(file)}};
  const json reply = json::parse(Call(request.dump()), nullptr, false);
  if (reply.is_discarded() || !reply.value("ok", false)) {
    if (error != nullptr && !reply.is_discarded()) *error = ErrorFrom(reply);
    return std::nullopt;
  }
  return Header{Str(reply, "revision"), Strings(reply, "down_revision"),
                Strings(reply, "branch_labels"), Strings(reply, "depends_on")};
}

std::optional<PythonHelper::Model> PythonHelper::LoadModel(const std::string& spec,
                                                           HelperError* error) {
  const json reply =
      json::parse(Call(json{{"cmd", "model"}, {"spec", spec}}.dump()), nullptr, false);
  if (reply.is_discarded() || !reply.value("ok", false)) {
    if (error != nullptr && !reply.is_discarded()) *error = ErrorFrom(reply);
    return std::nullopt;
  }
  Model model;
  model.origin = Str(reply, "origin");
  model.tables = Strings(reply, "tables");
  model.warnings = Strings(reply, "warnings");
  if (reply.contains("sources") && reply["sources"].is_object()) {
    for (const auto& [table, where] : reply["sources"].items()) {
      if (where.is_string()) model.sources[table] = where.get<std::string>();
    }
  }
  return model;
}

bool PythonHelper::CreateModel(HelperError* error) {
  const json reply = json::parse(Call(json{{"cmd", "create_model"}}.dump()), nullptr, false);
  if (reply.is_discarded() || !reply.value("ok", false)) {
    if (error != nullptr && !reply.is_discarded()) *error = ErrorFrom(reply);
    return false;
  }
  return true;
}

std::optional<PythonHelper::Revisions> PythonHelper::MakeRevision(const RevisionRequest& request,
                                                                  HelperError* error) {
  json exclude = json::array();
  for (const auto& [schema, name] : request.exclude) {
    exclude.push_back({{"schema", schema}, {"name", name}});
  }
  const json message = {{"cmd", "revision"},
                        {"message", request.message},
                        {"head", request.head},
                        {"branch_label", request.branch_label},
                        {"rev_id", request.rev_id},
                        {"version_path", request.version_path},
                        {"depends_on", request.depends_on},
                        {"splice", request.splice},
                        {"autogenerate", request.autogenerate},
                        {"exclude", exclude}};
  const json reply = json::parse(Call(message.dump()), nullptr, false);
  if (reply.is_discarded() || !reply.value("ok", false)) {
    if (error != nullptr) {
      *error = reply.is_discarded() ? HelperError{} : ErrorFrom(reply);
      if (reply.is_discarded()) error->message = "the Alembic helper sent an unreadable answer";
    }
    return std::nullopt;
  }
  Revisions out;
  out.empty = reply.value("empty", true);
  out.environment = reply.value("environment", false);
  if (reply.contains("scripts") && reply["scripts"].is_array()) {
    for (const json& s : reply["scripts"])
      out.files.push_back({Str(s, "path"), Str(s, "revision")});
  }
  return out;
}

}  // namespace stairway::source::alembic
