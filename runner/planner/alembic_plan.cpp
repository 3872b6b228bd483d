// Alembic targets and plans over the revision graph (down_revision plus depends_on edges).
#include "runner/planner/alembic_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace stairway::planner {

namespace {

using source::MigrationSet;
using source::Revision;

// Index-based view of a set's graph, built per call: sets hold hundreds of revisions, so the
// O(n) build is cheaper than keeping a cache coherent with the set.
class Graph {
 public:
  explicit Graph(const MigrationSet& set) : set_(set) {
    const std::size_t n = set.revisions.size();
    for (std::size_t i = 0; i < n; ++i) index_[set.revisions[i].version] = static_cast<int>(i);
    down_.resize(n);
    up_all_.resize(n);
    children_down_.resize(n);
    children_all_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Revision& rev = set.revisions[i];
      for (const std::string& parent : rev.parents) {
        const int p = Index(parent);
        if (p < 0) continue;  // the reader refuses missing parents; nothing to follow here
        down_[i].push_back(p);
        up_all_[i].push_back(p);
        children_down_[p].push_back(static_cast<int>(i));
        children_all_[p].push_back(static_cast<int>(i));
      }
      if (rev.alembic) {
        for (const std::string& dep : rev.alembic->depends_on) {
          const int d = Index(dep);
          if (d < 0) continue;
          up_all_[i].push_back(d);
          children_all_[d].push_back(static_cast<int>(i));
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!set.revisions[i].alembic) continue;
      for (const std::string& label : set.revisions[i].alembic->branch_labels) {
        labels_.emplace(label, static_cast<int>(i));
      }
    }
  }

  std::size_t size() const { return set_.revisions.size(); }
  const Revision& rev(int i) const { return set_.revisions[static_cast<std::size_t>(i)]; }
  int Index(std::string_view version) const {
    auto it = index_.find(version);
    return it == index_.end() ? -1 : it->second;
  }
  int LabelIndex(std::string_view label) const {
    auto it = labels_.find(label);
    return it == labels_.end() ? -1 : it->second;
  }
  const std::map<std::string, int, std::less<>>& labels() const { return labels_; }

  // down_revision only (Alembic's nextrev / down_revision walks).
  const std::vector<int>& Down(int i) const { return down_[static_cast<std::size_t>(i)]; }
  const std::vector<int>& ChildrenDown(int i) const {
    return children_down_[static_cast<std::size_t>(i)];
  }

  // `from` and everything reachable through parent (up = true: towards the roots) or child
  // edges; `with_deps` adds the depends_on edges.
  std::vector<bool> Closure(const std::vector<int>& from, bool towards_roots,
                            bool with_deps) const {
    std::vector<bool> seen(size(), false);
    std::vector<int> stack(from.begin(), from.end());
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      if (seen[static_cast<std::size_t>(i)]) continue;
      seen[static_cast<std::size_t>(i)] = true;
      const auto& edges = towards_roots ? (with_deps ? up_all_ : down_)
                                        : (with_deps ? children_all_ : children_down_);
      for (int next : edges[static_cast<std::size_t>(i)]) stack.push_back(next);
    }
    return seen;
  }

  // Heads as Alembic's `head`/`heads` see them: no revision names them as down_revision.
  std::vector<int> Heads() const {
    std::vector<int> out;
    for (std::size_t i = 0; i < size(); ++i) {
      if (children_down_[i].empty()) out.push_back(static_cast<int>(i));
    }
    return out;
  }
  std::vector<int> Roots() const {
    std::vector<int> out;
    for (std::size_t i = 0; i < size(); ++i) {
      if (down_[i].empty()) out.push_back(static_cast<int>(i));
    }
    return out;
  }

  // The alembic_version rows of an applied set given as flags.
  std::vector<int> Rows(const std::vector<bool>& applied) const {
    std::vector<bool> named(size(), false);
    for (std::size_t i = 0; i < size(); ++i) {
      if (!applied[i]) continue;
      for (int p : up_all_[i]) named[static_cast<std::size_t>(p)] = true;
    }
    std::vector<int> out;
    for (std::size_t i = 0; i < size(); ++i) {
      if (applied[i] && !named[i]) out.push_back(static_cast<int>(i));
    }
    return out;
  }

  std::vector<bool> Flags(const AppliedSet& applied) const {
    std::vector<bool> flags(size(), false);
    for (const std::string& v : applied) {
      if (const int i = Index(v); i >= 0) flags[static_cast<std::size_t>(i)] = true;
    }
    return flags;
  }

 private:
  const MigrationSet& set_;
  std::map<std::string, int, std::less<>> index_;
  std::map<std::string, int, std::less<>> labels_;
  std::vector<std::vector<int>> down_, up_all_, children_down_, children_all_;
};

// The revision's file, relative to the set's directory when it lies inside it.
std::string FileOf(const MigrationSet& set, const Revision& rev) {
  const std::filesystem::path rel = rev.up.path.lexically_relative(set.dir);
  if (!rel.empty() && *rel.begin() != "..") return rel.string();
  return rev.up.path.string();
}

std::string IdsText(const Graph& g, const std::vector<int>& revs) {
  std::string out;
  for (int i : revs) {
    if (!out.empty()) out += ", ";
    out += g.rev(i).version;
  }
  return out;
}

// "a (versions/a_x.py), b (versions/b_y.py)"
std::string IdsWithFiles(const MigrationSet& set, const Graph& g, const std::vector<int>& revs) {
  std::string out;
  for (int i : revs) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({})", g.rev(i).version, FileOf(set, g.rev(i)));
  }
  return out;
}

std::string RowsLabel(const Graph& g, const std::vector<bool>& applied) {
  const std::vector<int> rows = g.Rows(applied);
  return rows.empty() ? std::string("base") : IdsText(g, rows);
}

// Up to three ids or labels close to `text`, for "did you mean".
std::string CloseMatches(const Graph& g, std::string_view text) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  const std::size_t limit = std::max<std::size_t>(1, text.size() / 4);
  auto score = [&](const std::string& name) {
    std::size_t d = EditDistance(text, name);
    if (!text.empty() && name.find(text) != std::string::npos) d = 0;
    if (d <= limit) scored.emplace_back(d, name);
  };
  for (std::size_t i = 0; i < g.size(); ++i) score(g.rev(static_cast<int>(i)).version);
  for (const auto& [label, index] : g.labels()) score(label);
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) {
    if (i > 0) out += ", ";
    out += scored[i].second;
  }
  return out;
}

// A revision id, a branch label, a Label() or a unique prefix: one revision or an error.
Expected<int> ResolveOne(const MigrationSet& set, const Graph& g, std::string_view text) {
  if (const int i = g.Index(text); i >= 0) return i;
  if (const int i = g.LabelIndex(text); i >= 0) return i;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g.rev(static_cast<int>(i)).Label() == text) return static_cast<int>(i);
  }
  std::vector<int> prefixed;
  if (!text.empty()) {
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (g.rev(static_cast<int>(i)).version.starts_with(text)) {
        prefixed.push_back(static_cast<int>(i));
      }
    }
  }
  if (prefixed.size() == 1) return prefixed[0];
  if (prefixed.size() > 1) {
    return Error::Input(
        fmt::format("revision \"{}\" is ambiguous: it starts {}; give more of the id", text,
                    IdsWithFiles(set, g, prefixed)));
  }
  const std::string close = CloseMatches(g, text);
  const std::string hint = set.revisions.empty()
                               ? fmt::format("{} has no revisions", set.dir.string())
                               : "run `stairway history` to list them";
  if (!close.empty()) {
    return Error::Input(
        fmt::format("unknown revision \"{}\": did you mean {}? ({})", text, close, hint));
  }
  return Error::Input(
      fmt::format("unknown revision \"{}\" in {}: {}", text, set.dir.string(), hint));
}

// The heads sharing a line (down_revision only, as Alembic's filter_for_lineage) with `i`.
std::vector<int> HeadsOnLine(const Graph& g, int i) {
  const std::vector<bool> below = g.Closure({i}, true, false);
  const std::vector<bool> above = g.Closure({i}, false, false);
  std::vector<int> out;
  for (int h : g.Heads()) {
    if (below[static_cast<std::size_t>(h)] || above[static_cast<std::size_t>(h)]) out.push_back(h);
  }
  return out;
}

struct Resolved {
  std::vector<int> revs;  // empty: base
  int branch = -1;        // the X of "X@..." forms, else -1
  bool base = false;      // "base" or "X@base"
};

Expected<Resolved> Resolve(const MigrationSet& set, const Graph& g, std::string_view text) {
  Resolved out;
  if (text == "base") {
    out.base = true;
    return out;
  }
  if (text == "heads") {
    out.revs = g.Heads();
    return out;
  }
  if (text == "head") {
    out.revs = g.Heads();
    if (out.revs.size() > 1) {
      return Error::Input(fmt::format("several heads: {}; use `upgrade heads`, or name one",
                                      IdsWithFiles(set, g, out.revs)));
    }
    return out;
  }
  if (const std::size_t at = text.find('@'); at != std::string_view::npos) {
    const std::string_view branch_text = text.substr(0, at);
    const std::string_view symbol = text.substr(at + 1);
    if (branch_text.empty()) return Resolve(set, g, symbol);
    if (symbol.starts_with('+') || symbol.starts_with('-')) {
      return Error::Input(fmt::format(
          "\"{}\": steps relative to a branch are not supported; give +N / -N alone or name the "
          "revision",
          text));
    }
    ASSIGN_OR_RETURN(const int branch, ResolveOne(set, g, branch_text));
    out.branch = branch;
    if (symbol == "base") {
      out.base = true;
      return out;
    }
    if (symbol == "head" || symbol == "heads") {
      out.revs = HeadsOnLine(g, branch);
      if (symbol == "head" && out.revs.size() > 1) {
        return Error::Input(
            fmt::format("several heads on the line of {}: {}; use `{}@heads`, or name one",
                        branch_text, IdsWithFiles(set, g, out.revs), branch_text));
      }
      return out;
    }
    ASSIGN_OR_RETURN(const int rev, ResolveOne(set, g, symbol));
    const std::vector<bool> below = g.Closure({rev}, true, false);
    const std::vector<bool> above = g.Closure({rev}, false, false);
    if (!below[static_cast<std::size_t>(branch)] && !above[static_cast<std::size_t>(branch)]) {
      return Error::Input(fmt::format("revision {} is not on the line of {} ({})",
                                      g.rev(rev).version, branch_text, text));
    }
    out.revs = {rev};
    return out;
  }
  ASSIGN_OR_RETURN(const int rev, ResolveOne(set, g, text));
  out.revs = {rev};
  return out;
}

std::vector<const Revision*> Pointers(const Graph& g, const std::vector<int>& revs) {
  std::vector<const Revision*> out;
  for (int i : revs) out.push_back(&g.rev(i));
  return out;
}

// Undo steps for the flagged revisions, children before parents, each checked for a down.
Expected<Plan> DowngradePlan(const Graph& g, std::vector<bool> applied,
                             const std::vector<bool>& undo) {
  Plan plan;
  plan.direction = Direction::kDown;
  for (std::size_t k = g.size(); k-- > 0;) {
    if (!undo[k] || !applied[k]) continue;
    const Revision& rev = g.rev(static_cast<int>(k));
    if (!rev.down) {
      return Error::Input(fmt::format(
          "{}: cannot downgrade past {}: its downgrade() raises or is missing (irreversible); "
          "nothing was undone. Downgrade to {} at most, or undo it by hand and run `stairway "
          "stamp` with the revision the database is at then",
          rev.up.path.string(), rev.version, rev.version));
    }
    plan.steps.push_back({&rev, Direction::kDown});
  }
  for (const Step& s : plan.steps)
    applied[static_cast<std::size_t>(g.Index(s.revision->version))] = false;
  plan.target_label = RowsLabel(g, applied);
  return plan;
}

}  // namespace

Expected<AppliedSet> AppliedFromVersionRows(const MigrationSet& set,
                                            const std::vector<std::string>& rows) {
  const Graph g(set);
  std::vector<int> from;
  std::vector<std::string> unknown;
  for (const std::string& row : rows) {
    const int i = g.Index(row);
    if (i < 0) {
      unknown.push_back(row);
    } else {
      from.push_back(i);
    }
  }
  if (!unknown.empty()) {
    std::string names;
    for (const std::string& u : unknown) names += (names.empty() ? "" : ", ") + u;
    return Error::Input(fmt::format(
        "alembic_version names revision{} {}, which {} not in {}; run stairway on the project the "
        "database was migrated with, or set the rows with `stairway stamp REV`",
        unknown.size() == 1 ? "" : "s", names, unknown.size() == 1 ? "is" : "are",
        set.dir.string()));
  }
  const std::vector<bool> closure = g.Closure(from, true, true);
  AppliedSet out;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (closure[i]) out.insert(g.rev(static_cast<int>(i)).version);
  }
  return out;
}

std::vector<std::string> VersionRows(const MigrationSet& set, const AppliedSet& applied) {
  const Graph g(set);
  std::vector<std::string> out;
  for (int i : g.Rows(g.Flags(applied))) out.push_back(g.rev(i).version);
  return out;
}

Expected<std::vector<const Revision*>> ResolveAlembicTargets(const MigrationSet& set,
                                                             std::string_view text) {
  const Graph g(set);
  ASSIGN_OR_RETURN(Resolved r, Resolve(set, g, text));
  return Pointers(g, r.revs);
}

Expected<const Revision*> ResolveAlembicRevision(const MigrationSet& set, std::string_view text) {
  const Graph g(set);
  ASSIGN_OR_RETURN(Resolved r, Resolve(set, g, text));
  if (r.revs.size() == 1) return &g.rev(r.revs[0]);
  if (r.revs.empty()) {
    return Error::Input(fmt::format("\"{}\" names no revision here; name one revision", text));
  }
  return Error::Input(fmt::format("\"{}\" names several revisions ({}); name one of them", text,
                                  IdsWithFiles(set, g, r.revs)));
}

Expected<Plan> PlanAlembicUpgrade(const MigrationSet& set, const AppliedSet& applied_set,
                                  std::string_view target) {
  const Graph g(set);
  std::vector<bool> applied = g.Flags(applied_set);
  std::vector<int> targets;
  if (target.empty()) target = "head";
  if (target.starts_with('-')) {
    return Error::Input(fmt::format(
        "upgrade target \"{}\" goes backwards: use `stairway downgrade {}`", target, target));
  }
  if (target.starts_with('+')) {
    const int n = ParseRelative(target, '+');
    if (n <= 0) {
      return Error::Input(fmt::format(
          "bad upgrade target \"{}\": expected head, heads, a revision, or +N with N >= 1",
          target));
    }
    const std::vector<int> rows = g.Rows(applied);
    if (rows.size() > 1) {
      return Error::Input(fmt::format(
          "cannot upgrade {}: several heads are applied ({}): upgrade to a named revision, or "
          "use `upgrade heads`",
          target, IdsText(g, rows)));
    }
    int at = rows.empty() ? -1 : rows[0];
    for (int step = 0; step < n; ++step) {
      const std::vector<int> next = at < 0 ? g.Roots() : g.ChildrenDown(at);
      const std::string from = at < 0 ? std::string("base") : g.rev(at).version;
      if (next.empty()) {
        return Error::Input(fmt::format(
            "cannot upgrade {}: {}", target,
            step == 0 ? fmt::format("{} is a head: nothing comes after it", from)
                      : fmt::format("only {} revision{} follow{} on this line (up to {}, a head)",
                                    step, step == 1 ? "" : "s", step == 1 ? "s" : "", from)));
      }
      if (next.size() > 1) {
        return Error::Input(fmt::format(
            "cannot upgrade {}: the step after {} is ambiguous: {} could go next; upgrade to "
            "one of them by name",
            target, from, IdsWithFiles(set, g, next)));
      }
      at = next[0];
    }
    targets = {at};
  } else {
    ASSIGN_OR_RETURN(Resolved r, Resolve(set, g, target));
    targets = r.revs;
  }
  Plan plan;
  plan.direction = Direction::kUp;
  const std::vector<bool> needed = g.Closure(targets, true, true);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (needed[i] && !applied[i]) {
      plan.steps.push_back({&g.rev(static_cast<int>(i)), Direction::kUp});
      applied[i] = true;
    }
  }
  plan.target_label = RowsLabel(g, applied);
  return plan;
}

Expected<Plan> PlanAlembicDowngrade(const MigrationSet& set, const AppliedSet& applied_set,
                                    std::string_view target) {
  const Graph g(set);
  const std::vector<bool> applied = g.Flags(applied_set);
  if (target.empty()) {
    return Error::Input(
        "downgrade needs a target: -1 (undo the newest revision), -N, base, or a revision to go "
        "back to");
  }
  if (target.starts_with('+')) {
    return Error::Input(fmt::format(
        "downgrade target \"{}\" goes forwards: use `stairway upgrade {}`", target, target));
  }
  // Undoes the applied descendants of `roots`, themselves included.
  auto undo_from_roots = [&](const std::vector<int>& roots) {
    return DowngradePlan(g, applied, g.Closure(roots, false, true));
  };
  if (target.starts_with('-')) {
    const int n = ParseRelative(target, '-');
    if (n <= 0) {
      return Error::Input(fmt::format(
          "bad downgrade target \"{}\": expected -N with N >= 1, base, or a revision", target));
    }
    const std::vector<int> rows = g.Rows(applied);
    if (rows.empty())
      return Error::Input(fmt::format("cannot downgrade {}: nothing is applied", target));
    if (rows.size() > 1) {
      return Error::Input(fmt::format(
          "several heads are applied ({}): downgrade to a named revision", IdsText(g, rows)));
    }
    int at = rows[0];
    for (int step = 0; step < n; ++step) {
      const std::vector<int>& below = g.Down(at);
      if (below.empty()) {
        if (step + 1 < n) {
          return Error::Input(
              fmt::format("cannot downgrade {}: the line of {} holds only {} revision{}", target,
                          g.rev(rows[0]).version, step + 1, step == 0 ? "" : "s"));
        }
        // Back to base on this line only: the roots below the head (down_revision only).
        const std::vector<bool> line = g.Closure({rows[0]}, true, false);
        std::vector<int> roots;
        for (int r : g.Roots()) {
          if (line[static_cast<std::size_t>(r)]) roots.push_back(r);
        }
        return undo_from_roots(roots);
      }
      if (below.size() > 1) {
        // The last step may undo a merge: its parents become the heads, which is unambiguous
        // (Alembic 1.8 refuses it as an "Ambiguous walk"); walking on past it is not.
        if (step + 1 == n) return undo_from_roots({at});
        return Error::Input(fmt::format(
            "cannot downgrade {}: {} is a merge of {}: downgrade to one of them by name", target,
            g.rev(at).version, IdsText(g, below)));
      }
      at = below[0];
    }
    // As Alembic: of the target's children, only those on the head's line (down_revision).
    const std::vector<bool> line = g.Closure({rows[0]}, true, false);
    std::vector<int> children = g.ChildrenDown(at);
    if (children.size() > 1) {
      std::erase_if(children, [&](int c) { return !line[static_cast<std::size_t>(c)]; });
    }
    return undo_from_roots(children);
  }
  ASSIGN_OR_RETURN(Resolved r, Resolve(set, g, target));
  if (r.base) {
    if (r.branch < 0) return DowngradePlan(g, applied, std::vector<bool>(g.size(), true));
    // label@base: as Alembic, the line's roots below the labelled revision.
    const std::vector<bool> line = g.Closure({r.branch}, true, false);
    std::vector<int> roots;
    for (int root : g.Roots()) {
      if (line[static_cast<std::size_t>(root)]) roots.push_back(root);
    }
    return undo_from_roots(roots);
  }
  if (r.revs.size() != 1) {
    return Error::Input(fmt::format("downgrade target \"{}\" names {} revisions ({}); name one",
                                    target, r.revs.size(), IdsWithFiles(set, g, r.revs)));
  }
  const int rev = r.revs[0];
  if (!applied[static_cast<std::size_t>(rev)]) {
    const std::vector<int> rows = g.Rows(applied);
    return Error::Input(fmt::format(
        "cannot downgrade to {}: it is not applied (the database is at {}); downgrade to an "
        "applied revision, or use `upgrade {}`",
        g.rev(rev).version, rows.empty() ? std::string("base") : IdsText(g, rows),
        g.rev(rev).version));
  }
  // What descends from REV's children goes (with whatever depends on it); a revision that only
  // depends_on REV itself stays, as in Alembic: REV stays applied.
  return undo_from_roots(g.ChildrenDown(rev));
}

Expected<std::vector<std::string>> StampTargets(const MigrationSet& set,
                                                const AppliedSet& current_applied,
                                                const std::vector<std::string>& targets) {
  const Graph g(set);
  if (targets.empty()) {
    return Error::Input("stamp needs a target: head, heads, base, or one or more revisions");
  }
  std::vector<int> dests;
  bool base = false;
  for (const std::string& t : targets) {
    if (t.starts_with('+') || t.starts_with('-')) {
      return Error::Input(
          fmt::format("stamp target \"{}\": relative steps cannot be stamped; name revisions", t));
    }
    ASSIGN_OR_RETURN(Resolved r, Resolve(set, g, t));
    if (r.base) {
      base = true;
      if (r.branch >= 0) {
        return Error::Input(fmt::format(
            "stamp target \"{}\": stamp a named revision, or base to clear every row", t));
      }
    }
    dests.insert(dests.end(), r.revs.begin(), r.revs.end());
  }
  if (base && targets.size() > 1) {
    return Error::Input("stamp base clears every row: give it alone, not with other revisions");
  }
  if (base) return std::vector<std::string>{};
  std::vector<bool> rows(g.size(), false);
  for (int i : g.Rows(g.Flags(current_applied))) rows[static_cast<std::size_t>(i)] = true;
  for (int d : dests) {
    const std::vector<bool> below = g.Closure({d}, true, true);
    const std::vector<bool> above = g.Closure({d}, false, true);
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (below[i] || above[i]) rows[i] = false;
    }
  }
  std::vector<int> from;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (rows[i]) from.push_back(static_cast<int>(i));
  }
  from.insert(from.end(), dests.begin(), dests.end());
  std::vector<std::string> out;
  for (int i : g.Rows(g.Closure(from, true, true))) out.push_back(g.rev(i).version);
  return out;
}

AppliedSet AlembicAncestorsInclusive(const MigrationSet& set, const Revision& rev) {
  const Graph g(set);
  AppliedSet out;
  const int i = g.Index(rev.version);
  if (i < 0) return out;
  const std::vector<bool> closure = g.Closure({i}, true, true);
  for (std::size_t k = 0; k < g.size(); ++k) {
    if (closure[k]) out.insert(g.rev(static_cast<int>(k)).version);
  }
  return out;
}

}  // namespace stairway::planner
