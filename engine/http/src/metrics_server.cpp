#include "troupe/http/metrics_server.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "troupe/assert.hpp"

namespace troupe {

namespace {

// The exporter serves real sockets on real time: like the sockets themselves
// it sits outside the Scheduler seam, and nothing in the simulator reaches it.
using Clock = std::chrono::steady_clock;

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::size_t kThreadsMax = 64;
constexpr std::size_t kRequestBytesMin = 1024;
constexpr std::size_t kRequestBytesMax = 1024 * 1024;
constexpr std::chrono::milliseconds kTimeoutMax = std::chrono::hours(1);
// After replying, what a client still sends is read and dropped, this much at
// most for this long: closing with unread bytes would reset the connection
// and could destroy the reply (a 413) before the client reads it.
constexpr std::size_t kLingerBytesMax = 64 * 1024;
constexpr std::chrono::milliseconds kLingerMax{250};

std::string where(const std::string& address, int port) {
  return address + ":" + std::to_string(port);
}

void check_settings(const MetricsServerSettings& s) {
  if (s.port < 0 || s.port > 65535) {
    throw std::invalid_argument("metrics: port " + std::to_string(s.port) + " is outside 0..65535");
  }
  if (s.address.empty()) throw std::invalid_argument("metrics: the bind address is empty");
  for (const auto& [name, timeout] :
       {std::pair{"read_timeout", s.read_timeout}, std::pair{"write_timeout", s.write_timeout}}) {
    if (timeout <= std::chrono::milliseconds::zero() || timeout > kTimeoutMax) {
      throw std::invalid_argument(std::string("metrics: ") + name + " of " +
                                  std::to_string(timeout.count()) + "ms is outside 1ms..1h");
    }
  }
  if (s.threads < 1 || s.threads > kThreadsMax) {
    throw std::invalid_argument("metrics: threads = " + std::to_string(s.threads) +
                                " is outside 1.." + std::to_string(kThreadsMax));
  }
  if (s.request_bytes_max < kRequestBytesMin || s.request_bytes_max > kRequestBytesMax) {
    throw std::invalid_argument("metrics: request_bytes_max = " +
                                std::to_string(s.request_bytes_max) + " is outside 1KiB..1MiB");
  }
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

/// A one-shot signal every connection waits on beside its socket: a pipe
/// whose read end becomes readable, and stays so, once fire() writes to it.
class StopSignal {
 public:
  StopSignal() {
    if (pipe2(fds_.data(), O_CLOEXEC) != 0) {
      throw std::runtime_error(std::string("metrics: cannot make a pipe: ") + std::strerror(errno));
    }
  }
  ~StopSignal() {
    close(fds_[0]);
    close(fds_[1]);
  }
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  void fire() {
    if (fired_.exchange(true)) return;
    const char byte = 1;
    const ssize_t written = write(fds_[1], &byte, 1);
    TROUPE_ASSERT(written == 1);  // an empty pipe has room for one byte
  }
  bool fired() const { return fired_; }
  int fd() const { return fds_[0]; }

 private:
  std::array<int, 2> fds_{-1, -1};
  std::atomic<bool> fired_{false};
};

/// Waits until `sock` is ready for `events`; false at `deadline`, on stop, or
/// on a poll error.
bool wait_ready(int sock, short events, Clock::time_point deadline, const StopSignal& stop) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (stop.fired() || left <= std::chrono::milliseconds::zero()) return false;
    std::array<pollfd, 2> fds{pollfd{sock, events, 0}, pollfd{stop.fd(), POLLIN, 0}};
    const int rc = poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (rc < 0 && errno != EINTR) return false;
    if (fds[1].revents != 0) return false;
    if (fds[0].revents != 0) return true;  // an error or hangup shows in the next recv/send
  }
}

std::pair<std::string, int> numeric_name(const sockaddr_storage& addr, socklen_t len) {
  std::array<char, NI_MAXHOST> host{};
  std::array<char, NI_MAXSERV> serv{};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host.data(), host.size(),
                  serv.data(), serv.size(), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return {"", -1};
  }
  return {host.data(), std::atoi(serv.data())};
}

/// One connection as httplib reads and writes it, with a deadline on the
/// whole request and one on the whole reply (httplib's own timeouts bound
/// each read only, so a byte every few seconds kept a thread forever), a cap
/// on the request's size, and an end as soon as the server stops.
class BoundedStream final : public httplib::Stream {
 public:
  BoundedStream(int sock, const MetricsServerSettings& limits, const StopSignal& stop)
      : sock_(sock),
        limits_(limits),
        stop_(stop),
        read_deadline_(Clock::now() + limits.read_timeout) {}

  bool is_readable() const override {
    return buffered_ < filled_ || wait_ready(sock_, POLLIN, read_deadline_, stop_);
  }
  bool is_writable() const override { return wait_ready(sock_, POLLOUT, write_deadline(), stop_); }

  ssize_t read(char* ptr, size_t size) override {
    if (buffered_ == filled_) {
      const ssize_t got = refill();
      if (got <= 0) return got;
    }
    const std::size_t n = std::min(size, filled_ - buffered_);
    std::memcpy(ptr, buffer_.data() + buffered_, n);
    buffered_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      if (!wait_ready(sock_, POLLOUT, write_deadline(), stop_)) return -1;
      const ssize_t n = send(sock_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
    std::tie(ip, port) = numeric_name(addr, len);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
    std::tie(ip, port) = numeric_name(addr, len);
  }
  socket_t socket() const override { return sock_; }

 private:
  /// Reads what the socket has into the empty buffer: the byte count, 0 at
  /// the client's end, -1 on an error, the deadline, stop, or once the
  /// request passed its size cap.
  ssize_t refill() {
    TROUPE_ASSERT(buffered_ == filled_);
    buffered_ = filled_ = 0;
    for (;;) {
      if (!wait_ready(sock_, POLLIN, read_deadline_, stop_)) return -1;
      const std::size_t room = limits_.request_bytes_max - received_;
      if (room == 0) return -1;
      const ssize_t n = recv(sock_, buffer_.data(), std::min(room, buffer_.size()), MSG_DONTWAIT);
      if (n >= 0) {
        filled_ = static_cast<std::size_t>(n);
        received_ += filled_;
        TROUPE_ASSERT(received_ <= limits_.request_bytes_max);
        return n;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
    }
  }

  /// The reply's clock starts with its first byte, whenever the request ended.
  Clock::time_point write_deadline() const {
    if (!write_deadline_) write_deadline_ = Clock::now() + limits_.write_timeout;
    return *write_deadline_;
  }

  int sock_;
  const MetricsServerSettings& limits_;
  const StopSignal& stop_;
  Clock::time_point read_deadline_;
  mutable std::optional<Clock::time_point> write_deadline_;
  std::array<char, 4096> buffer_{};
  std::size_t buffered_ = 0;  // consumed from buffer_
  std::size_t filled_ = 0;    // valid bytes in buffer_
  std::size_t received_ = 0;  // bytes of this request so far, at most request_bytes_max
};

/// Reads and drops what the client still sends, a little for a short while,
/// then closes: see kLingerMax.
void lingering_close(int sock, const StopSignal& stop) {
  shutdown(sock, SHUT_WR);
  const auto deadline = Clock::now() + kLingerMax;
  std::array<char, 4096> sink{};
  for (std::size_t dropped = 0; dropped < kLingerBytesMax;) {
    if (!wait_ready(sock, POLLIN, deadline, stop)) break;
    const ssize_t n = recv(sock, sink.data(), sink.size(), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) break;
    if (n > 0) dropped += static_cast<std::size_t>(n);
  }
  close(sock);
}

/// httplib's server, serving each connection through a BoundedStream: one
/// request, then the connection closes.
class BoundedServer final : public httplib::Server {
 public:
  explicit BoundedServer(const MetricsServerSettings& limits) : limits_(limits) {
    new_task_queue = [threads = limits.threads] { return new httplib::ThreadPool(threads); };
  }
  /// Ends every connection, open or still to be served, as soon as it looks.
  void cut_connections() { stop_.fire(); }

 private:
  bool process_and_close_socket(socket_t sock) override {
    bool served = false;
    if (!stop_.fired()) {
      BoundedStream stream(sock, limits_, stop_);
      bool connection_closed = false;
      served = process_request(stream, /*close_connection=*/true, connection_closed, nullptr);
    }
    lingering_close(sock, stop_);
    return served;
  }

  MetricsServerSettings limits_;
  StopSignal stop_;
};

/// Nothing served here takes a body: refuse one before reading a byte of it,
/// whatever length it declares.
httplib::Server::HandlerResponse refuse_bodies(const httplib::Request& req,
                                               httplib::Response& res) {
  const bool chunked = req.has_header("Transfer-Encoding");
  const bool sized =
      req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0";
  if (!chunked && !sized) return httplib::Server::HandlerResponse::Unhandled;
  res.status = 413;
  res.set_content("metrics: requests with a body are refused\n", "text/plain");
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace

struct MetricsServer::Impl {
  explicit Impl(const MetricsServerSettings& settings) : http(settings) {}
  BoundedServer http;
  std::atomic<bool> loop_ended{false};
};

MetricsServer::MetricsServer(const System& sys, MetricsServerSettings settings)
    : MetricsServer(sys.metrics_source(), std::move(settings)) {}

MetricsServer::MetricsServer(std::function<std::string()> source, MetricsServerSettings settings)
    : address_(settings.address) {
  check_settings(settings);
  if (!source) throw std::invalid_argument("metrics: no metrics source");
  impl_ = std::make_unique<Impl>(settings);
  auto& http = impl_->http;
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
  http.set_pre_routing_handler(refuse_bodies);
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
  // Connections first: httplib's stop() joins its threads, which would wait
  // for every slow client to finish.
  impl_->http.cut_connections();
  impl_->http.stop();
  listener_.join();
}

std::string MetricsServer::url() const {
  const bool v6 = address_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address_ + "]" : address_) + ":" + std::to_string(port_) +
         "/metrics";
}

}  // namespace troupe
