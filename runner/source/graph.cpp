// Parent links and topological order of revisions; see graph.h.
#include "runner/source/graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

namespace stairway::source {

void LinkLinear(std::vector<Revision>& revisions) {
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    revisions[i].parents.clear();
    if (i > 0) revisions[i].parents.push_back(revisions[i - 1].version);
  }
}

namespace {

struct VersionLess {
  bool operator()(const std::string& a, const std::string& b) const {
    const int c = CompareVersions(a, b);
    return c != 0 ? c < 0 : a < b;
  }
};

}  // namespace

Expected<std::vector<Revision>> TopologicalOrder(std::vector<Revision> revisions,
                                                 const std::filesystem::path& origin) {
  const std::string where = origin.string();
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    if (!index.emplace(revisions[i].version, i).second) {
      return Error::Input(
          fmt::format("{}: two revisions have version {}; give each revision a unique version",
                      where, revisions[i].version));
    }
  }
  std::vector<int> missing_parents(revisions.size(), 0);
  std::unordered_map<std::string, std::vector<std::size_t>> children;
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    std::unordered_set<std::string> seen;
    for (const std::string& parent : revisions[i].parents) {
      if (!index.contains(parent)) {
        return Error::Input(fmt::format(
            "{}: revision {} names parent {}, which does not exist; fix its parent or add the "
            "missing revision",
            where, revisions[i].version, parent));
      }
      if (!seen.insert(parent).second) continue;  // a repeated parent is one edge
      ++missing_parents[i];
      children[parent].push_back(i);
    }
    // An Alembic revision also comes after the revisions it depends_on (not its parents:
    // Heads() ignores these edges, as Alembic's heads do).
    if (!revisions[i].alembic) continue;
    for (const std::string& dependency : revisions[i].alembic->depends_on) {
      if (!index.contains(dependency)) {
        return Error::Input(fmt::format(
            "{}: revision {} depends on {}, which does not exist; fix its depends_on or add the "
            "missing revision",
            where, revisions[i].version, dependency));
      }
      if (!seen.insert(dependency).second) continue;
      ++missing_parents[i];
      children[dependency].push_back(i);
    }
  }
  // Ready revisions keyed by version so ties resolve to the lower version first.
  std::map<std::string, std::size_t, VersionLess> ready;
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    if (missing_parents[i] == 0) ready.emplace(revisions[i].version, i);
  }
  std::vector<std::size_t> order;
  order.reserve(revisions.size());
  while (!ready.empty()) {
    const std::size_t i = ready.begin()->second;
    ready.erase(ready.begin());
    order.push_back(i);
    for (std::size_t child : children[revisions[i].version]) {
      if (--missing_parents[child] == 0) ready.emplace(revisions[child].version, child);
    }
  }
  if (order.size() != revisions.size()) {
    std::string first_stuck;
    for (std::size_t i = 0; i < revisions.size(); ++i) {
      if (missing_parents[i] > 0 &&
          (first_stuck.empty() || VersionLess()(revisions[i].version, first_stuck))) {
        first_stuck = revisions[i].version;
      }
    }
    return Error::Input(fmt::format(
        "{}: the parents of revision {} form a cycle; make sure no revision descends from itself",
        where, first_stuck));
  }
  std::vector<Revision> sorted;
  sorted.reserve(revisions.size());
  for (std::size_t i : order) sorted.push_back(std::move(revisions[i]));
  return sorted;
}

std::vector<std::string> Heads(const std::vector<Revision>& revisions) {
  std::unordered_set<std::string> parents;
  for (const Revision& r : revisions) parents.insert(r.parents.begin(), r.parents.end());
  std::vector<std::string> heads;
  for (const Revision& r : revisions) {
    if (!parents.contains(r.version)) heads.push_back(r.version);
  }
  return heads;
}

std::vector<std::string> AncestorsInclusive(const std::vector<Revision>& revisions,
                                            std::string_view version) {
  std::unordered_map<std::string, const Revision*> by_version;
  for (const Revision& r : revisions) by_version.emplace(r.version, &r);
  if (!by_version.contains(std::string(version))) return {};
  std::unordered_set<std::string> reached{std::string(version)};
  std::vector<std::string> stack{std::string(version)};
  while (!stack.empty()) {
    const Revision* r = by_version.at(stack.back());
    stack.pop_back();
    for (const std::string& parent : r->parents) {
      if (by_version.contains(parent) && reached.insert(parent).second) stack.push_back(parent);
    }
  }
  std::vector<std::string> out;
  for (const Revision& r : revisions) {
    if (reached.contains(r.version)) out.push_back(r.version);
  }
  return out;
}

}  // namespace stairway::source
