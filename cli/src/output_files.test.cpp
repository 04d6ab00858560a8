// The files a command writes are checked before it writes any: an output
// that is its input (by any name) or another output is refused, and a bad
// second output leaves no trace of the first.
#include "output_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace troupe::cli {
namespace {

namespace fs = std::filesystem;

class OutputFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("troupe-output-files-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(at("in.trace")) << "the input";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string at(const std::string& name) const { return (dir_ / name).string(); }

  static std::string refusal(const NamedPath& input, const std::vector<NamedPath>& outputs) {
    try {
      check_outputs(input, outputs);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(accepted)";
  }

  fs::path dir_;
};

TEST_F(OutputFiles, AnOutputThatIsTheInputByAnyNameIsRefused) {
  const NamedPath input{"the trace", at("in.trace")};
  fs::create_symlink(at("in.trace"), at("link.trace"));
  fs::create_hard_link(at("in.trace"), at("hard.trace"));
  fs::create_directories(at("sub"));
  for (const std::string& same : {at("in.trace"), at("link.trace"), at("hard.trace"),
                                  at("sub/../in.trace"), (dir_ / "." / "in.trace").string()}) {
    EXPECT_NE(refusal(input, {{"--html", same}}).find("is the trace itself"), std::string::npos)
        << same;
  }
  std::ifstream in(at("in.trace"));
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "the input");
}

TEST_F(OutputFiles, TwoOutputsToOneFileAreRefusedAlsoBeforeItExists) {
  const NamedPath input{"the trace", at("in.trace")};
  EXPECT_NE(refusal(input, {{"--html", at("out")}, {"--perfetto", at("sub/../out")}})
                .find("--perfetto and --html name one file"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(at("out")));
  EXPECT_EQ(refusal(input, {{"--html", at("a.html")}, {"--perfetto", at("a.json")}}), "(accepted)");
}

TEST_F(OutputFiles, OneFileNotYetThereIsSeenThroughEverySpelling) {
  const NamedPath input{"the trace", at("in.trace")};
  // Relative names of a file that does not exist yet, in the working folder.
  const std::string name = "troupe-output-files-" + std::to_string(::getpid()) + ".html";
  const std::string absolute = (fs::current_path() / name).string();
  for (const std::string& other : {"./" + name, absolute, "sub-that-is-not-there/../" + name}) {
    EXPECT_NE(refusal(input, {{"--html", name}, {"--perfetto", other}}).find("name one file"),
              std::string::npos)
        << other;
  }
  EXPECT_FALSE(fs::exists(name));
  // A link to a file not there yet leads to that file.
  fs::create_symlink(at("new.html"), at("dangling.json"));
  EXPECT_NE(refusal(input, {{"--html", at("new.html")}, {"--perfetto", at("dangling.json")}})
                .find("name one file"),
            std::string::npos);
}

TEST_F(OutputFiles, ALinkThatWasThereIsKeptWhenALaterOutputFails) {
  const NamedPath input{"the trace", at("in.trace")};
  fs::create_symlink(at("new.html"), at("dangling.json"));
  EXPECT_NE(refusal(input, {{"--perfetto", at("dangling.json")}, {"--html", at("no/dir/x.html")}})
                .find("cannot write"),
            std::string::npos);
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(at("dangling.json"))));
}

TEST_F(OutputFiles, ABadSecondOutputLeavesNoFirstBehindButKeepsAFileThatWasThere) {
  const NamedPath input{"the trace", at("in.trace")};
  const std::string bad = at("no/such/dir/x.json");
  EXPECT_NE(refusal(input, {{"--html", at("new.html")}, {"--perfetto", bad}}).find("cannot write"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(at("new.html")));
  std::ofstream(at("old.html")) << "kept";
  EXPECT_NE(refusal(input, {{"--html", at("old.html")}, {"--perfetto", bad}}).find("cannot write"),
            std::string::npos);
  ASSERT_TRUE(fs::exists(at("old.html")));
  EXPECT_EQ(fs::file_size(at("old.html")), 4u);
}

TEST_F(OutputFiles, EmptyPathsAreNotAskedFor) {
  EXPECT_EQ(refusal({}, {{"the summary", ""}, {"the JUnit report", ""}}), "(accepted)");
  EXPECT_EQ(refusal({"the trace", at("in.trace")}, {{"--html", ""}}), "(accepted)");
}

}  // namespace
}  // namespace troupe::cli
