#include "platform/search/search.h"

#include <algorithm>
#include <utility>

#include "common/text_util.h"
#include "common/utf8.h"
#include "storage/locking.h"
#include "text/search/text_index.h"
#include "text/tokenize.h"

namespace ningju::search {
namespace {

using auth::policy::Condition;
using storage::Dialect;
using storage::Params;

// Changed rows may commit up to this long after the time they wrote (a transaction reads the clock when it starts):
// each refresh reads this far back before its watermark, and skips what is indexed unchanged.
constexpr int64_t kMarginSeconds = 120;

bool ValidKindName(const std::string& name) {
  return name.size() >= 2 && name.size() <= 32 &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
}

void Append(Params& to, const Params& from) { to.insert(to.end(), from.begin(), from.end()); }

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
  {
    ASSIGN_OR_RETURN(storage::PooledConnection conn, db.Acquire());
    if (db.dialect() == Dialect::kSqlite) {
      RETURN_IF_ERROR(
          conn->Execute("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(tokens, tokenize = 'ascii')")
              .status());
    } else {
      RETURN_IF_ERROR(conn->Execute("CREATE INDEX IF NOT EXISTS search_docs_tokens ON search_docs USING GIN "
                                    "(to_tsvector('simple', tokens))")
                          .status());
    }
  }
  return std::unique_ptr<SearchService>(new SearchService(db, registry, std::move(normalizer)));
}

StatusOr<int64_t> SearchService::Refresh() {
  int64_t written = 0;
  for (const SearchKind& kind : registry_.kinds()) {
    ASSIGN_OR_RETURN(int64_t n, RefreshKind(kind));
    written += n;
  }
  return written;
}

StatusOr<int64_t> SearchService::RefreshKind(const SearchKind& kind) {
  const Dialect dialect = db_.dialect();
  // The rows whose document is missing or differs: nothing to write (and no lock taken) when there are none.
  const std::string changed =
      "SELECT s.id, s.area_id, s.title, s.body, s.updated_at, d.id FROM (" + kind.source_sql +
      ") s LEFT JOIN search_docs d ON d.kind = ? AND d.object_id = s.id WHERE d.id IS NULL OR d.title <> s.title OR "
      "d.body <> s.body OR d.area_id <> s.area_id ORDER BY s.id";
  auto watermark_of = [&](storage::Connection& conn, bool lock) -> StatusOr<int64_t> {
    ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT watermark FROM search_sources WHERE kind = ?" +
                                                      (lock ? storage::ForUpdate(dialect) : std::string()),
                                                  {kind.name}));
    return row ? row->Int(0) : int64_t{0};
  };
  {
    ASSIGN_OR_RETURN(storage::PooledConnection conn, db_.Acquire());
    ASSIGN_OR_RETURN(int64_t mark, watermark_of(*conn, false));
    ASSIGN_OR_RETURN(storage::Result peek,
                     conn->Execute(changed + " LIMIT 1", {std::max<int64_t>(0, mark - kMarginSeconds), kind.name}));
    if (peek.rows.empty()) return int64_t{0};
  }
  int64_t written = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    written = 0;
    RETURN_IF_ERROR(tx.Execute(dialect == Dialect::kPostgres
                                   ? "INSERT INTO search_sources (kind) VALUES (?) ON CONFLICT (kind) DO NOTHING"
                                   : "INSERT OR IGNORE INTO search_sources (kind) VALUES (?)",
                               {kind.name})
                        .status());
    ASSIGN_OR_RETURN(int64_t mark, watermark_of(tx, true));
    ASSIGN_OR_RETURN(storage::Result rows,
                     tx.Execute(changed, {std::max<int64_t>(0, mark - kMarginSeconds), kind.name}));
    int64_t newest = mark;
    for (const storage::Row& r : rows.rows) {
      const std::string& title = r.Text(2);
      const std::string& body = r.Text(3);
      ASSIGN_OR_RETURN(std::vector<std::string> tokens, text::SearchTokens(*normalizer_, title + "\n" + body));
      const std::string joined = text::JoinTokens(tokens);
      newest = std::max(newest, r.Int(4));
      int64_t doc_id = 0;
      if (r.IsNull(5)) {
        ASSIGN_OR_RETURN(storage::Row inserted,
                         tx.QueryOne("INSERT INTO search_docs (kind, object_id, area_id, title, body, tokens) VALUES "
                                     "(?, ?, ?, ?, ?, ?) RETURNING id",
                                     {kind.name, r.Int(0), r.Int(1), title, body, joined}));
        doc_id = inserted.Int(0);
      } else {
        doc_id = r.Int(5);
        RETURN_IF_ERROR(tx.Execute("UPDATE search_docs SET area_id = ?, title = ?, body = ?, tokens = ? WHERE id = ?",
                                   {r.Int(1), title, body, joined, doc_id})
                            .status());
        if (dialect == Dialect::kSqlite) {
          RETURN_IF_ERROR(tx.Execute("DELETE FROM search_fts WHERE rowid = ?", {doc_id}).status());
        }
      }
      if (dialect == Dialect::kSqlite) {
        RETURN_IF_ERROR(tx.Execute("INSERT INTO search_fts (rowid, tokens) VALUES (?, ?)", {doc_id, joined}).status());
      }
      ++written;
    }
    return tx.Execute("UPDATE search_sources SET watermark = ? WHERE kind = ?", {newest, kind.name}).status();
  }));
  return written;
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
  RETURN_IF_ERROR(Refresh().status());

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

  const bool sqlite = db_.dialect() == Dialect::kSqlite;
  Params params;
  std::string sql;
  if (sqlite) {
    sql =
        "SELECT d.kind, d.object_id, d.area_id, d.title, d.body, -bm25(search_fts) AS score FROM search_fts JOIN "
        "search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ?";
    params.push_back(text::search::Fts5MatchExpression(tokens));
  } else {
    sql =
        "SELECT d.kind, d.object_id, d.area_id, d.title, d.body, ts_rank_cd(to_tsvector('simple', d.tokens), "
        "query) AS score FROM search_docs d, plainto_tsquery('simple', ?) AS query WHERE to_tsvector('simple', "
        "d.tokens) @@ query";
    params.push_back(text::JoinTokens(tokens));
  }
  sql += " AND (" + visible + ")";
  Append(params, visible_params);
  if (query.area_id) {
    sql += " AND d.area_id IN (SELECT descendant_id FROM area_paths WHERE ancestor_id = ?)";
    params.push_back(*query.area_id);
  }
  // One row more than the page tells whether another page follows.
  sql += " ORDER BY score DESC, d.id LIMIT ? OFFSET ?";
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
