// An open-loop load generator: holds N keep-alive connections open and sends requests at a fixed total rate,
// whether or not earlier answers came back, measuring each latency from the moment the request was DUE (not sent).
// A closed-loop tool like wrk with 1,000 connections measures only "1,000 / throughput" (Little's law); this one
// answers "what is the p99 with 1,000 open connections at R requests/s", and a server that falls behind shows it
// (coordinated omission is not hidden).
//
//   openloop --port 8080 --path /areas/3 --connections 1000 --rate 5000 --duration 10 [--warmup 2] [--host 127.0.0.1]
//
// Prints one line of `key=value` pairs: sent, answered, errors, non2xx, rate, p50_ms, p90_ms, p99_ms, p999_ms, max_ms.
// One thread: the generator takes one core's share at most, leaving the rest to the server.
#include <functional>
#include <utility>  // before Boost 1.74 asio, whose awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using asio::ip::tcp;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string path = "/healthz";
  int connections = 1000;
  double rate = 1000;
  double duration = 10;
  double warmup = 2;
};

struct Stats {
  std::vector<double> latencies_ms;  // measured requests only (after the warm-up)
  long sent = 0, answered = 0, errors = 0, non2xx = 0;
};

// One keep-alive connection with a queue of due times; it sends the next request once the previous answer is in
// and the next one is due.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, const tcp::resolver::results_type& endpoints, const Options& options, Stats& stats,
             Clock::time_point measure_from)
      : socket_(io), timer_(io), endpoints_(endpoints), options_(options), stats_(stats), measure_from_(measure_from) {
    request_.method(http::verb::get);
    request_.target(options.path);
    request_.version(11);
    request_.set(http::field::host, options.host);
    request_.set(http::field::user_agent, "ningju-openloop");
    request_.keep_alive(true);
  }

  void Start() {
    auto self = shared_from_this();
    asio::async_connect(socket_, endpoints_, [self](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        self->stats_.errors++;
        self->broken_ = true;
        return;
      }
      self->connected_ = true;
      self->Next();
    });
  }

  void Due(Clock::time_point at) {
    due_.push_back(at);
    if (connected_ && !busy_) Next();
  }

 private:
  void Next() {
    if (broken_ || busy_ || due_.empty()) return;
    busy_ = true;
    Clock::time_point at = due_.front();
    auto self = shared_from_this();
    auto send = [self, at] {
      self->stats_.sent++;
      http::async_write(self->socket_, self->request_, [self, at](beast::error_code ec, size_t) {
        if (ec) return self->Fail();
        self->response_ = {};
        http::async_read(self->socket_, self->buffer_, self->response_, [self, at](beast::error_code ec, size_t) {
          if (ec) return self->Fail();
          Clock::time_point now = Clock::now();
          self->stats_.answered++;
          if (self->response_.result_int() / 100 != 2) self->stats_.non2xx++;
          if (at >= self->measure_from_) {
            self->stats_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - at).count());
          }
          self->due_.pop_front();
          self->busy_ = false;
          self->Next();
        });
      });
    };
    if (at > Clock::now()) {
      timer_.expires_at(at);
      timer_.async_wait([send](beast::error_code) { send(); });
    } else {
      send();
    }
  }

  void Fail() {
    stats_.errors++;
    broken_ = true;
    due_.clear();
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  tcp::resolver::results_type endpoints_;
  const Options& options_;
  Stats& stats_;
  Clock::time_point measure_from_;
  http::request<http::empty_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  std::deque<Clock::time_point> due_;
  bool connected_ = false, busy_ = false, broken_ = false;
};

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[i];
}

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--host")
      o.host = v;
    else if (k == "--port")
      o.port = v;
    else if (k == "--path")
      o.path = v;
    else if (k == "--connections")
      o.connections = std::atoi(v.c_str());
    else if (k == "--rate")
      o.rate = std::atof(v.c_str());
    else if (k == "--duration")
      o.duration = std::atof(v.c_str());
    else if (k == "--warmup")
      o.warmup = std::atof(v.c_str());
    else {
      std::cerr << "openloop: unknown option " << k << "\n";
      return 2;
    }
  }
  if (o.connections < 1 || o.rate <= 0 || o.duration <= 0) {
    std::cerr << "openloop: --connections, --rate and --duration must be positive\n";
    return 2;
  }
  asio::io_context io;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(o.host, o.port);
  Stats stats;
  // Connections open first (one second to settle), then the schedule starts.
  Clock::time_point start = Clock::now() + std::chrono::seconds(1);
  Clock::time_point measure_from =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  Clock::time_point end =
      measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  std::vector<std::shared_ptr<Connection>> conns;
  for (int i = 0; i < o.connections; ++i) {
    conns.push_back(std::make_shared<Connection>(io, endpoints, o, stats, measure_from));
    conns.back()->Start();
  }
  // The schedule: request k is due at start + k / rate, on connection k mod N. A ticker hands out what is due.
  auto interval = std::chrono::duration<double>(1.0 / o.rate);
  long k = 0;
  asio::steady_timer ticker(io);
  std::function<void()> tick = [&] {
    Clock::time_point now = Clock::now();
    while (true) {
      Clock::time_point due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(k));
      if (due > now || due >= end) break;
      conns[k % o.connections]->Due(due);
      ++k;
    }
    if (start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(k)) >= end) return;
    ticker.expires_after(std::chrono::milliseconds(1));
    ticker.async_wait([&](beast::error_code) { tick(); });
  };
  ticker.expires_at(start);
  ticker.async_wait([&](beast::error_code) { tick(); });
  // Stop a few seconds after the last request was due; anything still unanswered then counts as an error.
  asio::steady_timer stopper(io);
  stopper.expires_at(end + std::chrono::seconds(5));
  stopper.async_wait([&](beast::error_code) { io.stop(); });
  io.run();
  long measured_due =
      static_cast<long>(o.rate * o.duration);  // requests due inside the measured window, answered or not
  std::sort(stats.latencies_ms.begin(), stats.latencies_ms.end());
  long unanswered = stats.sent - stats.answered;
  std::printf(
      "sent=%ld answered=%ld errors=%ld unanswered=%ld non2xx=%ld rate=%.0f measured=%zu/%ld p50_ms=%.1f p90_ms=%.1f "
      "p99_ms=%.1f p999_ms=%.1f max_ms=%.1f\n",
      stats.sent, stats.answered, stats.errors, unanswered, stats.non2xx, o.rate, stats.latencies_ms.size(),
      measured_due, Percentile(stats.latencies_ms, 0.50), Percentile(stats.latencies_ms, 0.90),
      Percentile(stats.latencies_ms, 0.99), Percentile(stats.latencies_ms, 0.999),
      stats.latencies_ms.empty() ? 0.0 : stats.latencies_ms.back());
  return stats.errors > 0 || unanswered > 0 ? 1 : 0;
}
