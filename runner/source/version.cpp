// Version ordering: numeric where the parts are numbers, so "2" < "10" and "1.2" < "1.10".
#include <algorithm>
#include <string_view>

#include "runner/source/migration.h"

namespace stairway::source {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Compares digit strings of any length (timestamps may exceed 64 bits in odd schemes).
int CompareNumbers(std::string_view a, std::string_view b) {
  const auto strip = [](std::string_view s) {
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    return s;
  };
  a = strip(a);
  b = strip(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int ComparePart(std::string_view a, std::string_view b) {
  const bool a_num = AllDigits(a);
  const bool b_num = AllDigits(b);
  if (a_num && b_num) return CompareNumbers(a, b);
  if (a_num != b_num) return a_num ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Splits off the part before the next '.'; `rest` keeps what follows the dot.
std::string_view NextPart(std::string_view& rest) {
  const std::size_t dot = rest.find('.');
  std::string_view part = rest.substr(0, dot);
  rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  return part;
}

}  // namespace

int CompareVersions(std::string_view a, std::string_view b) {
  bool a_done = false;
  bool b_done = false;
  while (true) {
    a_done = a_done || a.empty();
    b_done = b_done || b.empty();
    if (a_done && b_done) return 0;
    // A missing trailing part counts as "0": "1" == "1.0".
    const std::string_view pa = a_done ? std::string_view("0") : NextPart(a);
    const std::string_view pb = b_done ? std::string_view("0") : NextPart(b);
    if (const int c = ComparePart(pa, pb); c != 0) return c;
  }
}

}  // namespace stairway::source
