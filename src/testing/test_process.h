// A server process for tests, on a loopback port: what the test SMTP server (test_smtp_server.h) and the transports'
// tests (a Python HTTP gateway) start. The child gets this process's environment without PYTHONPATH and PYTHONHOME,
// so /usr/bin/python3 runs with Debian's own modules (python3-aiosmtpd) whatever python a developer's PATH prefers.
#ifndef NINGJU_TESTING_TEST_PROCESS_H_
#define NINGJU_TESTING_TEST_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace ningju::testing {

// A port of 127.0.0.1 nothing listens on, as far as anyone knows a moment later (bound, read, released).
StatusOr<int> FreeLoopbackPort();
// Whether something accepts connections on 127.0.0.1:`port`.
bool AcceptsOnLoopback(int port);

class TestProcess {
 public:
  TestProcess() = default;
  ~TestProcess() { Stop(); }
  TestProcess(const TestProcess&) = delete;
  TestProcess& operator=(const TestProcess&) = delete;

  // Runs `args` (args[0] an absolute path) with standard output and error into `log`, and waits up to 10 s until
  // `port` accepts connections. kFailedPrecondition (with the log's text) when it exits or never listens.
  Status Start(std::vector<std::string> args, int port, const std::string& log);
  // SIGTERM (SIGKILL after 2 s), then waits until the port refuses. Nothing when not running.
  void Stop();
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace ningju::testing

#endif  // NINGJU_TESTING_TEST_PROCESS_H_
