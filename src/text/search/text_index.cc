#include "text/search/text_index.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "text/corpus.h"
#include "text/tokenize.h"

namespace ningju::text::search {
namespace {

using storage::Dialect;

std::string Str(std::string_view s) { return std::string(s); }

}  // namespace

Status ValidateIndexName(std::string_view name) {
  const bool ok = !name.empty() && name.size() <= 41 && name[0] >= 'a' && name[0] <= 'z' &&
                  name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
  return ok ? OkStatus() : InvalidArgumentError("index name must match [a-z][a-z0-9_]{0,40}", "name");
}

std::vector<std::string> CreateIndexSql(Dialect dialect, std::string_view name) {
  const std::string n(name);
  if (dialect == Dialect::kSqlite) {
    return {"CREATE TABLE IF NOT EXISTS " + n +
                "_docs (id INTEGER PRIMARY KEY, item_id TEXT NOT NULL UNIQUE, "
                "body TEXT NOT NULL)",
            "CREATE VIRTUAL TABLE IF NOT EXISTS " + n + "_fts USING fts5(tokens, tokenize = 'ascii')"};
  }
  return {"CREATE TABLE IF NOT EXISTS " + n +
              "_docs (id BIGSERIAL PRIMARY KEY, item_id TEXT NOT NULL UNIQUE, "
              "body TEXT NOT NULL, tokens TSVECTOR NOT NULL)",
          "CREATE INDEX IF NOT EXISTS " + n + "_docs_tokens ON " + n + "_docs USING GIN (tokens)"};
}

std::vector<SqlStatement> InsertDocumentSql(Dialect dialect, std::string_view name, std::string_view id,
                                            std::string_view text, std::string_view tokens) {
  const std::string n(name);
  if (dialect == Dialect::kSqlite) {
    return {{"INSERT INTO " + n + "_docs (item_id, body) VALUES (?, ?)", {Str(id), Str(text)}},
            {"INSERT INTO " + n + "_fts (rowid, tokens) VALUES (last_insert_rowid(), ?)", {Str(tokens)}}};
  }
  return {{"INSERT INTO " + n + "_docs (item_id, body, tokens) VALUES (?, ?, to_tsvector('simple', ?))",
           {Str(id), Str(text), Str(tokens)}}};
}

std::vector<SqlStatement> DeleteDocumentSql(Dialect dialect, std::string_view name, std::string_view id) {
  const std::string n(name);
  if (dialect == Dialect::kSqlite) {
    return {{"DELETE FROM " + n + "_fts WHERE rowid IN (SELECT id FROM " + n + "_docs WHERE item_id = ?)", {Str(id)}},
            {"DELETE FROM " + n + "_docs WHERE item_id = ?", {Str(id)}}};
  }
  return {{"DELETE FROM " + n + "_docs WHERE item_id = ?", {Str(id)}}};
}

std::string Fts5MatchExpression(const std::vector<std::string>& query_tokens) {
  std::string match;
  for (const std::string& t : query_tokens) {
    if (!match.empty()) match += " AND ";
    match.push_back('"');
    for (char c : t) {
      if (c == '"') match.push_back('"');
      match.push_back(c);
    }
    match.push_back('"');
  }
  return match;
}

SqlStatement SearchSql(Dialect dialect, std::string_view name, const std::vector<std::string>& query_tokens,
                       int64_t limit) {
  const std::string n(name);
  if (dialect == Dialect::kSqlite) {
    return {"SELECT d.item_id, d.body, -bm25(" + n + "_fts) AS score FROM " + n + "_fts JOIN " + n +
                "_docs d ON d.id = " + n + "_fts.rowid WHERE " + n + "_fts MATCH ? ORDER BY score DESC, d.id LIMIT ?",
            {Fts5MatchExpression(query_tokens), limit}};
  }
  return {"SELECT item_id, body, ts_rank_cd(tokens, query) AS score FROM " + n +
              "_docs, plainto_tsquery('simple', ?) AS query WHERE tokens @@ query ORDER BY score DESC, id LIMIT ?",
          {JoinTokens(query_tokens), limit}};
}

TextIndex::TextIndex(storage::Database* db, const Normalizer* normalizer, std::string name)
    : db_(db), normalizer_(normalizer), name_(std::move(name)) {}
TextIndex::~TextIndex() = default;

StatusOr<std::unique_ptr<TextIndex>> TextIndex::Open(storage::Database* db, const Normalizer* normalizer,
                                                     std::string name) {
  RETURN_IF_ERROR(ValidateIndexName(name));
  ASSIGN_OR_RETURN(storage::PooledConnection conn, db->Acquire());
  for (const std::string& sql : CreateIndexSql(db->dialect(), name)) RETURN_IF_ERROR(conn->Execute(sql));
  return std::unique_ptr<TextIndex>(new TextIndex(db, normalizer, std::move(name)));
}

Status TextIndex::Add(const std::vector<Document>& documents) {
  std::vector<std::string> tokens;
  tokens.reserve(documents.size());
  for (const Document& d : documents) {
    ASSIGN_OR_RETURN(std::vector<std::string> t, SearchTokens(*normalizer_, d.text));
    tokens.push_back(JoinTokens(t));
  }
  const Dialect dialect = db_->dialect();
  return db_->InTransaction([&](storage::Connection& conn) -> Status {
    for (size_t i = 0; i < documents.size(); ++i) {
      for (const SqlStatement& s : DeleteDocumentSql(dialect, name_, documents[i].id)) {
        RETURN_IF_ERROR(conn.Execute(s.sql, s.params));
      }
      for (const SqlStatement& s : InsertDocumentSql(dialect, name_, documents[i].id, documents[i].text, tokens[i])) {
        RETURN_IF_ERROR(conn.Execute(s.sql, s.params));
      }
    }
    return OkStatus();
  });
}

Status TextIndex::Remove(std::string_view id) {
  const Dialect dialect = db_->dialect();
  return db_->InTransaction([&](storage::Connection& conn) -> Status {
    for (const SqlStatement& s : DeleteDocumentSql(dialect, name_, id)) RETURN_IF_ERROR(conn.Execute(s.sql, s.params));
    return OkStatus();
  });
}

StatusOr<std::vector<Hit>> TextIndex::Search(std::string_view query, int64_t limit) const {
  ASSIGN_OR_RETURN(std::vector<std::string> tokens, QueryTokens(*normalizer_, query));
  std::vector<Hit> hits;
  if (tokens.empty() || limit <= 0) return hits;
  const SqlStatement s = SearchSql(db_->dialect(), name_, tokens, limit);
  ASSIGN_OR_RETURN(storage::PooledConnection conn, db_->Acquire());
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(s.sql, s.params));
  for (const storage::Row& row : result.rows) {
    hits.push_back(Hit{row.Text(0), row.Double(2), MakeSnippet(*normalizer_, row.Text(1), tokens)});
  }
  return hits;
}

StatusOr<uint64_t> BuildIndexFromFile(const std::string& input, const std::string& dir, const Normalizer& normalizer,
                                      const std::function<void(uint64_t, uint64_t, uint64_t)>& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<LineReader> reader, LineReader::Open(input));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return UnavailableError(Msg("{}: {}", dir, ec.message()));
  storage::DatabaseOptions db_options;
  db_options.pool_size = 2;
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::Database::Open("sqlite:" + dir + "/index.db", db_options));
  ASSIGN_OR_RETURN(std::unique_ptr<TextIndex> index, TextIndex::Open(db.get(), &normalizer));
  uint64_t count = 0;
  LineChunk chunk;
  CorpusRecord record;
  std::vector<TextIndex::Document> batch;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader->Next(&chunk));
    if (!more) break;
    Status failure;
    ForEachLine(chunk, [&](uint64_t line, std::string_view text) {
      if (!failure.ok()) return;
      Status st = ParseCorpusLine(text, &record);
      if (st.code() == StatusCode::kNotFound) return;
      if (!st.ok()) {
        failure = LineError(line, st);
        return;
      }
      batch.push_back(TextIndex::Document{std::move(record.id), std::move(record.text)});
    });
    RETURN_IF_ERROR(failure);
    RETURN_IF_ERROR(index->Add(batch));
    count += batch.size();
    batch.clear();
    if (progress) progress(chunk.end_offset, reader->total_bytes(), count);
  }
  return count;
}

StatusOr<std::vector<Hit>> SearchIndexDirectory(const std::string& dir, std::string_view query, int64_t limit,
                                                const Normalizer& normalizer) {
  const std::string path = dir + "/index.db";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFoundError(Msg("no index in {} (run ningju text index)", dir));
  storage::DatabaseOptions db_options;
  db_options.pool_size = 1;
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db, storage::Database::Open("sqlite:" + path, db_options));
  ASSIGN_OR_RETURN(std::unique_ptr<TextIndex> index, TextIndex::Open(db.get(), &normalizer));
  return index->Search(query, limit);
}

}  // namespace ningju::text::search
