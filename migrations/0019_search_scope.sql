-- Search within an area without walking every match of a word (docs/PERFORMANCE.md, "Site-wide search"). On SQLite
-- the FTS5 row of a document gets a second column, `scope`: the tokens "a<id>" of its area and of every ancestor, so
-- that `tokens : (...) AND scope : a17` is an intersection of doclists inside the index. The words are matched in the
-- `tokens` column only. PostgreSQL keeps joining area_paths (its planner combines the GIN index and the tree).
{{sqlite}}
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(tokens, scope, tokenize = 'ascii');
INSERT INTO search_fts (rowid, tokens, scope)
  SELECT d.id, d.tokens,
         COALESCE((SELECT group_concat('a' || p.ancestor_id, ' ') FROM area_paths p WHERE p.descendant_id = d.area_id), '')
  FROM search_docs d;
-- A document's scope follows the tree: a path added or removed (an area moved) re-queues the documents of that area.
CREATE TRIGGER area_paths_search_insert AFTER INSERT ON area_paths BEGIN
  INSERT INTO search_dirty (kind, object_id) SELECT kind, object_id FROM search_docs WHERE area_id = NEW.descendant_id;
END;
CREATE TRIGGER area_paths_search_delete AFTER DELETE ON area_paths BEGIN
  INSERT INTO search_dirty (kind, object_id) SELECT kind, object_id FROM search_docs WHERE area_id = OLD.descendant_id;
END;
{{/sqlite}}
{{postgres}}
COMMENT ON TABLE search_docs IS 'one document per searchable object (src/platform/search); areas filtered through area_paths';
{{/postgres}}
