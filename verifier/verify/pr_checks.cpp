// `verify --base`: the migration set at the base commit, read through git into a temp directory
// and loaded by the normal readers, compared revision by revision with the working tree's.
#include "verifier/verify/pr_checks.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "runner/common/checksum.h"
#include "runner/common/file.h"
#include "runner/common/git.h"
#include "runner/common/process.h"
#include "runner/sandbox/cluster.h"
#include "runner/source/alembic/migration_set.h"

namespace stairway::verifier::verify {
namespace {

namespace fs = std::filesystem;

// A path in one spelling whichever way the set or git wrote it: its directory resolved
// (symbolic links, `..`), its file name as it is. The directories come from `dirs`, each
// resolved once: resolving every path whole cost 45 ms of a 200-revision `verify --base`.
fs::path Canonical(const fs::path& p, std::map<fs::path, fs::path>& dirs) {
  const fs::path normal = p.lexically_normal();
  const fs::path parent = normal.parent_path();
  auto it = dirs.find(parent);
  if (it == dirs.end()) {
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(parent.empty() ? fs::path(".") : parent, ec);
    it = dirs.emplace(parent, ec ? parent : std::move(resolved)).first;
  }
  return it->second / normal.filename();
}

// Where the base's copies go: $TMPDIR when set, else /dev/shm when it is a RAM filesystem (as
// for the sandbox's cluster), else the system's temp directory. Creating 200 files on a disk
// that has seen hours of create-and-delete churn cost 60-70 ms of a 200 ms `verify --base`.
fs::path ScratchBase() {
  std::error_code ec;
  const char* tmpdir = std::getenv("TMPDIR");
  if ((tmpdir == nullptr || *tmpdir == '\0') && sandbox::RoomyRamDirectory("/dev/shm")) {
    return "/dev/shm";
  }
  return fs::temp_directory_path(ec);
}

// A private directory (mkdtemp, mode 0700) removed with everything in it when it goes.
class ScratchDir {
 public:
  static Expected<ScratchDir> Make() {
    const fs::path base = ScratchBase();
    std::string pattern = (base / "stairway-base-XXXXXX").string();
    if (base.empty() || mkdtemp(pattern.data()) == nullptr) {
      return Error::Input(fmt::format(
          "cannot create a temp directory for the migrations at the base commit under {}; set "
          "TMPDIR to a writable directory",
          base.string()));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (!path_.empty()) RemoveTree(path_);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

// Writes a new file (never through a link, never over an existing file).
Status WriteNewFile(const fs::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && process::WriteAll(fd, bytes);
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  if (!ok) {
    return Error::Input(fmt::format(
        "{}: cannot write the base commit's copy of a migration; check TMPDIR", path.string()));
  }
  return {};
}

// A path git listed, relative to a version directory: only plain components (git refuses ".."
// in trees, but a copy must never land outside the scratch directory whatever git says).
bool PlainRelative(const fs::path& rel) {
  if (rel.empty() || rel.is_absolute()) return false;
  for (const fs::path& part : rel) {
    if (part == ".." || part == "." || part.empty()) return false;
  }
  return true;
}

// One revision file of the base commit, copied into the scratch directory.
struct BaseFile {
  fs::path original;     // where it lives (or lived) in the working tree, as the set names paths
  std::string text;      // its bytes at the base commit
  bool changed = false;  // its text differs in the working tree, or it is gone from there
};

// Shows an absolute path relative to the working directory when it lies there.
fs::path Shown(const fs::path& abs) {
  std::error_code ec;
  const fs::path rel = abs.lexically_relative(fs::current_path(ec));
  if (ec || rel.empty() || *rel.begin() == "..") return abs;
  return rel;
}

// The directories whose files make up the set, each with the name files under it are shown
// with: the migration directory, or an Alembic project's version locations.
std::vector<std::pair<fs::path, fs::path>> Roots(const source::MigrationSet& set) {
  std::vector<std::pair<fs::path, fs::path>> roots;
  if (set.alembic) {
    for (const fs::path& location : set.alembic->version_locations) {
      roots.emplace_back(location, Shown(location));
    }
  } else {
    roots.emplace_back(set.dir, set.dir);
  }
  return roots;
}

// Whether the readers would read the file: top-level *.sql of a SQL set; *.py of an Alembic
// version location (in subdirectories only when it is read recursively).
bool IsMigrationFile(const source::MigrationSet& set, const fs::path& rel) {
  const std::string name = rel.filename().string();
  if (name.starts_with('.')) return false;
  const bool nested = rel.has_parent_path();
  if (set.alembic) {
    return name.ends_with(".py") && (!nested || set.alembic->recursive_version_locations);
  }
  return name.ends_with(".sql") && !nested;
}

// The first line where the two texts differ (1-based, after the checksum's normalization).
int FirstDifferentLine(std::string_view before, std::string_view after) {
  const std::string a = NormalizeForChecksum(before);
  const std::string b = NormalizeForChecksum(after);
  int line = 1;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] != b[i]) return line;
    if (a[i] == '\n') ++line;
  }
  return line;
}

std::string LineOf(const std::string& text, int line) {
  std::istringstream in(text);
  std::string out;
  for (int n = 1; std::getline(in, out); ++n) {
    if (n == line) {
      if (!out.empty() && out.back() == '\r') out.pop_back();
      return out;
    }
  }
  return {};
}

// The base as typed, with control characters escaped: a revision such as ":/text" may hold any
// text, and it reaches the terminal through every message.
std::string Printable(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool Allowed(const std::vector<std::string>& allow, const std::string& version) {
  return std::any_of(allow.begin(), allow.end(), [&](const std::string& a) {
    return a == version || source::CompareVersions(a, version) == 0;
  });
}

report::RuleMeta Meta(std::string id, std::string summary, std::string help) {
  report::RuleMeta m;
  m.id = std::move(id);
  m.summary = std::move(summary);
  m.help = std::move(help);
  m.severity = Severity::kError;
  return m;
}

std::vector<report::RuleMeta> RuleMetadata() {
  return {
      Meta(kEditedAfterMerge, "A migration the base branch has was edited",
           "Databases that already applied it will never see the change: restore it and put "
           "the change in a new revision (docs/pr-gate.md)"),
      Meta(kDeletedAfterMerge, "A migration the base branch has was deleted or renamed away",
           "Databases that applied it keep what it did: restore it, and undo it in a new "
           "revision (docs/pr-gate.md)"),
      Meta(kOutOfOrder, "A new migration sorts before the base branch's newest",
           "Databases already past that version will never run it: give it a version after "
           "the base's newest (docs/pr-gate.md)"),
      Meta(kAlembicNotDescending, "A new Alembic revision does not descend from the base's heads",
           "Set its down_revision to a head of the base branch (docs/pr-gate.md)"),
      Meta(kBaseUnreadable, "The migrations at the base commit could not be read",
           "Only the roundtrip selection was made; the other PR checks need the base's set"),
  };
}

class Checker {
 public:
  Checker(const source::MigrationSet& set, const PrOptions& options)
      : set_(set), options_(options), base_(Printable(options.base)) {}

  // Which revisions changed since the base: git only (rev-parse, ls-tree, and cat-file for the
  // files whose blob differs), nothing written or loaded.
  Expected<PrSelection> Select() {
    roots_ = Roots(set_);
    ASSIGN_OR_RETURN(result_.base_commit,
                     git::ResolveCommit(roots_.front().first, options_.base, options_.flag));
    for (std::size_t i = 0; i < roots_.size(); ++i) TRY_STATUS(ReadBase(i));
    // A revision the base does not have is changed too: its file is not at the base either
    // (SQL formats name the version in the file name; an Alembic revision id is in the text),
    // so what Finish() adds from the loaded base set is already here.
    PrSelection selection{result_.base_commit, base_, {}};
    hit_.clear();
    for (const source::Revision& rev : set_.revisions) {
      hit_.push_back(Changed(rev.up.path) || (rev.down && Changed(rev.down->path)));
      if (hit_.back()) selection.changed.push_back(rev.version);
    }
    return selection;
  }

  // The rest, after Select: the base's set loaded from copies of its files, and compared.
  Expected<PrResult> Finish() {
    ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::Make());
    TRY_STATUS(Export(scratch.path()));
    std::optional<source::MigrationSet> base = LoadBase(scratch.path());
    if (base) result_.base_revisions = static_cast<int>(base->revisions.size());

    for (std::size_t i = 0; i < set_.revisions.size(); ++i) {
      const source::Revision& rev = set_.revisions[i];
      const bool added = base && !rev.repeatable && base->Find(rev.version) == nullptr;
      if (hit_[i] || added) {
        result_.changed.push_back(rev.version);
        AddStep(rev.Label(), rev.up.path.string());
      }
    }
    if (base) {
      Compare(*base);
      if (set_.alembic) CheckDescent(*base);
      if (!set_.alembic) CheckOrder(*base);
    }
    if (result_.report.steps.empty()) {
      AddStep(fmt::format("no migration changed since {}", base_), "");
    }
    result_.base_name = base_;
    result_.report.command = "verify";
    result_.report.rules = RuleMetadata();
    return std::move(result_);
  }

 private:
  // Whether a working-tree file differs from the base commit's (a file the base does not have
  // counts as changed). Line ends and trailing blanks do not count, as in the history checksum.
  bool Changed(const fs::path& path) const {
    const auto it = base_paths_.find(Canonical(path, dirs_));
    return it == base_paths_.end() || it->second;
  }

  // The base commit's revision files under root `i`. A working-tree file whose git blob id
  // equals the base's is the base's text; the others are read from git in one batch. Two git
  // processes in all when nothing changed (ls-tree, and rev-parse before).
  Status ReadBase(std::size_t i) {
    const fs::path& dir = roots_[i].first;
    std::error_code ec;
    ASSIGN_OR_RETURN(const std::vector<git::TreeFile> files,
                     git::FilesAt(dir, result_.base_commit, options_.flag));
    std::vector<Pending>& pending = pending_.emplace_back();
    std::vector<std::string> blobs;  // of the pending files whose text differs
    std::vector<std::size_t> blob_of;
    for (const git::TreeFile& file : files) {
      const fs::path rel(file.path);
      if (!PlainRelative(rel) || !IsMigrationFile(set_, rel)) continue;
      Pending p{rel, {}, std::nullopt};
      p.file.original = roots_[i].second / rel;
      if (fs::is_regular_file(dir / rel, ec)) p.current = ReadWholeFile(dir / rel);
      if (p.current && GitBlobId(*p.current, file.blob.size() == 64) == file.blob) {
        p.file.text = *p.current;
      } else {
        blob_of.push_back(pending.size());
        blobs.push_back(file.blob);
      }
      pending.push_back(std::move(p));
    }
    ASSIGN_OR_RETURN(std::vector<std::string> texts, git::ReadBlobs(dir, blobs, options_.flag));
    for (std::size_t b = 0; b < blob_of.size(); ++b) {
      Pending& p = pending[blob_of[b]];
      p.file.text = std::move(texts[b]);
      p.file.changed =
          !p.current || NormalizeForChecksum(*p.current) != NormalizeForChecksum(p.file.text);
    }
    for (const Pending& p : pending) base_paths_[Canonical(dir / p.rel, dirs_)] = p.file.changed;
    return {};
  }

  // Copies what ReadBase read into `scratch`/<root index>/, for the normal readers.
  Status Export(const fs::path& scratch) {
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const fs::path into = scratch / std::to_string(i);
      std::error_code ec;
      fs::create_directory(into, ec);
      for (Pending& p : pending_[i]) {
        if (p.rel.has_parent_path()) fs::create_directories(into / p.rel.parent_path(), ec);
        TRY_STATUS(WriteNewFile(into / p.rel, p.file.text));
        ++exported_;
        files_[(into / p.rel).lexically_normal().string()] = std::move(p.file);
      }
    }
    pending_.clear();
    return {};
  }

  // The set at the base commit, or nullopt (with a base-unreadable warning) when it does not
  // load: then only the roundtrip selection is known.
  std::optional<source::MigrationSet> LoadBase(const fs::path& scratch) {
    if (exported_ == 0) return source::MigrationSet{set_.dir, set_.format, set_.alembic, {}};
    Expected<source::MigrationSet> loaded = Error::Internal("not loaded");
    if (set_.alembic) {
      source::AlembicProject project = *set_.alembic;
      for (std::size_t i = 0; i < project.version_locations.size(); ++i) {
        project.version_locations[i] = scratch / std::to_string(i);
      }
      // A header that is not plain literals: when the file did not change, the working tree's
      // set already read it (through the project's Python).
      const source::alembic::PythonHeaderReader same_as_here =
          [this](const fs::path& path) -> Expected<source::alembic::RevisionHeader> {
        const BaseFile* file = FileFor(path);
        const source::Revision* rev = nullptr;
        if (file != nullptr && !file->changed) {
          for (const source::Revision& r : set_.revisions) {
            if (Canonical(r.up.path, dirs_) == Canonical(file->original, dirs_)) rev = &r;
          }
        }
        if (rev == nullptr || !rev->alembic) {
          return Error::Input(fmt::format(
              "{}: its header at the base commit is not plain literals, and the file changed "
              "since",
              file ? file->original.string() : path.string()));
        }
        source::alembic::RevisionHeader header;
        header.revision = rev->version;
        header.down_revisions = rev->parents;
        header.branch_labels = rev->alembic->branch_labels;
        header.depends_on = rev->alembic->depends_on;
        return header;
      };
      loaded = source::alembic::LoadAlembicSet(project, scratch, same_as_here);
    } else {
      loaded = source::LoadMigrationSet(scratch / "0", set_.format);
    }
    if (loaded) return std::move(*loaded);
    std::string why = loaded.error().message;
    // Name the files the way the working tree does, not by their scratch copies.
    for (const auto& [copy, file] : files_) {
      for (std::size_t at = why.find(copy); at != std::string::npos; at = why.find(copy, at)) {
        why.replace(at, copy.size(), file.original.string());
        at += file.original.string().size();
      }
    }
    report::Finding f;
    f.check = "pr";
    f.rule = kBaseUnreadable;
    f.severity = Severity::kWarning;
    f.message = fmt::format(
        "the migrations at {} do not load ({}), so edits, deletions and order were not checked "
        "against it",
        base_, why);
    f.help = "compare with a base whose migrations load, or fix them there first";
    result_.report.findings.push_back(std::move(f));
    return std::nullopt;
  }

  const BaseFile* FileFor(const fs::path& scratch_path) const {
    const auto it = files_.find(scratch_path.lexically_normal().string());
    return it == files_.end() ? nullptr : &it->second;
  }

  // Edited and deleted revisions: every revision of the base against the working tree's.
  void Compare(const source::MigrationSet& base) {
    for (const source::Revision& old : base.revisions) {
      if (old.repeatable) continue;  // Flyway re-runs a repeatable when it changes: meant to
      const BaseFile* file = FileFor(old.up.path);
      const std::string old_path = file ? file->original.string() : old.up.path.string();
      const source::Revision* now = set_.Find(old.version);
      if (now == nullptr || now->repeatable) {
        Deleted(old, old_path);
        continue;
      }
      if (now->checksum == old.checksum) continue;
      Edited(old, *now, file);
    }
  }

  void Deleted(const source::Revision& old, const std::string& old_path) {
    std::string where = "deleted";
    for (const source::Revision& r : set_.revisions) {
      if (!r.repeatable && r.checksum == old.checksum) {
        where = fmt::format("renamed to {} (a new version: a new revision to every database)",
                            r.up.path.string());
      }
    }
    AddStep(old.Label(), old_path);
    report::Finding f = Make(kDeletedAfterMerge, old_path, old.Label());
    f.message = fmt::format(
        "{} is in {} but was {}: databases that applied it keep what it did, and new databases "
        "never get it",
        old.Label(), base_, where);
    f.help = fmt::format(
        "restore it (git checkout {} -- {}); to undo what it did, add a new revision that does",
        base_, old_path);
    Push(std::move(f));
  }

  void Edited(const source::Revision& old, const source::Revision& now, const BaseFile* file) {
    // Alembic checksums the whole file; the SQL formats the up section.
    int line = 0;
    std::string source_line;
    if (set_.alembic) {
      const std::optional<std::string> text = ReadWholeFile(now.up.path);
      if (file != nullptr && text) {
        line = FirstDifferentLine(file->text, *text);
        source_line = LineOf(*text, line);
      }
    } else {
      const int offset = FirstDifferentLine(old.up.sql, now.up.sql);
      line = now.up.first_line + offset - 1;
      source_line = LineOf(now.up.sql, offset);
    }
    const bool allowed = Allowed(options_.allow_edit, now.version);
    report::Finding f = Make(kEditedAfterMerge, now.up.path.string(), now.Label());
    f.line = line;
    f.column = line > 0 ? 1 : 0;
    f.source_line = source_line;
    f.severity = allowed ? Severity::kInfo : Severity::kError;
    f.message = fmt::format(
        "{} changed after it was merged into {}: databases that already applied it will never "
        "see the change{}",
        now.Label(), base_, allowed ? " (allowed by --allow-edit)" : "");
    f.help = allowed ? ""
                     : fmt::format(
                           "restore it (git checkout {} -- {}) and make the change in a new "
                           "revision; if the edit changes nothing an applied database needs "
                           "(a comment, a fix for new databases only), pass --allow-edit {}",
                           base_, now.up.path.string(), now.version);
    Push(std::move(f));
  }

  // Ordered formats: a new version must sort after every version the base has.
  void CheckOrder(const source::MigrationSet& base) {
    const source::Revision* newest = nullptr;
    for (const source::Revision& r : base.revisions) {
      if (r.repeatable) continue;
      if (newest == nullptr || source::CompareVersions(r.version, newest->version) > 0) {
        newest = &r;
      }
    }
    if (newest == nullptr) return;
    for (const source::Revision& rev : set_.revisions) {
      if (rev.repeatable || base.Find(rev.version) != nullptr) continue;
      if (source::CompareVersions(rev.version, newest->version) >= 0) continue;
      report::Finding f = Make(kOutOfOrder, rev.up.path.string(), rev.Label());
      f.message = fmt::format(
          "{} is new, but {} already has {}, which sorts after it: databases already past {} "
          "will never run it",
          rev.Label(), base_, newest->Label(), newest->version);
      f.help = fmt::format(
          "rename it to a version after {} (`stairway new` names the next one), so it runs after "
          "the revisions databases already have",
          newest->version);
      Push(std::move(f));
    }
  }

  // Alembic: the order is the graph. A new revision must hang below a head of the base (or
  // below another new revision), never beside revisions databases already have.
  void CheckDescent(const source::MigrationSet& base) {
    if (base.revisions.empty()) return;
    const std::vector<std::string> heads = base.Heads();
    const std::set<std::string> head_set(heads.begin(), heads.end());
    for (const source::Revision& rev : set_.revisions) {
      if (base.Find(rev.version) != nullptr) continue;
      std::vector<std::string> off;
      for (const std::string& parent : rev.parents) {
        if (base.Find(parent) != nullptr && head_set.count(parent) == 0) off.push_back(parent);
      }
      if (off.empty() && !rev.parents.empty()) continue;
      report::Finding f = Make(kAlembicNotDescending, rev.up.path.string(), rev.Label());
      if (rev.alembic && rev.parents.empty()) {
        f.message = fmt::format(
            "{} is new and has no down_revision: it starts a second history beside the one "
            "databases on {} have (heads: {})",
            rev.version, base_, fmt::join(heads, ", "));
      } else {
        f.message = fmt::format(
            "{} is new, but its down_revision {} is not a head at {} (heads: {}): it branches "
            "off below revisions databases already have",
            rev.version, fmt::join(off, ", "), base_, fmt::join(heads, ", "));
      }
      f.help = fmt::format(
          "set down_revision to {} (the head{} at {}); `alembic heads` on the base branch lists "
          "them",
          heads.size() == 1 ? fmt::format("'{}'", heads.front())
                            : fmt::format("({})", fmt::join(heads, ", ")),
          heads.size() == 1 ? "" : "s", base_);
      Push(std::move(f));
    }
  }

  report::Finding Make(const char* rule, std::string path, std::string revision) const {
    report::Finding f;
    f.check = "pr";
    f.rule = rule;
    f.severity = Severity::kError;
    f.path = std::move(path);
    f.revision = std::move(revision);
    return f;
  }

  void Push(report::Finding f) {
    if (f.severity == Severity::kError) result_.failed = true;
    AddStep(f.revision, f.path);
    result_.report.findings.push_back(std::move(f));
  }

  void AddStep(const std::string& label, const std::string& path) {
    for (const report::Step& s : result_.report.steps) {
      if (s.path == path && !path.empty()) return;
    }
    report::Step s;
    s.check = "pr";
    s.name = path.empty() ? label : fmt::format("{} against {}", label, base_);
    s.path = path;
    result_.report.steps.push_back(std::move(s));
  }

  struct Pending {
    fs::path rel;
    BaseFile file;
    std::optional<std::string> current;  // the working tree's bytes, when it has the file
  };

  const source::MigrationSet& set_;
  const PrOptions options_;
  const std::string base_;  // base_, printable
  PrResult result_;
  std::vector<std::pair<fs::path, fs::path>> roots_;
  std::vector<std::vector<Pending>> pending_;  // ReadBase's files, per root, until Export
  std::vector<bool> hit_;  // per revision of set_: its files differ from the base's (Select)
  std::map<fs::path, bool> base_paths_;  // working-tree path (canonical) -> changed since base
  mutable std::map<fs::path, fs::path> dirs_;  // directory -> resolved (Canonical)
  std::map<std::string, BaseFile> files_;      // by scratch path
  int exported_ = 0;
};

}  // namespace

class PrCheck::Impl : public Checker {
 public:
  using Checker::Checker;
};

PrCheck::PrCheck(const source::MigrationSet& set, const PrOptions& options)
    : impl_(std::make_unique<Impl>(set, options)) {}
PrCheck::~PrCheck() = default;

Expected<PrSelection> PrCheck::Select() {
  return impl_->Select();
}

Expected<PrResult> PrCheck::Finish() {
  return impl_->Finish();
}

Expected<PrResult> CheckAgainstBase(const source::MigrationSet& set, const PrOptions& options) {
  PrCheck check(set, options);
  if (Expected<PrSelection> selection = check.Select(); !selection.ok()) {
    return std::move(selection).error();
  }
  return check.Finish();
}

}  // namespace stairway::verifier::verify
