// UTF-8 sequences and JSON string literals (see text.h).
#include "runner/common/text.h"

#include <array>
#include <cstring>

namespace stairway {

std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

namespace {

// Bytes copied as they are without a closer look: printable ASCII but '"' and '\\'.
constexpr auto kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

}  // namespace

char* WriteJsonEscaped(std::string_view s, char* p) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t run = i;
    while (i < s.size() && kPlain[static_cast<unsigned char>(s[i])]) ++i;
    std::memcpy(p, s.data() + run, i - run);
    p += i - run;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = Utf8SequenceLength(s, i);
      if (n > 0) {
        std::memcpy(p, s.data() + i, n);
        p += n;
        i += n;
      } else {
        std::memcpy(p, "\xEF\xBF\xBD", 3);  // U+FFFD
        p += 3;
        ++i;
      }
      continue;
    }
    ++i;
    *p++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *p++ = static_cast<char>(c);
        break;
      case '\b':
        *p++ = 'b';
        break;
      case '\f':
        *p++ = 'f';
        break;
      case '\n':
        *p++ = 'n';
        break;
      case '\r':
        *p++ = 'r';
        break;
      case '\t':
        *p++ = 't';
        break;
      default: {  // another control character
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[] = {'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        std::memcpy(p, esc, sizeof esc);
        p += sizeof esc;
      }
    }
  }
  return p;
}

void AppendJsonString(std::string& out, std::string_view s) {
  const std::size_t at = out.size();
  out.resize(at + JsonEscapedMaxSize(s.size()) + 2);
  char* p = out.data() + at;
  *p++ = '"';
  p = WriteJsonEscaped(s, p);
  *p++ = '"';
  out.resize(static_cast<std::size_t>(p - out.data()));
}

namespace {

// Length of the printable UTF-8 sequence at s[i], or 0 for a control character or a byte that
// starts no valid sequence.
std::size_t PrintableLength(std::string_view s, std::size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x20 || c == 0x7f) return 0;
  const std::size_t len = Utf8SequenceLength(s, i);
  // U+0080..U+009F (C1 controls, CSI among them) are C2 80..C2 9F.
  if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) return 0;
  return len;
}

}  // namespace

std::string EscapeControlChars(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = PrintableLength(s, i);
    if (len == 0) {
      static constexpr char kHex[] = "0123456789abcdef";
      const unsigned char c = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
      continue;
    }
    if (s[i] == '\\') out += '\\';
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

bool HasControlChars(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = PrintableLength(s, i);
    if (len == 0) return true;
    i += len;
  }
  return false;
}

}  // namespace stairway
