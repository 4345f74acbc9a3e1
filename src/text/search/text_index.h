// Full-text search over storage::Database, fed by the text module's tokenizer so that one query finds the same items
// on SQLite and on PostgreSQL.
//
// Documents are stored as their ORIGINAL text (for snippets) and their search tokens joined by spaces:
//   SQLite:      an FTS5 table over the token string with tokenize='ascii' (ASCII spaces and punctuation separate
//                tokens; every non-ASCII character is a token character, so "垃圾 圾分" stays two tokens), ranked
//                by bm25().
//   PostgreSQL:  a tsvector column to_tsvector('simple', tokens) with a GIN index; the query is
//                plainto_tsquery('simple', query tokens), ranked by ts_rank_cd().
// A query requires all of its tokens (see text/tokenize.h), so both backends return exactly the documents that
// contain every query bigram and word; only the ranking functions differ.
//
// The SQL of each dialect comes from the *Sql functions below, so a store (cases, suggestions) can put the same
// statements in its own migrations and transactions; TextIndex is a ready-made store over one table pair.
#ifndef NINGJU_TEXT_SEARCH_TEXT_INDEX_H_
#define NINGJU_TEXT_SEARCH_TEXT_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/database.h"
#include "text/normalize.h"
#include "text/snippet.h"

namespace ningju::text::search {

// A statement and its bound parameters.
struct SqlStatement {
  std::string sql;
  storage::Params params;
};

// Checks an index name: [a-z][a-z0-9_]{0,40}. It names the tables `<name>_docs` (and `<name>_fts` on SQLite).
Status ValidateIndexName(std::string_view name);

// Statements creating the index tables (idempotent: IF NOT EXISTS). REQUIRES: ValidateIndexName(name).ok().
std::vector<std::string> CreateIndexSql(storage::Dialect dialect, std::string_view name);

// Inserting a document. `tokens` is JoinTokens(SearchTokens(text)). SQLite needs two statements (the document row,
// then its FTS row with the same rowid): the second uses last_insert_rowid(), so run both on one connection.
std::vector<SqlStatement> InsertDocumentSql(storage::Dialect dialect, std::string_view name, std::string_view id,
                                            std::string_view text, std::string_view tokens);

// Deleting a document by id (before re-inserting it).
std::vector<SqlStatement> DeleteDocumentSql(storage::Dialect dialect, std::string_view name, std::string_view id);

// The search: rows (id, original text, score), best first, score higher is better. `query_tokens` is
// QueryTokens(query) and must not be empty.
SqlStatement SearchSql(storage::Dialect dialect, std::string_view name, const std::vector<std::string>& query_tokens,
                       int64_t limit);

// The FTS5 MATCH expression requiring every token: "垃圾" AND "圾分".
std::string Fts5MatchExpression(const std::vector<std::string>& query_tokens);

struct Hit {
  std::string id;
  double score = 0;
  Snippet snippet;
};

// A full-text index in one Database. Thread-safe as far as the Database is.
class TextIndex {
 public:
  // Creates the tables when missing. `db` and `normalizer` must outlive the index.
  static StatusOr<std::unique_ptr<TextIndex>> Open(storage::Database* db, const Normalizer* normalizer,
                                                   std::string name = "text_index");
  ~TextIndex();
  TextIndex(const TextIndex&) = delete;
  TextIndex& operator=(const TextIndex&) = delete;

  struct Document {
    std::string id;
    std::string text;
  };
  // Adds (or replaces) documents in one transaction. kInvalidArgument for invalid UTF-8.
  Status Add(const std::vector<Document>& documents);
  Status Remove(std::string_view id);

  // The best `limit` documents containing the whole query; empty when the query has no searchable content.
  StatusOr<std::vector<Hit>> Search(std::string_view query, int64_t limit = 10) const;

 private:
  TextIndex(storage::Database* db, const Normalizer* normalizer, std::string name);
  storage::Database* db_;
  const Normalizer* normalizer_;
  std::string name_;
};

// `ningju text index`: indexes a JSON-lines file into DIR/index.db (SQLite), replacing documents with the same id.
// Returns the number of documents. Bad input: kInvalidArgument "line N: reason".
StatusOr<uint64_t> BuildIndexFromFile(const std::string& input, const std::string& dir, const Normalizer& normalizer,
                                      const std::function<void(uint64_t, uint64_t, uint64_t)>& progress = {});

// `ningju text search`: searches DIR/index.db. kNotFound when there is no index in DIR.
StatusOr<std::vector<Hit>> SearchIndexDirectory(const std::string& dir, std::string_view query, int64_t limit,
                                                const Normalizer& normalizer);

}  // namespace ningju::text::search

#endif  // NINGJU_TEXT_SEARCH_TEXT_INDEX_H_
