// UnifiedDiff: the longest common subsequence of the two texts' lines (a table over the part
// between the common prefix and suffix), then the edit script cut into hunks.
#include "verifier/schema/line_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace stairway::schema {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  if (text.empty()) return lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// One line of the edit script: kept (in both), removed (from a) or added (from b), with its line
// index on each side it is on.
struct Edit {
  char op;  // ' ', '-', '+'
  std::size_t a = 0, b = 0;
};

// Above this many table cells the middle is not matched line by line: a body of thousands of
// changed lines is shown removed and added whole rather than costing that much memory.
constexpr std::uint64_t kMaxCells = 4'000'000;

std::vector<Edit> EditScript(const std::vector<std::string_view>& a,
                             const std::vector<std::string_view>& b) {
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const std::size_t n = a.size() - prefix - suffix;
  const std::size_t m = b.size() - prefix - suffix;
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < prefix; ++i) edits.push_back({' ', i, i});
  if (static_cast<std::uint64_t>(n + 1) * (m + 1) > kMaxCells) {
    for (std::size_t i = 0; i < n; ++i) edits.push_back({'-', prefix + i, prefix});
    for (std::size_t j = 0; j < m; ++j) edits.push_back({'+', prefix + n, prefix + j});
  } else {
    // lcs[i][j]: length of the longest common subsequence of a's middle from i and b's from j.
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;) {
      for (std::size_t j = m; j-- > 0;) {
        at(i, j) = a[prefix + i] == b[prefix + j] ? at(i + 1, j + 1) + 1
                                                  : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
        edits.push_back({' ', prefix + i++, prefix + j++});
      } else if (j == m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
        // On a tie the removal goes first: a change reads as its old lines, then its new ones.
        edits.push_back({'-', prefix + i++, prefix + j});
      } else {
        edits.push_back({'+', prefix + i, prefix + j++});
      }
    }
  }
  for (std::size_t k = 0; k < suffix; ++k) {
    edits.push_back({' ', a.size() - suffix + k, b.size() - suffix + k});
  }
  return edits;
}

// "3,4" for a range of 4 lines from line 3; "3" for one line; "2,0" for an empty range after
// line 2 (the unified format's conventions).
std::string Range(std::size_t first, std::size_t count) {
  if (count == 1) return fmt::format("{}", first + 1);
  return fmt::format("{},{}", count == 0 ? first : first + 1, count);
}

}  // namespace

std::string UnifiedDiff(std::string_view a, std::string_view b, std::string_view a_name,
                        std::string_view b_name, int context) {
  const std::vector<std::string_view> la = SplitLines(a);
  const std::vector<std::string_view> lb = SplitLines(b);
  const std::vector<Edit> edits = EditScript(la, lb);
  const std::size_t ctx = static_cast<std::size_t>(std::max(context, 0));
  std::string out;
  std::size_t k = 0;
  while (k < edits.size()) {
    while (k < edits.size() && edits[k].op == ' ') ++k;
    if (k == edits.size()) break;
    // A hunk: from `context` lines before this change through the last change that is followed
    // by no more than 2 * context kept lines before the next one.
    const std::size_t begin = k >= ctx ? k - ctx : 0;
    std::size_t last = k;
    std::size_t scan = k + 1;
    while (scan < edits.size()) {
      if (edits[scan].op != ' ') {
        last = scan++;
        continue;
      }
      std::size_t kept = scan;
      while (kept < edits.size() && edits[kept].op == ' ') ++kept;
      if (kept == edits.size() || kept - scan > 2 * ctx) break;
      scan = kept;
    }
    const std::size_t end = std::min(edits.size(), last + 1 + ctx);
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t e = begin; e < end; ++e) {
      a_count += edits[e].op != '+' ? 1 : 0;
      b_count += edits[e].op != '-' ? 1 : 0;
    }
    if (out.empty()) out = fmt::format("--- {}\n+++ {}", a_name, b_name);
    out += fmt::format("\n@@ -{} +{} @@", Range(edits[begin].a, a_count),
                       Range(edits[begin].b, b_count));
    for (std::size_t e = begin; e < end; ++e) {
      const std::string_view line = edits[e].op == '+' ? lb[edits[e].b] : la[edits[e].a];
      out += '\n';
      out += edits[e].op;
      out += line;
    }
    k = end;
  }
  return out;
}

}  // namespace stairway::schema
