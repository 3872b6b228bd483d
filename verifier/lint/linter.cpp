// The lint engine: parse in parallel, compute facts once, run rules, apply suppressions.
#include "verifier/lint/linter.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <tuple>

#include "runner/common/diagnostic.h"
#include "runner/source/alembic/python_tokens.h"
#include "runner/sql/parse.h"
#include "runner/sql/script.h"
#include "verifier/lint/context.h"
#include "verifier/lint/registry.h"

namespace stairway::lint {

LintGroup GroupFromMigrationSet(const source::MigrationSet& set) {
  LintGroup g;
  for (const source::Revision& r : set.revisions) {
    auto add = [&](const source::Section& s, LintUnit::Role role) {
      LintUnit u;
      u.path = s.path.string();
      u.sql = s.sql;
      u.first_line = s.first_line;
      u.wrapped = s.tx_mode == source::TxMode::kTransaction;
      u.marked_no_transaction = s.tx_mode == source::TxMode::kNone && s.tx_reason.empty();
      u.included = s.origins;
      u.revision = r.Label();
      u.role = role;
      g.units.push_back(std::move(u));
    };
    add(r.up, LintUnit::Role::kUp);
    if (r.down) add(*r.down, LintUnit::Role::kDown);
  }
  return g;
}

std::vector<report::RuleMeta> RuleMetadata(const LintOptions& options) {
  std::vector<report::RuleMeta> out;
  out.push_back({"syntax-error", "The statement does not parse",
                 "fix the statement; the rest of the file is still linted", Severity::kError});
  for (const Rule* r : AllRules()) {
    if (!options.IsEnabled(*r)) continue;
    out.push_back({std::string(r->id), std::string(r->summary), std::string(r->help),
                   options.SeverityOf(*r)});
  }
  return out;
}

namespace {

struct Parsed {
  sql::ScriptScan scan;
  std::vector<sql::Statement> statements;
  double ms = 0;
};

struct Suppression {
  std::vector<std::string> rules;
  bool file = false;
  int code_line = 0;  // a comment in code (Python): matches statements from this line or the next
  int code_column = 1;
  bool quiet = false;  // never reported as unused (another unit does that)
  std::size_t offset = 0;
  std::size_t statement = 0;  // statement index it applies to (statement-scoped)
  std::vector<bool> used;
};

// "-- stairway:ignore a, b reason" / "-- stairway:ignore-file a". Returns false if the
// comment is not a suppression.
bool ParseSuppression(std::string_view text, Suppression& out) {
  if (text.substr(0, 2) == "--")
    text.remove_prefix(2);
  else if (text.substr(0, 1) == "#")
    text.remove_prefix(1);
  else if (text.substr(0, 2) == "/*")
    text = text.substr(2, text.size() >= 4 ? text.size() - 4 : 0);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  constexpr std::string_view kFile = "stairway:ignore-file", kStmt = "stairway:ignore";
  if (text.substr(0, kFile.size()) == kFile) {
    out.file = true;
    text.remove_prefix(kFile.size());
  } else if (text.substr(0, kStmt.size()) == kStmt) {
    text.remove_prefix(kStmt.size());
  } else {
    return false;
  }
  if (!text.empty() && text.front() != ' ' && text.front() != '\t') return false;
  // ids separated by commas; the first id not followed by a comma ends the list.
  while (true) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    std::size_t n = 0;
    while (n < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '-' || text[n] == '_'))
      ++n;
    if (n == 0) break;
    out.rules.emplace_back(text.substr(0, n));
    text.remove_prefix(n);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    if (text.empty() || text.front() != ',') break;
    text.remove_prefix(1);
  }
  out.used.assign(out.rules.size(), false);
  return true;
}

// Index of the statement that contains `offset` or, failing that, the next one after it.
std::size_t StatementAt(const std::vector<sql::Statement>& st, std::size_t offset) {
  auto it = std::upper_bound(st.begin(), st.end(), offset,
                             [](std::size_t o, const sql::Statement& s) { return o < s.offset; });
  if (it != st.begin()) {
    const sql::Statement& prev = *(it - 1);
    if (offset < prev.offset + prev.length) return static_cast<std::size_t>(it - 1 - st.begin());
  }
  return static_cast<std::size_t>(it - st.begin());
}

class UnitLinter {
 public:
  UnitLinter(const LintUnit& unit, Parsed& parsed, const LintOptions& options,
             const NamePattern& naming, std::vector<const Rule*> rules, report::Report& report)
      : unit_(unit),
        parsed_(parsed),
        options_(options),
        naming_(naming),
        rules_(std::move(rules)),
        report_(report),
        lines_(unit.sql),
        code_lines_(unit.origin_text) {}

  // Runs the rules over the unit against `model`, which it updates statement by statement.
  Status Run(SchemaModel& model, int serial) {
    SectionContext section;
    section.path = unit_.path;
    section.text = unit_.sql;
    section.first_line = unit_.first_line;
    section.wrapped =
        unit_.role == LintUnit::Role::kFile ? options_.assume_in_transaction : unit_.wrapped;
    section.outside_transaction = unit_.outside_transaction;
    section.marked_no_transaction = unit_.marked_no_transaction;
    section.migration = unit_.role != LintUnit::Role::kFile;
    section.revision = unit_.revision;
    section.unit = serial;
    section.pg_version = options_.pg_version;
    section.naming = &naming_;
    section.statements = std::move(parsed_.statements);
    std::vector<RawFinding> raw;
    section.sink = &raw;
    ComputeFacts(section, model.CreatedIn(serial), &model);
    for (std::size_t i = 0; i < section.statements.size(); ++i) {
      const sql::Statement& s = section.statements[i];
      if (s.error) continue;
      if (unit_.report) {
        StatementContext ctx(section, model, i);
        for (const Rule* r : rules_) {
          if (r->check == nullptr) continue;
          section.current = r;
          r->check(ctx);
        }
      }
      model.Apply(s, serial);
    }
    if (!unit_.report) return Status::Ok();
    for (const Rule* r : rules_) {
      if (r->finish == nullptr) continue;
      section.current = r;
      r->finish(section);
    }
    TRY_STATUS(Emit(section, raw));
    // Back to their owner, which decides when (and whether) they are freed.
    parsed_.statements = std::move(section.statements);
    return Status::Ok();
  }

 private:
  bool FromCode() const { return !unit_.origin_text.empty(); }

  // The call that produced the statement at `offset` (code units only).
  LintUnit::Origin OriginOf(std::size_t offset) const {
    const auto& o = unit_.origins;
    auto it =
        std::upper_bound(o.begin(), o.end(), offset,
                         [](std::size_t off, const LintUnit::Origin& x) { return off < x.offset; });
    if (it != o.begin()) return *(it - 1);
    return o.empty() ? LintUnit::Origin{} : o.front();
  }

  report::Finding MakeFinding(std::size_t offset, Severity sev, std::string rule,
                              std::string message, std::string help) const {
    report::Finding f;
    f.rule = std::move(rule);
    f.severity = sev;
    f.message = std::move(message);
    f.help = std::move(help);
    f.path = unit_.path;
    f.revision = unit_.revision;
    if (FromCode()) {
      const LintUnit::Origin at = OriginOf(offset);
      f.line = std::max(1, at.line);
      f.column = std::max(1, at.column);
      f.source_line = std::string(code_lines_.Line(f.line));
      return f;
    }
    const SourcePos pos = lines_.PosOf(offset);
    f.line = pos.line + unit_.first_line - 1;
    f.column = pos.column;
    f.source_line = std::string(lines_.Line(pos.line));
    if (!unit_.included.empty()) {
      source::Section section;
      section.path = unit_.path;
      section.first_line = unit_.first_line;
      section.origins = unit_.included;
      std::tie(section.path, f.line) = section.Locate(f.line);
      f.path = section.path.string();
    }
    return f;
  }

  // The `# stairway:ignore` comments of a code unit's file (not of the other direction's
  // function); an ignore-file comment is the up unit's to report when unused.
  Status CodeSuppressions(std::vector<Suppression>& sups) const {
    std::vector<source::alembic::Comment> comments;
    source::alembic::TokenizePython(unit_.origin_text, &comments);
    for (const source::alembic::Comment& c : comments) {
      Suppression s;
      if (!ParseSuppression(c.text, s)) continue;
      const bool own = c.line >= unit_.own_first_line && c.line <= unit_.own_last_line;
      const bool other = c.line >= unit_.other_first_line && c.line <= unit_.other_last_line;
      if (!s.file && !own && (other || unit_.role == LintUnit::Role::kDown)) continue;
      s.quiet = s.file && unit_.role == LintUnit::Role::kDown;  // the up unit reports it
      for (const std::string& id : s.rules) {
        if (FindRule(id) == nullptr) {
          return Error::Input(fmt::format(
              "{}:{}: unknown lint rule '{}' in a stairway:ignore comment; run `stairway rules` "
              "to list the rule ids",
              unit_.path, c.line, id));
        }
      }
      s.code_line = c.line;
      s.code_column = c.column + 1;
      s.statement = static_cast<std::size_t>(-1);
      sups.push_back(std::move(s));
    }
    return Status::Ok();
  }

  Status Emit(const SectionContext& section, std::vector<RawFinding>& raw) {
    const auto& statements = section.statements;
    std::vector<Suppression> sups;
    if (FromCode()) TRY_STATUS(CodeSuppressions(sups));
    for (const sql::Comment& c : FromCode() ? std::vector<sql::Comment>{} : parsed_.scan.comments) {
      Suppression s;
      if (!ParseSuppression(c.text, s)) continue;
      s.offset = c.offset;
      s.statement = StatementAt(statements, c.offset);
      for (const std::string& id : s.rules) {
        if (FindRule(id) == nullptr) {
          const SourcePos pos = lines_.PosOf(c.offset);
          return Error::Input(fmt::format(
              "{}:{}: unknown lint rule '{}' in a stairway:ignore comment; run `stairway rules` "
              "to list the rule ids",
              unit_.path, pos.line + unit_.first_line - 1, id));
        }
      }
      sups.push_back(std::move(s));
    }
    // Syntax errors first: they cannot be suppressed.
    if (parsed_.scan.error) {
      const bool unterminated = parsed_.scan.error->message.rfind("unterminated", 0) == 0;
      report_.findings.push_back(MakeFinding(
          parsed_.scan.error->offset, Severity::kError, "syntax-error", parsed_.scan.error->message,
          unterminated ? "close the string, identifier or comment; nothing after this point "
                         "could be linted"
                       : "fix the statement; the rest of the file was still linted"));
    }
    for (const sql::Statement& s : statements) {
      if (!s.error) continue;
      report_.findings.push_back(MakeFinding(s.error->offset, Severity::kError, "syntax-error",
                                             s.error->message,
                                             "fix the statement; the rest of the file was still "
                                             "linted"));
    }
    // Grown geometrically: units are emitted one after the other into one report.
    const std::size_t needed = report_.findings.size() + raw.size();
    if (needed > report_.findings.capacity()) {
      report_.findings.reserve(std::max(needed, 2 * report_.findings.capacity()));
    }
    // Severity per rule, looked up once per rule rather than once per finding.
    std::vector<std::pair<const Rule*, Severity>> severities;
    auto severity_of = [&](const Rule* rule) {
      for (const auto& [r, sev] : severities) {
        if (r == rule) return sev;
      }
      severities.emplace_back(rule, options_.SeverityOf(*rule));
      return severities.back().second;
    };
    for (RawFinding& f : raw) {
      const std::size_t stmt = StatementAt(statements, f.offset);
      const int code_line = FromCode() ? OriginOf(f.offset).line : 0;
      bool suppressed = false;
      for (Suppression& s : sups) {
        if (!s.file && s.code_line == 0 && s.statement != stmt) continue;
        if (!s.file && s.code_line != 0 && code_line != s.code_line && code_line != s.code_line + 1)
          continue;
        for (std::size_t k = 0; k < s.rules.size(); ++k) {
          if (s.rules[k] == f.rule->id) {
            s.used[k] = true;
            suppressed = true;
          }
        }
      }
      if (suppressed) continue;
      report::Finding out =
          MakeFinding(f.offset, severity_of(f.rule), std::string(f.rule->id), std::move(f.message),
                      f.help.empty() ? std::string(f.rule->help) : f.help);
      out.lock = std::move(f.lock);
      report_.findings.push_back(std::move(out));
    }
    const Rule* unused = FindRule("unused-suppression");
    if (unused != nullptr && options_.IsEnabled(*unused)) {
      for (const Suppression& s : sups) {
        for (std::size_t k = 0; k < s.rules.size(); ++k) {
          if (s.used[k] || s.quiet) continue;
          // A rule switched off in the configuration cannot fire; its suppression is not stale.
          const Rule* r = FindRule(s.rules[k]);
          if (r != nullptr && !options_.IsEnabled(*r)) continue;
          report::Finding f =
              MakeFinding(s.offset, options_.SeverityOf(*unused), "unused-suppression",
                          fmt::format("suppression of '{}' matches no finding", s.rules[k]),
                          std::string(unused->help));
          if (s.code_line != 0) {
            f.line = s.code_line;
            f.column = s.code_column;
            f.source_line = std::string(code_lines_.Line(s.code_line));
          }
          report_.findings.push_back(std::move(f));
        }
      }
    }
    return Status::Ok();
  }

  const LintUnit& unit_;
  Parsed& parsed_;
  const LintOptions& options_;
  const NamePattern& naming_;
  std::vector<const Rule*> rules_;
  report::Report& report_;
  LineIndex lines_;
  LineIndex code_lines_;
};

// Scans and parses every unit: units in parallel when there are several, chunks of one big
// unit in parallel otherwise.
std::vector<Parsed> ParseAll(const std::vector<const LintUnit*>& units) {
  std::vector<Parsed> out(units.size());
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  auto parse_one = [&](std::size_t i, unsigned threads) {
    const auto start = std::chrono::steady_clock::now();
    sql::ParseOptions options;
    options.threads = threads;
    // A few chunks per thread even out threads that get less CPU on a busy machine; one chunk
    // (one pg_query_parse call) when the unit is parsed on one thread.
    const std::size_t size = units[i]->sql.size();
    options.chunk_bytes =
        threads == 1 ? size : std::max<std::size_t>(64 * 1024, size / (4 * threads));
    sql::ParsedScript parsed = sql::ParseScript(units[i]->sql, options);
    out[i].scan = std::move(parsed.scan);
    out[i].statements = std::move(parsed.statements);
    out[i].ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  if (units.size() == 1) {
    parse_one(0, cores);
    return out;
  }
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < units.size(); i = next++) parse_one(i, 1);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<std::size_t>(cores, units.size()); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return out;
}

// Everything a Lint call parsed and replayed, for LintScratch.
struct Scratch {
  std::vector<Parsed> parsed;
  std::vector<SchemaModel> models;
};

}  // namespace

Expected<report::Report> Lint(const std::vector<LintGroup>& groups, const LintOptions& options,
                              LintScratch* keep) {
  report::Report report;
  report.command = "lint";
  report.rules = RuleMetadata(options);
  ASSIGN_OR_RETURN(const NamePattern naming, NamePattern::Compile(options.naming_pattern));
  std::vector<const Rule*> rules;
  for (const Rule* r : AllRules()) {
    if (options.IsEnabled(*r)) rules.push_back(r);
  }
  std::vector<const LintUnit*> units;
  for (const LintGroup& g : groups) {
    for (const LintUnit& u : g.units) units.push_back(&u);
  }
  auto scratch = std::make_shared<Scratch>();
  scratch->parsed = ParseAll(units);
  std::vector<Parsed>& parsed = scratch->parsed;
  scratch->models.reserve(groups.size());
  std::size_t k = 0;
  int serial = 0;
  for (const LintGroup& g : groups) {
    SchemaModel& model = scratch->models.emplace_back();
    for (const LintUnit& u : g.units) {
      Parsed& p = parsed[k++];
      // A down section shares its up's serial: what the up created counts as new there.
      if (u.role != LintUnit::Role::kDown) ++serial;
      if (u.report) {
        report::Step step;
        step.check = "lint";
        step.path = u.path;
        step.name = u.revision.empty()
                        ? u.path
                        : fmt::format("{} ({})", u.revision,
                                      u.role == LintUnit::Role::kDown ? "down" : "up");
        step.duration_ms = p.ms;
        // Sections of one file share a step (golang-migrate has separate files anyway).
        const bool known = std::any_of(report.steps.begin(), report.steps.end(),
                                       [&](const report::Step& s) { return s.path == u.path; });
        if (!known) report.steps.push_back(std::move(step));
      }
      if (u.role == LintUnit::Role::kDown) {
        SchemaModel after_up = model;  // a down runs after its up; later revisions never see it
        TRY_STATUS(UnitLinter(u, p, options, naming, rules, report).Run(after_up, serial));
      } else {
        TRY_STATUS(UnitLinter(u, p, options, naming, rules, report).Run(model, serial));
      }
    }
  }
  report.Sort();
  if (keep != nullptr) *keep = std::move(scratch);
  return report;
}

}  // namespace stairway::lint
