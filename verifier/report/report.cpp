// Report bookkeeping and the six writers. Every writer reads only the Report value, so lint,
// roundtrip and drift findings render the same way in every format.
#include "verifier/report/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

namespace stairway::report {

Diagnostic Finding::ToDiagnostic() const {
  Diagnostic d;
  d.severity = severity;
  d.path = path;
  d.pos = {line, column};
  d.message = message;
  d.rule = rule;
  d.source_line = source_line;
  d.help = help;
  return d;
}

void Report::Sort() {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.path, a.line, a.column, a.rule) < std::tie(b.path, b.line, b.column, b.rule);
  });
}

void Report::Merge(Report other) {
  for (Step& s : other.steps) steps.push_back(std::move(s));
  for (Finding& f : other.findings) findings.push_back(std::move(f));
  for (RuleMeta& r : other.rules) {
    const bool known =
        std::any_of(rules.begin(), rules.end(), [&](const RuleMeta& m) { return m.id == r.id; });
    if (!known) rules.push_back(std::move(r));
  }
}

int Report::Count(Severity at_least) const {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) {
    return static_cast<int>(f.severity) >= static_cast<int>(at_least);
  }));
}

std::vector<const Finding*> Report::FindingsOf(const Step& step) const {
  std::vector<const Finding*> out;
  for (const Finding& f : findings) {
    if (f.check == step.check && f.path == step.path) out.push_back(&f);
  }
  return out;
}

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  if (name == "sarif") return Format::kSarif;
  if (name == "github") return Format::kGithub;
  if (name == "junit") return Format::kJunit;
  if (name == "markdown" || name == "md") return Format::kMarkdown;
  return std::nullopt;
}

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kText:
      return "text";
    case Format::kJson:
      return "json";
    case Format::kSarif:
      return "sarif";
    case Format::kGithub:
      return "github";
    case Format::kJunit:
      return "junit";
    case Format::kMarkdown:
      return "markdown";
  }
  return "text";
}

bool ColorWanted(bool no_color_flag) {
  if (no_color_flag) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(fileno(stdout)) != 0;
}

namespace {

std::string Plural(int n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

int CountExactly(const Report& r, Severity s) {
  return static_cast<int>(std::count_if(r.findings.begin(), r.findings.end(),
                                        [&](const Finding& f) { return f.severity == s; }));
}

std::string Summary(const Report& r) {
  const int files = static_cast<int>(r.steps.size());
  // verify's steps are files linted, revision steps and drift comparisons: "steps".
  const std::string_view unit = r.command == "verify" ? "step" : "file";
  if (r.findings.empty()) return fmt::format("{} checked: no findings\n", Plural(files, unit));
  return fmt::format("{}, {}, {} in {}\n", Plural(CountExactly(r, Severity::kError), "error"),
                     Plural(CountExactly(r, Severity::kWarning), "warning"),
                     Plural(CountExactly(r, Severity::kInfo), "note"), Plural(files, unit));
}

std::string WriteText(const Report& r, const WriteOptions& o) {
  std::string out;
  for (const Finding& f : r.findings) {
    std::string block = Render(f.ToDiagnostic());
    if (o.color) {
      // Colour only the severity word and the help label; the layout stays the same.
      const std::string sev(SeverityName(f.severity));
      const char* code = f.severity == Severity::kError     ? "\x1b[1;31m"
                         : f.severity == Severity::kWarning ? "\x1b[1;33m"
                                                            : "\x1b[1;36m";
      const std::size_t at = block.find(": " + sev + ": ");
      if (at != std::string::npos)
        block.replace(at + 2, sev.size(), code + sev + "\x1b[0m");
      else if (block.rfind(sev + ": ", 0) == 0)
        block.replace(0, sev.size(), code + sev + "\x1b[0m");
      const std::size_t help = block.find("  help: ");
      if (help != std::string::npos) block.replace(help + 2, 5, "\x1b[1;32mhelp:\x1b[0m");
    }
    out += block;
  }
  out += Summary(r);
  return out;
}

nlohmann::ordered_json FindingJson(const Finding& f) {
  nlohmann::ordered_json j;
  j["check"] = f.check;
  j["rule"] = f.rule;
  j["severity"] = std::string(SeverityName(f.severity));
  j["path"] = f.path;
  j["line"] = f.line;
  j["column"] = f.column;
  j["message"] = f.message;
  j["help"] = f.help;
  if (!f.revision.empty()) j["revision"] = f.revision;
  if (!f.lock.empty()) j["lock"] = f.lock;
  return j;
}

std::string WriteJson(const Report& r) {
  nlohmann::ordered_json j;
  j["stairway_report"] = 1;
  j["command"] = r.command;
  j["summary"] = {{"errors", CountExactly(r, Severity::kError)},
                  {"warnings", CountExactly(r, Severity::kWarning)},
                  {"notes", CountExactly(r, Severity::kInfo)},
                  {"steps", r.steps.size()}};
  j["steps"] = nlohmann::ordered_json::array();
  for (const Step& s : r.steps) {
    nlohmann::ordered_json js;
    js["check"] = s.check;
    js["name"] = s.name;
    js["path"] = s.path;
    js["skipped"] = s.skipped;
    if (s.skipped) js["skip_reason"] = s.skip_reason;
    j["steps"].push_back(js);
  }
  j["findings"] = nlohmann::ordered_json::array();
  for (const Finding& f : r.findings) j["findings"].push_back(FindingJson(f));
  return j.dump(2) + "\n";
}

std::string_view SarifLevel(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  return "warning";
}

std::string WriteSarif(const Report& r, const WriteOptions& o) {
  nlohmann::ordered_json driver;
  driver["name"] = "stairway";
  driver["version"] = o.tool_version;
  driver["rules"] = nlohmann::ordered_json::array();
  std::map<std::string, int> index;
  for (const RuleMeta& m : r.rules) {
    index[m.id] = static_cast<int>(driver["rules"].size());
    nlohmann::ordered_json rule;
    rule["id"] = m.id;
    rule["shortDescription"] = {{"text", m.summary}};
    rule["help"] = {{"text", m.help}};
    rule["defaultConfiguration"] = {{"level", std::string(SarifLevel(m.severity))}};
    driver["rules"].push_back(rule);
  }
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const Finding& f : r.findings) {
    nlohmann::ordered_json res;
    res["ruleId"] = f.rule;
    if (auto it = index.find(f.rule); it != index.end()) res["ruleIndex"] = it->second;
    res["level"] = std::string(SarifLevel(f.severity));
    res["message"] = {{"text", f.help.empty() ? f.message : f.message + "\nhelp: " + f.help}};
    if (!f.path.empty()) {
      nlohmann::ordered_json loc;
      loc["physicalLocation"]["artifactLocation"]["uri"] = f.path;
      if (f.line > 0) {
        loc["physicalLocation"]["region"]["startLine"] = f.line;
        if (f.column > 0) loc["physicalLocation"]["region"]["startColumn"] = f.column;
      }
      res["locations"] = nlohmann::ordered_json::array({loc});
    }
    results.push_back(res);
  }
  nlohmann::ordered_json j;
  j["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  j["version"] = "2.1.0";
  j["runs"] = nlohmann::ordered_json::array();
  nlohmann::ordered_json run;
  run["tool"]["driver"] = driver;
  run["results"] = results;
  j["runs"].push_back(run);
  return j.dump(2) + "\n";
}

// GitHub workflow commands: data escapes %, CR, LF; properties also ',' and ':'.
std::string GhData(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string GhProperty(std::string_view s) {
  std::string out;
  for (char c : GhData(s)) {
    if (c == ',')
      out += "%2C";
    else if (c == ':')
      out += "%3A";
    else
      out += c;
  }
  return out;
}

std::string WriteGithub(const Report& r) {
  std::string out;
  for (const Finding& f : r.findings) {
    const std::string_view kind = f.severity == Severity::kError     ? "error"
                                  : f.severity == Severity::kWarning ? "warning"
                                                                     : "notice";
    std::string props;
    if (!f.path.empty()) {
      props += "file=" + GhProperty(f.path);
      if (f.line > 0) props += ",line=" + std::to_string(f.line);
      if (f.column > 0) props += ",col=" + std::to_string(f.column);
      props += ",";
    }
    props += "title=" + GhProperty(f.rule);
    std::string msg = f.message;
    if (!f.help.empty()) msg += "\nhelp: " + f.help;
    out += fmt::format("::{} {}::{}\n", kind, props, GhData(msg));
  }
  return out;
}

std::string Xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters even when escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string WriteJunit(const Report& r) {
  // Findings whose path matches no step (whole-run findings) go into one extra case.
  std::vector<Step> steps = r.steps;
  std::vector<bool> used(r.findings.size(), false);
  std::string cases;
  int failures = 0, skipped = 0;
  auto write_case = [&](const std::string& classname, const std::string& name, double ms,
                        const std::vector<const Finding*>& fs, const Step* step) {
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                         Xml(classname), Xml(name), ms / 1000.0);
    if (fs.empty() && (step == nullptr || !step->skipped)) {
      cases += "/>\n";
      return;
    }
    cases += ">\n";
    if (step != nullptr && step->skipped) {
      ++skipped;
      cases += fmt::format("      <skipped message=\"{}\"/>\n", Xml(step->skip_reason));
    }
    if (!fs.empty()) {
      ++failures;
      std::string body;
      for (const Finding* f : fs) body += Render(f->ToDiagnostic());
      cases += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                           Xml(fs.size() == 1 ? fs[0]->message : Plural(fs.size(), "finding")),
                           Xml(fs[0]->rule), Xml(body));
    }
    cases += "    </testcase>\n";
  };
  for (const Step& s : steps) {
    std::vector<const Finding*> fs;
    for (std::size_t i = 0; i < r.findings.size(); ++i) {
      if (r.findings[i].check == s.check && r.findings[i].path == s.path) {
        fs.push_back(&r.findings[i]);
        used[i] = true;
      }
    }
    write_case(s.check, s.name, s.duration_ms, fs, &s);
  }
  std::vector<const Finding*> rest;
  for (std::size_t i = 0; i < r.findings.size(); ++i) {
    if (!used[i]) rest.push_back(&r.findings[i]);
  }
  const int tests = static_cast<int>(steps.size()) + (rest.empty() ? 0 : 1);
  if (!rest.empty()) write_case(r.command, "other findings", 0, rest, nullptr);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"stairway {}\" tests=\"{}\" failures=\"{}\">\n",
                     Xml(r.command), tests, failures);
  out += fmt::format(
      "  <testsuite name=\"stairway {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
      Xml(r.command), tests, failures, skipped);
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string MdCell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string WriteMarkdown(const Report& r) {
  std::string out = fmt::format("## stairway {}\n\n", r.command);
  if (r.findings.empty()) {
    out += fmt::format("No findings in {}.\n", Plural(static_cast<int>(r.steps.size()), "file"));
    return out;
  }
  out += Summary(r) + "\n";
  out += "| Severity | Location | Rule | Lock | Finding |\n|---|---|---|---|---|\n";
  for (const Finding& f : r.findings) {
    std::string where = f.path;
    if (f.line > 0) where += fmt::format(":{}:{}", f.line, f.column);
    out += fmt::format("| {} | `{}` | `{}` | {} | {} |\n", SeverityName(f.severity), MdCell(where),
                       MdCell(f.rule), f.lock.empty() ? "" : MdCell(f.lock), MdCell(f.message));
  }
  std::vector<std::string> seen;
  std::string helps;
  for (const Finding& f : r.findings) {
    if (f.help.empty() || std::find(seen.begin(), seen.end(), f.rule) != seen.end()) continue;
    seen.push_back(f.rule);
    helps += fmt::format("- `{}`: {}\n", f.rule, f.help);
  }
  if (!helps.empty()) out += "\n**How to fix**\n\n" + helps;
  return out;
}

}  // namespace

std::string Write(const Report& report, Format format, const WriteOptions& options) {
  switch (format) {
    case Format::kText:
      return WriteText(report, options);
    case Format::kJson:
      return WriteJson(report);
    case Format::kSarif:
      return WriteSarif(report, options);
    case Format::kGithub:
      return WriteGithub(report);
    case Format::kJunit:
      return WriteJunit(report);
    case Format::kMarkdown:
      return WriteMarkdown(report);
  }
  return {};
}

}  // namespace stairway::report
