// libpg_query parse trees -> the typed views of ast.h, converted once per statement.
#include "runner/sql/parse.h"

#include <pg_query.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <thread>

#include "runner/sql/json_view.h"
#include "runner/sql/script.h"

namespace stairway::sql {

std::string TypeRef::Display() const {
  std::string out = name;
  if (!mods.empty()) {
    out += '(';
    for (std::size_t i = 0; i < mods.size(); ++i) {
      if (i > 0) out += ',';
      out += std::to_string(mods[i]);
    }
    out += ')';
  }
  if (array) out += "[]";
  return out;
}

const Constraint* ColumnDef::Find(Constraint::Kind kind) const {
  for (const Constraint& c : constraints) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

bool ColumnDef::NotNull() const {
  return Find(Constraint::Kind::kNotNull) != nullptr ||
         Find(Constraint::Kind::kPrimaryKey) != nullptr;
}

const Expr* ColumnDef::Default() const {
  const Constraint* c = Find(Constraint::Kind::kDefault);
  return c != nullptr && c->expr ? &*c->expr : nullptr;
}

namespace {

using json::Value;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view StripPrefix(std::string_view s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) == prefix) s.remove_prefix(prefix.size());
  return s;
}

// Converts one statement; `base` is the statement's offset in the script.
class Converter {
 public:
  // `start` is the statement's offset in the script, `loc_base` the offset of the text
  // libpg_query parsed (the statement itself, or the chunk it came in).
  Converter(std::string_view stmt_text, std::size_t start, std::size_t loc_base)
      : text_(stmt_text), start_(start), loc_base_(loc_base) {}

  StatementBody Convert(std::string_view node, Value v);

 private:
  std::size_t Loc(Value v) const { return At(v["location"]); }
  // The offset in the script of a "location" member's value (the statement start if absent).
  std::size_t At(Value location) const {
    const std::int64_t l = location.Int(-1);
    return l < 0 ? start_ : loc_base_ + static_cast<std::size_t>(l);
  }

  static std::vector<std::string> Strings(Value list) {
    std::vector<std::string> out;
    for (Value item : list.Items()) {
      Value s = item["String"];
      if (s.valid()) out.emplace_back(s["sval"].Str());
    }
    return out;
  }

  QualifiedName RangeVar(Value rv) const {
    static constexpr std::array<std::string_view, 3> kKeys = {"schemaname", "relname", "location"};
    const auto f = rv.Pick(kKeys);
    QualifiedName n;
    n.schema = std::string(f[0].Str());
    n.name = std::string(f[1].Str());
    n.location = At(f[2]);
    return n;
  }

  QualifiedName NameFromList(Value list, std::size_t location) const {
    std::vector<std::string> parts = Strings(list);
    QualifiedName n;
    n.location = location;
    if (!parts.empty()) n.name = parts.back();
    if (parts.size() >= 2) n.schema = parts[parts.size() - 2];
    return n;
  }

  TypeRef Type(Value tn) const {
    enum { kNames, kTypmods, kArrayBounds, kLocation };
    static constexpr std::array<std::string_view, 4> kKeys = {"names", "typmods", "arrayBounds",
                                                              "location"};
    const auto f = tn.Pick(kKeys);
    TypeRef t;
    std::string_view last, before_last;  // schema and name are the last two parts
    for (Value item : f[kNames].Items()) {
      Value part = item["String"];
      if (!part.valid()) continue;
      before_last = last;
      last = part["sval"].Str();
    }
    t.name = std::string(last);
    t.schema = std::string(before_last);
    for (Value m : f[kTypmods].Items()) {
      Value c = m["A_Const"];
      t.mods.push_back(static_cast<long>(c["ival"]["ival"].Int(0)));
    }
    t.array = f[kArrayBounds].valid();
    t.location = At(f[kLocation]);
    return t;
  }

  static std::string ConstText(Value a_const) {
    if (a_const["sval"].valid()) return std::string(a_const["sval"]["sval"].Str());
    if (a_const["ival"].valid()) return std::to_string(a_const["ival"]["ival"].Int(0));
    if (a_const["fval"].valid()) return std::string(a_const["fval"]["fval"].Str());
    if (a_const["boolval"].valid()) return a_const["boolval"]["boolval"].Bool() ? "true" : "false";
    return "";
  }

  Expr ToExpr(Value node, int depth = 0) const {
    Expr e;
    const std::string_view kind = node.FirstKey();
    Value v = node.First();
    e.location = Loc(v);
    if (depth > 200) return e;
    if (kind == "A_Const") {
      e.kind = v["isnull"].Bool() ? Expr::Kind::kNull : Expr::Kind::kConst;
      e.name = ConstText(v);
    } else if (kind == "FuncCall") {
      e.kind = Expr::Kind::kFunction;
      std::vector<std::string> names = Strings(v["funcname"]);
      if (!names.empty()) e.name = Lower(names.back());
      for (Value a : v["args"].Items()) e.args.push_back(ToExpr(a, depth + 1));
    } else if (kind == "SQLValueFunction") {
      e.kind = Expr::Kind::kSqlValueFunction;
      e.name = Lower(StripPrefix(v["op"].Str(), "SVFOP_"));
    } else if (kind == "TypeCast") {
      e.kind = Expr::Kind::kCast;
      e.cast_type = Type(v["typeName"]).name;
      e.args.push_back(ToExpr(v["arg"], depth + 1));
    } else if (kind == "A_Expr") {
      e.kind = Expr::Kind::kOperator;
      std::vector<std::string> names = Strings(v["name"]);
      if (!names.empty()) e.name = names.back();
      if (v["lexpr"].valid()) e.args.push_back(ToExpr(v["lexpr"], depth + 1));
      if (v["rexpr"].valid()) e.args.push_back(ToExpr(v["rexpr"], depth + 1));
    } else if (kind == "ColumnRef") {
      e.kind = Expr::Kind::kColumn;
      std::vector<std::string> names = Strings(v["fields"]);
      if (!names.empty()) e.name = names.back();
    } else if (kind == "NullTest") {
      e.kind = Expr::Kind::kOther;
      e.name = v["nulltesttype"].Str() == "IS_NOT_NULL" ? "is not null" : "is null";
      e.args.push_back(ToExpr(v["arg"], depth + 1));
    } else if (kind == "SubLink") {
      e.kind = Expr::Kind::kSubquery;
    } else {
      e.kind = Expr::Kind::kOther;
      e.name = std::string(kind);
      CollectNested(v, e.args, depth + 1);
    }
    return e;
  }

  // Nested expression nodes of an unknown node kind (CASE, COALESCE, arrays, ...).
  void CollectNested(Value v, std::vector<Expr>& out, int depth) const {
    auto visit = [&](Value m) {
      if (m.IsObject()) {
        const std::string_view k = m.FirstKey();
        if (!k.empty() && std::isupper(static_cast<unsigned char>(k[0]))) {
          out.push_back(ToExpr(m, depth));
        } else {
          CollectNested(m, out, depth + 1);
        }
      } else if (m.IsArray()) {
        CollectNested(m, out, depth + 1);
      }
    };
    for (Value m : v.Members()) visit(m);  // v is an object or an array
    for (Value m : v.Items()) visit(m);
  }

  Constraint ToConstraint(Value c) {
    enum {
      kContype,
      kConname,
      kFkAttrs,
      kKeys,
      kIndexname,
      kSkipValidation,
      kRawExpr,
      kGeneratedWhen,
      kLocation,
      kPktable,
      kPkAttrs,
      kFkDelAction,
      kFkUpdAction,
    };
    static constexpr std::array<std::string_view, 13> kFields = {
        "contype",         "conname",       "fk_attrs",       "keys",     "indexname",
        "skip_validation", "raw_expr",      "generated_when", "location", "pktable",
        "pk_attrs",        "fk_del_action", "fk_upd_action"};
    const auto f = c.Pick(kFields);
    Constraint out;
    const std::string_view t = f[kContype].Str();
    using K = Constraint::Kind;
    if (t == "CONSTR_NOTNULL")
      out.kind = K::kNotNull;
    else if (t == "CONSTR_NULL")
      out.kind = K::kNull;
    else if (t == "CONSTR_DEFAULT")
      out.kind = K::kDefault;
    else if (t == "CONSTR_CHECK")
      out.kind = K::kCheck;
    else if (t == "CONSTR_PRIMARY")
      out.kind = K::kPrimaryKey;
    else if (t == "CONSTR_UNIQUE")
      out.kind = K::kUnique;
    else if (t == "CONSTR_EXCLUSION")
      out.kind = K::kExclusion;
    else if (t == "CONSTR_FOREIGN")
      out.kind = K::kForeignKey;
    else if (t == "CONSTR_IDENTITY")
      out.kind = K::kIdentity;
    else if (t == "CONSTR_GENERATED")
      out.kind = K::kGenerated;
    out.name = std::string(f[kConname].Str());
    out.columns = Strings(out.kind == K::kForeignKey ? f[kFkAttrs] : f[kKeys]);
    out.using_index = std::string(f[kIndexname].Str());
    out.not_valid = f[kSkipValidation].Bool();
    if (f[kRawExpr].valid()) out.expr = ToExpr(f[kRawExpr]);
    const std::string_view gw = f[kGeneratedWhen].Str();
    out.generated_when = gw.empty() ? 0 : gw[0];
    out.location = At(f[kLocation]);
    if (out.kind == K::kForeignKey) {
      out.ref_table = RangeVar(f[kPktable]);
      out.ref_columns = Strings(f[kPkAttrs]);
      const std::string_view del = f[kFkDelAction].Str(), upd = f[kFkUpdAction].Str();
      out.on_delete = del.empty() ? 'a' : del[0];
      out.on_update = upd.empty() ? 'a' : upd[0];
      out.on_delete_explicit = out.on_delete != 'a';
    }
    starts_.push_back(out.location);
    return out;
  }

  // `raw_default` receives the column's raw_default member (ALTER COLUMN ... TYPE ... USING).
  ColumnDef ToColumn(Value cd, Value* raw_default = nullptr) {
    enum { kColname, kTypeName, kLocation, kConstraints, kRawDefault };
    static constexpr std::array<std::string_view, 5> kKeys = {"colname", "typeName", "location",
                                                              "constraints", "raw_default"};
    const auto f = cd.Pick(kKeys);
    ColumnDef col;
    col.name = std::string(f[kColname].Str());
    col.type = Type(f[kTypeName]);
    col.location = At(f[kLocation]);
    starts_.push_back(col.location);
    for (Value c : f[kConstraints].Items())
      col.constraints.push_back(ToConstraint(c["Constraint"]));
    if (raw_default != nullptr) *raw_default = f[kRawDefault];
    return col;
  }

  // Whether each foreign key with the default action spelled ON DELETE: looks at the tokens
  // between the constraint and the next element of the statement.
  void FixOnDelete(std::vector<Constraint*> fks) {
    std::sort(starts_.begin(), starts_.end());
    for (Constraint* fk : fks) {
      if (fk->on_delete_explicit) continue;
      auto next = std::upper_bound(starts_.begin(), starts_.end(), fk->location);
      const std::size_t begin = fk->location - start_;
      const std::size_t end = next == starts_.end() ? text_.size() : *next - start_;
      if (begin < end && end <= text_.size()) {
        fk->on_delete_explicit = HasOnDeleteClause(text_.substr(begin, end - begin));
      }
    }
  }

  static void CollectForeignKeys(std::vector<Constraint>& cs, std::vector<Constraint*>& out) {
    for (Constraint& c : cs) {
      if (c.kind == Constraint::Kind::kForeignKey) out.push_back(&c);
    }
  }

  CreateTable ToCreateTable(Value v) {
    enum { kRelation, kIfNotExists, kPartspec, kPartbound, kInhRelations, kTableElts };
    static constexpr std::array<std::string_view, 6> kKeys = {
        "relation", "if_not_exists", "partspec", "partbound", "inhRelations", "tableElts"};
    const auto f = v.Pick(kKeys);
    CreateTable t;
    t.table = RangeVar(f[kRelation]);
    t.temporary = f[kRelation]["relpersistence"].Str() == "t";
    t.if_not_exists = f[kIfNotExists].Bool();
    t.partitioned = f[kPartspec].valid();
    if (f[kPartbound].valid()) {
      Value parent = f[kInhRelations].At(0);
      if (parent.valid()) t.partition_of = RangeVar(parent["RangeVar"]);
    }
    for (Value elt : f[kTableElts].Items()) {
      const std::string_view kind = elt.FirstKey();  // one member: the node
      if (kind == "ColumnDef") t.columns.push_back(ToColumn(elt.First()));
      if (kind == "Constraint") t.constraints.push_back(ToConstraint(elt.First()));
    }
    std::vector<Constraint*> fks;
    for (ColumnDef& c : t.columns) CollectForeignKeys(c.constraints, fks);
    CollectForeignKeys(t.constraints, fks);
    FixOnDelete(fks);
    return t;
  }

  AlterTableCmd ToAlterCmd(Value c) {
    enum { kSubtype, kName, kBehavior, kMissingOk, kDef };
    static constexpr std::array<std::string_view, 5> kKeys = {"subtype", "name", "behavior",
                                                              "missing_ok", "def"};
    const auto f = c.Pick(kKeys);
    AlterTableCmd cmd;
    cmd.subtype = std::string(StripPrefix(f[kSubtype].Str(), "AT_"));
    cmd.name = std::string(f[kName].Str());
    cmd.cascade = f[kBehavior].Str() == "DROP_CASCADE";
    cmd.missing_ok = f[kMissingOk].Bool();
    cmd.location = start_;
    Value def = f[kDef];
    const std::string_view kind = def.FirstKey();
    if (kind == "ColumnDef") {
      Value raw_default;
      cmd.column = ToColumn(def.First(), &raw_default);
      cmd.has_using = raw_default.valid();
      cmd.location = cmd.column->location;
    } else if (kind == "Constraint") {
      cmd.constraint = ToConstraint(def.First());
      cmd.location = cmd.constraint->location;
    } else if (kind == "PartitionCmd") {
      Value pc = def["PartitionCmd"];
      cmd.partition = RangeVar(pc["name"]);
      cmd.concurrent = pc["concurrent"].Bool();
      cmd.partition_default = pc["bound"]["is_default"].Bool();
      cmd.location = cmd.partition->location;
    } else if (kind == "ReplicaIdentityStmt") {
      const std::string_view it = def["ReplicaIdentityStmt"]["identity_type"].Str();
      cmd.replica_identity = it.empty() ? 0 : it[0];
    } else if (kind == "List") {
      for (Value item : def["List"]["items"].Items()) {
        Value de = item["DefElem"];
        if (!de.valid()) continue;
        std::string value;
        Value arg = de["arg"];
        const std::string_view ak = arg.FirstKey();
        if (ak == "String") value = std::string(arg["String"]["sval"].Str());
        if (ak == "Integer") value = std::to_string(arg["Integer"]["ival"].Int(0));
        if (ak == "Boolean") value = arg["Boolean"]["boolval"].Bool() ? "true" : "false";
        if (ak == "TypeName") value = Type(arg["TypeName"]).name;
        if (ak == "Float") value = std::string(arg["Float"]["fval"].Str());
        cmd.options.emplace_back(Lower(de["defname"].Str()), value);
      }
    } else if (def.valid() && cmd.subtype == "ColumnDefault") {
      cmd.expr = ToExpr(def);
    }
    return cmd;
  }

  AlterTable ToAlterTable(Value v) {
    AlterTable a;
    a.table = RangeVar(v["relation"]);
    a.object_type = std::string(StripPrefix(v["objtype"].Str(), "OBJECT_"));
    a.missing_ok = v["missing_ok"].Bool();
    for (Value c : v["cmds"].Items()) a.cmds.push_back(ToAlterCmd(c["AlterTableCmd"]));
    // DROP COLUMN / DROP CONSTRAINT carry no location in the tree: find the names' tokens.
    std::size_t from = 0;
    for (AlterTableCmd& cmd : a.cmds) {
      if (cmd.subtype != "DropColumn" && cmd.subtype != "DropConstraint") continue;
      if (const auto at = LocateNameAfter(text_, "drop", cmd.name, from)) {
        cmd.location = start_ + *at;
        from = *at;
      }
    }
    std::vector<Constraint*> fks;
    for (AlterTableCmd& cmd : a.cmds) {
      if (cmd.column) CollectForeignKeys(cmd.column->constraints, fks);
      if (cmd.constraint && cmd.constraint->kind == Constraint::Kind::kForeignKey) {
        fks.push_back(&*cmd.constraint);
      }
    }
    FixOnDelete(fks);
    return a;
  }

  CreateIndex ToCreateIndex(Value v) {
    enum {
      kIdxname,
      kRelation,
      kIndexParams,
      kUnique,
      kConcurrent,
      kIfNotExists,
      kWhereClause,
      kAccessMethod
    };
    static constexpr std::array<std::string_view, 8> kKeys = {
        "idxname",    "relation",      "indexParams", "unique",
        "concurrent", "if_not_exists", "whereClause", "accessMethod"};
    const auto f = v.Pick(kKeys);
    CreateIndex i;
    i.name = std::string(f[kIdxname].Str());
    i.table = RangeVar(f[kRelation]);
    i.only = !f[kRelation]["inh"].Bool();
    for (Value e : f[kIndexParams].Items()) i.columns.emplace_back(e["IndexElem"]["name"].Str());
    i.unique = f[kUnique].Bool();
    i.concurrent = f[kConcurrent].Bool();
    i.if_not_exists = f[kIfNotExists].Bool();
    i.partial = f[kWhereClause].valid();
    i.method = std::string(f[kAccessMethod].Str());
    return i;
  }

  Drop ToDrop(Value v) {
    Drop d;
    d.object_type = std::string(StripPrefix(v["removeType"].Str(), "OBJECT_"));
    d.cascade = v["behavior"].Str() == "DROP_CASCADE";
    d.missing_ok = v["missing_ok"].Bool();
    d.concurrent = v["concurrent"].Bool();
    std::vector<std::vector<std::string>> written;  // parts of each List / String object
    for (Value o : v["objects"].Items()) {
      const std::string_view k = o.FirstKey();
      if (k == "List") {
        d.objects.push_back(NameFromList(o["List"]["items"], start_));
        written.push_back(Strings(o["List"]["items"]));
      } else if (k == "String") {
        QualifiedName n;
        n.name = std::string(o["String"]["sval"].Str());
        n.location = start_;
        d.objects.push_back(n);
        written.push_back({n.name});
      } else if (k == "TypeName") {
        TypeRef t = Type(o["TypeName"]);
        d.objects.push_back({t.schema, t.name, t.location});
      }
    }
    // The tree has no locations for these names; the tokens do.
    if (!written.empty() && written.size() == d.objects.size()) {
      const std::vector<std::size_t> at = LocateTrailingNames(text_, written);
      for (std::size_t i = 0; i < at.size(); ++i) d.objects[i].location = start_ + at[i];
    }
    return d;
  }

  std::vector<QualifiedName> RangeVars(Value list) const {
    std::vector<QualifiedName> out;
    for (Value r : list.Items()) out.push_back(RangeVar(r["RangeVar"]));
    return out;
  }

  static bool HasOption(Value defelems, std::string_view name) {
    for (Value d : defelems.Items()) {
      if (Lower(d["DefElem"]["defname"].Str()) == name) {
        Value arg = d["DefElem"]["arg"];
        // FULL false / CONCURRENTLY false switch the option off.
        if (arg.valid() && arg.FirstKey() == "Boolean") return arg["Boolean"]["boolval"].Bool();
        if (arg.valid() && arg.FirstKey() == "String") {
          const std::string v = Lower(arg["String"]["sval"].Str());
          return v != "false" && v != "off" && v != "0";
        }
        return true;
      }
    }
    return false;
  }

  std::string_view text_;
  std::size_t start_;
  std::size_t loc_base_;
  std::vector<std::size_t> starts_;
};

StatementBody Converter::Convert(std::string_view node, Value v) {
  if (node == "CreateStmt") return ToCreateTable(v);
  if (node == "AlterTableStmt") return ToAlterTable(v);
  if (node == "IndexStmt") return ToCreateIndex(v);
  if (node == "DropStmt") return ToDrop(v);
  if (node == "DropdbStmt") {
    DropDatabase d{std::string(v["dbname"].Str()), start_};
    const std::vector<std::size_t> at = LocateTrailingNames(text_, {{d.name}});
    if (!at.empty()) d.location = start_ + at[0];
    return d;
  }
  if (node == "ReindexStmt") {
    Reindex r;
    r.kind = std::string(StripPrefix(v["kind"].Str(), "REINDEX_OBJECT_"));
    if (v["relation"].valid()) {
      r.target = RangeVar(v["relation"]);
    } else {
      r.target.name = std::string(v["name"].Str());
      r.target.location = start_;
    }
    r.concurrent = HasOption(v["params"], "concurrently");
    return r;
  }
  if (node == "TransactionStmt") {
    using K = Transaction::Kind;
    const std::string_view k = StripPrefix(v["kind"].Str(), "TRANS_STMT_");
    Transaction t;
    if (k == "BEGIN" || k == "START")
      t.kind = K::kBegin;
    else if (k == "COMMIT")
      t.kind = K::kCommit;
    else if (k == "ROLLBACK")
      t.kind = K::kRollback;
    else if (k == "SAVEPOINT")
      t.kind = K::kSavepoint;
    else if (k == "RELEASE")
      t.kind = K::kRelease;
    else if (k == "ROLLBACK_TO")
      t.kind = K::kRollbackTo;
    else if (k == "PREPARE")
      t.kind = K::kPrepare;
    else if (k == "COMMIT_PREPARED")
      t.kind = K::kCommitPrepared;
    else
      t.kind = K::kRollbackPrepared;
    return t;
  }
  if (node == "VariableSetStmt") {
    SetVariable s;
    const std::string_view k = v["kind"].Str();
    s.name = Lower(v["name"].Str());
    s.local = v["is_local"].Bool();
    s.reset = k == "VAR_RESET" || k == "VAR_RESET_ALL" || k == "VAR_SET_DEFAULT";
    Value arg = v["args"].At(0)["A_Const"];
    if (arg.valid()) s.value = ConstText(arg);
    return s;
  }
  if (node == "UpdateStmt" || node == "DeleteStmt" || node == "InsertStmt" || node == "MergeStmt") {
    Dml d;
    d.kind = node == "UpdateStmt"   ? Dml::Kind::kUpdate
             : node == "DeleteStmt" ? Dml::Kind::kDelete
             : node == "InsertStmt" ? Dml::Kind::kInsert
                                    : Dml::Kind::kMerge;
    d.table = RangeVar(v["relation"]);
    d.has_where = v["whereClause"].valid();
    if (d.kind == Dml::Kind::kUpdate) {
      for (Value t : v["targetList"].Items())
        d.set_columns.emplace_back(t["ResTarget"]["name"].Str());
    }
    return d;
  }
  if (node == "RenameStmt") {
    Rename r;
    r.object_type = std::string(StripPrefix(v["renameType"].Str(), "OBJECT_"));
    if (v["relation"].valid())
      r.relation = RangeVar(v["relation"]);
    else
      r.relation.location = start_;
    r.old_name = std::string(v["subname"].Str());
    r.new_name = std::string(v["newname"].Str());
    return r;
  }
  if (node == "AlterEnumStmt") {
    AlterEnum e;
    e.type = NameFromList(v["typeName"], start_);
    e.new_value = std::string(v["newVal"].Str());
    e.old_value = std::string(v["oldVal"].Str());
    e.neighbor = std::string(v["newValNeighbor"].Str());
    e.if_not_exists = v["skipIfNewValExists"].Bool();
    return e;
  }
  if (node == "CreateEnumStmt") {
    CreateEnum e;
    e.type = NameFromList(v["typeName"], start_);
    e.values = Strings(v["vals"]);
    return e;
  }
  if (node == "CreateDomainStmt") {
    CreateDomain d;
    d.domain = NameFromList(v["domainname"], start_);
    for (Value c : v["constraints"].Items()) {
      if (c["Constraint"]["contype"].Str() == "CONSTR_CHECK") d.has_check = true;
    }
    return d;
  }
  if (node == "AlterDomainStmt") {
    AlterDomain d;
    d.domain = NameFromList(v["typeName"], start_);
    const std::string_view st = v["subtype"].Str();
    d.subtype = st.empty() ? 0 : st[0];
    Value c = v["def"]["Constraint"];
    d.adds_check = d.subtype == 'C' && c["contype"].Str() == "CONSTR_CHECK";
    d.not_valid = c["skip_validation"].Bool();
    return d;
  }
  if (node == "VacuumStmt") {
    Vacuum vac;
    vac.vacuum = v["is_vacuumcmd"].Bool();
    vac.full = HasOption(v["options"], "full");
    for (Value r : v["rels"].Items())
      vac.tables.push_back(RangeVar(r["VacuumRelation"]["relation"]));
    return vac;
  }
  if (node == "ClusterStmt") {
    Cluster c;
    if (v["relation"].valid()) c.table = RangeVar(v["relation"]);
    return c;
  }
  if (node == "RefreshMatViewStmt") {
    return RefreshMatView{RangeVar(v["relation"]), v["concurrent"].Bool()};
  }
  if (node == "LockStmt") {
    return LockTable{RangeVars(v["relations"]), static_cast<int>(v["mode"].Int(8))};
  }
  if (node == "TruncateStmt") {
    return Truncate{RangeVars(v["relations"]), v["behavior"].Str() == "DROP_CASCADE"};
  }
  if (node == "CreateTrigStmt") {
    return CreateTrigger{std::string(v["trigname"].Str()), RangeVar(v["relation"])};
  }
  if (node == "ViewStmt" || node == "CreateTableAsStmt") {
    const bool matview = v["objtype"].Str() == "OBJECT_MATVIEW";
    if (node == "CreateTableAsStmt" && !matview) {
      CreateTable t;
      t.table = RangeVar(v["into"]["rel"]);
      t.as_select = true;
      return t;
    }
    CreateView cv;
    cv.materialized = matview;
    cv.view = RangeVar(node == "ViewStmt" ? v["view"] : v["into"]["rel"]);
    Value select = node == "ViewStmt" ? v["query"]["SelectStmt"] : v["query"]["SelectStmt"];
    for (Value t : select["targetList"].Items()) {
      Value rt = t["ResTarget"];
      std::string name(rt["name"].Str());
      if (name.empty() && rt["val"]["ColumnRef"].valid()) {
        std::vector<std::string> f = Strings(rt["val"]["ColumnRef"]["fields"]);
        if (!f.empty()) name = f.back();
      }
      cv.columns.push_back(name);
    }
    return cv;
  }
  return Other{};
}

}  // namespace

namespace {

// libpg_query's JSON for `text` as a simdjson document. One parser per thread: its buffers are
// reused from call to call.
bool ReadTree(const char* json, Value& root) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json, std::strlen(json)).get(doc) != simdjson::SUCCESS) return false;
  root = Value(doc);
  return true;
}

// Converts the statement node {"CreateStmt": {...}} into `st`; `loc_base` is the offset of the
// text libpg_query parsed.
void ConvertNode(Value node, std::size_t loc_base, Statement& st) {
  st.node = std::string(node.FirstKey());
  Converter conv(st.text, st.offset, loc_base);
  st.body = conv.Convert(st.node, node.First());
}

}  // namespace

Statement ParseStatement(std::string_view script, const StatementSpan& span) {
  Statement st;
  st.offset = span.offset;
  st.length = span.length;
  st.text = script.substr(span.offset, span.length);
  const std::string buf(st.text);
  PgQueryParseResult r = pg_query_parse(buf.c_str());
  if (r.error != nullptr) {
    const std::size_t at = ByteOffsetOfCursor(st.text, r.error->cursorpos);
    st.error = ParseError{span.offset + at, r.error->message ? r.error->message : "syntax error"};
  } else {
    Value root;
    if (!ReadTree(r.parse_tree, root)) {
      st.error = ParseError{span.offset, "internal: unreadable parse tree"};
    } else {
      Value node = root["stmts"].At(0)["stmt"];
      if (node.valid()) ConvertNode(node, span.offset, st);
    }
  }
  pg_query_free_parse_result(r);
  return st;
}

std::size_t IndexNameLocation(const Statement& s) {
  const auto* ci = s.As<CreateIndex>();
  if (ci == nullptr) return s.offset;
  return s.offset + LocateNameBefore(s.text, "on", ci->name).value_or(0);
}

std::size_t RawParse(std::string_view sql) {
  const std::string buf(sql);
  PgQueryParseResult r = pg_query_parse(buf.c_str());
  const std::size_t n =
      r.error == nullptr && r.parse_tree != nullptr ? std::strlen(r.parse_tree) : 0;
  pg_query_free_parse_result(r);
  return n;
}

namespace {

// Runs work(i) for i in [0, n) on up to `threads` threads (the calling one included), handing
// out `block` indexes at a time.
template <typename Fn>
void RunParallel(std::size_t n, std::size_t threads, std::size_t block, Fn work) {
  std::atomic<std::size_t> next{0};
  auto loop = [&] {
    while (true) {
      const std::size_t begin = next.fetch_add(block);
      if (begin >= n) return;
      const std::size_t end = std::min(n, begin + block);
      for (std::size_t i = begin; i < end; ++i) work(i);
    }
  };
  threads = std::max<std::size_t>(1, std::min(threads, (n + block - 1) / block));
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < threads; ++i) pool.emplace_back(loop);
  loop();
  for (std::thread& t : pool) t.join();
}

unsigned Cores() {
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

std::vector<Statement> ParseStatements(std::string_view script,
                                       const std::vector<StatementSpan>& spans) {
  std::vector<Statement> out(spans.size());
  constexpr std::size_t kBlock = 64;
  const std::size_t threads = std::min<std::size_t>(Cores(), spans.size() / kBlock);
  RunParallel(spans.size(), threads, kBlock,
              [&](std::size_t i) { out[i] = ParseStatement(script, spans[i]); });
  return out;
}

namespace {

// What one chunk of a script turned into. `ok` is false when libpg_query rejected the chunk:
// then neither this chunk nor anything after it can be trusted (see ParseScript).
struct Chunk {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool ok = false;
  std::vector<StatementSpan> spans;
  std::vector<Comment> comments;
  std::vector<Statement> statements;
};

// One pg_query_parse for the whole chunk; statements are cut from the tree's stmt_location and
// stmt_len, trimmed to their first and last tokens like ScanScript does.
void ParseChunk(std::string_view sql, Chunk& chunk) {
  const std::string buf(sql.substr(chunk.begin, chunk.end - chunk.begin));
  PgQueryParseResult r = pg_query_parse(buf.c_str());
  Value root;
  chunk.ok = r.error == nullptr && ReadTree(r.parse_tree, root);
  if (chunk.ok) {
    std::size_t covered = chunk.begin;  // end of the last piece handled
    const Value stmts = root["stmts"];
    chunk.spans.reserve(stmts.Size());
    chunk.statements.reserve(stmts.Size());
    for (Value raw : stmts.Items()) {
      const std::size_t begin = chunk.begin + static_cast<std::size_t>(raw["stmt_location"].Int());
      const std::int64_t len = raw["stmt_len"].Int();  // 0: up to the end of the chunk
      const std::size_t end = len == 0 ? chunk.end : begin + static_cast<std::size_t>(len);
      if (begin < covered || end > chunk.end || begin > end) {
        chunk.ok = false;  // not what libpg_query promises; let the slow path decide
        break;
      }
      CollectGapComments(sql, covered, begin, chunk.comments);
      covered = end;
      const std::optional<StatementSpan> span = SpanOfPiece(sql, begin, end, chunk.comments);
      if (!span) continue;
      Statement st;
      st.offset = span->offset;
      st.length = span->length;
      st.text = span->text;
      ConvertNode(raw["stmt"], chunk.begin, st);
      chunk.spans.push_back(*span);
      chunk.statements.push_back(std::move(st));
    }
    if (chunk.ok) CollectGapComments(sql, covered, chunk.end, chunk.comments);
  }
  pg_query_free_parse_result(r);
}

// Chunk ends: the first line end after a ';' at least `chunk_bytes` past the previous end. A
// ';' inside a string or comment makes a bad cut, but then the chunk before it fails to parse
// (an unterminated literal, or a statement cut short), and ParseScript falls back.
std::vector<std::size_t> ChunkEnds(std::string_view sql, std::size_t chunk_bytes) {
  std::vector<std::size_t> ends;
  std::size_t pos = 0;
  while (true) {
    std::size_t at = pos + std::max<std::size_t>(1, chunk_bytes);
    std::size_t cut = std::string_view::npos;
    while (at < sql.size()) {
      const std::size_t semi = sql.find(';', at);
      if (semi == std::string_view::npos) break;
      std::size_t nl = semi + 1;
      if (nl < sql.size() && sql[nl] == '\r') ++nl;
      if (nl < sql.size() && sql[nl] == '\n') {
        cut = nl + 1;
        break;
      }
      at = semi + 1;
    }
    if (cut == std::string_view::npos || cut >= sql.size()) break;
    ends.push_back(cut);
    pos = cut;
  }
  ends.push_back(sql.size());
  return ends;
}

}  // namespace

ParsedScript ParseScript(std::string_view sql, const ParseOptions& options) {
  ParsedScript out;
  std::size_t fallback_from = 0;
  if (sql.find('\0') == std::string_view::npos) {
    std::vector<Chunk> chunks;
    std::size_t begin = 0;
    for (std::size_t end : ChunkEnds(sql, options.chunk_bytes)) {
      chunks.push_back({begin, end});
      begin = end;
    }
    RunParallel(chunks.size(), options.threads, 1,
                [&](std::size_t i) { ParseChunk(sql, chunks[i]); });
    // The first chunk starts at a statement boundary; a chunk that parsed proves that the next
    // one does too. From the first chunk that failed on, the slow path takes over.
    fallback_from = sql.size();
    std::size_t total = 0;
    for (const Chunk& c : chunks) total += c.statements.size();
    out.scan.statements.reserve(total);
    out.statements.reserve(total);
    for (Chunk& c : chunks) {
      if (!c.ok) {
        fallback_from = c.begin;
        break;
      }
      out.scan.statements.insert(out.scan.statements.end(), c.spans.begin(), c.spans.end());
      out.scan.comments.insert(out.scan.comments.end(), c.comments.begin(), c.comments.end());
      std::move(c.statements.begin(), c.statements.end(), std::back_inserter(out.statements));
    }
    if (fallback_from == sql.size()) return out;
  }
  // Statement by statement, so that one syntax error does not hide the others.
  ScriptScan rest = ScanScript(sql.substr(fallback_from));
  std::vector<StatementSpan> spans = std::move(rest.statements);
  for (StatementSpan& s : spans) s.offset += fallback_from;
  for (Comment& c : rest.comments) c.offset += fallback_from;
  if (rest.error) rest.error->offset += fallback_from;
  std::vector<Statement> parsed(spans.size());
  RunParallel(spans.size(), options.threads, 64,
              [&](std::size_t i) { parsed[i] = ParseStatement(sql, spans[i]); });
  out.scan.statements.insert(out.scan.statements.end(), spans.begin(), spans.end());
  out.scan.comments.insert(out.scan.comments.end(), rest.comments.begin(), rest.comments.end());
  out.scan.error = std::move(rest.error);
  std::move(parsed.begin(), parsed.end(), std::back_inserter(out.statements));
  return out;
}

}  // namespace stairway::sql
