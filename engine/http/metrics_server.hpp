// Serves a System's metrics at GET /metrics over HTTP, in the Prometheus text
// format, for a Prometheus server to scrape. A separate target
// (troupe::metrics_http) so that the engine itself does not depend on HTTP.
//
//   System sys{std::make_unique<ThreadScheduler>()};
//   MetricsServer server{sys, {.address = "127.0.0.1", .port = 9464}};
//   std::printf("metrics at %s\n", server.url().c_str());
//
// The server binds in its constructor (a port in use or an unusable address
// throws at once, naming it) and stops in its destructor. A scrape runs on the
// server's own threads and reads atomic counters: it never blocks an actor.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "engine/system.hpp"

namespace troupe {

struct MetricsServerSettings {
  std::string address = "127.0.0.1";
  int port = 9464;  ///< 0 picks a free port; port() tells which
};

class MetricsServer {
 public:
  /// Serves `sys`'s metrics. Throws std::invalid_argument for a bad port and
  /// std::runtime_error when the address cannot be bound.
  MetricsServer(const System& sys, MetricsServerSettings settings = {});
  /// Serves any exposition text `source` returns.
  MetricsServer(std::function<std::string()> source, MetricsServerSettings settings = {});
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const { return port_; }
  /// The scrape address, e.g. http://127.0.0.1:9464/metrics.
  std::string url() const;
  /// Stops serving; idempotent (the destructor calls it).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string address_;
  int port_ = 0;
  std::thread listener_;
};

}  // namespace troupe
