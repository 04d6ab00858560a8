// The name of a message's type, for events, traces and timelines:
//
//   type_name<app::Ping>()                          // "app::Ping"
//   message_type_name(std::variant<Ping, Pong>{})   // "Ping": the alternative held
//
// Names come from the compiler's signature of a function template and are
// made the same on g++ and clang (and on libstdc++ and libc++): an anonymous
// namespace is "(anonymous)", the library's inline namespaces (std::__cxx11,
// std::__1) are left out, integers are spelled as clang does ("unsigned
// long", not "long unsigned int"), and pointers without a space ("char*"). A trace recorded by one
// build then replays on another: the event hash covers these names.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace troupe {

namespace detail {

template <class T>
constexpr std::string_view raw_type_name() {
#if defined(__clang__) || defined(__GNUC__)
  constexpr std::string_view signature = __PRETTY_FUNCTION__;
  // g++: "... raw_type_name() [with T = app::Ping; std::string_view = ...]"
  // clang: "... raw_type_name() [T = app::Ping]"
  constexpr std::string_view marker = "T = ";
  constexpr std::size_t from = signature.find(marker) + marker.size();
  constexpr std::size_t to = signature.find_first_of(";]", from);
  return signature.substr(from, to - from);
#else
  return "?";
#endif
}

/// The spellings of one name that differ between compilers and libraries.
/// Longest first where one spelling contains another; `word` ones replace
/// whole words only.
struct NameSpelling {
  std::string_view from;
  std::string_view to;
  bool word = false;
};
inline constexpr std::array<NameSpelling, 11> kNameSpellings{{
    {"{anonymous}", "(anonymous)"},
    {"(anonymous namespace)", "(anonymous)"},
    {"__cxx11::", ""},
    {"__1::", ""},
    {"long long unsigned int", "unsigned long long", true},
    {"long long int", "long long", true},
    {"long unsigned int", "unsigned long", true},
    {"long int", "long", true},
    {"short unsigned int", "unsigned short", true},
    {"short int", "short", true},
    {" *", "*"},  // clang writes "const char *", g++ "const char*"
}};

constexpr bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// `raw` with the spellings above made one. At most `raw.size()` chars.
template <std::size_t N>
constexpr std::size_t normalise_type_name(std::string_view raw, std::array<char, N>& out) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < raw.size();) {
    bool replaced = false;
    for (const auto& s : kNameSpellings) {
      if (raw.substr(i, s.from.size()) != s.from) continue;
      const std::size_t end = i + s.from.size();
      if (s.word &&
          ((i > 0 && name_char(raw[i - 1])) || (end < raw.size() && name_char(raw[end])))) {
        continue;
      }
      for (const char c : s.to) out[n++] = c;
      i = end;
      replaced = true;
      break;
    }
    if (!replaced) out[n++] = raw[i++];
  }
  return n;
}

template <class T>
struct TypeNameStorage {
  static constexpr std::string_view raw = raw_type_name<T>();
  static constexpr auto built = [] {
    std::array<char, raw.size() + 1> chars{};
    const std::size_t n = normalise_type_name(raw, chars);
    return std::pair{chars, n};
  }();
  static constexpr std::string_view name{built.first.data(), built.second};
};

}  // namespace detail

/// The name of T, the same on every supported compiler.
template <class T>
constexpr std::string_view type_name() {
  return detail::TypeNameStorage<T>::name;
}

/// The name of the message's type; for a std::variant, of the alternative it holds.
template <class M>
std::string_view message_type_name(const M& message) {
  if constexpr (requires { std::variant_size<M>::value; }) {
    if (message.valueless_by_exception()) return "valueless";
    return std::visit(
        [](const auto& alternative) {
          return type_name<std::remove_cvref_t<decltype(alternative)>>();
        },
        message);
  } else {
    (void)message;
    return type_name<M>();
  }
}

}  // namespace troupe
