#include "troupe/http/metrics_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

httplib::Result get(const MetricsServer& server, const std::string& path) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_connection_timeout(5s);
  client.set_read_timeout(5s);
  return client.Get(path);
}

using Clock = std::chrono::steady_clock;

/// A TCP connection to the server on loopback, closed by the destructor.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot connect to the metrics server");
    }
  }
  ~RawConnection() { close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  /// Sends all of `bytes`; false once the server closed or reset the connection.
  bool send_all(const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  struct Reply {
    std::string bytes;
    bool closed = false;  ///< the server ended the connection (EOF or reset)
  };
  /// Reads until the server closes the connection or `timeout` passes.
  Reply read_until_closed(std::chrono::milliseconds timeout) {
    Reply reply;
    const auto deadline = Clock::now() + timeout;
    char buf[4096];
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        reply.closed = true;
        return reply;
      }
      reply.bytes.append(buf, static_cast<std::size_t>(n));
    }
    return reply;
  }

 private:
  int fd_;
};

/// A slowloris client: sends the start of a request, then one header byte
/// every `gap`, for at most `lifetime` (so that a server which waits for it
/// makes a test fail, not hang).
class SlowClient {
 public:
  SlowClient(int port, std::chrono::milliseconds gap, std::chrono::milliseconds lifetime)
      : conn_(port) {
    conn_.send_all("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    thread_ = std::thread([this, gap, lifetime] { trickle(gap, Clock::now() + lifetime); });
  }
  ~SlowClient() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  SlowClient(const SlowClient&) = delete;
  SlowClient& operator=(const SlowClient&) = delete;

  /// When the server cut the connection, if it did.
  std::optional<Clock::time_point> cut_at() const {
    std::lock_guard lock(mu_);
    return cut_at_;
  }

 private:
  void trickle(std::chrono::milliseconds gap, Clock::time_point until) {
    std::unique_lock lock(mu_);
    while (!done_ && Clock::now() < until) {
      if (cv_.wait_for(lock, gap, [&] { return done_; })) return;
      if (!conn_.send_all("a")) {
        cut_at_ = Clock::now();
        return;
      }
    }
  }

  RawConnection conn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;                        // guarded by mu_
  std::optional<Clock::time_point> cut_at_;  // guarded by mu_
  std::thread thread_;
};

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

constexpr auto kScrape = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
// Slow clients send a byte every half second, well inside a per-read timeout.
constexpr auto kSlowGap = std::chrono::milliseconds(500);
constexpr auto kSlowLifetime = std::chrono::milliseconds(8000);
// Time for the server to pick up connections it has accepted.
constexpr auto kSettle = std::chrono::milliseconds(300);

TEST(MetricsServer, ServesTheSystemsExpositionAtMetrics) {
  System sys{testing::threads()};
  auto ref = sys.spawn("echo", Props<int>::from_function([](Context<int>&, int&) {})).value();
  (void)ref.tell(1);
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

TEST(MetricsServer, AnswersARawScrapeAndClosesTheConnection) {
  MetricsServer server{[] { return std::string("x 1\n"); }, {.port = 0}};
  RawConnection conn{server.port()};
  ASSERT_TRUE(conn.send_all(kScrape));
  const auto reply = conn.read_until_closed(std::chrono::milliseconds(3000));
  EXPECT_TRUE(reply.closed) << "one request per connection: the server closes after replying";
  EXPECT_EQ(reply.bytes.rfind("HTTP/1.1 200", 0), 0u) << reply.bytes;
  EXPECT_NE(reply.bytes.find("\r\n\r\nx 1\n"), std::string::npos) << reply.bytes;
}

TEST(MetricsServer, AnswersAScrapeWhileTwoSlowClientsHoldConnections) {
  MetricsServer server{[] { return std::string("x 1\n"); }, {.port = 0}};
  SlowClient slow1{server.port(), kSlowGap, kSlowLifetime};
  SlowClient slow2{server.port(), kSlowGap, kSlowLifetime};
  std::this_thread::sleep_for(kSettle);

  const auto start = Clock::now();
  RawConnection conn{server.port()};
  ASSERT_TRUE(conn.send_all(kScrape));
  const auto reply = conn.read_until_closed(std::chrono::milliseconds(3000));
  EXPECT_EQ(reply.bytes.rfind("HTTP/1.1 200", 0), 0u)
      << "no reply in " << since(start).count() << " ms: " << reply.bytes;
  EXPECT_NE(reply.bytes.find("x 1\n"), std::string::npos) << reply.bytes;
  // And the ordinary client still works too.
  auto res = get(server, "/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->body, "x 1\n");
}

TEST(MetricsServer, StopReturnsPromptlyWithSlowClientsConnected) {
  MetricsServer server{[] { return std::string("x 1\n"); }, {.port = 0}};
  SlowClient slow1{server.port(), kSlowGap, kSlowLifetime};
  SlowClient slow2{server.port(), kSlowGap, kSlowLifetime};
  std::this_thread::sleep_for(kSettle);

  const auto start = Clock::now();
  server.stop();
  // A behavioural bound, not a benchmark: stop() must not wait for slow clients.
  EXPECT_LT(since(start), std::chrono::milliseconds(2000));
}

TEST(MetricsServer, DestructorReturnsPromptlyWithSlowClientsConnected) {
  auto server = std::make_unique<MetricsServer>([] { return std::string("x 1\n"); },
                                                MetricsServerSettings{.port = 0});
  SlowClient slow1{server->port(), kSlowGap, kSlowLifetime};
  SlowClient slow2{server->port(), kSlowGap, kSlowLifetime};
  std::this_thread::sleep_for(kSettle);

  const auto start = Clock::now();
  server.reset();
  EXPECT_LT(since(start), std::chrono::milliseconds(2000));
}

TEST(MetricsServer, RefusesARequestDeclaringAHugeBodyWithoutWaitingForIt) {
  MetricsServer server{[] { return std::string("x 1\n"); }, {.port = 0}};
  RawConnection conn{server.port()};
  ASSERT_TRUE(conn.send_all(
      "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 314572800\r\n\r\n"));
  // No body is sent: a server that meant to read it would still be waiting.
  const auto reply = conn.read_until_closed(std::chrono::milliseconds(3000));
  EXPECT_TRUE(reply.closed) << reply.bytes;
  if (!reply.bytes.empty()) {
    EXPECT_EQ(reply.bytes.rfind("HTTP/1.1 413", 0), 0u) << reply.bytes;
  }
  // The refusal costs the server nothing: it goes on answering.
  auto res = get(server, "/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
}

TEST(MetricsServer, RefusesAGetWithABody) {
  MetricsServer server{[] { return std::string("x 1\n"); }, {.port = 0}};
  RawConnection conn{server.port()};
  ASSERT_TRUE(
      conn.send_all("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"));
  const auto reply = conn.read_until_closed(std::chrono::milliseconds(3000));
  EXPECT_EQ(reply.bytes.rfind("HTTP/1.1 413", 0), 0u) << reply.bytes;
  EXPECT_EQ(reply.bytes.find("x 1\n"), std::string::npos) << reply.bytes;
}

TEST(MetricsServer, CutsAClientWhoseRequestOutlastsTheReadTimeout) {
  MetricsServer server{[] { return std::string("x 1\n"); },
                       {.port = 0, .read_timeout = std::chrono::milliseconds(1000)}};
  const auto start = Clock::now();
  // A byte every 200 ms would satisfy any per-read timeout forever.
  SlowClient slow{server.port(), std::chrono::milliseconds(200), kSlowLifetime};
  while (!slow.cut_at() && since(start) < std::chrono::milliseconds(5000)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(slow.cut_at()) << "the slow client was never cut";
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(*slow.cut_at() - start);
  EXPECT_GE(after, std::chrono::milliseconds(900));
  EXPECT_LT(after, std::chrono::milliseconds(3500));
}

TEST(MetricsServer, CutsARequestLongerThanItsSizeCap) {
  MetricsServer server{[] { return std::string("x 1\n"); }, {.port = 0, .request_bytes_max = 1024}};
  RawConnection conn{server.port()};
  conn.send_all("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(4096, 'a') +
                "\r\n\r\n");
  const auto reply = conn.read_until_closed(std::chrono::milliseconds(3000));
  EXPECT_TRUE(reply.closed);
  EXPECT_EQ(reply.bytes.find("x 1\n"), std::string::npos) << reply.bytes;
  // A request under the cap is served.
  RawConnection small{server.port()};
  ASSERT_TRUE(small.send_all(kScrape));
  EXPECT_NE(small.read_until_closed(std::chrono::milliseconds(3000)).bytes.find("x 1\n"),
            std::string::npos);
}

TEST(MetricsServer, RefusesUnusableLimits) {
  auto source = [] { return std::string(); };
  using std::chrono::milliseconds;
  EXPECT_THROW(MetricsServer(source, {.port = 0, .read_timeout = milliseconds(0)}),
               std::invalid_argument);
  EXPECT_THROW(MetricsServer(source, {.port = 0, .write_timeout = milliseconds(-1)}),
               std::invalid_argument);
  EXPECT_THROW(MetricsServer(source, {.port = 0, .read_timeout = milliseconds::max()}),
               std::invalid_argument);
  EXPECT_THROW(MetricsServer(source, {.port = 0, .threads = 0}), std::invalid_argument);
  EXPECT_THROW(MetricsServer(source, {.port = 0, .threads = 65}), std::invalid_argument);
  EXPECT_THROW(MetricsServer(source, {.port = 0, .request_bytes_max = 10}), std::invalid_argument);
  try {
    MetricsServer server{source, {.port = 0, .threads = 0}};
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("threads"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace troupe
