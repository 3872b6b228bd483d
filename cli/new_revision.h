// The parts of `stairway new` that touch no files: the name's slug and the next version after a
// directory's newest one (timestamps stay timestamps, sequences keep their zero padding).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace stairway::cli {

// "Add users table!" -> "add_users_table": ASCII letters lowercased, digits kept, every other
// run of bytes (blanks, punctuation, non-ASCII) one '_', none at either end. Empty when `name`
// has no ASCII letter or digit.
std::string Slugify(std::string_view name);

// How a directory numbers its migrations, judged by its newest version as written in the file
// name ("20240105093000", "0004", "1700000000", Flyway's "1.2" or "1_2").
enum class VersionStyle {
  kTimestamp,  // 14 digits that read as a UTC date and time, YYYYMMDDHHMMSS (dbmate, goose)
  kUnixTime,   // 10 digits, not starting with 0: seconds since 1970 (golang-migrate -format unix)
  kSequence,   // any other run of digits: 1, 0004, 000012
  kDotted,     // digit groups joined by '.' or '_' (Flyway)
};
VersionStyle StyleOf(std::string_view version);

// YYYYMMDDHHMMSS of `now` in UTC.
std::string TimestampVersion(std::chrono::system_clock::time_point now);

// The version after `newest` (as written in its file name, not empty), in its style:
// timestamps: `now`, or one second after `newest` when that is not earlier; Unix times likewise
// in seconds; sequences: newest + 1 with the same zero padding ("0009" -> "0010", "99" -> "100");
// dotted: the last group + 1 ("1.9" -> "1.10", "2_01" -> "2_02"). Always compares greater than
// `newest` under CompareVersions.
std::string NextVersion(std::string_view newest, std::chrono::system_clock::time_point now);

}  // namespace stairway::cli
