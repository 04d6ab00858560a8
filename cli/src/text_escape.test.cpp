// Text from a trace reaches a terminal and a page only made harmless.
#include "text_escape.hpp"

#include <gtest/gtest.h>

#include <string>

namespace troupe::cli {
namespace {

using namespace std::string_literals;

TEST(TerminalText, ControlBytesAreShownNotObeyed) {
  EXPECT_EQ(terminal_text("/pool/w1"), "/pool/w1");
  EXPECT_EQ(terminal_text("\x1b[2J/a"), "\\x1b[2J/a");  // clear screen
  EXPECT_EQ(terminal_text("a\0b"s), "a\\x00b");
  EXPECT_EQ(terminal_text("line\nnext\r\t\x7f"), "line\\x0anext\\x0d\\x09\\x7f");
  // U+009B (CSI) as UTF-8; U+00A9 and other text stay as they are.
  EXPECT_EQ(terminal_text("\xc2\x9b"
                          "31m"),
            "\\u009b31m");
  EXPECT_EQ(terminal_text("\xc2\xa9 caf\xc3\xa9"), "\xc2\xa9 caf\xc3\xa9");
  EXPECT_EQ(terminal_text("ends in \xc2"), "ends in \xc2");
  EXPECT_EQ(terminal_text(""), "");
}

TEST(MarkupText, SpecialAndControlCharactersCannotBreakThePage) {
  EXPECT_EQ(markup_text("<b>&\"'</b>"), "&lt;b&gt;&amp;&quot;&apos;&lt;/b&gt;");
  EXPECT_EQ(markup_text("a\x1b\0z"s), "a??z");
  EXPECT_EQ(markup_text("tab\tand\nline"), "tab\tand\nline");
  EXPECT_EQ(markup_text("x\xef\xbf\xbe y\xef\xbf\xbf"), "x? y?");
  EXPECT_EQ(markup_text("\xef\xbf\xbd"), "\xef\xbf\xbd");  // U+FFFD is fine
}

}  // namespace
}  // namespace troupe::cli
