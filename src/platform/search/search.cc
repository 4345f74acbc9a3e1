#include "platform/search/search.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "common/text_util.h"
#include "common/utf8.h"
#include "text/search/text_index.h"
#include "text/tokenize.h"

namespace ningju::search {
namespace {

using auth::policy::Condition;
using storage::Dialect;
using storage::Params;

// The key of the PostgreSQL advisory lock one refresh holds ("ningju search" in ASCII, as a number).
constexpr int64_t kRefreshLockKey = 0x6e696e676a7573;

// "?, ?, ?" for n parameters.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

bool ValidKindName(const std::string& name) {
  return name.size() >= 2 && name.size() <= 32 &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
}

void Append(Params& to, const Params& from) { to.insert(to.end(), from.begin(), from.end()); }

// The FTS5 token of an area in the scope column: "a" and the id (the ascii tokenizer keeps letters and digits).
std::string ScopeToken(int64_t area_id) { return "a" + std::to_string(area_id); }

// The cursor holds the offset of the next page (EncodeCursor): relevance has no key a page could continue from.
StatusOr<int64_t> ParseCursor(const std::string& cursor) {
  if (cursor.empty()) return int64_t{0};
  std::optional<std::vector<int64_t>> keys = DecodeCursor(cursor, 1);
  if (!keys || (*keys)[0] < 1 || (*keys)[0] > kMaxOffset) {
    return InvalidArgumentError("the cursor is not one this search returned", "cursor");
  }
  return (*keys)[0];
}

Status CheckQuery(const SearchQuery& q) {
  RETURN_IF_ERROR(utf8::Validate(q.q, "q"));
  if (q.q.empty()) return InvalidArgumentError("q is required", "q");
  if (utf8::CodePointCount(q.q) > kMaxQueryChars) {
    return InvalidArgumentError(Msg("q has at most {} characters", kMaxQueryChars), "q");
  }
  if (q.limit < 1 || q.limit > kMaxLimit) {
    return InvalidArgumentError(Msg("limit must be between 1 and {}", kMaxLimit), "limit");
  }
  return OkStatus();
}

}  // namespace

Status SearchRegistry::Register(SearchKind kind) {
  if (!ValidKindName(kind.name)) return InvalidArgumentError("a search kind is 2-32 letters a-z or '_'", "kind");
  if (Find(kind.name) != nullptr) return AlreadyExistsError(Msg("the search kind {} is registered twice", kind.name));
  kinds_.push_back(std::move(kind));
  return OkStatus();
}

const SearchKind* SearchRegistry::Find(const std::string& name) const {
  for (const SearchKind& k : kinds_) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

SearchService::SearchService(storage::Database& db, const SearchRegistry& registry,
                             std::unique_ptr<text::Normalizer> normalizer)
    : db_(db), registry_(registry), normalizer_(std::move(normalizer)) {}
SearchService::~SearchService() = default;

StatusOr<std::unique_ptr<SearchService>> SearchService::Open(storage::Database& db, const SearchRegistry& registry) {
  ASSIGN_OR_RETURN(std::unique_ptr<text::Normalizer> normalizer, text::Normalizer::Create());
  return std::unique_ptr<SearchService>(new SearchService(db, registry, std::move(normalizer)));
}

StatusOr<int64_t> SearchService::Refresh(int max_changes, RefreshOrder order) {
  max_changes = std::clamp(max_changes, 1, kMaxRefreshBatch);
  const Dialect dialect = db_.dialect();
  {
    // Nothing to do (the common case before a search): no transaction, no lock.
    ASSIGN_OR_RETURN(storage::PooledConnection conn, db_.Acquire());
    ASSIGN_OR_RETURN(auto any, conn->QueryOptional("SELECT 1 FROM search_dirty LIMIT 1"));
    if (!any) return int64_t{0};
  }
  int64_t claimed = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    // One refresh at a time (BEGIN IMMEDIATE does it on SQLite): two would read an object at different moments and
    // the older text could be written last.
    if (dialect == Dialect::kPostgres) {
      RETURN_IF_ERROR(tx.Execute("SELECT pg_advisory_xact_lock(" + std::to_string(kRefreshLockKey) + ")").status());
    }
    ASSIGN_OR_RETURN(storage::Result dirty,
                     tx.Execute(std::string("SELECT id, kind, object_id FROM search_dirty ORDER BY id") +
                                    (order == RefreshOrder::kNewestFirst ? " DESC" : "") + " LIMIT ?",
                                {int64_t{max_changes}}));
    claimed = static_cast<int64_t>(dirty.rows.size());
    if (dirty.rows.empty()) return OkStatus();
    Params dirty_ids;
    std::map<std::string, std::set<int64_t>> objects;  // kind -> object ids
    for (const storage::Row& r : dirty.rows) {
      dirty_ids.push_back(r.Int(0));
      objects[r.Text(1)].insert(r.Int(2));
    }
    for (const auto& [name, ids] : objects) {
      const SearchKind* kind = registry_.Find(name);
      if (kind == nullptr) continue;  // a kind no longer registered: its rows are dropped below
      RETURN_IF_ERROR(RewriteDocuments(tx, *kind, ids));
    }
    return tx.Execute("DELETE FROM search_dirty WHERE id IN (" + Placeholders(dirty_ids.size()) + ")", dirty_ids)
        .status();
  }));
  return claimed;
}

Status SearchService::RewriteDocuments(storage::Connection& tx, const SearchKind& kind, const std::set<int64_t>& ids) {
  const bool sqlite = db_.dialect() == Dialect::kSqlite;
  const Params id_params(ids.begin(), ids.end());
  const std::string in = " IN (" + Placeholders(ids.size()) + ")";
  // The documents there are, and the objects as they are now (a removed object has a document and no row).
  std::map<int64_t, int64_t> doc_of;  // object id -> document id
  {
    Params params{kind.name};
    params.insert(params.end(), id_params.begin(), id_params.end());
    ASSIGN_OR_RETURN(storage::Result docs,
                     tx.Execute("SELECT object_id, id FROM search_docs WHERE kind = ? AND object_id" + in, params));
    for (const storage::Row& r : docs.rows) doc_of[r.Int(0)] = r.Int(1);
  }
  ASSIGN_OR_RETURN(storage::Result rows, tx.Execute("SELECT s.id, s.area_id, s.title, s.body FROM (" + kind.source_sql +
                                                        ") s WHERE s.id" + in,
                                                    id_params));
  // On SQLite the FTS row also holds the area and its ancestors as scope tokens, so that a search within an area is
  // one more doclist the index intersects (migrations/0019_search_scope.sql).
  std::map<int64_t, std::string> scope_of;  // area id -> "a1 a5 a23"
  if (sqlite && !rows.rows.empty()) {
    std::set<int64_t> areas;
    for (const storage::Row& r : rows.rows) areas.insert(r.Int(1));
    ASSIGN_OR_RETURN(storage::Result paths,
                     tx.Execute("SELECT descendant_id, ancestor_id FROM area_paths WHERE descendant_id IN (" +
                                    Placeholders(areas.size()) + ") ORDER BY descendant_id, depth DESC",
                                Params(areas.begin(), areas.end())));
    for (const storage::Row& p : paths.rows) {
      std::string& scope = scope_of[p.Int(0)];
      if (!scope.empty()) scope += ' ';
      scope += ScopeToken(p.Int(1));
    }
  }
  for (const storage::Row& r : rows.rows) {
    const std::string& title = r.Text(2);
    const std::string& body = r.Text(3);
    ASSIGN_OR_RETURN(std::vector<std::string> tokens, text::SearchTokens(*normalizer_, title + "\n" + body));
    const std::string joined = text::JoinTokens(tokens);
    auto existing = doc_of.find(r.Int(0));
    int64_t doc_id = 0;
    if (existing == doc_of.end()) {
      ASSIGN_OR_RETURN(storage::Row inserted,
                       tx.QueryOne("INSERT INTO search_docs (kind, object_id, area_id, title, body, tokens) VALUES "
                                   "(?, ?, ?, ?, ?, ?) RETURNING id",
                                   {kind.name, r.Int(0), r.Int(1), title, body, joined}));
      doc_id = inserted.Int(0);
    } else {
      doc_id = existing->second;
      doc_of.erase(existing);
      RETURN_IF_ERROR(tx.Execute("UPDATE search_docs SET area_id = ?, title = ?, body = ?, tokens = ? WHERE id = ?",
                                 {r.Int(1), title, body, joined, doc_id})
                          .status());
      if (sqlite) RETURN_IF_ERROR(tx.Execute("DELETE FROM search_fts WHERE rowid = ?", {doc_id}).status());
    }
    if (sqlite) {
      RETURN_IF_ERROR(tx.Execute("INSERT INTO search_fts (rowid, tokens, scope) VALUES (?, ?, ?)",
                                 {doc_id, joined, scope_of[r.Int(1)]})
                          .status());
    }
  }
  // What is left in doc_of lost its object.
  for (const auto& [object_id, doc_id] : doc_of) {
    if (sqlite) RETURN_IF_ERROR(tx.Execute("DELETE FROM search_fts WHERE rowid = ?", {doc_id}).status());
    RETURN_IF_ERROR(tx.Execute("DELETE FROM search_docs WHERE id = ?", {doc_id}).status());
  }
  return OkStatus();
}

StatusOr<SearchPage> SearchService::Search(const auth::Principal& viewer, const SearchQuery& query) {
  RETURN_IF_ERROR(CheckQuery(query));
  ASSIGN_OR_RETURN(const int64_t offset, ParseCursor(query.cursor));
  std::vector<const SearchKind*> kinds;
  if (query.kind.empty()) {
    for (const SearchKind& k : registry_.kinds()) kinds.push_back(&k);
  } else {
    const SearchKind* k = registry_.Find(query.kind);
    if (k == nullptr) return InvalidArgumentError("kind is not one of the kinds search knows", "kind");
    kinds.push_back(k);
  }
  if (query.area_id) {
    ASSIGN_OR_RETURN(storage::PooledConnection conn, db_.Acquire());
    ASSIGN_OR_RETURN(auto area, conn->QueryOptional("SELECT 1 FROM areas WHERE id = ?", {*query.area_id}));
    if (!area) return InvalidArgumentError("area is not an area of the site", "area");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> tokens, text::QueryTokens(*normalizer_, query.q));
  SearchPage page;
  if (tokens.empty()) return page;
  // The newest changes first: what the visitor just wrote is found even behind a backlog the job is still applying.
  RETURN_IF_ERROR(Refresh(kSearchRefreshBatch, RefreshOrder::kNewestFirst).status());

  // Visibility per kind, in the WHERE clause: a hit the viewer may not see is neither returned nor counted.
  std::string visible;
  Params visible_params;
  for (const SearchKind* k : kinds) {
    const Condition c = k->visible(viewer);
    if (c.is_false()) continue;
    if (!visible.empty()) visible += " OR ";
    visible += "(d.kind = ? AND (" + c.sql + "))";
    visible_params.push_back(k->name);
    Append(visible_params, c.params);
  }
  if (visible.empty()) return page;

  // The candidates: the newest kMaxCandidates matches the viewer may see (the full-text index reads its matches in
  // document order and stops there, so a word in half the documents costs no more than a rare one); then the best
  // of them by relevance.
  const bool sqlite = db_.dialect() == Dialect::kSqlite;
  Params params;
  std::string sql;
  if (sqlite) {
    // The words in the text column only; the area, when asked, as its scope token (relevance weighs the text only).
    std::string match = "tokens : (" + text::search::Fts5MatchExpression(tokens) + ")";
    if (query.area_id) match += " AND scope : " + ScopeToken(*query.area_id);
    sql =
        "SELECT d.id, -bm25(search_fts, 1.0, 0.0) AS score FROM search_fts JOIN search_docs d ON d.id = "
        "search_fts.rowid WHERE search_fts MATCH ?";
    params.push_back(match);
  } else {
    sql =
        "SELECT d.id, ts_rank_cd(to_tsvector('simple', d.tokens), query) AS score FROM search_docs d, "
        "plainto_tsquery('simple', ?) AS query WHERE to_tsvector('simple', d.tokens) @@ query";
    params.push_back(text::JoinTokens(tokens));
  }
  sql += " AND (" + visible + ")";
  Append(params, visible_params);
  if (query.area_id) {
    // On SQLite the scope token has chosen already; the tree decides (a document whose area moved is re-indexed by
    // the triggers of migration 0019, and until then is not shown outside its area).
    sql += " AND d.area_id IN (SELECT descendant_id FROM area_paths WHERE ancestor_id = ?)";
    params.push_back(*query.area_id);
  }
  sql += std::string(" ORDER BY ") + (sqlite ? "search_fts.rowid" : "d.id") + " DESC LIMIT " +
         std::to_string(kMaxCandidates);
  // The documents' text is read for the page only. One row more than the page tells whether another page follows.
  sql = "SELECT d.kind, d.object_id, d.area_id, d.title, d.body, hits.score FROM (" + sql +
        ") hits JOIN search_docs d ON d.id = hits.id ORDER BY hits.score DESC, hits.id LIMIT ? OFFSET ?";
  params.push_back(int64_t{query.limit + 1});
  params.push_back(offset);
  storage::Result result;
  {
    ASSIGN_OR_RETURN(storage::PooledConnection conn, db_.Acquire());
    ASSIGN_OR_RETURN(result, conn->Execute(sql, params));
  }
  for (const storage::Row& r : result.rows) {
    if (static_cast<int>(page.items.size()) == query.limit) {
      if (offset + query.limit <= kMaxOffset) page.next_cursor = EncodeCursor({offset + query.limit});
      break;
    }
    SearchHit hit;
    hit.kind = r.Text(0);
    hit.id = r.Int(1);
    hit.area_id = r.Int(2);
    const SearchKind* k = registry_.Find(hit.kind);
    hit.path = (k != nullptr ? k->path_prefix : std::string("/")) + std::to_string(hit.id);
    hit.title = text::MakeSnippet(*normalizer_, r.Text(3), tokens, 200);
    hit.snippet = text::MakeSnippet(*normalizer_, r.Text(4), tokens, 80);
    hit.score = r.Double(5);
    page.items.push_back(std::move(hit));
  }
  return page;
}

}  // namespace ningju::search
