// search_bench: the latency of site-wide search (SearchService::Search) over `--cases` cases on SQLite, for typical
// queries (Chinese words, a Latin word; with and without an area filter; as an anonymous visitor and as a
// neighborhood's staff), against a baseline measured in the same run: the bare FTS5 query for the same tokens (no
// visibility, no area, no snippets). See docs/PERFORMANCE.md.
//
//   search_bench --db /tmp/search-bench.db --cases 1000000 --queries 200
//
// The database file must be new: the tree and the cases are seeded with bulk INSERTs in one transaction, then the
// index is built by SearchService::Refresh in batches, as the job "search.refresh" does (timed and printed too).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "platform/search/search.h"
#include "storage/migrations.h"
#include "text/search/text_index.h"
#include "text/tokenize.h"

namespace ningju {
namespace {

using Steady = std::chrono::steady_clock;

template <typename T>
T Must(StatusOr<T> v, const char* what) {
  if (!v.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, v.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(v).value();
}
void Must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

double Seconds(Steady::time_point since) { return std::chrono::duration<double>(Steady::now() - since).count(); }

struct Tree {
  std::vector<int64_t> neighborhoods, buildings, building_nb, building_sd;
};

// 10 subdistricts x 18 neighborhoods x 20 buildings, with their area_paths rows.
Tree SeedTree(storage::Connection& tx) {
  Tree t;
  int64_t next = 0;
  auto area = [&](std::optional<int64_t> parent, const char* kind, const std::string& name) {
    const int64_t id = ++next;
    Must(tx.Execute("INSERT INTO areas (id, parent_id, kind, code, name, created_at, updated_at) VALUES "
                    "(?, ?, ?, ?, ?, 1, 1)",
                    {id, parent ? storage::Param(*parent) : storage::Param(nullptr), std::string(kind),
                     "a" + std::to_string(id), name})
             .status(),
         "area");
    Must(tx.Execute("INSERT INTO area_paths (ancestor_id, descendant_id, depth) VALUES (?, ?, 0)", {id, id}).status(),
         "path");
    if (parent) {
      Must(tx.Execute("INSERT INTO area_paths (ancestor_id, descendant_id, depth) SELECT ancestor_id, ?, depth + 1 "
                      "FROM area_paths WHERE descendant_id = ?",
                      {id, *parent})
               .status(),
           "paths");
    }
    return id;
  };
  const int64_t district = area(std::nullopt, "district", "长宁区");
  for (int s = 0; s < 10; ++s) {
    const int64_t sd = area(district, "subdistrict", "街道" + std::to_string(s));
    for (int n = 0; n < 18; ++n) {
      const int64_t nb = area(sd, "neighborhood", "居民区" + std::to_string(s * 18 + n));
      t.neighborhoods.push_back(nb);
      for (int b = 0; b < 20; ++b) {
        t.buildings.push_back(area(nb, "building", std::to_string(b + 1) + "号楼"));
        t.building_nb.push_back(nb);
        t.building_sd.push_back(sd);
      }
    }
  }
  return t;
}

// Titles and texts from a small vocabulary, so that a query word matches a realistic share of the cases.
const std::vector<std::string> kPlaces = {"楼道",   "车棚",     "地下车库", "小区门口", "电梯",
                                          "绿化带", "屋顶",     "健身器材", "垃圾房",   "消防通道",
                                          "菜场",   "幼儿园旁", "河道",     "路口",     "wifi 机房"};
const std::vector<std::string> kProblems = {"堆物无人清理", "漏水严重", "噪声扰民", "灯不亮",   "占用通道", "异味",
                                            "破损",         "违规停车", "积水",     "设施老化", "宠物扰民", "乱扔垃圾"};

// Updated over the year before `now` (as real cases are), so the refresh before each search reads only the last
// minutes' rows, as it does in production.
void SeedCases(storage::Connection& tx, const Tree& t, int64_t count, int64_t now) {
  std::mt19937_64 rng(7);
  constexpr int kRows = 200;
  for (int64_t done = 0; done < count;) {
    const int n = static_cast<int>(std::min<int64_t>(kRows, count - done));
    std::string sql =
        "INSERT INTO cases (case_type, category, title, description, area_id, neighborhood_id, subdistrict_id, "
        "building_id, urgency, channel, is_public, state, submitted_at, updated_at) VALUES ";
    storage::Params p;
    for (int i = 0; i < n; ++i) {
      const size_t b = rng() % t.buildings.size();
      const std::string& place = kPlaces[rng() % kPlaces.size()];
      const std::string& problem = kProblems[rng() % kProblems.size()];
      const int64_t at = now - static_cast<int64_t>(rng() % (365 * 86400));
      sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      p.insert(p.end(),
               {std::string("complaint"), std::string("property_management"), place + problem,
                "居民反映" + place + problem + "，已持续" + std::to_string(rng() % 30 + 1) + "天，请尽快处理。",
                t.buildings[b], t.building_nb[b], t.building_sd[b], t.buildings[b], std::string("normal"),
                std::string("web"), int64_t{rng() % 10 < 3 ? 1 : 0}, std::string("submitted"), at, at});
    }
    Must(tx.Execute(sql, p).status(), "cases");
    done += n;
  }
}

struct Latency {
  double p50 = 0, p99 = 0;
};
template <typename Fn>
Latency Measure(int n, Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto a = Steady::now();
    fn(i);
    ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - a).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))]; };
  return {at(0.5), at(0.99)};
}

}  // namespace
}  // namespace ningju

int main(int argc, char** argv) {
  using namespace ningju;
  CLI::App app{"search_bench: site-wide search latency over many cases on SQLite"};
  std::string path = "/tmp/search-bench.db";
  int64_t count = 1'000'000;
  int queries = 200;
  bool reuse = false;
  app.add_option("--db", path, "a new SQLite file");
  app.add_option("--cases", count, "cases to seed");
  app.add_option("--queries", queries, "runs per measurement");
  app.add_flag("--reuse", reuse, "measure a database seeded and indexed by an earlier run");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  storage::DatabaseOptions options;
  options.pool_size = 2;
  auto db = Must(storage::Database::Open("sqlite:" + path, options), "open");
  Must(storage::Migrate(*db, storage::EmbeddedMigrations()).status(), "migrate");
  auto start = Steady::now();
  Tree tree;
  if (reuse) {
    auto conn = Must(db->Acquire(), "acquire");
    auto rows = Must(conn->Execute("SELECT id FROM areas WHERE kind = 'neighborhood' ORDER BY id"), "tree");
    for (const auto& r : rows.rows) tree.neighborhoods.push_back(r.Int(0));
  } else {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    Must(db->InTransaction([&](storage::Connection& tx) -> Status {
      tree = SeedTree(tx);
      SeedCases(tx, tree, count, now);
      return OkStatus();
    }),
         "seed");
    std::printf("seeded %lld cases in %.1f s\n", static_cast<long long>(count), Seconds(start));
  }

  search::SearchRegistry registry;
  Must(search::RegisterBuiltinKinds(registry), "kinds");
  auto service = Must(search::SearchService::Open(*db, registry), "search");
  start = Steady::now();
  // The migration queued every object: drained as the job "search.refresh" does, a batch per transaction.
  int64_t indexed = 0;
  for (int64_t n = 1; n > 0; indexed += n) n = Must(service->Refresh(), "index");
  std::printf("indexed %lld changes in %.1f s\n", static_cast<long long>(indexed), Seconds(start));

  auto normalizer = Must(text::Normalizer::Create(), "normalizer");
  const auth::Principal anonymous = auth::Principal::Anonymous();
  auth::Principal staff =
      auth::Principal::User(1, "staff", {{0, auth::Role::kNeighborhoodStaff, tree.neighborhoods[3]}});
  const std::vector<std::string> words = {"楼道堆物", "漏水严重", "地下车库", "wifi", "消防通道占用"};
  std::printf("%-34s %10s %10s\n", "query", "p50 ms", "p99 ms");
  for (const std::string& w : words) {
    const auto tokens = Must(text::QueryTokens(*normalizer, w), "tokens");
    const std::string match = text::search::Fts5MatchExpression(tokens);
    // The baseline: the bare FTS5 query over the same index, best 21 by bm25.
    const std::string sql =
        "SELECT rowid, -bm25(search_fts) AS score FROM search_fts WHERE search_fts MATCH ? ORDER BY score DESC LIMIT "
        "21";
    const Latency base = Measure(queries, [&](int) {
      auto conn = Must(db->Acquire(), "acquire");
      Must(conn->Execute(sql, {match}).status(), "baseline");
    });
    std::printf("%-34s %10.2f %10.2f\n", ("bare FTS " + w).c_str(), base.p50, base.p99);
    for (const bool with_area : {false, true}) {
      for (const bool as_staff : {false, true}) {
        search::SearchQuery q;
        q.q = w;
        if (with_area) q.area_id = tree.neighborhoods[3];
        const Latency l =
            Measure(queries, [&](int) { Must(service->Search(as_staff ? staff : anonymous, q).status(), "search"); });
        const std::string name = w + (with_area ? " +area" : "") + (as_staff ? " staff" : " anonymous");
        std::printf("%-34s %10.2f %10.2f\n", name.c_str(), l.p50, l.p99);
      }
    }
  }
  return 0;
}
