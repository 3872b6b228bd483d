// The rehearsal's reports; see render.h.
#include "verifier/preflight/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace stairway::verifier::preflight {

namespace {

// A drift result's findings as the drift command prints them, one line each.
std::vector<std::string> DriftLines(const drift::Result& d) {
  std::vector<std::string> lines;
  for (const drift::Finding& f : d.findings) lines.push_back(drift::Line(f));
  return lines;
}

std::string Duration(double ms) {
  if (ms >= 1000) return fmt::format("{:.1f} s", ms / 1000);
  if (ms >= 10) return fmt::format("{:.0f} ms", ms);
  return fmt::format("{:.1f} ms", ms);
}

std::string Bytes(std::uintmax_t n) {
  if (n >= (1ull << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(n) / (1ull << 30));
  if (n >= (1ull << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1ull << 20));
  if (n >= (1ull << 10)) return fmt::format("{:.1f} KiB", static_cast<double>(n) / (1ull << 10));
  return fmt::format("{} B", n);
}

// The strongest lock a statement took on a relation that existed before its revision: what a
// live system feels. Empty when it took none.
std::string StrongestLiveLock(const StatementTrace& s) {
  std::string best;
  for (const LockTaken& lock : s.locks) {
    if (lock.existed_before && LockStrength(lock.mode) > LockStrength(best)) best = lock.mode;
  }
  return best;
}

std::string BackupLine(const Result& r) {
  if (!r.backup.made) {
    return fmt::format("dump {} ({}, SHA-256 {})", r.backup.path.string(), Bytes(r.backup.bytes),
                       r.backup.sha256);
  }
  return fmt::format("{}backup {} ({}, SHA-256 {}) made in {} by {}",
                     r.schema_only ? "schema-only " : "", r.backup.path.string(),
                     Bytes(r.backup.bytes), r.backup.sha256, Duration(r.backup.dump_ms),
                     r.backup.pg_dump);
}

std::string Rows(const StatementTrace& s) {
  if (!s.rows_written) return "";
  std::string out;
  if (*s.rows_written > 0) out += fmt::format("{} rows written", *s.rows_written);
  if (s.rows_scanned && *s.rows_scanned > 0) {
    out += fmt::format("{}{} rows scanned", out.empty() ? "" : ", ", *s.rows_scanned);
  }
  return out;
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
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
      default:
        out += c;
    }
  }
  return out;
}

// Markdown table cells: pipes and line ends would break the row.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string DriftLabel(const drift::Result& d) {
  return d.migrations_label;
}

}  // namespace

std::string RenderText(const Result& r) {
  std::string out;
  out += fmt::format("preflight of {}\n", r.target);
  out += fmt::format("  {}\n", BackupLine(r));
  out += fmt::format("  restored into a throwaway database (PostgreSQL {}) in {}\n",
                     r.sandbox_major, Duration(r.restore_ms));
  out += fmt::format("  record: {}, at {}\n", r.record, r.recorded_revision);
  if (r.drift_before) {
    if (r.drift_before->HasDrift()) {
      out += fmt::format("drift before applying: the restored schema differs from {}:\n",
                         DriftLabel(*r.drift_before));
      for (const std::string& line : DriftLines(*r.drift_before))
        out += fmt::format("  {}\n", line);
    } else {
      out += fmt::format("no drift before applying: the restored schema matches {}\n",
                         DriftLabel(*r.drift_before));
    }
  }
  if (r.pending.empty()) {
    out += "nothing pending: the target is at head\n";
  } else {
    out += fmt::format("{} pending: {}\n", r.pending.size(), fmt::join(r.pending, ", "));
  }
  std::string revision;
  for (const StatementTrace& s : r.statements) {
    if (s.revision != revision) {
      revision = s.revision;
      out += fmt::format("  {}\n", revision);
    }
    std::string facts = Duration(s.duration_ms);
    if (!s.rewritten.empty()) facts += fmt::format(", REWRITES {}", fmt::join(s.rewritten, ", "));
    if (!s.indexes_built.empty()) {
      facts += fmt::format(", builds index {}", fmt::join(s.indexes_built, ", "));
    }
    if (const std::string rows = Rows(s); !rows.empty()) facts += ", " + rows;
    out += fmt::format("    {}{}  {}  [{}]{}\n", s.path,
                       s.line > 0 ? fmt::format(":{}", s.line) : "", s.text, facts,
                       s.caught   ? "  FAILED, caught by the revision"
                       : s.failed ? "  FAILED"
                                  : "");
    for (const LockTaken& lock : s.locks) out += fmt::format("      {}\n", DescribeLock(lock));
  }
  for (const Failure& f : r.failures) {
    out += fmt::format("{}{}\n", f.rendered,
                       f.after_earlier_failure
                           ? "\n  note: an earlier revision failed in this rehearsal; this "
                             "failure may follow from it"
                           : "");
  }
  if (r.drift_after) {
    if (r.drift_after->HasDrift()) {
      out += fmt::format("drift after applying: the result differs from {}:\n",
                         DriftLabel(*r.drift_after));
      for (const std::string& line : DriftLines(*r.drift_after)) out += fmt::format("  {}\n", line);
    } else {
      out += fmt::format("no drift after applying: the result matches {}\n",
                         DriftLabel(*r.drift_after));
    }
  }
  for (const std::string& note : r.notes) out += fmt::format("note: {}\n", note);
  out += fmt::format("note: {}\n", kTimingCaveat);
  out += fmt::format(
      "{}: {} of {} pending revision{} applied in {}, {} failed{}\n",
      r.HasFindings() ? "FINDINGS" : "OK", r.applied.size(), r.pending.size(),
      r.pending.size() == 1 ? "" : "s", Duration(r.apply_ms), r.failures.size(),
      (r.drift_before && r.drift_before->HasDrift()) || (r.drift_after && r.drift_after->HasDrift())
          ? ", drift found"
          : "");
  return out;
}

std::string RenderJson(const Result& r) {
  using nlohmann::json;
  json statements = json::array();
  for (const StatementTrace& s : r.statements) {
    json locks = json::array();
    for (const LockTaken& lock : s.locks) {
      locks.push_back({{"mode", lock.mode},
                       {"relation", lock.relation},
                       {"kind", lock.kind},
                       {"existed_before", lock.existed_before},
                       {"held_ms", lock.held_ms},
                       {"blocks", lock.existed_before ? std::string(WhatItBlocks(lock.mode))
                                                      : std::string("nobody (made by this "
                                                                    "revision)")},
                       {"summary", DescribeLock(lock)}});
    }
    statements.push_back({{"revision", s.revision},
                          {"index", s.index + 1},
                          {"of", s.count},
                          {"path", s.path},
                          {"line", s.line},
                          {"statement", s.text},
                          {"in_transaction", s.in_transaction},
                          {"start_ms", s.start_ms},
                          {"duration_ms", s.duration_ms},
                          {"locks", locks},
                          {"rewrites", s.rewritten},
                          {"indexes_built", s.indexes_built},
                          {"rows_written", s.rows_written ? json(*s.rows_written) : json()},
                          {"rows_scanned", s.rows_scanned ? json(*s.rows_scanned) : json()},
                          {"failed", s.failed},
                          {"caught", s.caught},
                          {"error", s.failed ? json(s.error) : json()}});
  }
  json failures = json::array();
  for (const Failure& f : r.failures) {
    failures.push_back({{"revision", f.revision},
                        {"path", f.path},
                        {"line", f.line},
                        {"column", f.column},
                        {"statement", f.statement},
                        {"message", f.message},
                        {"sqlstate", f.sqlstate},
                        {"rolled_back", f.rolled_back},
                        {"after_earlier_failure", f.after_earlier_failure}});
  }
  const auto drift_json = [](const std::optional<drift::Result>& d) -> json {
    if (!d) return json();
    return {{"compared_with", d->migrations_label},
            {"differences", DriftLines(*d)},
            {"note", d->note ? json(*d->note) : json()}};
  };
  json out = {{"stairway_preflight", kJsonVersion},
              {"target", r.target},
              {"server_major", r.server_major == 0 ? json() : json(r.server_major)},
              {"sandbox_major", r.sandbox_major},
              {"backup",
               {{"path", r.backup.path.string()},
                {"bytes", r.backup.bytes},
                {"sha256", r.backup.sha256},
                {"made", r.backup.made},
                {"schema_only", r.schema_only},
                {"pg_dump", r.backup.made ? json(r.backup.pg_dump) : json()},
                {"dump_ms", r.backup.dump_ms}}},
              {"restore_ms", r.restore_ms},
              {"record", r.record},
              {"recorded_revision", r.recorded_revision},
              {"pending", r.pending},
              {"applied", r.applied},
              {"apply_ms", r.apply_ms},
              {"statements", statements},
              {"failures", failures},
              {"drift_before", drift_json(r.drift_before)},
              {"drift_after", drift_json(r.drift_after)},
              {"notes", r.notes},
              {"timing_caveat", kTimingCaveat},
              {"has_findings", r.HasFindings()}};
  return out.dump(2) + "\n";
}

std::string RenderMarkdown(const Result& r) {
  std::string out;
  out += fmt::format("## stairway preflight: {}\n\n", r.HasFindings() ? "findings" : "ok");
  out += fmt::format("- target: `{}`\n- {}\n- record: {}, at `{}`\n", r.target, BackupLine(r),
                     r.record, r.recorded_revision);
  out += fmt::format("- pending: {}\n\n", r.pending.empty()
                                              ? std::string("none")
                                              : fmt::format("`{}`", fmt::join(r.pending, "`, `")));
  if (!r.failures.empty()) {
    out += "### Failures on the restored data\n\n| revision | where | message |\n|---|---|---|\n";
    for (const Failure& f : r.failures) {
      out += fmt::format("| {} | `{}:{}` | {}{} |\n", Cell(f.revision), Cell(f.path), f.line,
                         Cell(f.message),
                         f.after_earlier_failure ? " (after an earlier failure)" : "");
    }
    out += "\n";
  }
  for (const auto& [title, d] : {std::pair{"Drift before applying", &r.drift_before},
                                 std::pair{"Drift after applying", &r.drift_after}}) {
    if (!*d) continue;
    if (!(*d)->HasDrift()) {
      out += fmt::format("### {}\n\nnone: matches {}\n\n", title, (*d)->migrations_label);
      continue;
    }
    out += fmt::format("### {} (vs {})\n\n", title, (*d)->migrations_label);
    for (const std::string& line : DriftLines(**d)) out += fmt::format("- {}\n", Cell(line));
    out += "\n";
  }
  if (!r.statements.empty()) {
    out +=
        "### Statements\n\n| revision | statement | where | time | locks | rewrites |\n"
        "|---|---|---|---|---|---|\n";
    for (const StatementTrace& s : r.statements) {
      std::vector<std::string> locks;
      for (const LockTaken& lock : s.locks) locks.push_back(DescribeLock(lock));
      out += fmt::format("| {} | `{}` | `{}:{}` | {}{} | {} | {} |\n", Cell(s.revision),
                         Cell(s.text), Cell(s.path), s.line, Duration(s.duration_ms),
                         s.caught   ? " **failed, caught**"
                         : s.failed ? " **failed**"
                                    : "",
                         Cell(fmt::format("{}", fmt::join(locks, "; "))),
                         Cell(fmt::format("{}", fmt::join(s.rewritten, ", "))));
    }
    out += "\n";
  }
  for (const std::string& note : r.notes) out += fmt::format("> note: {}\n", note);
  out += fmt::format("> {}\n", kTimingCaveat);
  return out;
}

std::string RenderHtml(const Result& r) {
  // Colours from weak (blue) to strong (red); grey: no lock on a table that existed before.
  static const std::map<std::string, std::string> kColour = {
      {"ACCESS SHARE", "#9ecae1"},  {"ROW SHARE", "#6baed6"},
      {"ROW EXCLUSIVE", "#3182bd"}, {"SHARE UPDATE EXCLUSIVE", "#fdd49e"},
      {"SHARE", "#fdae6b"},         {"SHARE ROW EXCLUSIVE", "#fd8d3c"},
      {"EXCLUSIVE", "#e6550d"},     {"ACCESS EXCLUSIVE", "#a50f15"}};
  const std::string kNone = "#bdbdbd";
  constexpr int kLabelWidth = 460;
  constexpr int kChartWidth = 520;
  constexpr int kRow = 22;
  constexpr int kTop = 30;
  double total = 0;
  for (const StatementTrace& s : r.statements) total = std::max(total, s.start_ms + s.duration_ms);
  if (total <= 0) total = 1;
  const int height = kTop + static_cast<int>(r.statements.size()) * kRow + 20;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      kLabelWidth + kChartWidth + 70, height);  // room after the last bar for "R" and "failed"
  svg += fmt::format(
      "<text x=\"{}\" y=\"16\" fill=\"#555\">0 ms</text><text x=\"{}\" y=\"16\" fill=\"#555\" "
      "text-anchor=\"end\">{}</text>\n",
      kLabelWidth, kLabelWidth + kChartWidth, Escape(Duration(total)));
  for (std::size_t i = 0; i < r.statements.size(); ++i) {
    const StatementTrace& s = r.statements[i];
    const int y = kTop + static_cast<int>(i) * kRow;
    const std::string lock = StrongestLiveLock(s);
    const std::string colour = lock.empty() ? kNone : kColour.at(lock);
    const double x = kLabelWidth + s.start_ms / total * kChartWidth;
    const double w = std::max(3.0, s.duration_ms / total * kChartWidth);
    std::string label = fmt::format("{} #{} {}", s.revision, s.index + 1, s.text);
    // Kept inside the label column (about 7 px a character at 12 px).
    if (label.size() > 64) label = label.substr(0, 61) + "...";
    std::vector<std::string> locks;
    for (const LockTaken& l : s.locks) locks.push_back(DescribeLock(l));
    const std::string title = fmt::format(
        "{}:{} {} ({}){}{}{}", s.path, s.line, s.text, Duration(s.duration_ms),
        locks.empty() ? "" : "\n", fmt::join(locks, "\n"),
        s.rewritten.empty() ? "" : fmt::format("\nrewrites {}", fmt::join(s.rewritten, ", ")));
    svg += fmt::format(
        "<g class=\"statement{}\" data-lock=\"{}\" data-rewrite=\"{}\"><title>{}</title>"
        "<text class=\"label\" x=\"4\" y=\"{}\">{}</text>"
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"{}/>",
        s.failed ? " failed" : "", Escape(lock.empty() ? "none" : lock),
        s.rewritten.empty() ? "no" : "yes", Escape(title), y + 14, Escape(label), x, y + 3, w,
        kRow - 6, colour,
        s.failed ? " stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"3,2\"" : "");
    if (!s.rewritten.empty()) {
      // A rewrite: a black triangle above the bar and an R after it.
      svg += fmt::format(
          "<path class=\"rewrite\" d=\"M{:.1f} {} l5 -7 l5 7 z\" fill=\"#000\"/>"
          "<text x=\"{:.1f}\" y=\"{}\" font-weight=\"bold\">R</text>",
          x - 5, y + 10, x + w + 3, y + 15);
    }
    if (s.failed) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" fill=\"#a50f15\">failed</text>", x + w + 16,
                         y + 15);
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";

  std::string legend;
  for (const char* mode : {"ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
                           "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}) {
    legend += fmt::format(
        "<span class=\"key\"><span class=\"swatch\" style=\"background:{}\"></span>{}</span>\n",
        kColour.at(mode), mode);
  }
  legend += fmt::format(
      "<span class=\"key\"><span class=\"swatch\" style=\"background:{}\"></span>no lock on an "
      "existing table</span>\n<span class=\"key\">&#9650; R: table rewrite</span>\n",
      kNone);

  std::string failures;
  for (const Failure& f : r.failures) {
    failures += fmt::format("<li><code>{}:{}</code> {}: {}{}</li>\n", Escape(f.path), f.line,
                            Escape(f.revision), Escape(f.message),
                            f.after_earlier_failure ? " (after an earlier failure)" : "");
  }
  std::string drift;
  for (const auto& [title, d] : {std::pair{"Drift before applying", &r.drift_before},
                                 std::pair{"Drift after applying", &r.drift_after}}) {
    if (!*d) continue;
    drift += fmt::format("<h2>{} (vs {})</h2>\n", title, Escape((*d)->migrations_label));
    if (!(*d)->HasDrift()) drift += "<p>none</p>\n";
    for (const std::string& line : DriftLines(**d))
      drift += fmt::format("<p>{}</p>\n", Escape(line));
  }

  return fmt::format(
      R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>stairway preflight: {title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
.key {{ margin-right: 1em; white-space: nowrap; font-size: 12px; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; }}
code {{ background: #f3f3f3; padding: 0 3px; }}
</style></head>
<body>
<h1>stairway preflight: {verdict}</h1>
<p>Target: <code>{target}</code>. {backup}. Record: {record}, at <code>{at}</code>.</p>
<h2>Timeline of the pending revisions ({count} statements)</h2>
<div class="legend">{legend}</div>
{svg}
<h2>Failures on the restored data</h2>
<ul id="failures">{failures}</ul>
{drift}
<p><em>{caveat}</em></p>
</body></html>
)",
      fmt::arg("title", Escape(r.target)), fmt::arg("verdict", r.HasFindings() ? "findings" : "ok"),
      fmt::arg("target", Escape(r.target)), fmt::arg("backup", Escape(BackupLine(r))),
      fmt::arg("record", Escape(r.record)), fmt::arg("at", Escape(r.recorded_revision)),
      fmt::arg("count", r.statements.size()), fmt::arg("legend", legend), fmt::arg("svg", svg),
      fmt::arg("failures", failures.empty() ? "<li>none</li>" : failures), fmt::arg("drift", drift),
      fmt::arg("caveat", Escape(kTimingCaveat)));
}

}  // namespace stairway::verifier::preflight
