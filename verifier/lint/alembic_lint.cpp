// Alembic lint: rendered statements become one lint unit per revision and direction, with the
// origin of each statement in the .py file.
#include "verifier/lint/alembic_lint.h"

#include <fmt/format.h>

#include <map>
#include <utility>

#include "runner/common/error.h"
#include "runner/common/file.h"

namespace stairway::lint {
namespace {

namespace fs = std::filesystem;
using source::alembic::EmittedStatement;

// A statement as Alembic emitted it, without its terminator: Alembic appends `;` even to
// op.execute() text that already ends with one (`END $$;;`), which is not an empty statement of
// the user's.
std::string_view Trimmed(std::string_view sql) {
  while (!sql.empty()) {
    const char c = sql.back();
    if (c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      sql.remove_suffix(1);
    } else {
      break;
    }
  }
  while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\n' || sql.front() == '\r' ||
                          sql.front() == '\t')) {
    sql.remove_prefix(1);
  }
  return sql;
}

// The unit's SQL and origins; autocommit_block() statements are marked as running outside the
// revision's transaction.
void AddStatements(LintUnit& unit, const std::vector<EmittedStatement>& statements) {
  for (const EmittedStatement& st : statements) {
    const std::string_view text = Trimmed(st.sql);
    if (text.empty()) continue;
    const std::size_t begin = unit.sql.size();
    unit.origins.push_back({begin, st.line, st.column});
    unit.sql.append(text);
    // On its own line: a statement may end in a -- comment.
    unit.sql.append("\n;\n");
    if (st.autocommit) {
      if (!unit.outside_transaction.empty() && unit.outside_transaction.back().second == begin) {
        unit.outside_transaction.back().second = unit.sql.size();
      } else {
        unit.outside_transaction.emplace_back(begin, unit.sql.size());
      }
    }
  }
}

std::string FirstLine(const std::string& text) {
  const std::size_t nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

}  // namespace

std::vector<AlembicSection> RenderAlembicSections(source::alembic::PythonHelper& helper,
                                                  const source::MigrationSet& set) {
  std::vector<AlembicSection> sections;
  std::vector<std::pair<fs::path, bool>> items;
  for (const source::Revision& r : set.revisions) {
    sections.push_back({&r, true, {}});
    items.emplace_back(r.up.path, true);
    if (r.down) {
      sections.push_back({&r, false, {}});
      items.emplace_back(r.down->path, false);
    }
  }
  std::vector<source::alembic::RenderedStatements> rendered = helper.RenderStatements(items);
  for (std::size_t i = 0; i < sections.size(); ++i) sections[i].rendered = std::move(rendered[i]);
  return sections;
}

AlembicLintInput AlembicLintGroup(const std::vector<AlembicSection>& sections,
                                  const applier::StatementCapture* capture,
                                  const std::string& ran_by) {
  AlembicLintInput input;
  // Each direction's function lines, so a comment belongs to the unit of its function.
  std::map<std::pair<const source::Revision*, bool>, std::pair<int, int>> lines;
  for (const AlembicSection& s : sections) {
    lines[{s.revision, s.up}] = {s.rendered.first_line, s.rendered.last_line};
  }
  std::map<fs::path, std::string> texts;
  for (const AlembicSection& s : sections) {
    const fs::path& given = s.file();
    // "alembic/versions/x.py", not "./alembic/versions/x.py", when the project is here.
    const fs::path file = given.lexically_normal();
    const std::vector<EmittedStatement>* statements = nullptr;
    std::optional<std::vector<EmittedStatement>> captured;
    if (s.rendered.ok) {
      statements = &s.rendered.statements;
    } else if (capture != nullptr && (captured = capture->Get(given, s.up))) {
      statements = &*captured;
    }
    if (statements == nullptr) {
      report::Step step;
      step.check = "lint";
      step.path = file.string();
      step.name = fmt::format("{} ({})", s.revision->Label(), s.up ? "up" : "down");
      step.skipped = true;
      const source::alembic::HelperError& e = s.rendered.error;
      step.skip_reason =
          fmt::format("{}() not linted: it cannot be rendered without a database ({}); {}",
                      s.up ? "upgrade" : "downgrade", FirstLine(e.message), ran_by);
      input.not_linted.push_back(std::move(step));
      continue;
    }
    auto text = texts.find(file);
    if (text == texts.end()) {
      std::optional<std::string> content = ReadWholeFile(file);
      if (!content) {
        throw StopError(
            Error::Input(fmt::format("{}: cannot read the revision file", file.string())));
      }
      text = texts.emplace(file, std::move(*content)).first;
    }
    LintUnit unit;
    unit.path = file.string();
    unit.revision = s.revision->Label();
    unit.role = s.up ? LintUnit::Role::kUp : LintUnit::Role::kDown;
    unit.wrapped = true;  // one transaction per revision; autocommit blocks step out of it
    unit.origin_text = text->second;
    unit.own_first_line = s.rendered.first_line;
    unit.own_last_line = s.rendered.last_line;
    const auto other = lines.find({s.revision, !s.up});
    if (other != lines.end()) {
      unit.other_first_line = other->second.first;
      unit.other_last_line = other->second.second;
    }
    AddStatements(unit, *statements);
    input.group.units.push_back(std::move(unit));
  }
  return input;
}

AlembicLintInput AlembicLintOffline(source::alembic::PythonHelper& helper,
                                    const source::MigrationSet& set) {
  return AlembicLintGroup(
      RenderAlembicSections(helper, set), nullptr,
      "`stairway verify` runs it on a throwaway database and lints what it executes");
}

report::Report LintAlembic(AlembicLintInput input, const LintOptions& options) {
  report::Report rep = Lint({input.group}, options).ValueOrThrow();
  for (report::Step& step : input.not_linted) rep.steps.push_back(std::move(step));
  return rep;
}

}  // namespace stairway::lint
