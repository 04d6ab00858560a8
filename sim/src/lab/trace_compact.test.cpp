// Compact traces: rows read as strictly as the verbose encoding's objects,
// about a fifth of its size; gzipped files read the same way; the messages
// of sent and received rows (sender, number, type) round-trip and are hashed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gzip_stream.hpp"
#include "troupe/sim/replay.hpp"
#include "troupe/sim/trace.hpp"

namespace troupe::sim {
namespace {

// The header's format field as this build writes it.
std::string current_format() {
  return "\"format\":" + std::to_string(kTraceFormat);
}

Trace storm_run(std::uint64_t seed = 9) {
  return record_run({.scenario = "crash-storm", .params = {{"strict", 1}}, .seed = seed});
}

std::string text_of(const Trace& t, TraceEncoding encoding = TraceEncoding::compact) {
  std::ostringstream os;
  write_trace(t, os, encoding);
  return os.str();
}

Trace read_text(const std::string& text) {
  std::istringstream in(text);
  return read_trace(in, "t");
}

std::string read_error(const std::string& text) {
  try {
    (void)read_text(text);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string edit(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void expect_same(const Trace& a, const Trace& b) {
  EXPECT_EQ(a.header.seed, b.header.seed);
  EXPECT_EQ(a.decisions, b.decisions);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].kind, b.events[i].kind) << i;
    EXPECT_EQ(a.events[i].time, b.events[i].time) << i;
    EXPECT_EQ(a.events[i].actor, b.events[i].actor) << i;
    EXPECT_EQ(a.events[i].path, b.events[i].path) << i;
    EXPECT_EQ(a.events[i].detail, b.events[i].detail) << i;
    EXPECT_EQ(a.events[i].value, b.events[i].value) << i;
    EXPECT_EQ(a.events[i].sender, b.events[i].sender) << i;
    EXPECT_EQ(a.events[i].message, b.events[i].message) << i;
    EXPECT_EQ(a.events[i].type, b.events[i].type) << i;
  }
  EXPECT_EQ(a.hashes, b.hashes);
  EXPECT_EQ(a.footer.outcome, b.footer.outcome);
  EXPECT_EQ(a.footer.hash, b.footer.hash);
}

TEST(TraceCompact, RoundTripsAndReplays) {
  const Trace t = storm_run();
  ASSERT_FALSE(t.footer.invariant.empty()) << "seed 9 of a strict storm fails";
  const std::string text = text_of(t);
  EXPECT_NE(text.find(current_format()), std::string::npos);
  const Trace back = read_text(text);
  expect_same(back, t);
  EXPECT_EQ(text_of(back), text);
  EXPECT_TRUE(replay_trace(back).matches);
}

TEST(TraceCompact, IsAtMostAFifthOfTheVerboseFormat) {
  for (const std::uint64_t seed : {9, 10, 11}) {
    const Trace t = storm_run(seed);
    const auto compact = text_of(t).size();
    const auto verbose = text_of(t, TraceEncoding::verbose).size();
    EXPECT_LE(compact * 5, verbose) << "seed " << seed << ": " << compact << " vs " << verbose;
  }
}

TEST(TraceCompact, BothEncodingsReadAndConvertBothWays) {
  const Trace t = storm_run();
  const Trace from_verbose = read_text(text_of(t, TraceEncoding::verbose));
  EXPECT_EQ(from_verbose.header.format, kTraceFormat);
  expect_same(from_verbose, t);
  // Read verbose, written compact, and back.
  const Trace converted = read_text(text_of(from_verbose));
  expect_same(converted, t);
  EXPECT_EQ(text_of(read_text(text_of(converted, TraceEncoding::verbose)), TraceEncoding::verbose),
            text_of(t, TraceEncoding::verbose));
}

TEST(TraceCompact, RefusesEditsAndMalformedRowsWithOneLine) {
  const std::string good = text_of(storm_run());
  ASSERT_EQ(read_error(good), "(no error)");
  struct Case {
    std::string from, to, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"\"rows\":[[0,0,1,0,\"/storm\"]", "\"rows\":[[0,1,1,0,\"/storm\"]", "running hash"},
           {"\"rows\":[[0,0,1,0,\"/storm\"]", "\"rows\":[[0,99,1,0,\"/storm\"]",
            "not an index into 'event_kinds'"},
           {"\"rows\":[[0,0,1,0,\"/storm\"]", "\"rows\":[[0,0,1]", "4 to 9 values"},
           {"\"rows\":[[0,0,1,0,\"/storm\"]", "\"rows\":[[-1,0,1,0,\"/storm\"]", "time step"},
           {"\"rows\":[[0,0,1,0,\"/storm\"]", "\"rows\":[[0,0,1,0]", "must give its path"},
           {"\"rows\":[[0,0,1,0,\"/storm\"]", "\"rows\":[[0,0,1,0,7]", "path must be a string"},
           {"\"rows\":[[0,0,1,0,\"/storm\"]", "\"rows\":[[0,0,1,0,\"/storm\",\"\"]",
            "detail, when given"},
           {"\"rows\":[[0,0,1,0,\"/storm\"],[0,",
            "\"rows\":[[9223372036854775807,0,1,0,\"/storm\"],[1,", "largest time point"},
           {"\"rows\":[[0,0,1,0,\"/storm\"]", "\"rows\":[[0,0,1,1e3,\"/storm\"]", "value"},
           {"\"event_kinds\":[\"spawned\"", "\"event_kinds\":[\"hatched\"", "unknown event kind"},
           {"\"event_kinds\":[", "\"event_kinds\":7,\"x\":[", "event_kinds"},
           {"\"varints\":\"", "\"varints\":\"=", "outside base64url"},
           {"\"count\":", "\"count\":1", "'count' is"},
           {"\"type\":\"events\"", "\"type\":\"event\"", "does not belong in a trace of format 7"},
           {"\"format\":7", "\"format\":8", "format 8 is not supported"},
           {"\"format\":7", "\"format\":6", "recorded by an older troupe"},
           {"\"message_types\":[", "\"message_types\":7,\"x\":[", "message_types"},
           {"\"message_types\":[", "\"message_types\":[\"\",", "non-empty type names"},
       }) {
    const std::string error = read_error(edit(good, c.from, c.to));
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.to << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  // The first line has no event kinds: a compact trace's header needs them.
  std::string no_kinds = good;
  const auto at = no_kinds.find("\"event_kinds\":[");
  ASSERT_NE(at, std::string::npos);
  no_kinds.erase(at, no_kinds.find(']', at) + 2 - at);  // the list and its comma
  EXPECT_NE(read_error(no_kinds).find("'event_kinds'"), std::string::npos) << read_error(no_kinds);
}

/// `text` with the first sent row changed by `change` (the rows as JSON).
template <class F>
std::string edit_first_sent_row(const std::string& text, F change) {
  std::istringstream lines(text);
  std::string line, out;
  bool done = false;
  while (std::getline(lines, line)) {
    if (!done && line.find("\"type\":\"events\"") != std::string::npos) {
      auto j = nlohmann::json::parse(line);
      for (auto& row : j["rows"]) {
        if (row[1] == static_cast<int>(EventKind::sent)) {
          change(row);
          done = true;
          break;
        }
      }
      line = j.dump();
    }
    out += line + "\n";
  }
  EXPECT_TRUE(done) << "no sent row";
  return out;
}

TEST(TraceCompact, MessagesRoundTripAndTheirRowsAreReadStrictly) {
  const Trace t = storm_run();
  // Messages come from the workload (sender 0) and from actors: both are here.
  bool from_an_actor = false;
  bool numbered = false;
  for (const auto& e : t.events) {
    if (e.kind != EventKind::sent && e.kind != EventKind::received) continue;
    EXPECT_FALSE(e.type.empty());
    from_an_actor = from_an_actor || e.sender != 0;
    numbered = numbered || e.message > 1;
  }
  EXPECT_TRUE(from_an_actor);
  EXPECT_TRUE(numbered);
  const std::string good = text_of(t);
  expect_same(read_text(good), t);
  const auto error_after = [&](auto change) {
    const std::string error = read_error(edit_first_sent_row(good, change));
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    return error;
  };
  EXPECT_NE(error_after([](auto& row) { row[4] = 12345; }).find("running hash"),
            std::string::npos);  // another sender
  EXPECT_NE(error_after([](auto& row) { row[5] = 999; }).find("running hash"),
            std::string::npos);  // another message number
  EXPECT_NE(error_after([](auto& row) { row[6] = 4000; }).find("not an index into 'message_types'"),
            std::string::npos);
  EXPECT_NE(error_after([](auto& row) { row[6] = -1; }).find("type must be a whole number"),
            std::string::npos);
  EXPECT_NE(error_after([](auto& row) { row.erase(6); }).find("must give sender, message and type"),
            std::string::npos);
  EXPECT_NE(error_after([](auto& row) {
              row.push_back("/p");
              row.push_back("d");
              row.push_back("x");
            }).find("an event row must be an array of 4 to 9 values"),
            std::string::npos);
}

/// `text` with its first line of type `type` parsed, changed by `change`
/// (the line as JSON) and written back.
template <class F>
std::string edit_line(const std::string& text, const std::string& type, F change) {
  std::istringstream lines(text);
  std::string line, out;
  bool done = false;
  while (std::getline(lines, line)) {
    if (!done && line.find("\"type\":\"" + type + "\"") != std::string::npos) {
      auto j = nlohmann::json::parse(line);
      change(j);
      line = j.dump();
      done = true;
    }
    out += line + "\n";
  }
  EXPECT_TRUE(done) << "no " << type << " line";
  return out;
}

/// Where a compact row's path goes: after the message fields, if it has them.
std::size_t path_slot(const nlohmann::json& row) {
  return names_a_message(static_cast<EventKind>(row[1].get<int>())) ? 7 : 4;
}

TEST(TraceCompact, EveryPartOfTheFileIsCheckedOrRefusedNothingIsCarriedUnread) {
  const std::string good = text_of(storm_run());
  const auto expect_error = [](const std::string& text, const std::string& expected) {
    const std::string error = read_error(text);
    EXPECT_NE(error.find(expected), std::string::npos) << expected << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  };
  // Fields no writer writes, in each kind of line.
  expect_error(edit(good, "\"swarm\":", "\"extra\":1,\"swarm\":"),
               "unknown field 'extra' in the header");
  expect_error(edit_line(good, "decisions", [](nlohmann::json& j) { j["why"] = "x"; }),
               "unknown field 'why' in a decisions line");
  expect_error(edit_line(good, "events", [](nlohmann::json& j) { j["note"] = 1; }),
               "unknown field 'note' in an events line");
  expect_error(edit_line(good, "footer", [](nlohmann::json& j) { j["signed_by"] = "me"; }),
               "unknown field 'signed_by' in the footer");
  // Tables listed twice, or holding a name nothing uses.
  expect_error(
      edit(good, "\"event_kinds\":[\"spawned\"", "\"event_kinds\":[\"spawned\",\"spawned\""),
      "'spawned' is listed twice in 'event_kinds'");
  expect_error(edit(good, "\"message_types\":[", "\"message_types\":[\"Dup\",\"Dup\","),
               "'Dup' is listed twice in 'message_types'");
  expect_error(
      edit_line(good, "header", [](nlohmann::json& j) { j["message_types"].push_back("Unused"); }),
      "message type 'Unused' is listed but no event has it");
  // A row that gives its actor's path again, or a null path with nothing after.
  expect_error(edit_line(good, "events",
                         [](nlohmann::json& j) {
                           auto& rows = j["rows"];
                           for (std::size_t i = 1; i < rows.size(); ++i) {
                             auto& row = rows[i];
                             if (row[2] != rows[0][2] || row.size() != path_slot(row)) continue;
                             row.push_back(rows[0][4]);
                             return;
                           }
                           ADD_FAILURE() << "no row of the first actor without a path";
                         }),
               "repeats its actor's path");
  expect_error(edit_line(good, "events",
                         [](nlohmann::json& j) {
                           auto& rows = j["rows"];
                           for (std::size_t i = 1; i < rows.size(); ++i) {
                             auto& row = rows[i];
                             if (row.size() != path_slot(row)) continue;
                             row.push_back(nullptr);
                             return;
                           }
                           ADD_FAILURE() << "no row without a path";
                         }),
               "null path with no detail");
}

TEST(TraceCompact, KeysTwiceEmptyTablesAndHeaderPartsOfOtherTracesAreRefused) {
  const std::string good = text_of(storm_run());
  ASSERT_EQ(read_error(good), "(no error)");
  struct Case {
    std::string from, to, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"\"seed\":", "\"seed\":999,\"seed\":", "the key 'seed' appears twice"},
           {"\"outcome\":", "\"outcome\":\"pass\",\"outcome\":", "the key 'outcome' appears twice"},
           {"\"faults\":{", "\"faults\":{\"delay\":[],", "at least one fault"},
           {"\"faults\":{", "\"faults\":{\"slow\":[{\"factor\":2,\"path_prefix\":\"/\",\"x\":1}],",
            "unknown field 'x' in a 'slow' fault"},
           {"\"swarm\":", "\"hash_before\":\"0000000000000000\",\"swarm\":",
            "'hash_before' belongs with 'events_from'"},
           {"\"swarm\":", "\"pct_depth\":5,\"pct_steps\":7,\"swarm\":", "belong to a pct trace"},
       }) {
    const std::string error = read_error(edit(good, c.from, c.to));
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.to << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  const std::string error = read_error(edit_line(
      good, "header", [](nlohmann::json& j) { j["message_types"] = nlohmann::json::array(); }));
  EXPECT_NE(error.find("1 to 4096 type names"), std::string::npos) << error;
}

TEST(TraceCompact, ALongTypeNamedAgainAndAgainIsBoundedNotUnfolded) {
  // One 4 MiB type name that every message row of the first line names: if
  // each event copied it, 100 rows would be 400 MiB. The reader stops at its
  // limit of 256 MiB of repeated text, before the line's hash is checked.
  std::string text = text_of(storm_run());
  const std::string type(std::size_t{4} << 20, 'T');
  text = edit_line(text, "header", [&](nlohmann::json& j) { j["message_types"] = {type}; });
  std::size_t named = 0;
  text = edit_line(text, "events", [&](nlohmann::json& j) {
    for (auto& row : j["rows"]) {
      if (!names_a_message(static_cast<EventKind>(row[1].get<int>()))) continue;
      row[6] = 0;
      ++named;
    }
  });
  ASSERT_GT(named, 64u) << "the first line should name a message in more than 64 rows";
  EXPECT_NE(read_error(text).find("the rows repeat pass the limit"), std::string::npos);
}

TEST(TraceVerbose, MessageFieldsOnlyOnEventsThatNameAMessageAndNumbersFit64Bits) {
  const std::string good = text_of(storm_run(), TraceEncoding::verbose);
  ASSERT_EQ(read_error(good), "(no error)");
  std::string error =
      read_error(edit(good, "\"kind\":\"spawned\"", "\"kind\":\"spawned\",\"sender\":4"));
  EXPECT_NE(error.find("unknown field 'sender' in an event that names no message"),
            std::string::npos)
      << error;
  error = read_error(edit(good, "\"sender\":", "\"sender\":18446744073709551616,\"was\":"));
  EXPECT_NE(error.find("field 'sender' must be a whole number that fits 64 bits"),
            std::string::npos)
      << error;
  error = read_error(edit(good, "\"sender\":", "\"sender\":1.5,\"was\":"));
  EXPECT_NE(error.find("not a fraction"), std::string::npos) << error;
}

TEST(TraceCompact, GzippedFilesReadTransparently) {
  const Trace t = storm_run();
  const auto dir = std::filesystem::temp_directory_path() / "troupe-trace-gz";
  std::filesystem::create_directories(dir);
  const std::string plain = (dir / "t.trace.jsonl").string();
  const std::string zipped = (dir / "t.trace.jsonl.gz").string();
  write_trace_file(t, plain);
  write_trace_file(t, zipped);
  EXPECT_LT(std::filesystem::file_size(zipped) * 2, std::filesystem::file_size(plain));
  expect_same(read_trace_file(zipped), t);
  expect_same(read_trace_file(plain), t);
  // gzip of the verbose format too: whatever is inside is read.
  std::istringstream verbose_zipped(gzip(text_of(t, TraceEncoding::verbose)));
  expect_same(read_trace(verbose_zipped, "v"), t);
}

TEST(TraceCompact, CorruptOrTruncatedGzipIsOneLineNotACrash) {
  const std::string zipped = gzip(text_of(storm_run()));
  // Cut in the middle.
  EXPECT_NE(read_error(zipped.substr(0, zipped.size() / 2)).find("truncated"), std::string::npos)
      << read_error(zipped.substr(0, zipped.size() / 2));
  // Bytes flipped in the deflate stream.
  std::string flipped = zipped;
  for (std::size_t i = 20; i < 60 && i < flipped.size(); ++i)
    flipped[i] = static_cast<char>(~flipped[i]);
  const std::string error = read_error(flipped);
  EXPECT_NE(error.find("t"), std::string::npos);
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_NE(error, "(no error)");
  // Only the magic bytes.
  EXPECT_NE(read_error(std::string("\x1f\x8b", 2)).find("truncated"), std::string::npos);
  // Gzip of something that is not a trace.
  EXPECT_NE(read_error(gzip("garbage\n")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(read_error(gzip("")).find("empty file"), std::string::npos);
}

/// A pipe: one byte per read and nothing can be put back.
class TrickleBuffer final : public std::streambuf {
 public:
  explicit TrickleBuffer(std::string bytes) : bytes_(std::move(bytes)) {}

 protected:
  int_type underflow() override {
    if (next_ == bytes_.size()) return traits_type::eof();
    one_ = bytes_[next_++];
    setg(&one_, &one_, &one_ + 1);
    return traits_type::to_int_type(one_);
  }
  int_type pbackfail(int_type) override { return traits_type::eof(); }

 private:
  std::string bytes_;
  std::size_t next_ = 0;
  char one_ = 0;
};

TEST(TraceCompact, AGzippedTraceFromAPipeThatCannotPutBytesBackIsRead) {
  const Trace t = storm_run();
  TrickleBuffer zipped(gzip(text_of(t)));
  std::istream zipped_in(&zipped);
  expect_same(read_trace(zipped_in, "pipe"), t);
  TrickleBuffer plain(text_of(t));
  std::istream plain_in(&plain);
  expect_same(read_trace(plain_in, "pipe"), t);
  // One byte of magic and nothing else: an error, not an abort.
  TrickleBuffer one(std::string("\x1f"));
  std::istream one_in(&one);
  EXPECT_THROW((void)read_trace(one_in, "pipe"), TraceError);
}

TEST(TraceCompact, ALongPathLeftOutAgainAndAgainIsBoundedNotUnfolded) {
  // One 1 MiB path, then rows that leave it out: each would copy it. 300
  // lines of 256 rows stand for 75 GiB; the reader stops at 256 MiB.
  const std::string good = text_of(storm_run());
  const std::string header = good.substr(0, good.find('\n') + 1);
  std::string text = header;
  const std::string path(1 << 20, 'p');
  std::string rows = "[[0,0,1,0,\"/" + path + "\"]";
  for (int i = 1; i < 256; ++i) rows += ",[0,0,1,0]";
  text += "{\"type\":\"events\",\"rows\":" + rows + "],\"hash\":\"0000000000000000\"}\n";
  std::string later = "[0,0,1,0]";
  for (int i = 1; i < 256; ++i) later += ",[0,0,1,0]";
  for (int line = 0; line < 300; ++line) {
    text += "{\"type\":\"events\",\"rows\":[" + later + "],\"hash\":\"0000000000000000\"}\n";
  }
  std::istringstream in(text);
  try {
    (void)read_trace(in, "t", Integrity::recompute);  // no hash check: the limit must hold alone
    FAIL() << "read";
  } catch (const TraceError& e) {
    EXPECT_NE(std::string(e.what()).find("the rows repeat pass the limit"), std::string::npos)
        << e.what();
  }
}

TEST(TraceCompact, BytesAfterTheGzipStreamAreRefused) {
  const std::string zipped = gzip(text_of(storm_run()));
  EXPECT_NE(read_error(zipped + zipped).find("after the end of the gzip stream"), std::string::npos)
      << read_error(zipped + zipped);
  EXPECT_NE(read_error(zipped + "x").find("after the end of the gzip stream"), std::string::npos);
}

}  // namespace
}  // namespace troupe::sim
