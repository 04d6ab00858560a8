#include "engine/http/metrics_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <stdexcept>

#include "engine/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

httplib::Result get(const MetricsServer& server, const std::string& path) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_connection_timeout(5s);
  client.set_read_timeout(5s);
  return client.Get(path);
}

TEST(MetricsServer, ServesTheSystemsExpositionAtMetrics) {
  System sys{testing::threads()};
  auto ref = sys.spawn("echo", Props<int>::from_function([](Context<int>&, int&) {})).value();
  ref.tell(1);
  ASSERT_TRUE(sys.await_quiescence(10s));
  MetricsServer server{sys, {.port = 0}};
  ASSERT_GT(server.port(), 0);
  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics");

  auto res = get(server, "/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res->body, sys.metrics_text());
  EXPECT_NE(res->body.find("troupe_messages_processed_total{actor=\"" + ref.path() + "\"} 1"),
            std::string::npos)
      << res->body;
}

TEST(MetricsServer, AnswersUnknownPathsWith404) {
  MetricsServer server{[] { return std::string("x 1\n"); }, {.port = 0}};
  auto res = get(server, "/nothing-here");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(get(server, "/")->status, 404);
}

TEST(MetricsServer, KeepsServingAfterTheSystemIsGone) {
  std::unique_ptr<MetricsServer> server;
  {
    System sys{testing::threads()};
    server = std::make_unique<MetricsServer>(sys, MetricsServerSettings{.port = 0});
  }
  auto res = get(*server, "/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("troupe_messages_sent_total 0"), std::string::npos) << res->body;
}

TEST(MetricsServer, RefusesAPortAlreadyInUseNamingIt) {
  MetricsServer first{[] { return std::string(); }, {.port = 0}};
  try {
    MetricsServer second{[] { return std::string(); }, {.port = first.port()}};
    FAIL() << "bound twice";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:" + std::to_string(first.port())), std::string::npos) << what;
    EXPECT_NE(what.find("in use"), std::string::npos) << what;
  }
}

TEST(MetricsServer, RefusesUnusableAddressesAndPortsWithAClearError) {
  auto source = [] { return std::string(); };
  EXPECT_THROW(MetricsServer(source, {.port = 70000}), std::invalid_argument);
  EXPECT_THROW(MetricsServer(source, {.port = -1}), std::invalid_argument);
  EXPECT_THROW(MetricsServer(source, {.address = "", .port = 0}), std::invalid_argument);
  EXPECT_THROW(MetricsServer(std::function<std::string()>{}, {.port = 0}), std::invalid_argument);
  try {
    MetricsServer server{source, {.address = "no.such.host.invalid", .port = 0}};
    FAIL() << "bound to a name that does not resolve";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no.such.host.invalid"), std::string::npos) << e.what();
  }
  // An address of another machine cannot be bound here.
  EXPECT_THROW(MetricsServer(source, {.address = "192.0.2.1", .port = 0}), std::runtime_error);
}

TEST(MetricsServer, StopIsIdempotentAndEndsServing) {
  MetricsServer server{[] { return std::string("x 1\n"); }, {.port = 0}};
  server.stop();
  server.stop();
  EXPECT_FALSE(get(server, "/metrics"));
}

}  // namespace
}  // namespace troupe
