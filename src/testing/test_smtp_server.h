// A real SMTP server on loopback for tests: Debian's aiosmtpd (python3-aiosmtpd) run as
//   /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox MAILDIR
// storing every message it accepts in a Maildir, which Messages() reads back decoded (the RFC 2047 subject, the
// base64 or plain body). Stop() and Start() again on the same port stand for a mail server that goes down and
// comes back.
#ifndef NINGJU_TESTING_TEST_SMTP_SERVER_H_
#define NINGJU_TESTING_TEST_SMTP_SERVER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "testing/test_process.h"

namespace ningju::testing {

struct ReceivedMail {
  std::string to;       // the To header
  std::string from;     // the From header, as sent
  std::string subject;  // decoded
  std::string body;     // decoded
  std::string raw;
};

class TestSmtpServer {
 public:
  // Starts a server on a free loopback port, waiting until it accepts connections.
  static StatusOr<std::unique_ptr<TestSmtpServer>> Start();
  ~TestSmtpServer();
  TestSmtpServer(const TestSmtpServer&) = delete;
  TestSmtpServer& operator=(const TestSmtpServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The server goes down (nothing listens on the port) / comes back on the same port with the same Maildir (a
  // failure to start says so, with the server's log).
  void Stop();
  Status Restart();

  // Every message received so far, in the order the files were written.
  std::vector<ReceivedMail> Messages() const;
  // Polls until a message satisfies `match` or `timeout` passes.
  std::optional<ReceivedMail> WaitFor(const std::function<bool(const ReceivedMail&)>& match,
                                      std::chrono::seconds timeout = std::chrono::seconds(10)) const;

 private:
  TestSmtpServer(int port, std::string dir) : port_(port), dir_(std::move(dir)) {}

  int port_;
  std::string dir_;  // the Maildir is dir_/mail, the server's output dir_/smtp.log
  TestProcess process_;
};

// The text of RFC 2047 encoded-words ("=?UTF-8?B?...?=") in `header` decoded, the rest as it is.
std::string DecodeHeader(const std::string& header);

}  // namespace ningju::testing

#endif  // NINGJU_TESTING_TEST_SMTP_SERVER_H_
