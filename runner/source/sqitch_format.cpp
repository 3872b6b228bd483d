// The sqitch format: sqitch.conf (where things are) and sqitch.plan (the changes in order,
// their dependencies, tags and reworks) with deploy/, revert/ and verify/ psql scripts.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>
#include "runner/source/psql_script.h"
#include "runner/source/readers.h"
#include "runner/sql/parse.h"

namespace stairway::source::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kConfName = "sqitch.conf";
constexpr std::string_view kPlanName = "sqitch.plan";

struct ConfValue {
  std::string value;
  int line = 0;
};
// "core.top_dir", "engine.pg.plan_file", "deploy.variables.schema" (section and key names in
// lower case, subsections as written).
using Conf = std::map<std::string, ConfValue>;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A config value without its comment and quotes ("a b" keeps the blank; \" and \\ escape).
std::string ConfText(std::string_view raw) {
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      out += raw[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == '#' || c == ';')) {
      break;
    } else {
      out += c;
    }
  }
  return std::string(TrimBlanks(out));
}

// sqitch.conf is git-config syntax: [section], [section "sub"], key = value, # or ; comments.
Expected<Conf> ReadConf(const fs::path& path) {
  ASSIGN_OR_RETURN(const std::unique_ptr<SourceFile> file, ReadSourceFile(path));
  Conf conf;
  std::string section;
  for (const SourceLine& l : file->lines) {
    const std::string_view line = TrimBlanks(l.text);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const std::size_t close = line.find(']');
      if (close == std::string_view::npos) {
        return InputError(path, l.number, "section header without ']'", "write it as [core]");
      }
      std::string_view head = TrimBlanks(line.substr(1, close - 1));
      const std::size_t quote = head.find('"');
      if (quote == std::string_view::npos) {
        section = Lower(head);
      } else {
        const std::size_t end = head.rfind('"');
        if (end == quote) {
          return InputError(path, l.number, "unterminated subsection name",
                            "write it as [engine \"pg\"]");
        }
        section = Lower(TrimBlanks(head.substr(0, quote))) + "." +
                  std::string(head.substr(quote + 1, end - quote - 1));
      }
      continue;
    }
    if (section.empty()) {
      return InputError(path, l.number, "setting outside any [section]",
                        "put it under a section such as [core]");
    }
    const std::size_t eq = line.find('=');
    const std::string key = Lower(TrimBlanks(line.substr(0, eq)));
    const std::string value = eq == std::string_view::npos ? "true" : ConfText(line.substr(eq + 1));
    conf[section + "." + key] = {value, l.number};
  }
  return conf;
}

// Where a sqitch project keeps things, all paths absolute-or-as-given under the project dir.
struct Layout {
  fs::path project_dir;  // holds sqitch.conf; psql runs here
  fs::path conf_file;    // empty when there is none
  fs::path plan_file;
  fs::path dirs[3];           // deploy, revert, verify
  fs::path reworked_dirs[3];  // where the scripts of reworked changes' earlier versions are
  std::string extension = "sql";
  PsqlVariables variables[3];  // psql --set values per script kind
};

constexpr std::string_view kKinds[3] = {"deploy", "revert", "verify"};

// The engine's setting (engine.<engine>.<key>) over the core one (core.<key>).
std::optional<ConfValue> Setting(const Conf& conf, std::string_view engine, std::string_view key) {
  for (const std::string& name :
       {fmt::format("engine.{}.{}", engine, key), fmt::format("core.{}", key)}) {
    auto it = conf.find(name);
    if (it != conf.end()) return it->second;
  }
  return std::nullopt;
}

Expected<Layout> ReadLayout(const fs::path& dir) {
  Layout layout;
  layout.project_dir = dir;
  Conf conf;
  std::error_code ec;
  if (fs::exists(dir / kConfName, ec)) {
    layout.conf_file = dir / kConfName;
    ASSIGN_OR_RETURN(conf, ReadConf(layout.conf_file));
  }
  std::string engine = "pg";
  if (auto it = conf.find("core.engine"); it != conf.end()) {
    engine = it->second.value;
    if (engine != "pg") {
      return InputError(layout.conf_file, it->second.line,
                        fmt::format("sqitch engine \"{}\": stairway runs PostgreSQL (pg) "
                                    "projects only",
                                    engine),
                        "point stairway at a sqitch project whose engine is pg");
    }
  }
  auto path_setting = [&](std::string_view key, const fs::path& fallback) {
    const std::optional<ConfValue> v = Setting(conf, engine, key);
    if (!v || v->value.empty()) return fallback;
    const fs::path p(v->value);
    return p.is_absolute() ? p : dir / p;
  };
  const fs::path top = path_setting("top_dir", dir);
  layout.plan_file = path_setting("plan_file", top / kPlanName);
  const fs::path reworked = path_setting("reworked_dir", top);
  for (int k = 0; k < 3; ++k) {
    const std::string kind(kKinds[k]);
    layout.dirs[k] = path_setting(kind + "_dir", top / kind);
    layout.reworked_dirs[k] = path_setting("reworked_" + kind + "_dir", reworked / kind);
    // sqitch hands psql its registry schema as :registry; [deploy "variables"] and friends
    // (revert and verify fall back to deploy's) add to that.
    layout.variables[k]["registry"] = "sqitch";
    for (const std::string_view from : {std::string_view("deploy"), kKinds[k]}) {
      const std::string prefix = fmt::format("{}.variables.", from);
      for (const auto& [key, value] : conf) {
        if (key.starts_with(prefix)) layout.variables[k][key.substr(prefix.size())] = value.value;
      }
    }
  }
  if (const std::optional<ConfValue> ext = Setting(conf, engine, "extension")) {
    if (!ext->value.empty()) layout.extension = ext->value;
  }
  return layout;
}

struct Change {
  std::string name;
  int line = 0;
  std::vector<std::string> requires_;
};

struct Tag {
  std::string name;
  int line = 0;
  int after = 0;  // index of the change the tag follows
};

struct Plan {
  std::string project;
  std::vector<Change> changes;
  std::vector<Tag> tags;
};

bool IsBlank(char c) {
  return c == ' ' || c == '\t';
}

// Splits off the next blank-separated word of `rest`.
std::string_view NextWord(std::string_view& rest) {
  rest = TrimBlanks(rest);
  std::size_t end = 0;
  while (end < rest.size() && !IsBlank(rest[end])) ++end;
  std::string_view word = rest.substr(0, end);
  rest = rest.substr(end);
  return word;
}

// YYYY-MM-DDTHH:MM:SSZ
bool IsTimestamp(std::string_view s) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (kShape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != kShape[i]) {
      return false;
    }
  }
  return true;
}

// A change or tag name: no blanks, none of : @ # \.
bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == ':' || c == '@' || c == '#' || c == '\\' || IsBlank(c);
  });
}

constexpr std::string_view kLineShape =
    "write changes as \"name [dependencies] 2024-01-31T12:00:00Z Planner Name <email> # note\" "
    "and tags as \"@v1.0 2024-01-31T12:00:00Z Planner Name <email> # note\"";

// The part of a change or tag line after the name (and dependencies): timestamp, planner,
// optional note.
Status CheckStamp(const fs::path& path, int line, std::string_view rest) {
  const std::string_view stamp = NextWord(rest);
  if (!IsTimestamp(stamp)) {
    return InputError(path, line,
                      stamp.empty() ? std::string("missing the timestamp")
                                    : fmt::format("\"{}\" is not a timestamp", stamp),
                      kLineShape);
  }
  const std::size_t open = rest.find('<');
  const std::size_t close = rest.find('>', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos ||
      TrimBlanks(rest.substr(0, open)).empty()) {
    return InputError(path, line, "missing the planner (\"Name <email>\")", kLineShape);
  }
  const std::string_view after = TrimBlanks(rest.substr(close + 1));
  if (!after.empty() && after.front() != '#') {
    return InputError(path, line, fmt::format("unexpected \"{}\" after the planner", after),
                      "start a note with #");
  }
  return Status::Ok();
}

Expected<Plan> ReadPlan(const fs::path& path) {
  ASSIGN_OR_RETURN(const std::unique_ptr<SourceFile> file, ReadSourceFile(path));
  Plan plan;
  std::set<std::string> tag_names;
  for (const SourceLine& l : file->lines) {
    std::string_view line = TrimBlanks(l.text);
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '%') {
      const std::size_t eq = line.find('=');
      const std::string_view key = TrimBlanks(
          line.substr(1, eq == std::string_view::npos ? std::string_view::npos : eq - 1));
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view() : TrimBlanks(line.substr(eq + 1));
      if (key == "syntax-version" && value != "1.0.0") {
        return InputError(path, l.number,
                          fmt::format("plan syntax version {} is not supported (1.0.0 is)", value),
                          "write the plan with a sqitch that uses syntax 1.0.0");
      }
      if (key == "project") plan.project = std::string(value);
      continue;
    }
    if (line.front() == '@') {
      std::string_view rest = line.substr(1);
      const std::string name(NextWord(rest));
      if (!IsValidName(name) || name.find('/') != std::string::npos) {
        return InputError(path, l.number, fmt::format("bad tag name \"@{}\"", name), kLineShape);
      }
      if (plan.changes.empty()) {
        return InputError(path, l.number, fmt::format("tag @{} comes before any change", name),
                          "put tags after the change they mark");
      }
      if (!tag_names.insert(name).second) {
        return InputError(path, l.number, fmt::format("tag @{} is already in the plan", name),
                          "give each tag a unique name");
      }
      TRY_STATUS(CheckStamp(path, l.number, rest));
      plan.tags.push_back({name, l.number, static_cast<int>(plan.changes.size()) - 1});
      continue;
    }
    if (line.front() == '-') {
      return InputError(path, l.number, "revert entries (\"-name\") in the plan are not supported",
                        "remove the line: stairway deploys the plan from the top");
    }
    if (line.front() == '+') line.remove_prefix(1);
    std::string_view rest = line;
    std::string name(NextWord(rest));
    // "name[dep]" with no blank before the bracket.
    if (const std::size_t bracket = name.find('['); bracket != std::string::npos) {
      rest = line.substr(bracket);
      name.resize(bracket);
    }
    if (!IsValidName(name)) {
      return InputError(path, l.number, fmt::format("bad change name \"{}\"", name), kLineShape);
    }
    Change change{name, l.number, {}};
    rest = TrimBlanks(rest);
    if (!rest.empty() && rest.front() == '[') {
      const std::size_t close = rest.find(']');
      if (close == std::string_view::npos) {
        return InputError(path, l.number, "dependency list without ']'", kLineShape);
      }
      std::string_view deps = rest.substr(1, close - 1);
      while (!TrimBlanks(deps).empty()) change.requires_.emplace_back(NextWord(deps));
      rest = rest.substr(close + 1);
    }
    TRY_STATUS(CheckStamp(path, l.number, rest));
    plan.changes.push_back(std::move(change));
  }
  if (plan.changes.empty()) {
    return InputError(path, 0, "the plan has no changes", "add one with `sqitch add`");
  }
  return plan;
}

// Refuses a change that appears again without a tag in between (sqitch reworks only across a
// tag), and a required change that is not earlier in the plan.
Status CheckPlan(const fs::path& path, const Plan& plan) {
  std::map<std::string, int> last;  // change name -> index of its latest instance so far
  std::map<std::string, int> tag_at;
  std::size_t next_tag = 0;
  for (int i = 0; i < static_cast<int>(plan.changes.size()); ++i) {
    const Change& c = plan.changes[i];
    // Tags that follow changes before this one are known here.
    while (next_tag < plan.tags.size() && plan.tags[next_tag].after < i) {
      tag_at[plan.tags[next_tag].name] = plan.tags[next_tag].after;
      ++next_tag;
    }
    for (const std::string& dep : c.requires_) {
      if (dep.starts_with('!')) continue;  // a conflict: checked against a database by sqitch
      std::string_view name = dep;
      if (const std::size_t colon = name.find(':'); colon != std::string_view::npos) {
        // Another project's change cannot be checked from this plan.
        if (name.substr(0, colon) != plan.project) continue;
        name.remove_prefix(colon + 1);
      }
      const std::size_t at = name.find('@');
      const std::string change(name.substr(0, at));
      const std::string tag(at == std::string_view::npos ? "" : name.substr(at + 1));
      bool ok = true;
      if (!tag.empty() && tag != "HEAD" && tag != "ROOT") {
        auto t = tag_at.find(tag);
        ok = t != tag_at.end();
        if (ok && !change.empty()) {
          ok = std::any_of(plan.changes.begin(), plan.changes.begin() + t->second + 1,
                           [&](const Change& o) { return o.name == change; });
        }
      } else if (!change.empty()) {
        ok = last.count(change) > 0;
      }
      if (!ok) {
        return InputError(
            path, c.line,
            fmt::format("change {} requires {}, which is not earlier in the plan", c.name, dep),
            "add the required change (or tag) above this line, or fix the name");
      }
    }
    if (auto prev = last.find(c.name); prev != last.end()) {
      const bool tagged = std::any_of(plan.tags.begin(), plan.tags.end(), [&](const Tag& t) {
        return t.after >= prev->second && t.after < i;
      });
      if (!tagged) {
        return InputError(path, c.line,
                          fmt::format("change {} is already in the plan (line {}) with no tag in "
                                      "between",
                                      c.name, plan.changes[prev->second].line),
                          "rename one of them, or tag the plan before reworking (`sqitch tag`, "
                          "then `sqitch rework`)");
      }
    }
    last[c.name] = i;
  }
  return Status::Ok();
}

// The script-name suffix of change i: "" for a change's latest instance; for an earlier one,
// "@<tag>" of the first tag between it and its rework whose deploy script exists.
Expected<std::string> ScriptSuffix(const fs::path& plan_path, const Plan& plan,
                                   const Layout& layout, int i) {
  const Change& c = plan.changes[i];
  int next = -1;
  for (int j = i + 1; j < static_cast<int>(plan.changes.size()) && next < 0; ++j) {
    if (plan.changes[j].name == c.name) next = j;
  }
  if (next < 0) return std::string();
  std::string first;
  for (const Tag& t : plan.tags) {
    if (t.after < i || t.after >= next) continue;
    const std::string suffix = "@" + t.name;
    if (first.empty()) first = suffix;
    const std::string file = c.name + suffix + "." + layout.extension;
    std::error_code ec;
    if (fs::exists(layout.reworked_dirs[0] / file, ec) || fs::exists(layout.dirs[0] / file, ec)) {
      return suffix;
    }
  }
  return InputError(
      plan_path, c.line,
      fmt::format("change {} is reworked on line {}, but its earlier deploy "
                  "script {} is missing",
                  c.name, plan.changes[next].line,
                  (layout.dirs[0] / (c.name + first + "." + layout.extension)).string()),
      "restore it (`sqitch rework` copies deploy/<name>.sql to "
      "deploy/<name>@<tag>.sql)");
}

// A script of change `name` + `suffix`, or nullopt when the file does not exist.
Expected<std::optional<Section>> ReadScript(const Layout& layout, int kind,
                                            const std::string& file_name, bool reworked) {
  std::error_code ec;
  fs::path path = layout.dirs[kind] / file_name;
  if (reworked && fs::exists(layout.reworked_dirs[kind] / file_name, ec)) {
    path = layout.reworked_dirs[kind] / file_name;
  }
  if (!fs::exists(path, ec)) return std::optional<Section>();
  const PsqlContext context{layout.project_dir, layout.project_dir, layout.variables[kind]};
  ASSIGN_OR_RETURN(Section section, ReadPsqlScript(path, context));
  return std::optional<Section>(std::move(section));
}

// Blanks statement `span` of `sql` and its ';' (line ends kept, so lines do not move).
void BlankStatement(std::string& sql, const sql::StatementSpan& span) {
  std::size_t end = span.offset + span.length;
  std::size_t semicolon = end;
  while (semicolon < sql.size() && std::isspace(static_cast<unsigned char>(sql[semicolon]))) {
    ++semicolon;
  }
  if (semicolon < sql.size() && sql[semicolon] == ';') end = semicolon + 1;
  for (std::size_t i = span.offset; i < end; ++i) {
    if (sql[i] != '\n' && sql[i] != '\r') sql[i] = ' ';
  }
}

// sqitch scripts bring their own transaction, and psql runs them as written: a script with
// BEGIN ... COMMIT runs in that one transaction, one without transaction control runs statement
// by statement, each committed on its own. So the first becomes a transactional section whose
// BEGIN and COMMIT are blanked (stairway's transaction does their job, and neither the runner
// nor the linter sees a nested BEGIN), the second a non-transactional one. Other transaction
// control (several transactions in one script, a ROLLBACK) has no stairway equivalent.
Status SetTransactionMode(Section& section, std::string_view kind) {
  using K = sql::Transaction::Kind;
  const sql::SplitResult split = sql::SplitStatements(section.sql);
  if (split.error) return Status::Ok();  // the applier and the linter report it where it is
  const std::vector<sql::Statement> parsed = sql::ParseStatements(section.sql, split.statements);
  std::vector<std::size_t> control;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const sql::Transaction* t = parsed[i].error ? nullptr : parsed[i].As<sql::Transaction>();
    if (t != nullptr && t->kind != K::kSavepoint && t->kind != K::kRelease &&
        t->kind != K::kRollbackTo) {
      control.push_back(i);
    }
  }
  if (control.empty()) {
    section.tx_mode = TxMode::kNone;
    return Status::Ok();
  }
  const bool wrapper = control.size() == 2 &&
                       parsed[control[0]].As<sql::Transaction>()->kind == K::kBegin &&
                       parsed[control[1]].As<sql::Transaction>()->kind == K::kCommit &&
                       control[1] + 1 == parsed.size();
  if (!wrapper) {
    const std::size_t at =
        control.size() >= 2 && parsed[control[0]].As<sql::Transaction>()->kind == K::kBegin
            ? control[1]
            : control[0];
    const Diagnostic d =
        Relocated(section, DiagnosticAt(Severity::kError, section.path.string(), section.sql,
                                        split.statements[at].offset, "", section.first_line - 1));
    return InputError(d.path, d.pos.line,
                      fmt::format("{} script: transaction control other than one BEGIN ... "
                                  "COMMIT around the script's statements",
                                  kind),
                      "stairway runs a sqitch script in one transaction (BEGIN first, COMMIT "
                      "last) or, without BEGIN/COMMIT, statement by statement; split the "
                      "change in two, or use one of these shapes");
  }
  BlankStatement(section.sql, split.statements[control[0]]);
  BlankStatement(section.sql, split.statements[control[1]]);
  section.tx_mode = TxMode::kTransaction;
  return Status::Ok();
}

}  // namespace

bool IsSqitchProject(const std::filesystem::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / kConfName, ec) || fs::is_regular_file(dir / kPlanName, ec);
}

Expected<std::vector<Revision>> ReadSqitch(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(const Layout layout, ReadLayout(dir));
  std::error_code ec;
  if (!fs::is_regular_file(layout.plan_file, ec)) {
    return InputError(layout.plan_file, 0, "sqitch plan file not found",
                      layout.conf_file.empty()
                          ? "pass the directory that holds sqitch.plan"
                          : "check plan_file / top_dir in sqitch.conf, or create the plan with "
                            "`sqitch init`");
  }
  ASSIGN_OR_RETURN(const Plan plan, ReadPlan(layout.plan_file));
  TRY_STATUS(CheckPlan(layout.plan_file, plan));
  std::map<std::string, int> instances;
  std::vector<Revision> revisions;
  for (int i = 0; i < static_cast<int>(plan.changes.size()); ++i) {
    const Change& c = plan.changes[i];
    ASSIGN_OR_RETURN(const std::string suffix, ScriptSuffix(layout.plan_file, plan, layout, i));
    const std::string file_name = c.name + suffix + "." + layout.extension;
    Revision revision;
    // A reworked change's later instances are "name#2", "name#3": the first keeps its name, so
    // history rows stay valid when the plan grows.
    const int instance = ++instances[c.name];
    revision.version = instance == 1 ? c.name : fmt::format("{}#{}", c.name, instance);
    ASSIGN_OR_RETURN(std::optional<Section> up, ReadScript(layout, 0, file_name, !suffix.empty()));
    if (!up) {
      return InputError(layout.plan_file, c.line,
                        fmt::format("change {}: deploy script {} not found", c.name,
                                    (layout.dirs[0] / file_name).string()),
                        "add the script, or remove the change from the plan");
    }
    if (IsBlankSql(up->sql)) {
      return InputError(up->path, 0, "deploy script is empty (only whitespace or comments)",
                        "add the SQL that deploys the change");
    }
    TRY_STATUS(SetTransactionMode(*up, "deploy"));
    revision.up = std::move(*up);
    ASSIGN_OR_RETURN(revision.down, ReadScript(layout, 1, file_name, !suffix.empty()));
    // An empty revert script says "nothing to undo" as sqitch runs it: a down that does nothing.
    if (revision.down) TRY_STATUS(SetTransactionMode(*revision.down, "revert"));
    ASSIGN_OR_RETURN(revision.verify, ReadScript(layout, 2, file_name, !suffix.empty()));
    revisions.push_back(std::move(revision));
  }
  return revisions;
}

}  // namespace stairway::source::detail
