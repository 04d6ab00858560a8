#include "text_escape.hpp"

#include <cstdio>

namespace troupe::cli {

std::string markup_text(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
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
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters either.
    if (out.size() >= 3 && out.compare(out.size() - 3, 2, "\xef\xbf") == 0 &&
        (out.back() == '\xbe' || out.back() == '\xbf')) {
      out.replace(out.size() - 3, 3, "?");
    }
  }
  return out;
}

std::string terminal_text(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  char code[8];
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (byte < 0x20 || byte == 0x7f) {
      std::snprintf(code, sizeof code, "\\x%02x", byte);
      out += code;
    } else if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {
      // U+0080..U+009F: C1 controls (U+009B is a CSI to many terminals).
      std::snprintf(code, sizeof code, "\\u%04x", next);
      out += code;
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace troupe::cli
