// Snapshot sources: URL, file, DIR@REV (see sources.h).
#include "verifier/schema/sources.h"

#include <fmt/format.h>

#include <cctype>
#include <system_error>

#include "runner/applier/applier.h"
#include "runner/db/conninfo.h"
#include "runner/db/session.h"
#include "runner/planner/planner.h"
#include "verifier/schema/snapshot_json.h"

namespace stairway::schema {
namespace {

// libpq's URL schemes, SQLAlchemy's (postgresql+asyncpg://, any case), and key=value strings.
bool LooksLikeUrl(std::string_view text) {
  std::string scheme;
  for (char c : text.substr(0, text.find("://"))) {
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (text.find("://") != std::string_view::npos &&
      (scheme == "postgres" || scheme == "postgresql" || scheme.starts_with("postgresql+"))) {
    return true;
  }
  return text.find('=') != std::string_view::npos;
}

}  // namespace

Expected<SnapshotSource> ParseSnapshotSource(std::string_view text) {
  SnapshotSource s;
  if (LooksLikeUrl(text)) {
    s.kind = SnapshotSource::Kind::kDatabaseUrl;
    // The DATABASE_URL of a FastAPI project (postgresql+asyncpg://...) works as it is.
    ASSIGN_OR_RETURN(s.url, db::ToLibpqUrl(text));
    s.label = db::MaskPassword(text);
    return s;
  }
  std::error_code ec;
  const std::filesystem::path as_path{std::string(text)};
  if (std::filesystem::is_regular_file(as_path, ec) || text.ends_with(".json")) {
    s.kind = SnapshotSource::Kind::kFile;
    s.path = as_path;
    s.label = std::string(text);
    return s;
  }
  s.kind = SnapshotSource::Kind::kMigrations;
  const std::size_t at = text.rfind('@');
  s.path =
      std::filesystem::path(std::string(at == std::string_view::npos ? text : text.substr(0, at)));
  s.revision = at == std::string_view::npos ? "head" : std::string(text.substr(at + 1));
  if (s.revision.empty()) s.revision = "head";
  if (!std::filesystem::is_directory(s.path, ec)) {
    return Error::Input(
        fmt::format("{}: not a database URL, a snapshot file or a migration directory; give "
                    "postgresql://..., FILE.json, or DIR@REV (DIR@head for the newest revision)",
                    text));
  }
  s.label = s.path.string() + "@" + s.revision;
  return s;
}

void PrepareSnapshotSource(SnapshotSource& source, source::Format format) {
  if (source.kind != SnapshotSource::Kind::kMigrations || source.set) return;
  auto set = std::make_shared<const source::MigrationSet>(
      source::LoadMigrationSet(source.path, format).ValueOrThrow());
  planner::PlanUpgrade(*set, {}, source.revision).ValueOrThrow();
  source.set = std::move(set);
}

sandbox::Sandbox& LazySandbox::Get() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!sandbox_) sandbox_ = sandbox::OpenSandbox(options_);
  return *sandbox_;
}

Snapshot SnapshotAtRevision(sandbox::Sandbox& box, const source::MigrationSet& set,
                            std::string_view revision, const SnapshotOptions& options) {
  const planner::Plan plan = planner::PlanUpgrade(set, {}, revision).ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  std::unique_ptr<sandbox::ThrowawayDatabase> database = box.CreateDatabase();
  db::Session session = db::Session::Connect(database->url());
  {
    applier::Runner runner(session, applier::Options{});
    runner.EnsureHistory();
    runner.Run(steps);
  }
  return TakeSnapshot(session, options);
}

Snapshot LoadSnapshot(const SnapshotSource& source, LazySandbox& box,
                      const SnapshotOptions& options, source::Format format,
                      const ConnectFn& connect) {
  switch (source.kind) {
    case SnapshotSource::Kind::kDatabaseUrl: {
      db::Session session = connect ? connect(source.url) : db::Session::Connect(source.url);
      session.SkipExitWait();  // the user's database: nothing drops it after
      return TakeSnapshot(session, options);
    }
    case SnapshotSource::Kind::kFile:
      return ReadSnapshotFile(source.path).ValueOrThrow();
    case SnapshotSource::Kind::kMigrations: {
      SnapshotSource prepared = source;
      PrepareSnapshotSource(prepared, format);  // before the sandbox: a typo starts nothing
      return SnapshotAtRevision(box.Get(), *prepared.set, source.revision, options);
    }
  }
  throw StopError(Error::Internal("unknown snapshot source"));
}

}  // namespace stairway::schema
