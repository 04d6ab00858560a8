// Type names are spelled the same by every supported compiler and standard
// library (the event hash covers them, so traces replay across builds):
// this test runs in the g++ and the clang builds alike.
#include "troupe/type_name.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace app {
struct Ping {};
template <class T>
struct Box {};
struct longint {};
}  // namespace app

namespace {
struct Local {};
}  // namespace

namespace troupe {
namespace {

TEST(TypeName, IsSpelledTheSameOnEveryCompiler) {
  EXPECT_EQ(type_name<app::Ping>(), "app::Ping");
  EXPECT_EQ(type_name<Local>(), "(anonymous)::Local");
  EXPECT_EQ(type_name<std::string>(), "std::basic_string<char>");
  EXPECT_EQ(type_name<std::uint64_t>(), "unsigned long");
  EXPECT_EQ(type_name<std::int64_t>(), "long");
  EXPECT_EQ(type_name<long long>(), "long long");
  EXPECT_EQ(type_name<unsigned long long>(), "unsigned long long");
  EXPECT_EQ(type_name<short>(), "short");
  EXPECT_EQ(type_name<unsigned short>(), "unsigned short");
  EXPECT_EQ(type_name<const char*>(), "const char*");
  EXPECT_EQ(type_name<std::vector<std::uint64_t>>(), "std::vector<unsigned long>");
  EXPECT_EQ(type_name<app::Box<const char*>>(), "app::Box<const char*>");
  EXPECT_EQ((type_name<std::map<int, long>>()), "std::map<int, long>");
  // Only whole words are respelled.
  EXPECT_EQ(type_name<app::longint>(), "app::longint");
}

TEST(TypeName, AVariantMessageIsNamedByTheAlternativeItHolds) {
  using Msg = std::variant<int, app::Ping, std::string>;
  EXPECT_EQ(message_type_name(Msg{1}), "int");
  EXPECT_EQ(message_type_name(Msg{app::Ping{}}), "app::Ping");
  EXPECT_EQ(message_type_name(Msg{std::string("x")}), "std::basic_string<char>");
  EXPECT_EQ(message_type_name(app::Ping{}), "app::Ping");
}

}  // namespace
}  // namespace troupe
