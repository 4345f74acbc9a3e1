// cases_bench: how many intakes per second are durable (acknowledged = committed; SQLite runs synchronous=FULL),
// one transaction per intake against group commit (IntakeQueue) in the same run, and how fast the inbox and the
// lists answer with `--cases` cases stored. See bench/cases/README.md.
//
//   cases_bench --db sqlite:/tmp/cases-bench.db --cases 1000000 --threads 32 --seconds 5 --rounds 2
//   cases_bench --db postgresql://ningju@127.0.0.1:54329/ningju_test?options=-csearch_path%3Dbench ...
//
// The database must be empty (a new SQLite file, or a fresh PostgreSQL schema); the tree, units and cases are
// seeded with bulk INSERTs of 200 rows in transactions of 20,000, not through the service.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "app/app.h"
#include "auth/roles.h"
#include "common/calendar.h"
#include "governance/areas/area_writer.h"
#include "governance/cases/cases.h"
#include "storage/migrations.h"

namespace ningju {
namespace {

using Clock_ = std::chrono::steady_clock;

void Die(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

struct Tree {
  int64_t district = 0;
  std::vector<int64_t> subdistricts, neighborhoods, buildings;
  std::vector<int64_t> building_nb, building_sd;  // per building: its neighborhood and subdistrict
  std::vector<int64_t> units;                     // handling units
};

Tree SeedTree(storage::Database& db, cases::CaseService& service, Instant now) {
  Tree t;
  Die(db.InTransaction([&](storage::Connection& tx) -> Status {
    auto area = [](std::optional<int64_t> parent, const char* kind, std::string code) {
      areas::NewArea a;
      a.parent_id = parent;
      a.kind = kind;
      a.code = code;
      a.name = code;
      return a;
    };
    ASSIGN_OR_RETURN(t.district, areas::InsertArea(tx, area(std::nullopt, "district", "d"), now));
    for (int s = 0; s < 10; ++s) {
      ASSIGN_OR_RETURN(int64_t sd,
                       areas::InsertArea(tx, area(t.district, "subdistrict", "s" + std::to_string(s)), now));
      t.subdistricts.push_back(sd);
      for (int n = 0; n < 18; ++n) {
        const std::string nc = "s" + std::to_string(s) + "n" + std::to_string(n);
        ASSIGN_OR_RETURN(int64_t nb, areas::InsertArea(tx, area(sd, "neighborhood", nc), now));
        t.neighborhoods.push_back(nb);
        for (int b = 0; b < 20; ++b) {
          ASSIGN_OR_RETURN(int64_t bd, areas::InsertArea(tx, area(nb, "building", nc + "b" + std::to_string(b)), now));
          t.buildings.push_back(bd);
          t.building_nb.push_back(nb);
          t.building_sd.push_back(sd);
        }
      }
    }
    return OkStatus();
  }),
      "seed tree");
  const auth::Principal sys = auth::SystemPrincipal("bench");
  for (int i = 0; i < 200; ++i) {
    auto u = service.CreateUnit(
        sys, {0, "u" + std::to_string(i), "单位" + std::to_string(i), "department", t.district, true});
    Die(u.status(), "create unit");
    t.units.push_back(u->id);
  }
  return t;
}

// The tree and units of a database seeded by an earlier run (--reuse), in the order SeedTree made them.
Tree LoadTree(storage::Database& db) {
  Tree t;
  auto conn = db.Acquire();
  Die(conn.status(), "acquire");
  auto ids = [&](const char* sql) {
    auto r = (*conn)->Execute(sql);
    Die(r.status(), "load tree");
    std::vector<int64_t> out;
    for (const auto& row : r->rows) out.push_back(row.Int(0));
    return out;
  };
  t.district = ids("SELECT id FROM areas WHERE kind = 'district' ORDER BY id").at(0);
  t.subdistricts = ids("SELECT id FROM areas WHERE kind = 'subdistrict' ORDER BY id");
  t.neighborhoods = ids("SELECT id FROM areas WHERE kind = 'neighborhood' ORDER BY id");
  t.units = ids("SELECT id FROM handling_units ORDER BY id");
  auto b = (*conn)->Execute(
      "SELECT b.id, n.id, n.parent_id FROM areas b JOIN areas n ON n.id = b.parent_id WHERE b.kind = 'building' "
      "ORDER BY b.id");
  Die(b.status(), "load buildings");
  for (const auto& row : b->rows) {
    t.buildings.push_back(row.Int(0));
    t.building_nb.push_back(row.Int(1));
    t.building_sd.push_back(row.Int(2));
  }
  if (t.buildings.empty() || t.units.empty()) Die(InvalidArgumentError("nothing seeded to reuse"), "--reuse");
  return t;
}

// Bulk cases: 70% closed, 30% open (dispatched to a unit, with its lead assignment), 30% public.
void SeedCases(storage::Database& db, const Tree& t, int64_t count, Instant now) {
  std::mt19937_64 rng(42);
  const char* categories[] = {"property_management", "sanitation", "greenery", "parking", "noise", "safety_hazard"};
  const auto start = Clock_::now();
  constexpr int kRows = 200, kPerTx = 20000;
  int64_t done = 0;
  while (done < count) {
    Die(db.InTransaction([&](storage::Connection& tx) -> Status {
      for (int in_tx = 0; in_tx < kPerTx && done < count;) {
        const int n = static_cast<int>(std::min<int64_t>(kRows, count - done));
        std::string sql =
            "INSERT INTO cases (case_type, category, title, description, area_id, neighborhood_id, subdistrict_id, "
            "building_id, urgency, channel, contact_name, contact_phone, is_public, state, submitted_at, "
            "updated_at, due_at, lead_unit_id, closed_at) VALUES ";
        storage::Params p;
        std::vector<std::pair<int64_t, int64_t>> open;  // (row index, unit)
        for (int i = 0; i < n; ++i) {
          const size_t b = rng() % t.buildings.size();
          const bool is_open = rng() % 10 < 3;
          const int64_t unit = t.units[rng() % t.units.size()];
          const int64_t submitted = ToUnix(now) - static_cast<int64_t>(rng() % (365 * 86400));
          sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                   : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
          p.insert(p.end(),
                   {std::string("complaint"), std::string(categories[rng() % 6]), "诉求 " + std::to_string(done + i),
                    std::string("楼道堆物，存在消防隐患。"), t.buildings[b], t.building_nb[b], t.building_sd[b],
                    t.buildings[b], std::string("normal"), std::string("web"), std::string("张三"),
                    std::string("13800000000"), int64_t{rng() % 10 < 3 ? 1 : 0},
                    std::string(is_open ? "dispatched" : "closed"), submitted, submitted,
                    is_open ? storage::Param(submitted + 86400 + static_cast<int64_t>(rng() % 864000))
                            : storage::Param(nullptr),
                    is_open ? storage::Param(unit) : storage::Param(nullptr),
                    is_open ? storage::Param(nullptr) : storage::Param(submitted + 5 * 86400)});
          if (is_open) open.push_back({i, unit});
        }
        sql += " RETURNING id";
        ASSIGN_OR_RETURN(storage::Result ids, tx.Execute(sql, p));
        if (!open.empty()) {
          std::string a =
              "INSERT INTO case_assignments (case_id, unit_id, role, assigned_at, sign_due_at, reply_due_at) VALUES ";
          storage::Params ap;
          for (size_t k = 0; k < open.size(); ++k) {
            a += k ? ", (?, ?, 'lead', ?, ?, ?)" : "(?, ?, 'lead', ?, ?, ?)";
            const int64_t at = ToUnix(now) - 86400;
            ap.insert(ap.end(), {ids.rows[open[k].first].Int(0), open[k].second, at, at + 86400, at + 7 * 86400});
          }
          RETURN_IF_ERROR(tx.Execute(a, ap).status());
        }
        done += n;
        in_tx += n;
      }
      return OkStatus();
    }),
        "seed cases");
  }
  const double s = std::chrono::duration<double>(Clock_::now() - start).count();
  std::printf("seeded %lld cases in %.1f s (%.0f rows/s)\n", static_cast<long long>(count), s, count / s);
}

struct IntakeResult {
  double per_second = 0;
  int64_t done = 0;
  int64_t errors = 0;
};

// `threads` submitters for `seconds`, each intake acknowledged only once committed.
IntakeResult RunIntake(cases::CaseService& service, const Tree& t, const auth::Principal& who, bool batched,
                       int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done{0}, errors{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      std::mt19937_64 rng(1000 + i);
      while (!stop.load(std::memory_order_relaxed)) {
        cases::NewCase n;
        n.category = "sanitation";
        n.title = "垃圾桶满溢无人清运";
        n.description = "小区垃圾房的垃圾桶已经满了两天，气味很大。";
        n.area_id = t.buildings[rng() % t.buildings.size()];
        n.channel = "api";
        n.contact_phone = "13900001111";
        auto r = batched ? service.Submit(who, n) : service.SubmitUnbatched(who, n);
        (r.ok() ? done : errors).fetch_add(1);
      }
    });
  }
  const auto start = Clock_::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  const double s = std::chrono::duration<double>(Clock_::now() - start).count();
  return {done.load() / s, done.load(), errors.load()};
}

struct Latency {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
};
template <typename Fn>
Latency Measure(int n, Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto a = Clock_::now();
    fn(i);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock_::now() - a).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))]; };
  return {at(0.5), at(0.95), at(0.99), ms.back()};
}
void Print(const char* name, const Latency& l) {
  std::printf("%-44s p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", name, l.p50, l.p95, l.p99, l.max);
}

}  // namespace
}  // namespace ningju

int main(int argc, char** argv) {
  using namespace ningju;
  CLI::App app{"cases_bench: durable intake per second and inbox/list latency"};
  std::string url = "sqlite:/tmp/cases-bench.db";
  int64_t count = 1'000'000;
  int threads = 32, rounds = 2, queries = 200, pool = 8;
  double seconds = 5;
  bool reuse = false;
  app.add_option("--db", url, "database URL (empty database)");
  app.add_option("--cases", count, "cases to seed before measuring");
  app.add_option("--threads", threads, "concurrent submitters");
  app.add_option("--seconds", seconds, "seconds per intake run");
  app.add_option("--rounds", rounds, "unbatched/batched pairs, interleaved");
  app.add_option("--queries", queries, "queries per latency measurement");
  app.add_option("--pool", pool, "database connections");
  app.add_flag("--reuse", reuse, "measure a database seeded by an earlier run (migrations still apply)");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines as they come, also into a file

  app::Config config;
  config.database = url;
  config.db_pool_size = std::max(pool, 2);
  auto db = app::OpenDatabase(config);
  Die(db.status(), "open");
  SystemClock clock;
  cases::CaseService plain(**db, clock, WorkingCalendar::BuiltIn());
  cases::CaseService grouped(**db, clock, WorkingCalendar::BuiltIn());
  grouped.EnableGroupCommit();
  const Instant now = clock.Now();
  const Tree tree = reuse ? LoadTree(**db) : SeedTree(**db, plain, now);
  if (!reuse) SeedCases(**db, tree, count, now);

  // A resident who submits through the API (a reporter row and a follower row per case, as in production).
  auth::Principal resident;
  {
    auto conn = (*db)->Acquire();
    Die(conn.status(), "acquire");
    auto row = (*conn)->QueryOne(
        "INSERT INTO users (username, display_name, password_hash, created_at) VALUES ('bench', 'bench', 'x', 0) "
        "ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name RETURNING id");
    Die(row.status(), "user");
    resident.user_id = row->Int(0);
    resident.via = "token";
    resident.grants.push_back({0, auth::Role::kResident, tree.neighborhoods[0]});
  }

  std::printf("intake: %d threads, %.0f s per run, %d rounds (unbatched = one transaction per intake)\n", threads,
              seconds, rounds);
  double sum_plain = 0, sum_grouped = 0;
  for (int r = 0; r < rounds; ++r) {
    IntakeResult a = RunIntake(plain, tree, resident, false, threads, seconds);
    IntakeResult b = RunIntake(grouped, tree, resident, true, threads, seconds);
    std::printf(
        "  round %d: unbatched %8.0f /s (%lld, %lld errors)   group commit %8.0f /s (%lld, %lld errors)  x%.1f\n",
        r + 1, a.per_second, static_cast<long long>(a.done), static_cast<long long>(a.errors), b.per_second,
        static_cast<long long>(b.done), static_cast<long long>(b.errors),
        a.per_second > 0 ? b.per_second / a.per_second : 0.0);
    sum_plain += a.per_second;
    sum_grouped += b.per_second;
  }
  std::printf("intake mean: unbatched %.0f /s, group commit %.0f /s, ratio %.1f\n", sum_plain / rounds,
              sum_grouped / rounds, sum_plain > 0 ? sum_grouped / sum_plain : 0.0);

  // Latency with the table full. The unit with the most open cases; staff of one subdistrict; anonymous.
  const auth::Principal sys = auth::SystemPrincipal("bench");
  int64_t unit = tree.units[0];
  {
    auto conn = (*db)->Acquire();
    auto row = (*conn)->QueryOne(
        "SELECT unit_id, COUNT(*) AS n FROM case_assignments WHERE ended_at IS NULL GROUP BY unit_id ORDER BY n DESC "
        "LIMIT 1");
    if (row.ok()) {
      unit = row->Int(0);
      std::printf("inbox unit %lld holds %lld open cases\n", static_cast<long long>(unit),
                  static_cast<long long>(row->Int(1)));
    }
    auto total = (*conn)->QueryOne("SELECT COUNT(*) FROM cases");
    if (total.ok()) std::printf("cases stored: %lld\n", static_cast<long long>(total->Int(0)));
  }
  auth::Principal staff;
  staff.user_id = resident.user_id;
  staff.via = "token";
  staff.grants.push_back({0, auth::Role::kSubdistrictStaff, tree.subdistricts[3]});

  std::string cursor;
  Print("inbox, first page of 50 (unit member view)", Measure(queries, [&](int) {
          auto v = grouped.Inbox(sys, unit, "", 50);
          Die(v.status(), "inbox");
          cursor = v->next_cursor;
        }));
  Print("inbox, second page (cursor)",
        Measure(queries, [&](int) { Die(grouped.Inbox(sys, unit, cursor, 50).status(), "inbox2"); }));
  Print("list, a neighborhood, staff of its subdistrict", Measure(queries, [&](int i) {
          cases::CaseFilter f;
          f.area_id = tree.neighborhoods[3 * 18 + i % 18];
          Die(grouped.List(staff, f, "", 50).status(), "list staff");
        }));
  Print("list, public cases of a neighborhood, anonymous", Measure(queries, [&](int i) {
          cases::CaseFilter f;
          f.area_id = tree.neighborhoods[(i * 7) % tree.neighborhoods.size()];
          f.public_only = true;
          Die(grouped.List(auth::Principal{}, f, "", 50).status(), "list public");
        }));
  // The same list as the query was before migration 0007 (an EXISTS over area_paths for the area), for a ratio in
  // one run: the index does not serve that shape, so it reads as it did before.
  Print("  the same, the query before 0007 (reference)", Measure(queries, [&](int i) {
          auto conn = (*db)->Acquire();
          Die(conn.status(), "acquire");
          Die((*conn)
                  ->Execute("SELECT c.*, 0 FROM cases c WHERE c.is_public = 1 AND c.is_public = 1 AND EXISTS (SELECT "
                            "1 FROM area_paths fp WHERE fp.descendant_id = c.area_id AND fp.ancestor_id = ?) ORDER "
                            "BY c.id DESC LIMIT ?",
                            {tree.neighborhoods[(i * 7) % tree.neighborhoods.size()], int64_t{51}})
                  .status(),
              "list public before");
        }));
  Print("list, open cases of a subdistrict, staff", Measure(queries, [&](int) {
          cases::CaseFilter f;
          f.area_id = tree.subdistricts[3];
          f.state = cases::CaseState::kDispatched;
          Die(grouped.List(staff, f, "", 50).status(), "list open");
        }));
  Print("my cases (resident, reporter of the intakes)", Measure(queries, [&](int) {
          cases::CaseFilter f;
          f.mine = true;
          Die(grouped.List(resident, f, "", 50).status(), "mine");
        }));
  return 0;
}
