// libpg_query parse trees -> the typed views of ast.h, converted once per statement.
#include "runner/sql/parse.h"

#include <pg_query.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <thread>

#include "runner/sql/script.h"

// PostgreSQL's headers last: they define macros (Max, foreach, printf, ...) that nothing above
// may see.
extern "C" {
#include <pg_query/pg_query_internal.h>

#include "catalog/pg_class.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
}

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

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Views on the parse tree: a missing node, list or string reads as empty, like a missing part
// of the statement would.
const char* NodeName(const Node* n) {
  if (n == nullptr) return "";
  switch (nodeTag(n)) {
#define X(name)  \
  case T_##name: \
    return #name;
#include "pg/node_tags.inc"
#undef X
    default:
      return "";
  }
}

std::string_view AlterTableTypeName(AlterTableType t) {
  switch (t) {
#define X(name)   \
  case AT_##name: \
    return #name;
#include "pg/alter_table_types.inc"
#undef X
  }
  return "";
}

std::string_view ObjectTypeName(ObjectType t) {
  switch (t) {
#define X(name)       \
  case OBJECT_##name: \
    return #name;
#include "pg/object_types.inc"
#undef X
  }
  return "";
}

std::string_view ReindexKindName(ReindexObjectType t) {
  switch (t) {
#define X(name)               \
  case REINDEX_OBJECT_##name: \
    return #name;
#include "pg/reindex_object_types.inc"
#undef X
  }
  return "";
}

std::string_view SqlValueFunctionName(SQLValueFunctionOp op) {
  switch (op) {
#define X(name)      \
  case SVFOP_##name: \
    return #name;
#include "pg/sql_value_functions.inc"
#undef X
  }
  return "";
}

std::string_view Str(const char* s) {
  return s == nullptr ? std::string_view() : std::string_view(s);
}

// The node as T when its tag is `tag`, else null.
template <typename T>
const T* As(const Node* n, NodeTag tag) {
  return n != nullptr && nodeTag(n) == tag ? reinterpret_cast<const T*>(n) : nullptr;
}
#define STAIRWAY_AS(type, node) As<::type>(node, T_##type)

// The elements of a List (NIL is empty), for range-for.
class Nodes {
 public:
  explicit Nodes(const List* list) : list_(list) {}
  class Iterator {
   public:
    explicit Iterator(const ListCell* c) : c_(c) {}
    const Node* operator*() const { return static_cast<const Node*>(c_->ptr_value); }
    Iterator& operator++() {
      ++c_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return c_ != o.c_; }

   private:
    const ListCell* c_;
  };
  Iterator begin() const { return Iterator(list_ != nullptr ? list_->elements : nullptr); }
  Iterator end() const {
    return Iterator(list_ != nullptr ? list_->elements + list_->length : nullptr);
  }
  std::size_t size() const {
    return list_ != nullptr ? static_cast<std::size_t>(list_->length) : 0;
  }
  const Node* front() const { return size() > 0 ? *begin() : nullptr; }

 private:
  const List* list_;
};

// The location field of an expression node, -1 when it has none.
int LocationOf(const Node* n) {
  if (n == nullptr) return -1;
  switch (nodeTag(n)) {
#define LOC(type) \
  case T_##type:  \
    return reinterpret_cast<const ::type*>(n)->location;
    LOC(A_Const)
    LOC(FuncCall)
    LOC(SQLValueFunction)
    LOC(TypeCast)
    LOC(A_Expr)
    LOC(ColumnRef)
    LOC(NullTest)
    LOC(SubLink)
    LOC(BoolExpr)
    LOC(CaseExpr)
    LOC(CaseWhen)
    LOC(CoalesceExpr)
    LOC(MinMaxExpr)
    LOC(A_ArrayExpr)
    LOC(RowExpr)
    LOC(BooleanTest)
    LOC(CollateClause)
    LOC(ParamRef)
    LOC(NamedArgExpr)
    LOC(XmlExpr)
    LOC(XmlSerialize)
    LOC(GroupingFunc)
    LOC(SetToDefault)
    LOC(ResTarget)
    LOC(TypeName)
    LOC(RangeVar)
#undef LOC
    default:
      return -1;
  }
}

// Converts one statement of the parse tree into the typed views of ast.h.
class Converter {
 public:
  // `start` is the statement's offset in the script, `loc_base` the offset of the text
  // libpg_query parsed (the statement itself, or the chunk it came in).
  Converter(std::string_view stmt_text, std::size_t start, std::size_t loc_base)
      : text_(stmt_text), start_(start), loc_base_(loc_base) {}

  StatementBody Convert(const Node* stmt);

 private:
  // The offset in the script of a tree location (the statement start if there is none).
  std::size_t At(int location) const {
    return location < 0 ? start_ : loc_base_ + static_cast<std::size_t>(location);
  }

  static std::vector<std::string> Strings(const List* list) {
    std::vector<std::string> out;
    for (const Node* item : Nodes(list)) {
      if (const auto* s = STAIRWAY_AS(String, item)) out.emplace_back(Str(s->sval));
    }
    return out;
  }

  QualifiedName RangeVar(const ::RangeVar* rv) const {
    QualifiedName n;
    if (rv == nullptr) {
      n.location = start_;
      return n;
    }
    n.schema = std::string(Str(rv->schemaname));
    n.name = std::string(Str(rv->relname));
    n.location = At(rv->location);
    return n;
  }

  QualifiedName NameFromList(const List* list, std::size_t location) const {
    std::vector<std::string> parts = Strings(list);
    QualifiedName n;
    n.location = location;
    if (!parts.empty()) n.name = parts.back();
    if (parts.size() >= 2) n.schema = parts[parts.size() - 2];
    return n;
  }

  TypeRef Type(const TypeName* tn) const {
    TypeRef t;
    if (tn == nullptr) {
      t.location = start_;
      return t;
    }
    std::string_view last, before_last;  // schema and name are the last two parts
    for (const Node* item : Nodes(tn->names)) {
      const auto* part = STAIRWAY_AS(String, item);
      if (part == nullptr) continue;
      before_last = last;
      last = Str(part->sval);
    }
    t.name = std::string(last);
    t.schema = std::string(before_last);
    for (const Node* m : Nodes(tn->typmods)) {
      const auto* c = STAIRWAY_AS(A_Const, m);
      const bool integer = c != nullptr && !c->isnull && nodeTag(&c->val) == T_Integer;
      t.mods.push_back(integer ? static_cast<long>(c->val.ival.ival) : 0);
    }
    t.array = tn->arrayBounds != NIL;
    t.location = At(tn->location);
    return t;
  }

  static std::string ConstText(const A_Const* c) {
    if (c == nullptr || c->isnull) return "";
    switch (nodeTag(&c->val)) {
      case T_String:
        return std::string(Str(c->val.sval.sval));
      case T_Integer:
        return std::to_string(c->val.ival.ival);
      case T_Float:
        return std::string(Str(c->val.fval.fval));
      case T_Boolean:
        return c->val.boolval.boolval ? "true" : "false";
      default:
        return "";
    }
  }

  Expr ToExpr(const Node* node, int depth = 0) const {
    Expr e;
    e.location = At(LocationOf(node));
    if (depth > 200 || node == nullptr) return e;
    if (const auto* c = STAIRWAY_AS(A_Const, node)) {
      e.kind = c->isnull ? Expr::Kind::kNull : Expr::Kind::kConst;
      e.name = ConstText(c);
    } else if (const auto* f = STAIRWAY_AS(FuncCall, node)) {
      e.kind = Expr::Kind::kFunction;
      std::vector<std::string> names = Strings(f->funcname);
      if (!names.empty()) e.name = Lower(names.back());
      for (const Node* a : Nodes(f->args)) e.args.push_back(ToExpr(a, depth + 1));
    } else if (const auto* svf = STAIRWAY_AS(SQLValueFunction, node)) {
      e.kind = Expr::Kind::kSqlValueFunction;
      e.name = Lower(SqlValueFunctionName(svf->op));
    } else if (const auto* tc = STAIRWAY_AS(TypeCast, node)) {
      e.kind = Expr::Kind::kCast;
      e.cast_type = Type(tc->typeName).name;
      e.args.push_back(ToExpr(tc->arg, depth + 1));
    } else if (const auto* ae = STAIRWAY_AS(A_Expr, node)) {
      e.kind = Expr::Kind::kOperator;
      std::vector<std::string> names = Strings(ae->name);
      if (!names.empty()) e.name = names.back();
      if (ae->lexpr != nullptr) e.args.push_back(ToExpr(ae->lexpr, depth + 1));
      if (ae->rexpr != nullptr) e.args.push_back(ToExpr(ae->rexpr, depth + 1));
    } else if (const auto* cr = STAIRWAY_AS(ColumnRef, node)) {
      e.kind = Expr::Kind::kColumn;
      std::vector<std::string> names = Strings(cr->fields);
      if (!names.empty()) e.name = names.back();
    } else if (const auto* nt = STAIRWAY_AS(NullTest, node)) {
      e.kind = Expr::Kind::kOther;
      e.name = nt->nulltesttype == IS_NOT_NULL ? "is not null" : "is null";
      e.args.push_back(ToExpr(reinterpret_cast<const Node*>(nt->arg), depth + 1));
    } else if (nodeTag(node) == T_SubLink) {
      e.kind = Expr::Kind::kSubquery;
    } else {
      e.kind = Expr::Kind::kOther;
      e.name = NodeName(node);
      CollectNested(node, e.args, depth + 1);
    }
    return e;
  }

  // Nested expressions of the other node kinds that hold any (CASE, COALESCE, arrays, ...), in
  // field order; kinds with no expression inside have none.
  void CollectNested(const Node* n, std::vector<Expr>& out, int depth) const {
    auto one = [&](const void* child) {
      if (child != nullptr) out.push_back(ToExpr(static_cast<const Node*>(child), depth));
    };
    auto all = [&](const List* list) {
      for (const Node* child : Nodes(list)) one(child);
    };
    switch (nodeTag(n)) {
      case T_List:
        all(reinterpret_cast<const List*>(n));
        break;
      case T_BoolExpr:
        all(reinterpret_cast<const BoolExpr*>(n)->args);
        break;
      case T_CaseExpr: {
        const auto* c = reinterpret_cast<const CaseExpr*>(n);
        one(c->arg);
        all(c->args);
        one(c->defresult);
        break;
      }
      case T_CaseWhen: {
        const auto* c = reinterpret_cast<const CaseWhen*>(n);
        one(c->expr);
        one(c->result);
        break;
      }
      case T_CoalesceExpr:
        all(reinterpret_cast<const CoalesceExpr*>(n)->args);
        break;
      case T_MinMaxExpr:
        all(reinterpret_cast<const MinMaxExpr*>(n)->args);
        break;
      case T_A_ArrayExpr:
        all(reinterpret_cast<const A_ArrayExpr*>(n)->elements);
        break;
      case T_RowExpr:
        all(reinterpret_cast<const RowExpr*>(n)->args);
        break;
      case T_BooleanTest:
        one(reinterpret_cast<const BooleanTest*>(n)->arg);
        break;
      case T_CollateClause:
        one(reinterpret_cast<const CollateClause*>(n)->arg);
        break;
      case T_A_Indirection: {
        const auto* a = reinterpret_cast<const A_Indirection*>(n);
        one(a->arg);
        all(a->indirection);
        break;
      }
      case T_A_Indices: {
        const auto* a = reinterpret_cast<const A_Indices*>(n);
        one(a->lidx);
        one(a->uidx);
        break;
      }
      case T_NamedArgExpr:
        one(reinterpret_cast<const NamedArgExpr*>(n)->arg);
        break;
      case T_GroupingFunc:
        all(reinterpret_cast<const GroupingFunc*>(n)->args);
        break;
      case T_XmlExpr: {
        const auto* x = reinterpret_cast<const XmlExpr*>(n);
        all(x->named_args);
        all(x->args);
        break;
      }
      case T_XmlSerialize:
        one(reinterpret_cast<const XmlSerialize*>(n)->expr);
        break;
      case T_ResTarget:
        one(reinterpret_cast<const ResTarget*>(n)->val);
        break;
      case T_MultiAssignRef:
        one(reinterpret_cast<const MultiAssignRef*>(n)->source);
        break;
      default:
        break;
    }
  }

  Constraint ToConstraint(const ::Constraint* c) {
    Constraint out;
    if (c == nullptr) {
      out.location = start_;
      starts_.push_back(out.location);
      return out;
    }
    using K = Constraint::Kind;
    switch (c->contype) {
      case CONSTR_NOTNULL:
        out.kind = K::kNotNull;
        break;
      case CONSTR_NULL:
        out.kind = K::kNull;
        break;
      case CONSTR_DEFAULT:
        out.kind = K::kDefault;
        break;
      case CONSTR_CHECK:
        out.kind = K::kCheck;
        break;
      case CONSTR_PRIMARY:
        out.kind = K::kPrimaryKey;
        break;
      case CONSTR_UNIQUE:
        out.kind = K::kUnique;
        break;
      case CONSTR_EXCLUSION:
        out.kind = K::kExclusion;
        break;
      case CONSTR_FOREIGN:
        out.kind = K::kForeignKey;
        break;
      case CONSTR_IDENTITY:
        out.kind = K::kIdentity;
        break;
      case CONSTR_GENERATED:
        out.kind = K::kGenerated;
        break;
      default:
        break;
    }
    out.name = std::string(Str(c->conname));
    out.columns = Strings(out.kind == K::kForeignKey ? c->fk_attrs : c->keys);
    out.using_index = std::string(Str(c->indexname));
    out.not_valid = c->skip_validation;
    if (c->raw_expr != nullptr) out.expr = ToExpr(c->raw_expr);
    out.generated_when = c->generated_when;
    out.location = At(c->location);
    if (out.kind == K::kForeignKey) {
      out.ref_table = RangeVar(c->pktable);
      out.ref_columns = Strings(c->pk_attrs);
      out.on_delete = c->fk_del_action == 0 ? 'a' : c->fk_del_action;
      out.on_update = c->fk_upd_action == 0 ? 'a' : c->fk_upd_action;
      out.on_delete_explicit = out.on_delete != 'a';
    }
    starts_.push_back(out.location);
    return out;
  }

  // `raw_default` receives the column's raw_default (ALTER COLUMN ... TYPE ... USING).
  ColumnDef ToColumn(const ::ColumnDef* cd, const Node** raw_default = nullptr) {
    ColumnDef col;
    col.name = std::string(Str(cd->colname));
    col.type = Type(cd->typeName);
    col.location = At(cd->location);
    starts_.push_back(col.location);
    for (const Node* c : Nodes(cd->constraints))
      col.constraints.push_back(ToConstraint(STAIRWAY_AS(Constraint, c)));
    if (raw_default != nullptr) *raw_default = cd->raw_default;
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

  CreateTable ToCreateTable(const CreateStmt* v) {
    CreateTable t;
    t.table = RangeVar(v->relation);
    t.temporary = v->relation != nullptr && v->relation->relpersistence == RELPERSISTENCE_TEMP;
    t.if_not_exists = v->if_not_exists;
    t.partitioned = v->partspec != nullptr;
    if (v->partbound != nullptr) {
      const Node* parent = Nodes(v->inhRelations).front();
      if (parent != nullptr) t.partition_of = RangeVar(STAIRWAY_AS(RangeVar, parent));
    }
    for (const Node* elt : Nodes(v->tableElts)) {
      if (const auto* cd = STAIRWAY_AS(ColumnDef, elt)) t.columns.push_back(ToColumn(cd));
      if (const auto* c = STAIRWAY_AS(Constraint, elt)) t.constraints.push_back(ToConstraint(c));
    }
    std::vector<Constraint*> fks;
    for (ColumnDef& c : t.columns) CollectForeignKeys(c.constraints, fks);
    CollectForeignKeys(t.constraints, fks);
    FixOnDelete(fks);
    return t;
  }

  // A reloption's value as written: SET (fillfactor = 70) -> "70".
  std::string OptionValue(const Node* arg) const {
    if (const auto* s = STAIRWAY_AS(String, arg)) return std::string(Str(s->sval));
    if (const auto* i = STAIRWAY_AS(Integer, arg)) return std::to_string(i->ival);
    if (const auto* b = STAIRWAY_AS(Boolean, arg)) return b->boolval ? "true" : "false";
    if (const auto* t = STAIRWAY_AS(TypeName, arg)) return Type(t).name;
    if (const auto* f = STAIRWAY_AS(Float, arg)) return std::string(Str(f->fval));
    return "";
  }

  AlterTableCmd ToAlterCmd(const ::AlterTableCmd* c) {
    AlterTableCmd cmd;
    cmd.location = start_;
    if (c == nullptr) return cmd;
    cmd.subtype = std::string(AlterTableTypeName(c->subtype));
    cmd.name = std::string(Str(c->name));
    cmd.cascade = c->behavior == DROP_CASCADE;
    cmd.missing_ok = c->missing_ok;
    const Node* def = c->def;
    if (const auto* cd = STAIRWAY_AS(ColumnDef, def)) {
      const Node* raw_default = nullptr;
      cmd.column = ToColumn(cd, &raw_default);
      cmd.has_using = raw_default != nullptr;
      cmd.location = cmd.column->location;
    } else if (const auto* con = STAIRWAY_AS(Constraint, def)) {
      cmd.constraint = ToConstraint(con);
      cmd.location = cmd.constraint->location;
    } else if (const auto* pc = STAIRWAY_AS(PartitionCmd, def)) {
      cmd.partition = RangeVar(pc->name);
      cmd.concurrent = pc->concurrent;
      cmd.partition_default = pc->bound != nullptr && pc->bound->is_default;
      cmd.location = cmd.partition->location;
    } else if (const auto* ri = STAIRWAY_AS(ReplicaIdentityStmt, def)) {
      cmd.replica_identity = ri->identity_type;
    } else if (const auto* list = STAIRWAY_AS(List, def)) {
      for (const Node* item : Nodes(list)) {
        const auto* de = STAIRWAY_AS(DefElem, item);
        if (de == nullptr) continue;
        cmd.options.emplace_back(Lower(Str(de->defname)), OptionValue(de->arg));
      }
    } else if (def != nullptr && cmd.subtype == "ColumnDefault") {
      cmd.expr = ToExpr(def);
    }
    return cmd;
  }

  AlterTable ToAlterTable(const AlterTableStmt* v) {
    AlterTable a;
    a.table = RangeVar(v->relation);
    a.object_type = std::string(ObjectTypeName(v->objtype));
    a.missing_ok = v->missing_ok;
    for (const Node* c : Nodes(v->cmds))
      a.cmds.push_back(ToAlterCmd(STAIRWAY_AS(AlterTableCmd, c)));
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

  CreateIndex ToCreateIndex(const IndexStmt* v) {
    CreateIndex i;
    i.name = std::string(Str(v->idxname));
    i.table = RangeVar(v->relation);
    i.only = v->relation == nullptr || !v->relation->inh;
    for (const Node* e : Nodes(v->indexParams)) {
      const auto* elem = STAIRWAY_AS(IndexElem, e);
      i.columns.emplace_back(elem != nullptr ? Str(elem->name) : std::string_view());
    }
    i.unique = v->unique;
    i.concurrent = v->concurrent;
    i.if_not_exists = v->if_not_exists;
    i.partial = v->whereClause != nullptr;
    i.method = std::string(Str(v->accessMethod));
    return i;
  }

  Drop ToDrop(const DropStmt* v) {
    Drop d;
    d.object_type = std::string(ObjectTypeName(v->removeType));
    d.cascade = v->behavior == DROP_CASCADE;
    d.missing_ok = v->missing_ok;
    d.concurrent = v->concurrent;
    std::vector<std::vector<std::string>> written;  // parts of each List / String object
    for (const Node* o : Nodes(v->objects)) {
      if (const auto* list = STAIRWAY_AS(List, o)) {
        d.objects.push_back(NameFromList(list, start_));
        written.push_back(Strings(list));
      } else if (const auto* s = STAIRWAY_AS(String, o)) {
        QualifiedName n;
        n.name = std::string(Str(s->sval));
        n.location = start_;
        d.objects.push_back(n);
        written.push_back({n.name});
      } else if (const auto* tn = STAIRWAY_AS(TypeName, o)) {
        TypeRef t = Type(tn);
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

  std::vector<QualifiedName> RangeVars(const List* list) const {
    std::vector<QualifiedName> out;
    for (const Node* r : Nodes(list)) out.push_back(RangeVar(STAIRWAY_AS(RangeVar, r)));
    return out;
  }

  static bool HasOption(const List* defelems, std::string_view name) {
    for (const Node* d : Nodes(defelems)) {
      const auto* de = STAIRWAY_AS(DefElem, d);
      if (de == nullptr || Lower(Str(de->defname)) != name) continue;
      // FULL false / CONCURRENTLY false switch the option off.
      if (const auto* b = STAIRWAY_AS(Boolean, de->arg)) return b->boolval;
      if (const auto* s = STAIRWAY_AS(String, de->arg)) {
        const std::string v = Lower(Str(s->sval));
        return v != "false" && v != "off" && v != "0";
      }
      return true;
    }
    return false;
  }

  StatementBody ToDml(const Node* stmt) {
    Dml d;
    if (const auto* u = STAIRWAY_AS(UpdateStmt, stmt)) {
      d.kind = Dml::Kind::kUpdate;
      d.table = RangeVar(u->relation);
      d.has_where = u->whereClause != nullptr;
      for (const Node* t : Nodes(u->targetList)) {
        const auto* rt = STAIRWAY_AS(ResTarget, t);
        d.set_columns.emplace_back(rt != nullptr ? Str(rt->name) : std::string_view());
      }
    } else if (const auto* del = STAIRWAY_AS(DeleteStmt, stmt)) {
      d.kind = Dml::Kind::kDelete;
      d.table = RangeVar(del->relation);
      d.has_where = del->whereClause != nullptr;
    } else if (const auto* ins = STAIRWAY_AS(InsertStmt, stmt)) {
      d.kind = Dml::Kind::kInsert;
      d.table = RangeVar(ins->relation);
    } else if (const auto* m = STAIRWAY_AS(MergeStmt, stmt)) {
      d.kind = Dml::Kind::kMerge;
      d.table = RangeVar(m->relation);
    }
    return d;
  }

  // A constant under any casts ('2s'::text), or null.
  static const A_Const* ConstUnderCasts(const Node* n) {
    for (int depth = 0; n != nullptr && depth < 8; ++depth) {
      if (const auto* c = STAIRWAY_AS(A_Const, n)) return c;
      const auto* tc = STAIRWAY_AS(TypeCast, n);
      if (tc == nullptr) return nullptr;
      n = tc->arg;
    }
    return nullptr;
  }

  // The set_config(name, value, is_local) calls of a SELECT that reads no table and has no
  // condition: then every call runs once, as SET would. Names that are not constants are skipped.
  static SetConfig ToSetConfig(const SelectStmt* sel) {
    SetConfig out;
    if (sel == nullptr || sel->op != SETOP_NONE || sel->fromClause != NIL ||
        sel->whereClause != nullptr || sel->havingClause != nullptr || sel->valuesLists != NIL) {
      return out;
    }
    for (const Node* t : Nodes(sel->targetList)) {
      const auto* rt = STAIRWAY_AS(ResTarget, t);
      const auto* f = rt != nullptr ? STAIRWAY_AS(FuncCall, rt->val) : nullptr;
      if (f == nullptr || f->agg_star || f->over != nullptr) continue;
      const std::vector<std::string> names = Strings(f->funcname);
      const bool schema_ok = names.size() == 1 || (names.size() == 2 && names[0] == "pg_catalog");
      if (names.empty() || !schema_ok || Lower(names.back()) != "set_config") continue;
      std::vector<const Node*> args;
      for (const Node* a : Nodes(f->args)) args.push_back(a);
      if (args.size() != 3) continue;
      const A_Const* name = ConstUnderCasts(args[0]);
      if (name == nullptr || name->isnull) continue;
      SetVariable v;
      v.name = Lower(ConstText(name));
      if (const A_Const* value = ConstUnderCasts(args[1])) {
        v.reset = value->isnull;  // set_config(name, NULL, ...) restores the default
        v.value = ConstText(value);
      } else {
        v.value = "?";  // computed at run time: some setting, not known here
      }
      if (const A_Const* local = ConstUnderCasts(args[2]); local != nullptr && !local->isnull) {
        const std::string l = Lower(ConstText(local));
        v.local = l == "true" || l == "t" || l == "on" || l == "yes" || l == "y" || l == "1";
      }
      out.settings.push_back(std::move(v));
    }
    return out;
  }

  StatementBody ToView(const Node* stmt) {
    const auto* view = STAIRWAY_AS(ViewStmt, stmt);
    const auto* ctas = STAIRWAY_AS(CreateTableAsStmt, stmt);
    const bool matview = ctas != nullptr && ctas->objtype == OBJECT_MATVIEW;
    const ::RangeVar* rel = view != nullptr         ? view->view
                            : ctas->into != nullptr ? ctas->into->rel
                                                    : nullptr;
    if (ctas != nullptr && !matview) {
      CreateTable t;
      t.table = RangeVar(rel);
      t.as_select = true;
      return t;
    }
    CreateView cv;
    cv.materialized = matview;
    cv.replace = view != nullptr && view->replace;
    cv.view = RangeVar(rel);
    const auto* select = STAIRWAY_AS(SelectStmt, view != nullptr ? view->query : ctas->query);
    for (const Node* t : Nodes(select != nullptr ? select->targetList : NIL)) {
      const auto* rt = STAIRWAY_AS(ResTarget, t);
      std::string name(rt != nullptr ? Str(rt->name) : std::string_view());
      if (name.empty() && rt != nullptr) {
        if (const auto* cr = STAIRWAY_AS(ColumnRef, rt->val)) {
          std::vector<std::string> f = Strings(cr->fields);
          if (!f.empty()) name = f.back();
        }
      }
      cv.columns.push_back(name);
    }
    return cv;
  }

  std::string_view text_;
  std::size_t start_;
  std::size_t loc_base_;
  std::vector<std::size_t> starts_;
};

StatementBody Converter::Convert(const Node* stmt) {
  if (stmt == nullptr) return Other{};
  switch (nodeTag(stmt)) {
    case T_CreateStmt:
      return ToCreateTable(reinterpret_cast<const CreateStmt*>(stmt));
    case T_AlterTableStmt:
      return ToAlterTable(reinterpret_cast<const AlterTableStmt*>(stmt));
    case T_IndexStmt:
      return ToCreateIndex(reinterpret_cast<const IndexStmt*>(stmt));
    case T_DropStmt:
      return ToDrop(reinterpret_cast<const DropStmt*>(stmt));
    case T_DropdbStmt: {
      DropDatabase d{std::string(Str(reinterpret_cast<const DropdbStmt*>(stmt)->dbname)), start_};
      const std::vector<std::size_t> at = LocateTrailingNames(text_, {{d.name}});
      if (!at.empty()) d.location = start_ + at[0];
      return d;
    }
    case T_ReindexStmt: {
      const auto* v = reinterpret_cast<const ReindexStmt*>(stmt);
      Reindex r;
      r.kind = std::string(ReindexKindName(v->kind));
      if (v->relation != nullptr) {
        r.target = RangeVar(v->relation);
      } else {
        r.target.name = std::string(Str(v->name));
        r.target.location = start_;
      }
      r.concurrent = HasOption(v->params, "concurrently");
      return r;
    }
    case T_TransactionStmt: {
      using K = Transaction::Kind;
      Transaction t;
      switch (reinterpret_cast<const TransactionStmt*>(stmt)->kind) {
        case TRANS_STMT_BEGIN:
        case TRANS_STMT_START:
          t.kind = K::kBegin;
          break;
        case TRANS_STMT_COMMIT:
          t.kind = K::kCommit;
          break;
        case TRANS_STMT_ROLLBACK:
          t.kind = K::kRollback;
          break;
        case TRANS_STMT_SAVEPOINT:
          t.kind = K::kSavepoint;
          break;
        case TRANS_STMT_RELEASE:
          t.kind = K::kRelease;
          break;
        case TRANS_STMT_ROLLBACK_TO:
          t.kind = K::kRollbackTo;
          break;
        case TRANS_STMT_PREPARE:
          t.kind = K::kPrepare;
          break;
        case TRANS_STMT_COMMIT_PREPARED:
          t.kind = K::kCommitPrepared;
          break;
        case TRANS_STMT_ROLLBACK_PREPARED:
          t.kind = K::kRollbackPrepared;
          break;
      }
      return t;
    }
    case T_VariableSetStmt: {
      const auto* v = reinterpret_cast<const VariableSetStmt*>(stmt);
      SetVariable s;
      s.name = Lower(Str(v->name));
      s.local = v->is_local;
      s.reset = v->kind == VAR_RESET || v->kind == VAR_RESET_ALL || v->kind == VAR_SET_DEFAULT;
      if (const auto* arg = STAIRWAY_AS(A_Const, Nodes(v->args).front())) s.value = ConstText(arg);
      return s;
    }
    case T_UpdateStmt:
    case T_DeleteStmt:
    case T_InsertStmt:
    case T_MergeStmt:
      return ToDml(stmt);
    case T_SelectStmt: {
      SetConfig sc = ToSetConfig(reinterpret_cast<const SelectStmt*>(stmt));
      if (sc.settings.empty()) return Other{};
      return sc;
    }
    case T_RenameStmt: {
      const auto* v = reinterpret_cast<const RenameStmt*>(stmt);
      Rename r;
      r.object_type = std::string(ObjectTypeName(v->renameType));
      if (v->relation != nullptr)
        r.relation = RangeVar(v->relation);
      else
        r.relation.location = start_;
      r.old_name = std::string(Str(v->subname));
      r.new_name = std::string(Str(v->newname));
      return r;
    }
    case T_AlterEnumStmt: {
      const auto* v = reinterpret_cast<const AlterEnumStmt*>(stmt);
      AlterEnum e;
      e.type = NameFromList(v->typeName, start_);
      e.new_value = std::string(Str(v->newVal));
      e.old_value = std::string(Str(v->oldVal));
      e.neighbor = std::string(Str(v->newValNeighbor));
      e.if_not_exists = v->skipIfNewValExists;
      return e;
    }
    case T_CreateEnumStmt: {
      const auto* v = reinterpret_cast<const CreateEnumStmt*>(stmt);
      return CreateEnum{NameFromList(v->typeName, start_), Strings(v->vals)};
    }
    case T_CreateDomainStmt: {
      const auto* v = reinterpret_cast<const CreateDomainStmt*>(stmt);
      CreateDomain d;
      d.domain = NameFromList(v->domainname, start_);
      for (const Node* c : Nodes(v->constraints)) {
        const auto* con = STAIRWAY_AS(Constraint, c);
        if (con != nullptr && con->contype == CONSTR_CHECK) d.has_check = true;
      }
      return d;
    }
    case T_AlterDomainStmt: {
      const auto* v = reinterpret_cast<const AlterDomainStmt*>(stmt);
      AlterDomain d;
      d.domain = NameFromList(v->typeName, start_);
      d.subtype = v->subtype;
      const auto* c = STAIRWAY_AS(Constraint, v->def);
      d.adds_check = d.subtype == 'C' && c != nullptr && c->contype == CONSTR_CHECK;
      d.not_valid = c != nullptr && c->skip_validation;
      return d;
    }
    case T_VacuumStmt: {
      const auto* v = reinterpret_cast<const VacuumStmt*>(stmt);
      Vacuum vac;
      vac.vacuum = v->is_vacuumcmd;
      vac.full = HasOption(v->options, "full");
      for (const Node* r : Nodes(v->rels)) {
        const auto* vr = STAIRWAY_AS(VacuumRelation, r);
        vac.tables.push_back(RangeVar(vr != nullptr ? vr->relation : nullptr));
      }
      return vac;
    }
    case T_ClusterStmt: {
      Cluster c;
      const auto* v = reinterpret_cast<const ClusterStmt*>(stmt);
      if (v->relation != nullptr) c.table = RangeVar(v->relation);
      return c;
    }
    case T_RefreshMatViewStmt: {
      const auto* v = reinterpret_cast<const RefreshMatViewStmt*>(stmt);
      return RefreshMatView{RangeVar(v->relation), v->concurrent};
    }
    case T_LockStmt: {
      const auto* v = reinterpret_cast<const LockStmt*>(stmt);
      return LockTable{RangeVars(v->relations), v->mode == 0 ? 8 : v->mode};
    }
    case T_TruncateStmt: {
      const auto* v = reinterpret_cast<const TruncateStmt*>(stmt);
      return Truncate{RangeVars(v->relations), v->behavior == DROP_CASCADE};
    }
    case T_CreateTrigStmt: {
      const auto* v = reinterpret_cast<const CreateTrigStmt*>(stmt);
      return CreateTrigger{std::string(Str(v->trigname)), RangeVar(v->relation)};
    }
    case T_ViewStmt:
    case T_CreateTableAsStmt:
      return ToView(stmt);
    default:
      return Other{};
  }
}

// Converts the statement node into `st`; `loc_base` is the offset of the text libpg_query
// parsed.
void ConvertNode(const Node* node, std::size_t loc_base, Statement& st) {
  st.node = NodeName(node);
  Converter conv(st.text, st.offset, loc_base);
  st.body = conv.Convert(node);
}

// One raw parse (PostgreSQL's own parse tree, no JSON in between) in a memory context of its
// own, freed with the tree when the object goes.
class RawTree {
 public:
  explicit RawTree(const char* sql)
      : context_(pg_query_enter_memory_context()), result_(pg_query_raw_parse(sql)) {}
  ~RawTree() {
    pg_query_exit_memory_context(context_);
    if (result_.error != nullptr) pg_query_free_error(result_.error);
    free(result_.stderr_buffer);  // NOLINT: malloc-ed by libpg_query
  }
  RawTree(const RawTree&) = delete;
  RawTree& operator=(const RawTree&) = delete;

  const PgQueryError* error() const { return result_.error; }
  Nodes statements() const { return Nodes(result_.tree); }

 private:
  MemoryContext context_;
  PgQueryInternalParsetreeAndError result_;
};

}  // namespace

Statement ParseStatement(std::string_view script, const StatementSpan& span) {
  Statement st;
  st.offset = span.offset;
  st.length = span.length;
  st.text = script.substr(span.offset, span.length);
  const std::string buf(st.text);
  RawTree tree(buf.c_str());
  if (const PgQueryError* e = tree.error()) {
    const std::size_t at = ByteOffsetOfCursor(st.text, e->cursorpos);
    st.error = ParseError{span.offset + at, e->message ? e->message : "syntax error"};
  } else if (const auto* raw = STAIRWAY_AS(RawStmt, tree.statements().front())) {
    ConvertNode(raw->stmt, span.offset, st);
  }
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

// Asked once: glibc reads /sys/devices/system/cpu/online on every call, and a roundtrip parses
// two scripts per revision.
unsigned Cores() {
  static const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return cores;
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

// One raw parse for the whole chunk; statements are cut from the tree's stmt_location and
// stmt_len, trimmed to their first and last tokens like ScanScript does.
void ParseChunk(std::string_view sql, Chunk& chunk) {
  const std::string buf(sql.substr(chunk.begin, chunk.end - chunk.begin));
  RawTree tree(buf.c_str());
  chunk.ok = tree.error() == nullptr;
  if (!chunk.ok) return;
  std::size_t covered = chunk.begin;  // end of the last piece handled
  const Nodes stmts = tree.statements();
  chunk.spans.reserve(stmts.size());
  chunk.statements.reserve(stmts.size());
  for (const Node* n : stmts) {
    const auto* raw = STAIRWAY_AS(RawStmt, n);
    if (raw == nullptr || raw->stmt_location < 0 || raw->stmt_len < 0) {
      chunk.ok = false;  // not what libpg_query promises; let the slow path decide
      break;
    }
    const std::size_t begin = chunk.begin + static_cast<std::size_t>(raw->stmt_location);
    // stmt_len 0: up to the end of the chunk
    const std::size_t end =
        raw->stmt_len == 0 ? chunk.end : begin + static_cast<std::size_t>(raw->stmt_len);
    if (begin < covered || end > chunk.end || begin > end) {
      chunk.ok = false;
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
    ConvertNode(raw->stmt, chunk.begin, st);
    chunk.spans.push_back(*span);
    chunk.statements.push_back(std::move(st));
  }
  if (chunk.ok) CollectGapComments(sql, covered, chunk.end, chunk.comments);
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
