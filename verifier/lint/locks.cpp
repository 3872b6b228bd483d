// Lock modes per statement kind, following the table in docs/lint.md (lint-rules.md, part b).
#include "verifier/lint/locks.h"

#include <algorithm>

namespace stairway::lint {

std::string_view LockName(LockMode m) {
  switch (m) {
    case LockMode::kNone:
      return "none";
    case LockMode::kAccessShare:
      return "ACCESS SHARE";
    case LockMode::kRowShare:
      return "ROW SHARE";
    case LockMode::kRowExclusive:
      return "ROW EXCLUSIVE";
    case LockMode::kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::kShare:
      return "SHARE";
    case LockMode::kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::kExclusive:
      return "EXCLUSIVE";
    case LockMode::kAccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "none";
}

namespace {

using M = LockMode;

// The lock one ALTER TABLE subcommand needs on the altered table.
M AlterCmdLock(const sql::AlterTableCmd& c, int pg_version) {
  const std::string& t = c.subtype;
  if (t == "ValidateConstraint" || t == "SetRelOptions" || t == "ResetRelOptions" ||
      t == "SetStatistics" || t == "SetOptions" || t == "ResetOptions" || t == "ClusterOn" ||
      t == "DropCluster") {
    return M::kShareUpdateExclusive;
  }
  if (t == "AddConstraint" && c.constraint &&
      c.constraint->kind == sql::Constraint::Kind::kForeignKey) {
    return M::kShareRowExclusive;
  }
  if (t.rfind("EnableTrig", 0) == 0 || t.rfind("DisableTrig", 0) == 0 ||
      t.rfind("EnableAlwaysTrig", 0) == 0 || t.rfind("EnableReplicaTrig", 0) == 0) {
    return M::kShareRowExclusive;
  }
  if (t == "AttachPartition") {
    return pg_version >= 12 ? M::kShareUpdateExclusive : M::kAccessExclusive;
  }
  if (t == "DetachPartition" && c.concurrent) return M::kShareUpdateExclusive;
  return M::kAccessExclusive;
}

void Add(std::vector<LockTaken>& out, const sql::QualifiedName& n, M m) {
  for (LockTaken& l : out) {
    if (l.table == n) {
      l.mode = std::max(l.mode, m);
      return;
    }
  }
  out.push_back({n, m});
}

void AddForeignKeyTargets(std::vector<LockTaken>& out, const std::vector<sql::Constraint>& cs) {
  for (const sql::Constraint& c : cs) {
    if (c.kind == sql::Constraint::Kind::kForeignKey) Add(out, c.ref_table, M::kShareRowExclusive);
  }
}

}  // namespace

std::vector<LockTaken> LocksOf(const sql::Statement& s, int pg_version) {
  std::vector<LockTaken> out;
  if (const auto* ct = s.As<sql::CreateTable>()) {
    for (const sql::ColumnDef& c : ct->columns) AddForeignKeyTargets(out, c.constraints);
    AddForeignKeyTargets(out, ct->constraints);
    if (ct->partition_of) Add(out, *ct->partition_of, M::kAccessExclusive);
  } else if (const auto* at = s.As<sql::AlterTable>()) {
    M strongest = M::kNone;
    for (const sql::AlterTableCmd& c : at->cmds) {
      M m = AlterCmdLock(c, pg_version);
      if (at->object_type == "INDEX" && c.subtype != "AttachPartition") {
        m = c.subtype == "SetRelOptions" || c.subtype == "ResetRelOptions"
                ? M::kShareUpdateExclusive
                : m;
      }
      strongest = std::max(strongest, m);
      if (c.column) AddForeignKeyTargets(out, c.column->constraints);
      if (c.constraint && c.constraint->kind == sql::Constraint::Kind::kForeignKey) {
        Add(out, c.constraint->ref_table, M::kShareRowExclusive);
      }
      if (c.subtype == "AttachPartition" && c.partition)
        Add(out, *c.partition, M::kAccessExclusive);
      if (c.subtype == "DetachPartition" && c.partition) {
        Add(out, *c.partition, c.concurrent ? M::kShareUpdateExclusive : M::kAccessExclusive);
      }
    }
    out.insert(out.begin(), LockTaken{at->table, strongest});
  } else if (const auto* ci = s.As<sql::CreateIndex>()) {
    Add(out, ci->table, ci->concurrent ? M::kShareUpdateExclusive : M::kShare);
  } else if (const auto* d = s.As<sql::Drop>()) {
    const bool relation = d->object_type == "TABLE" || d->object_type == "INDEX" ||
                          d->object_type == "VIEW" || d->object_type == "MATVIEW";
    if (relation) {
      for (const sql::QualifiedName& n : d->objects) {
        Add(out, n, d->concurrent ? M::kShareUpdateExclusive : M::kAccessExclusive);
      }
    }
  } else if (const auto* r = s.As<sql::Reindex>()) {
    if (r->kind == "INDEX" || r->kind == "TABLE") {
      Add(out, r->target,
          r->concurrent ? M::kShareUpdateExclusive
                        : (r->kind == "INDEX" ? M::kAccessExclusive : M::kShare));
    }
  } else if (const auto* rn = s.As<sql::Rename>()) {
    if (!rn->relation.name.empty()) {
      const bool index = rn->object_type == "INDEX";
      Add(out, rn->relation,
          index && pg_version >= 12 ? M::kShareUpdateExclusive : M::kAccessExclusive);
    }
  } else if (const auto* v = s.As<sql::Vacuum>()) {
    for (const sql::QualifiedName& n : v->tables) {
      Add(out, n, v->full ? M::kAccessExclusive : M::kShareUpdateExclusive);
    }
  } else if (const auto* cl = s.As<sql::Cluster>()) {
    if (cl->table) Add(out, *cl->table, M::kAccessExclusive);
  } else if (const auto* rm = s.As<sql::RefreshMatView>()) {
    Add(out, rm->view, rm->concurrent ? M::kExclusive : M::kAccessExclusive);
  } else if (const auto* lk = s.As<sql::LockTable>()) {
    const M m = static_cast<M>(std::clamp(lk->mode, 1, 8));
    for (const sql::QualifiedName& n : lk->tables) Add(out, n, m);
  } else if (const auto* tr = s.As<sql::Truncate>()) {
    for (const sql::QualifiedName& n : tr->tables) Add(out, n, M::kAccessExclusive);
  } else if (const auto* trig = s.As<sql::CreateTrigger>()) {
    Add(out, trig->table, M::kShareRowExclusive);
  } else if (const auto* dml = s.As<sql::Dml>()) {
    Add(out, dml->table, M::kRowExclusive);
  }
  return out;
}

}  // namespace stairway::lint
