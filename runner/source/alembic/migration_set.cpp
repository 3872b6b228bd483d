// Alembic revision files to a MigrationSet; see migration_set.h.
#include "runner/source/alembic/migration_set.h"

#include <algorithm>
#include <map>
#include <set>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "runner/common/checksum.h"
#include "runner/source/alembic/project.h"
#include "runner/source/alembic/python_tokens.h"
#include "runner/source/graph.h"
#include "runner/source/source_file.h"

namespace stairway::source::alembic {
namespace fs = std::filesystem;
namespace {

// Shows `abs` the way the user named its surroundings: under `given` when it lies there.
class PathShower {
 public:
  explicit PathShower(const fs::path& given) : given_(given), given_abs_(AbsoluteNormal(given)) {}
  fs::path Show(const fs::path& abs) const {
    const fs::path rel = abs.lexically_relative(given_abs_);
    if (rel.empty() || *rel.begin() == "..") return abs;
    if (rel == ".") return given_;
    return given_ / rel;
  }

 private:
  fs::path given_;
  fs::path given_abs_;
};

// Revision files as Alembic lists them: *.py, not __init__*, not editor leftovers.
bool IsRevisionFileName(const std::string& name) {
  return name.ends_with(".py") && !name.starts_with('.') && !name.starts_with("__init__") &&
         !name.starts_with('#') && !name.starts_with("flycheck_") && !name.ends_with("_flymake.py");
}

Status ListLocation(const fs::path& location, bool recursive, std::set<fs::path>& seen,
                    std::vector<fs::path>& out) {
  std::vector<fs::path> files;
  std::vector<fs::path> subdirs;
  std::error_code ec;
  fs::directory_iterator it(location, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      if (recursive && !name.starts_with('.') && name != "__pycache__") {
        subdirs.push_back(it->path());
      }
    } else if (IsRevisionFileName(name) && it->is_regular_file(type_ec)) {
      files.push_back(it->path());
    }
  }
  if (ec) {
    return detail::InputError(location, 0, fmt::format("cannot list directory ({})", ec.message()),
                              "check that it is readable");
  }
  std::sort(files.begin(), files.end());
  std::sort(subdirs.begin(), subdirs.end());
  for (fs::path& f : files) {
    std::error_code canon_ec;
    const fs::path canonical = fs::weakly_canonical(f, canon_ec);
    if (seen.insert(canon_ec ? f : canonical).second) out.push_back(std::move(f));
  }
  for (const fs::path& d : subdirs) TRY_STATUS(ListLocation(d, recursive, seen, out));
  return Status::Ok();
}

Expected<std::vector<fs::path>> ListRevisionFiles(const AlembicProject& project,
                                                  const PathShower& shower) {
  std::vector<fs::path> existing;
  for (const fs::path& location : project.version_locations) {
    std::error_code ec;
    if (fs::is_directory(location, ec)) existing.push_back(location);
  }
  if (existing.empty()) {
    const bool default_location =
        project.version_locations.size() == 1 &&
        project.version_locations[0] == project.script_location / "versions";
    return detail::InputError(shower.Show(project.version_locations.front()), 0,
                              default_location ? "the versions directory does not exist"
                                               : "no version_locations directory exists",
                              default_location
                                  ? "create it (alembic revision writes revision files there)"
                                  : "fix version_locations in the Alembic configuration");
  }
  // Alembic skips listed locations that do not exist; so does stairway.
  std::set<fs::path> seen;
  std::vector<fs::path> files;
  for (const fs::path& location : existing) {
    TRY_STATUS(ListLocation(location, project.recursive_version_locations, seen, files));
  }
  return files;
}

std::string Where(const RevisionFile& f, int line) {
  return line > 0 ? fmt::format("{}:{}", f.path.string(), line) : f.path.string();
}

// The name part of "<id>_<slug>.py".
std::string NameFromStem(const std::string& stem, const std::string& id) {
  if (stem.size() > id.size() + 1 && stem.starts_with(id) && stem[id.size()] == '_') {
    return stem.substr(id.size() + 1);
  }
  return stem;
}

Revision MakeRevision(const RevisionFile& f) {
  const RevisionScan& scan = f.scan;
  Revision r;
  r.version = scan.header.revision;
  r.name = NameFromStem(f.path.stem().string(), r.version);
  r.parents = scan.header.down_revisions;
  r.checksum = MigrationChecksum(f.text);
  r.up.path = f.path;
  r.up.first_line = scan.upgrade ? scan.upgrade->line : 1;
  if (scan.downgrade && !scan.downgrade->raises) {
    Section down;
    down.path = f.path;
    down.first_line = scan.downgrade->line;
    r.down = std::move(down);
  }
  AlembicRevision a;
  a.depends_on = scan.header.depends_on;  // resolved to ids by the caller
  a.branch_labels = scan.header.branch_labels;
  a.message = scan.message;
  a.create_date = scan.create_date;
  a.upgrade_empty = scan.upgrade && scan.upgrade->empty;
  a.downgrade_empty = scan.downgrade && scan.downgrade->empty;
  a.read_by_python = f.read_by_python;
  r.alembic = std::move(a);
  return r;
}

// The reason of the file's first `# stairway:data-change <reason>` comment (the SQL formats'
// `-- stairway:data-change`), or nullopt; an input error naming the line when it has no reason.
Expected<std::optional<std::string>> ReadDataChange(const RevisionFile& f) {
  if (f.text.find("stairway:data-change") == std::string::npos) {
    return std::optional<std::string>();
  }
  std::vector<Comment> comments;
  TokenizePython(f.text, &comments);
  for (const Comment& c : comments) {
    const std::optional<std::string_view> reason = detail::DataChangeReason(c.text);
    if (!reason) continue;
    if (reason->empty()) {
      return detail::InputError(f.path, c.line, "\"# stairway:data-change\" without a reason",
                                "say why the data changes on purpose, e.g. \"# "
                                "stairway:data-change backfill upper-case names\"");
    }
    return std::optional<std::string>(std::string(*reason));
  }
  return std::optional<std::string>();
}

// Checks ids, labels, parents and dependencies; resolves depends_on labels to ids.
Status LinkRevisions(const std::vector<RevisionFile>& files, std::vector<Revision>& revisions) {
  std::unordered_map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto [it, added] = by_id.emplace(revisions[i].version, i);
    if (!added) {
      const RevisionFile& first = files[it->second];
      return detail::InputError(
          files[i].path, files[i].scan.header.revision_line,
          fmt::format("revision {} is also defined in {}", revisions[i].version,
                      Where(first, first.scan.header.revision_line)),
          "give each revision a unique id (a copied file keeps its revision line)");
    }
  }
  std::unordered_map<std::string, std::size_t> by_label;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const int line = files[i].scan.header.branch_labels_line;
    for (const std::string& label : revisions[i].alembic->branch_labels) {
      if (auto it = by_id.find(label); it != by_id.end()) {
        return detail::InputError(files[i].path, line,
                                  fmt::format("branch label {} is the id of revision {} ({})",
                                              label, label, files[it->second].path.string()),
                                  "choose another branch label");
      }
      auto [it, added] = by_label.emplace(label, i);
      if (!added && it->second != i) {
        const RevisionFile& first = files[it->second];
        return detail::InputError(files[i].path, line,
                                  fmt::format("branch label {} is also used by revision {} ({})",
                                              label, revisions[it->second].version,
                                              Where(first, first.scan.header.branch_labels_line)),
                                  "give each branch one label");
      }
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    for (const std::string& parent : revisions[i].parents) {
      if (!by_id.contains(parent)) {
        return detail::InputError(
            files[i].path, files[i].scan.header.down_revision_line,
            fmt::format("down_revision names {}, which no revision file defines", parent),
            "fix down_revision, or restore the missing revision file");
      }
    }
    std::vector<std::string>& deps = revisions[i].alembic->depends_on;
    for (std::string& dep : deps) {
      if (by_id.contains(dep)) continue;
      auto label = by_label.find(dep);
      if (label == by_label.end()) {
        return detail::InputError(
            files[i].path, files[i].scan.header.depends_on_line,
            fmt::format("depends_on names {}, which is neither a revision id nor a branch label",
                        dep),
            "name the full id of a revision, or a branch label");
      }
      dep = revisions[label->second].version;
    }
  }
  return Status::Ok();
}

// A cycle through down_revision and depends_on, reported at one of its files.
Status CheckCycles(const std::vector<RevisionFile>& files, const std::vector<Revision>& revisions) {
  std::unordered_map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < revisions.size(); ++i) by_id.emplace(revisions[i].version, i);
  enum class Mark { kNew, kActive, kDone };
  std::vector<Mark> mark(revisions.size(), Mark::kNew);
  std::vector<std::size_t> path;
  std::optional<std::vector<std::size_t>> cycle;
  const auto edges = [&](std::size_t i) {
    std::vector<std::size_t> out;
    for (const std::string& p : revisions[i].parents) out.push_back(by_id.at(p));
    for (const std::string& d : revisions[i].alembic->depends_on) out.push_back(by_id.at(d));
    return out;
  };
  // Iterative depth-first search: histories run to thousands of revisions.
  for (std::size_t root = 0; root < revisions.size() && !cycle; ++root) {
    if (mark[root] != Mark::kNew) continue;
    std::vector<std::pair<std::size_t, std::vector<std::size_t>>> stack;
    stack.emplace_back(root, edges(root));
    mark[root] = Mark::kActive;
    path.assign(1, root);
    while (!stack.empty() && !cycle) {
      auto& [node, next] = stack.back();
      if (next.empty()) {
        mark[node] = Mark::kDone;
        stack.pop_back();
        path.pop_back();
        continue;
      }
      const std::size_t n = next.back();
      next.pop_back();
      if (mark[n] == Mark::kActive) {
        auto from = std::find(path.begin(), path.end(), n);
        cycle = std::vector<std::size_t>(from, path.end());
      } else if (mark[n] == Mark::kNew) {
        mark[n] = Mark::kActive;
        path.push_back(n);
        stack.emplace_back(n, edges(n));
      }
    }
  }
  if (!cycle) return Status::Ok();
  // Start the message at the cycle's first file in listing order, for a stable text.
  const auto first = std::min_element(cycle->begin(), cycle->end());
  std::rotate(cycle->begin(), first, cycle->end());
  std::string chain;
  for (std::size_t i : *cycle) chain += revisions[i].version + " -> ";
  chain += revisions[cycle->front()].version;
  const RevisionFile& f = files[cycle->front()];
  return detail::InputError(
      f.path, f.scan.header.down_revision_line,
      fmt::format("revision {} descends from itself through down_revision/depends_on ({})",
                  revisions[cycle->front()].version, chain),
      "fix the down_revision or depends_on that points back");
}

}  // namespace

Expected<MigrationSet> LoadAlembicSet(const AlembicProject& project, const fs::path& given_dir,
                                      const PythonHeaderReader& python) {
  const PathShower shower(given_dir);
  ASSIGN_OR_RETURN(const std::vector<fs::path> paths, ListRevisionFiles(project, shower));
  std::vector<RevisionFile> files;
  std::vector<Revision> revisions;
  for (const fs::path& p : paths) {
    ASSIGN_OR_RETURN(RevisionFile f, ReadRevisionFile(shower.Show(p), python));
    revisions.push_back(MakeRevision(f));
    ASSIGN_OR_RETURN(revisions.back().data_change, ReadDataChange(f));
    files.push_back(std::move(f));
  }
  TRY_STATUS(LinkRevisions(files, revisions));
  TRY_STATUS(CheckCycles(files, revisions));
  MigrationSet set;
  set.dir = shower.Show(project.script_location);
  set.format = Format::kAlembic;
  set.alembic = project;
  ASSIGN_OR_RETURN(set.revisions, TopologicalOrder(std::move(revisions), set.dir));
  return set;
}

}  // namespace stairway::source::alembic
