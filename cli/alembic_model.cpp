// Model drift of an Alembic project; see alembic_model.h.
#include "cli/alembic_model.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <filesystem>

namespace stairway::cli {

namespace {

namespace fs = std::filesystem;
namespace alembic = source::alembic;

// A path the helper reported (absolute), relative to the working directory when under it.
std::string Shown(const std::string& path) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (ec || path.empty() || !fs::path(path).is_absolute()) return path;
  const fs::path relative = fs::path(path).lexically_relative(cwd);
  if (relative.empty() || *relative.begin() == "..") return path;
  return relative.string();
}

// "/abs/app/models.py:24" -> {"app/models.py", 24}; without a line number, the whole file.
verifier::drift::Location ShownLocation(const std::string& location) {
  const std::size_t colon = location.rfind(':');
  if (colon != std::string::npos && colon + 1 < location.size()) {
    int line = 0;
    const char* first = location.data() + colon + 1;
    const char* last = location.data() + location.size();
    const auto [end, ec] = std::from_chars(first, last, line);
    if (ec == std::errc() && end == last && line > 0) {
      return {Shown(location.substr(0, colon)), line};
    }
  }
  return {Shown(location), 0};
}

// As the catalog names it (quote_ident): plain lower-case names bare, others double-quoted.
std::string QuoteIdent(const std::string& name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) plain = false;
  }
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A MetaData key ("users", "audit.events") as the snapshot's table identity.
std::string TableIdentity(const std::string& key) {
  const std::size_t dot = key.find('.');
  if (dot == std::string::npos) return "public." + QuoteIdent(key);
  return QuoteIdent(key.substr(0, dot)) + "." + QuoteIdent(key.substr(dot + 1));
}

std::string LikeLiteral(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '\\' || c == '_' || c == '%') out += '\\';
    out += c;
  }
  return out;
}

// "app/models.py:24: " for the innermost project frame of a helper failure, else "".
std::string Where(const alembic::HelperError& error) {
  if (error.frames.empty()) return "";
  const alembic::Frame& frame = error.frames.back();
  return fmt::format("{}:{}: ", Shown(frame.file), frame.line);
}

std::string ServerSide(const alembic::HelperError& error) {
  std::string text = error.server_message.empty() ? error.message : error.server_message;
  if (!error.statement.empty()) {
    // create_all's statements start and end with blank lines.
    const std::size_t first = error.statement.find_first_not_of(" \t\r\n");
    const std::size_t last = error.statement.find_last_not_of(" \t\r\n");
    if (first != std::string::npos) {
      text += fmt::format(" (in: {})", error.statement.substr(first, last - first + 1));
    }
  }
  return text;
}

}  // namespace

schema::SnapshotOptions WithoutAlembicVersion(const source::MigrationSet& set,
                                              schema::SnapshotOptions snapshot) {
  const std::string table = set.alembic ? set.alembic->version_table : "alembic_version";
  snapshot.excluded_names.push_back(LikeLiteral(table));
  return snapshot;
}

std::function<std::unique_ptr<applier::CodeSteps>(db::Session&)> AlembicCodeSteps(
    const source::MigrationSet& set, const SourceOptions& source) {
  return [&set, source](db::Session& session) {
    std::unique_ptr<applier::AlembicSteps> steps = StartAlembic(set, source);
    PreloadAlembic(*steps, set);
    ConnectAlembic(*steps, session.url_with_password(), applier::Options{});
    return std::unique_ptr<applier::CodeSteps>(std::move(steps));
  };
}

std::optional<AlembicModel> LoadAlembicModel(const source::MigrationSet& set,
                                             const SourceOptions& source, const std::string& spec,
                                             bool required) {
  AlembicModel out;
  out.helper = StartAlembic(set, source);
  alembic::HelperError error;
  std::optional<alembic::PythonHelper::Model> model = out.helper->helper().LoadModel(spec, &error);
  if (!model) {
    if (spec.empty()) {
      if (!required && error.type == "LookupError") return std::nullopt;
      const std::string text = fmt::format(
          "{}cannot read the model env.py hands Alembic: {}; {} or pass --model module:attr",
          Where(error), error.message,
          error.type == "LookupError"
              ? "set target_metadata in env.py (e.g. target_metadata = Base.metadata, with the "
                "models imported)"
              : "fix that error (env.py runs in offline mode, with its configure() call "
                "intercepted)");
      if (!required) {
        fmt::print(stderr, "warning: no model drift: {}\n", text);
        return std::nullopt;
      }
      throw StopError(Error::Input(text));
    }
    throw StopError(Error::Input(fmt::format(
        "{}cannot load the model {}: {}; --model takes module:attr (a MetaData or a declarative "
        "Base), importable from {}",
        Where(error), spec, error.message,
        set.alembic ? Shown(set.alembic->project_dir.string()) : set.dir.string())));
  }
  for (const std::string& warning : model->warnings) {
    fmt::print(stderr, "warning: {}\n", warning);
  }
  out.model = std::move(*model);
  return out;
}

verifier::drift::Result CheckAlembicModel(AlembicModel& model, const source::MigrationSet& set,
                                          const SourceOptions& source, sandbox::Sandbox& box,
                                          const schema::SnapshotOptions& snapshot) {
  verifier::drift::ModelOptions options;
  options.snapshot = WithoutAlembicVersion(set, snapshot);
  for (const auto& [table, location] : model.model.sources) {
    options.table_sources[TableIdentity(table)] = ShownLocation(location);
  }
  // The revisions run in a helper of their own: the two databases are built side by side.
  options.code_steps = AlembicCodeSteps(set, source);
  const std::string origin = model.model.origin;
  auto build = [&model, &origin](db::Session& session) {
    ConnectAlembic(*model.helper, session.url_with_password(), applier::Options{});
    alembic::HelperError error;
    if (!model.helper->helper().CreateModel(&error)) {
      throw StopError(Error::Input(fmt::format(
          "{}the model ({}) could not be created on an empty database: {}; fix the model "
          "(metadata.create_all must build it from scratch)",
          Where(error), origin, ServerSide(error))));
    }
    // Done with it: its connection closes before the database is dropped.
    model.helper.reset();
  };
  const std::string label = origin == "env.py target_metadata"
                                ? "the model (env.py target_metadata)"
                                : "the model " + origin;
  return verifier::drift::CheckBuiltModel(box, set, label, build, options);
}

}  // namespace stairway::cli
