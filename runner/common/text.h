// Text helpers shared by readers and writers: UTF-8 sequences and JSON string literals.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace stairway {

// Length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7): 1 for ASCII, 0 when the
// bytes there start none (a stray continuation byte, an overlong form, a surrogate, a code point
// past U+10FFFF, or a sequence cut short by the end of `s`).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

// The most bytes WriteJsonEscaped writes for `n` input bytes ("\u001f" for one byte).
constexpr std::size_t JsonEscapedMaxSize(std::size_t n) {
  return 6 * n;
}

// Writes `s` escaped for the inside of a JSON string literal (no quotes) at `out`, which has
// room for JsonEscapedMaxSize(s.size()) bytes; returns the end of what was written. Escaped as
// nlohmann::json does with ensure_ascii off: the short escapes, \u00xx for other control
// characters, UTF-8 as it is. A byte that starts no valid UTF-8 sequence becomes U+FFFD.
char* WriteJsonEscaped(std::string_view s, char* out);

// Appends `s` as a quoted JSON string literal, escaped as WriteJsonEscaped does.
void AppendJsonString(std::string& out, std::string_view s);

// `s` with every control character (C0, DEL, C1) and every byte that starts no valid UTF-8
// sequence written as \xNN, and backslashes doubled: safe to show in a terminal or a one-line
// message, and different names stay different.
std::string EscapeControlChars(std::string_view s);
// Whether EscapeControlChars would change anything other than a backslash: a newline, a tab,
// a terminal escape, a C1 control or invalid UTF-8.
bool HasControlChars(std::string_view s);

}  // namespace stairway
