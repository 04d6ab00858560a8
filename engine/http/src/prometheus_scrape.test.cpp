// End to end: a real Prometheus server (Debian's `prometheus`, installed by
// `make deps`) scrapes a MetricsServer every second on loopback, and the test
// reads the values back through Prometheus's query API. Bounded in time; the
// server and its files are cleaned up whatever the outcome.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "troupe/http/metrics_server.hpp"
#include "troupe/pool.hpp"
#include "troupe/testing/test_support.hpp"

extern char** environ;

namespace troupe {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto kQueryDeadline = 60s;

std::optional<fs::path> find_program(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    const fs::path p = fs::path(dir) / name;
    if (fs::exists(p)) return p;
  }
  return std::nullopt;
}

int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("no free loopback port");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

/// A Prometheus server on loopback, scraping `target` every second, in its own
/// temporary directory; stopped and removed by the destructor.
class PrometheusServer {
 public:
  PrometheusServer(const fs::path& binary, int target_port) : port_(free_loopback_port()) {
    char tmpl[] = "/tmp/troupe-prometheus-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::ofstream(dir_ / "prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "scrape_configs:\n  - job_name: troupe\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << target_port << "']\n";
    std::vector<std::string> args{
        binary.string(), "--config.file=" + (dir_ / "prometheus.yml").string(),
        "--storage.tsdb.path=" + (dir_ / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    const std::string log = (dir_ / "prometheus.log").string();
    posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    const int rc = posix_spawn(&pid_, argv[0], &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (rc != 0) throw std::runtime_error("cannot start prometheus: " + std::to_string(rc));
  }

  ~PrometheusServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(100ms);
      }
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  /// The value of an instant query with exactly one series, if there is one.
  std::optional<std::string> query_one(const std::string& promql) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2s);
    client.set_read_timeout(5s);
    auto res = client.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
    if (!res || res->status != 200) return std::nullopt;
    const auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (body.is_discarded() || body["status"] != "success") return std::nullopt;
    const auto& result = body["data"]["result"];
    if (!result.is_array() || result.size() != 1) return std::nullopt;
    return result[0]["value"][1].get<std::string>();
  }

  std::string log() const {
    std::ifstream in(dir_ / "prometheus.log");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

 private:
  int port_;
  fs::path dir_;
  pid_t pid_ = -1;
};

/// Runs `command` with `input` on its standard input; returns exit code and output.
std::pair<int, std::string> run_with_input(const std::string& command, const std::string& input) {
  char tmpl[] = "/tmp/troupe-scrape-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  std::ofstream(tmpl) << input;
  const std::string full = command + " < " + tmpl + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  std::string output;
  char buf[512];
  while (pipe != nullptr && std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  fs::remove(tmpl);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// Three restarts of one actor; a pool grown by its autoscaler from 1 to 4.
struct RestartAndScaleWorkload {
  testing::Gate gate;  // declared first: it must outlive the system's threads
  System sys{testing::threads(3)};
  ActorRef<int> flaky;
  std::optional<Pool<int>> pool;

  ~RestartAndScaleWorkload() { gate.open(); }  // never leave a handler blocked

  void run() {
    flaky = sys.spawn("flaky", Props<int>::from_function([](Context<int>&, int& v) {
                                 if (v < 0) throw std::runtime_error("planted failure");
                               }).restart({.max_restarts = 5, .within = 60s}))
                .value();
    for (int v : {-1, 1, -1, 2, -1}) (void)flaky.tell(v);
    auto gated = Props<int>::from_function([this](Context<int>&, int&) { gate.wait(); });
    pool = Pool<int>::spawn(sys, "scaled", gated, {.min = 1, .max = 4}).value();
    for (int i = 0; i < 40; ++i) (void)pool->tell(i);  // all to the first worker: high load
    pool->autoscale({.interval = 20ms,
                     .high_threshold = 2,
                     .low_threshold = 1,
                     .scale_up_step = 1,
                     .scale_down_step = 1,
                     .cooldown = 1ms});
    const bool grew = testing::eventually(sys, [&] { return pool->size() == 4; });
    pool->stop_autoscaler();
    gate.open();
    if (!grew) throw std::runtime_error("the pool did not grow to 4");
    if (!sys.await_quiescence(10s)) throw std::runtime_error("the workload did not finish");
  }
};

TEST(PrometheusScrape, APrometheusServerReadsRestartsAndPoolSize) {
  const auto prometheus = find_program("prometheus");
  ASSERT_TRUE(prometheus) << "Debian's prometheus package is missing: run `make deps`";
  RestartAndScaleWorkload workload;
  workload.run();
  MetricsServer exporter{workload.sys, {.port = 0}};
  PrometheusServer server{*prometheus, exporter.port()};

  const std::string restarts =
      "troupe_actor_restarts_total{actor=\"" + workload.flaky.path() + "\"}";
  const std::string workers = "troupe_pool_workers{pool=\"" + workload.pool->path() + "\"}";
  const std::string ups = "troupe_autoscaler_decisions_total{direction=\"up\"}";
  std::optional<std::string> r, w, u;
  const auto deadline = std::chrono::steady_clock::now() + kQueryDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    r = server.query_one(restarts);
    w = server.query_one(workers);
    u = server.query_one(ups);
    if (r && w && u) break;
    std::this_thread::sleep_for(250ms);
  }
  ASSERT_TRUE(r && w && u) << "Prometheus never reported the series; its log:\n" << server.log();
  EXPECT_EQ(*r, "3");
  EXPECT_EQ(*w, "4");
  EXPECT_EQ(*u, "3");
  EXPECT_EQ(server.query_one("up{job=\"troupe\"}").value_or("none"), "1");
}

/// Tells an actor a message every few milliseconds until destroyed.
class Feeder {
 public:
  explicit Feeder(ActorRef<int> to)
      : thread_([this, to] {
          while (!stop_.load()) {
            (void)to.tell(1);
            std::this_thread::sleep_for(5ms);
          }
        }) {}
  ~Feeder() {
    stop_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(PrometheusScrape, ScrapesDuringTheRunAndSeesItProgress) {
  const auto prometheus = find_program("prometheus");
  ASSERT_TRUE(prometheus) << "Debian's prometheus package is missing: run `make deps`";
  System sys{testing::threads(2)};
  auto live =
      sys.spawn("live",
                Props<int>::from_function([](Context<int>&, int&) {}).mailbox({.capacity = 64}))
          .value();
  MetricsServer exporter{sys, {.port = 0}};
  PrometheusServer server{*prometheus, exporter.port()};
  const std::string processed = "troupe_messages_processed_total{actor=\"/live\"}";
  std::vector<double> seen;  // distinct values, in the order Prometheus reported them
  {
    Feeder feeder(live);
    const auto deadline = std::chrono::steady_clock::now() + kQueryDeadline;
    while (std::chrono::steady_clock::now() < deadline && seen.size() < 2) {
      if (const auto v = server.query_one(processed)) {
        const double value = std::stod(*v);
        if (seen.empty() || value != seen.back()) seen.push_back(value);
      }
      std::this_thread::sleep_for(250ms);
    }
  }  // the feeder stops only now: both values were scraped while it ran
  ASSERT_EQ(seen.size(), 2u) << "Prometheus saw no progress during the run; its log:\n"
                             << server.log();
  EXPECT_LT(seen[0], seen[1]);
  EXPECT_EQ(server.query_one("troupe_mailbox_capacity{actor=\"/live\"}").value_or("none"), "64");
  EXPECT_EQ(server.query_one("troupe_build_info").value_or("none"), "1");
}

TEST(PrometheusScrape, PromtoolAcceptsAScrapeWithNoWarnings) {
  const auto promtool = find_program("promtool");
  ASSERT_TRUE(promtool) << "Debian's prometheus package is missing: run `make deps`";
  RestartAndScaleWorkload workload;
  workload.run();
  MetricsServer exporter{workload.sys, {.port = 0}};
  httplib::Client client("127.0.0.1", exporter.port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  const auto [code, output] = run_with_input(promtool->string() + " check metrics", res->body);
  EXPECT_EQ(code, 0) << output << "\n" << res->body;
  EXPECT_EQ(output, "") << res->body;
}

}  // namespace
}  // namespace troupe
