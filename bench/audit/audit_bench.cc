// audit_bench: what the one audit head row (src/record/record.cc, `audit_head`) costs concurrent writers. Each of
// `--threads` threads changes an object of its own (an area row) in transactions for `--seconds`, once without an
// audit record and once with one (record::Audit, as every service action writes), rounds interleaved on the same
// database in the same process, so the ratio holds on a noisy machine. The audited transaction takes the head's row
// lock at its Audit call and holds it to its commit, so audited writers run one at a time from there.
//
//   audit_bench --db "postgresql://ningju@127.0.0.1:54329/ningju_test?options=-csearch_path%3Daudit_bench"
//   audit_bench --db sqlite:/tmp/audit-bench.db --threads 16 --seconds 5 --rounds 2
//
// The database must be empty (a new SQLite file, or a fresh PostgreSQL schema). See docs/PERFORMANCE.md.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "governance/areas/area_writer.h"
#include "record/record.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace ningju {
namespace {

using Steady = std::chrono::steady_clock;

void Die(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

struct Run {
  int64_t done = 0;
  int64_t failed = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// One action of a service, reduced to its writes: the object's row, its timeline event and (audited) the audit
// record, in the order the services write them (the audit record before the last event).
Status Action(storage::Connection& tx, int64_t area, Instant now, bool audited, int64_t n) {
  RETURN_IF_ERROR(tx.Execute("UPDATE areas SET updated_at = ? WHERE id = ?", {ToUnix(now) + n, area}).status());
  const record::Actor actor = record::Actor::System("bench:audit");
  const std::string ref = record::Ref("area", area);
  if (audited) RETURN_IF_ERROR(record::Audit(tx, now, actor, "area.bench", ref, {{"n", n}}));
  return record::AddEvent(tx, ref, now, actor, "bench", "", {{"n", n}});
}

Run Measure(storage::Database& db, const std::vector<int64_t>& areas, int seconds, bool audited) {
  std::atomic<bool> stop{false};
  std::vector<Run> per(areas.size());
  std::vector<std::thread> threads;
  const SystemClock clock;
  const auto start = Steady::now();
  for (size_t t = 0; t < areas.size(); ++t) {
    threads.emplace_back([&, t] {
      int64_t n = 0;
      while (!stop.load()) {
        const auto t0 = Steady::now();
        Status s =
            db.InTransaction([&](storage::Connection& tx) { return Action(tx, areas[t], clock.Now(), audited, ++n); });
        const auto t1 = Steady::now();
        if (s.ok()) {
          ++per[t].done;
          per[t].latencies_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        } else {
          ++per[t].failed;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  Run total;
  total.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  for (auto& r : per) {
    total.done += r.done;
    total.failed += r.failed;
    total.latencies_ms.insert(total.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  return total;
}

void Print(const char* name, Run& r) {
  std::printf("  %-9s %8.0f tx/s  p50 %6.2f ms  p99 %7.2f ms  (%lld done, %lld failed)\n", name,
              static_cast<double>(r.done) / r.seconds, Percentile(r.latencies_ms, 0.50),
              Percentile(r.latencies_ms, 0.99), static_cast<long long>(r.done), static_cast<long long>(r.failed));
}

int Main(int argc, char** argv) {
  CLI::App app{"audit_bench: audited against unaudited concurrent writes"};
  std::string url;
  int threads = 16, seconds = 5, rounds = 2;
  app.add_option("--db", url, "database URL (empty database or schema)")->required();
  app.add_option("--threads", threads, "writers, each on an object of its own")->check(CLI::Range(1, 256));
  app.add_option("--seconds", seconds, "length of each measurement")->check(CLI::Range(1, 60));
  app.add_option("--rounds", rounds, "interleaved pairs of measurements")->check(CLI::Range(1, 10));
  CLI11_PARSE(app, argc, argv);

  auto db = storage::Database::Open(url, {.pool_size = threads + 2});
  Die(db.status(), "open");
  Die(storage::Migrate(**db, storage::EmbeddedMigrations()).status(), "migrate");
  std::vector<int64_t> areas;
  Die((*db)->InTransaction([&](storage::Connection& tx) -> Status {
    areas.clear();
    const Instant now = SystemClock().Now();
    areas::NewArea d;
    d.kind = "district";
    d.code = "bench";
    d.name = "bench";
    ASSIGN_OR_RETURN(int64_t district, areas::InsertArea(tx, d, now));
    for (int t = 0; t < threads; ++t) {
      areas::NewArea s;
      s.parent_id = district;
      s.kind = "subdistrict";
      s.code = "bench-" + std::to_string(t);
      s.name = s.code;
      ASSIGN_OR_RETURN(int64_t id, areas::InsertArea(tx, s, now));
      areas.push_back(id);
    }
    return OkStatus();
  }),
      "seed");
  std::printf("%s, %d threads, %d s per measurement\n", (*db)->DisplayUrl().c_str(), threads, seconds);
  double plain_rate = 0, audited_rate = 0;
  for (int round = 1; round <= rounds; ++round) {
    std::printf("round %d\n", round);
    Run plain = Measure(**db, areas, seconds, false);
    Print("plain", plain);
    Run audited = Measure(**db, areas, seconds, true);
    Print("audited", audited);
    plain_rate += static_cast<double>(plain.done) / plain.seconds;
    audited_rate += static_cast<double>(audited.done) / audited.seconds;
  }
  std::printf("audited / plain throughput: %.2f\n", audited_rate / plain_rate);
  auto v = record::VerifyAudit(**db);
  Die(v.status(), "verify");
  std::printf("audit chain: %lld records, %zu problems\n", static_cast<long long>(v->records), v->problems.size());
  return v->problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace ningju

int main(int argc, char** argv) { return ningju::Main(argc, argv); }
