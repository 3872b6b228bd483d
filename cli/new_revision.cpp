// Slugs and next versions for `stairway new` (cli/new_command.cpp).
#include "cli/new_revision.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <optional>

namespace stairway::cli {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

int Number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

std::string FormatUtc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// Seconds since 1970 of a YYYYMMDDHHMMSS version, when it is a real date and time from 1970 on:
// it must read back unchanged, so "20240230120000" (no 30 February) is not a timestamp.
std::optional<std::time_t> ParseTimestamp(std::string_view v) {
  if (v.size() != 14 || !AllDigits(v)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = Number(v.substr(0, 4)) - 1900;
  tm.tm_mon = Number(v.substr(4, 2)) - 1;
  tm.tm_mday = Number(v.substr(6, 2));
  tm.tm_hour = Number(v.substr(8, 2));
  tm.tm_min = Number(v.substr(10, 2));
  tm.tm_sec = Number(v.substr(12, 2));
  if (tm.tm_year < 70) return std::nullopt;
  const std::time_t t = timegm(&tm);
  if (FormatUtc(t) != v) return std::nullopt;
  return t;
}

// "0009" -> "0010", "99" -> "100": decimal + 1 on the text, so any length works and the
// padding is kept.
std::string Increment(std::string_view digits) {
  std::string out(digits);
  for (std::size_t i = out.size(); i-- > 0;) {
    if (out[i] != '9') {
      ++out[i];
      return out;
    }
    out[i] = '0';
  }
  return "1" + out;
}

// Whether decimal `a` is greater than decimal `b` (no signs; leading zeros allowed).
bool Greater(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() > b.size();
  return a > b;
}

std::time_t Seconds(std::chrono::system_clock::time_point now) {
  return std::chrono::system_clock::to_time_t(now);
}

}  // namespace

std::string Slugify(std::string_view name) {
  std::string slug;
  bool gap = false;
  for (char c : name) {
    const bool lower = c >= 'a' && c <= 'z';
    const bool upper = c >= 'A' && c <= 'Z';
    if (!lower && !upper && !IsDigit(c)) {
      gap = true;
      continue;
    }
    if (gap && !slug.empty()) slug += '_';
    gap = false;
    slug += upper ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return slug;
}

VersionStyle StyleOf(std::string_view version) {
  if (!AllDigits(version)) return VersionStyle::kDotted;
  if (ParseTimestamp(version)) return VersionStyle::kTimestamp;
  if (version.size() == 10 && version.front() != '0') return VersionStyle::kUnixTime;
  return VersionStyle::kSequence;
}

std::string TimestampVersion(std::chrono::system_clock::time_point now) {
  return FormatUtc(Seconds(now));
}

std::string NextVersion(std::string_view newest, std::chrono::system_clock::time_point now) {
  switch (StyleOf(newest)) {
    case VersionStyle::kTimestamp: {
      const std::time_t t = std::max(Seconds(now), *ParseTimestamp(newest) + 1);
      std::string next = FormatUtc(t);
      // Past year 9999 the text grows to 15 digits, still greater; a sequence step otherwise.
      return Greater(next, newest) ? next : Increment(newest);
    }
    case VersionStyle::kUnixTime: {
      const std::string now_text = fmt::format("{}", Seconds(now));
      return Greater(now_text, newest) ? now_text : Increment(newest);
    }
    case VersionStyle::kSequence:
      return Increment(newest);
    case VersionStyle::kDotted: {
      // The last digit group goes up; the groups before it and the separators stay.
      std::size_t start = newest.size();
      while (start > 0 && IsDigit(newest[start - 1])) --start;
      return std::string(newest.substr(0, start)) + Increment(newest.substr(start));
    }
  }
  return Increment(newest);
}

}  // namespace stairway::cli
