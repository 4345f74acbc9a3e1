// Site-wide search (docs/API.md, "Search"): one index over every kind of object that a module registers (cases,
// meetings, ballots, elevator projects, areas; later modules their own), searched through the text engine's
// tokenizer (text/tokenize.h) on the dialect's full-text index (FTS5 on SQLite, tsvector on PostgreSQL,
// text/search/text_index.h).
//
// Who sees a hit is decided inside the one SQL query, by each kind's condition built from auth/policy.h over the
// object's own row: a document the viewer may not see is never read, never counted, never paged over.
//
// The index follows the objects' tables: each kind's triggers (migrations/0015_search_index.sql) add a row to
// search_dirty in the writer's own transaction when an object is created, its text or area changes, or it is removed;
// Refresh rewrites those objects' documents and deletes exactly the rows it read. A search first applies a bounded
// batch of the newest changes, so what was just written is found; the job "search.refresh" drains a larger backlog
// (after the migration, an import).
#ifndef NINGJU_PLATFORM_SEARCH_SEARCH_H_
#define NINGJU_PLATFORM_SEARCH_SEARCH_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "auth/policy.h"
#include "auth/roles.h"
#include "common/status.h"
#include "storage/database.h"
#include "text/normalize.h"
#include "text/snippet.h"

namespace ningju::search {

// One searchable kind of object.
struct SearchKind {
  std::string name;  // "case": [a-z_]{2,32}, the API's `kind`
  // The objects' text: SELECT id, area_id, title, body FROM ... (the column names as given; no parameters). The
  // refresh reads it for the changed ids only. The kind's migration adds the triggers that fill search_dirty.
  std::string source_sql;
  // Whether `p` may see the object of the document row `d` (columns d.object_id, d.area_id): a policy condition,
  // typically EXISTS (SELECT 1 FROM <table> x WHERE x.id = d.object_id AND <policy::Filter over x's columns>).
  std::function<auth::policy::Condition(const auth::Principal& p)> visible;
  std::string path_prefix;  // the object's page: path_prefix + id ("/cases/")
};

// The kinds, registered once at start (App::Create), read-only after.
class SearchRegistry {
 public:
  Status Register(SearchKind kind);
  const std::vector<SearchKind>& kinds() const { return kinds_; }
  const SearchKind* Find(const std::string& name) const;

 private:
  std::vector<SearchKind> kinds_;
};

// Registers the platform's first kinds: case, meeting, ballot, elevator_project, area.
Status RegisterBuiltinKinds(SearchRegistry& registry);

inline constexpr size_t kMaxQueryChars = 100;  // code points of q
inline constexpr int kMaxLimit = 50;
// A search ranks the newest this many matches the viewer may see: relevance among recent matches, the pages reaching
// all of them (docs/PERFORMANCE.md, "Site-wide search": the cost grows with it).
inline constexpr int kMaxCandidates = 500;
inline constexpr int64_t kMaxOffset = kMaxCandidates - kMaxLimit;  // how deep the pages go
inline constexpr int kSearchRefreshBatch = 500;                    // changes a search applies before it runs
inline constexpr int kMaxRefreshBatch = 5000;                      // changes one Refresh transaction applies at most

struct SearchQuery {
  std::string q;                   // required: 1..kMaxQueryChars code points of valid UTF-8
  std::string kind;                // "" or a registered kind
  std::optional<int64_t> area_id;  // objects in this area or below
  std::string cursor;              // "" or a next_cursor
  int limit = 20;                  // 1..kMaxLimit
};

struct SearchHit {
  std::string kind;
  int64_t id = 0;
  int64_t area_id = 0;
  std::string path;       // the object's page
  text::Snippet title;    // the title with the matches marked
  text::Snippet snippet;  // a window of the body around the first match
  double score = 0;
};

struct SearchPage {
  std::vector<SearchHit> items;
  std::string next_cursor;  // empty on the last page
};

class SearchService {
 public:
  // Over the tables and index of migration 0015.
  static StatusOr<std::unique_ptr<SearchService>> Open(storage::Database& db, const SearchRegistry& registry);
  ~SearchService();
  SearchService(const SearchService&) = delete;
  SearchService& operator=(const SearchService&) = delete;

  // Applies up to `max_changes` (clamped to 1..kMaxRefreshBatch) search_dirty rows, the oldest or the newest, in one
  // transaction: rewrites their objects' documents (as the objects are now, so the order changes nothing but what
  // is done first), deletes the documents of removed objects. Returns the number of rows applied; 0 when the index
  // is up to date.
  enum class RefreshOrder { kOldestFirst, kNewestFirst };
  StatusOr<int64_t> Refresh(int max_changes = kMaxRefreshBatch, RefreshOrder order = RefreshOrder::kOldestFirst);

  // The hits `viewer` may see, best first. kInvalidArgument (400) for a bad q, kind, area, cursor or limit.
  StatusOr<SearchPage> Search(const auth::Principal& viewer, const SearchQuery& query);

 private:
  SearchService(storage::Database& db, const SearchRegistry& registry, std::unique_ptr<text::Normalizer> normalizer);
  Status RewriteDocuments(storage::Connection& tx, const SearchKind& kind, const std::set<int64_t>& ids);

  storage::Database& db_;
  const SearchRegistry& registry_;
  std::unique_ptr<text::Normalizer> normalizer_;
};

}  // namespace ningju::search

#endif  // NINGJU_PLATFORM_SEARCH_SEARCH_H_
