#include "engine/http/metrics_server.hpp"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace troupe {

namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";
// Scrapes are rare and cheap: two threads serve them, whatever the machine.
constexpr std::size_t kServerThreads = 2;

std::string where(const std::string& address, int port) {
  return address + ":" + std::to_string(port);
}

void check_settings(const MetricsServerSettings& s) {
  if (s.port < 0 || s.port > 65535) {
    throw std::invalid_argument("metrics: port " + std::to_string(s.port) + " is outside 0..65535");
  }
  if (s.address.empty()) throw std::invalid_argument("metrics: the bind address is empty");
}

/// Why binding failed, in the operating system's words: httplib only says no.
std::string bind_error(const std::string& address, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) return std::string("cannot resolve the address: ") + gai_strerror(rc);
  std::string why = "unknown error";
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) {
    why = std::strerror(errno);
  } else {
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, found->ai_addr, found->ai_addrlen) != 0) why = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return why;
}

}  // namespace

struct MetricsServer::Impl {
  httplib::Server http;
  std::atomic<bool> loop_ended{false};
};

MetricsServer::MetricsServer(const System& sys, MetricsServerSettings settings)
    : MetricsServer(sys.metrics_source(), std::move(settings)) {}

MetricsServer::MetricsServer(std::function<std::string()> source, MetricsServerSettings settings)
    : impl_(std::make_unique<Impl>()), address_(settings.address) {
  check_settings(settings);
  if (!source) throw std::invalid_argument("metrics: no metrics source");
  auto& http = impl_->http;
  http.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  // httplib's default adds SO_REUSEPORT, which lets a second exporter share a
  // port in use and silently split the scrapes: reuse the address only.
  http.set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.Get("/metrics",
           [source = std::move(source)](const httplib::Request&, httplib::Response& res) {
             res.set_content(source(), kContentType);
           });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404) res.set_content("not found: " + req.path + "\n", "text/plain");
  });
  if (settings.port == 0) {
    port_ = http.bind_to_any_port(settings.address);
    if (port_ < 0) {
      throw std::runtime_error("metrics: cannot listen on " + where(settings.address, 0) + ": " +
                               bind_error(settings.address, 0));
    }
  } else {
    if (!http.bind_to_port(settings.address, settings.port)) {
      throw std::runtime_error("metrics: cannot listen on " +
                               where(settings.address, settings.port) + ": " +
                               bind_error(settings.address, settings.port));
    }
    port_ = settings.port;
  }
  // Bound and listening already: connections queue until the loop accepts them.
  listener_ = std::thread([this] {
    impl_->http.listen_after_bind();
    impl_->loop_ended = true;
  });
  // httplib's stop() does nothing until the loop runs: wait for it, so that a
  // server stopped at once still stops.
  while (!http.is_running() && !impl_->loop_ended) std::this_thread::yield();
  if (!http.is_running()) {
    listener_.join();
    throw std::runtime_error("metrics: the server on " + where(address_, port_) +
                             " stopped as it started");
  }
}

MetricsServer::~MetricsServer() {
  stop();
}

void MetricsServer::stop() {
  if (!listener_.joinable()) return;
  impl_->http.stop();
  listener_.join();
}

std::string MetricsServer::url() const {
  const bool v6 = address_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address_ + "]" : address_) + ":" + std::to_string(port_) +
         "/metrics";
}

}  // namespace troupe
