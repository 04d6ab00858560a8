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
//
// Limits, so that no client can hold the exporter or the process hostage:
// - one request per connection (the reply says `Connection: close`);
// - the whole request (line and headers) must arrive within `read_timeout`,
//   however slowly its bytes trickle in, and must fit in `request_bytes_max`;
// - the whole reply must be sent within `write_timeout`;
// - a request that declares a body (any Content-Length but 0, or a
//   Transfer-Encoding) is refused with 413 before a byte of it is read;
// - `threads` connections are served at once; more wait for a free thread, so
//   fewer than `threads` slow clients never delay a scrape, and more delay it
//   by at most `read_timeout` + `write_timeout`;
// - stop() and the destructor cut every open connection and return promptly,
//   whatever the clients are doing.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "troupe/system.hpp"

namespace troupe {

struct MetricsServerSettings {
  std::string address = "127.0.0.1";
  int port = 9464;  ///< 0 picks a free port; port() tells which
  /// The whole request must arrive within this, not each read.
  std::chrono::milliseconds read_timeout{5000};
  /// The whole reply must be sent within this.
  std::chrono::milliseconds write_timeout{5000};
  /// Connections served at once (1..64).
  std::size_t threads = 4;
  /// A request line and headers longer than this are cut off (1 KiB..1 MiB).
  std::size_t request_bytes_max = 16 * 1024;
};

class MetricsServer {
 public:
  /// Serves `sys`'s metrics. Throws std::invalid_argument for bad settings and
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
  /// Stops serving and cuts open connections, promptly; idempotent (the
  /// destructor calls it).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string address_;
  int port_ = 0;
  std::thread listener_;
};

}  // namespace troupe
