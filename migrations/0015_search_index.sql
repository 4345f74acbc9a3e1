-- Site-wide search (src/platform/search): one document per searchable object (a case, a meeting, a ballot, an
-- elevator project, an area; later modules register their kinds), its text as the text engine's tokens. Who may see
-- a document is never stored here: the search joins the object's own row and asks the policy (auth/policy.h).
CREATE TABLE search_docs (
  id {{id}},
  kind TEXT NOT NULL,
  object_id BIGINT NOT NULL,
  area_id BIGINT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  tokens TEXT NOT NULL,
  UNIQUE (kind, object_id)
);
CREATE INDEX search_docs_area ON search_docs(area_id);

-- The objects whose document is to be (re)written: the triggers below add one row when an object is created, its
-- text or area changes, or it is removed, in the writer's own transaction; SearchService::Refresh rewrites those
-- documents and deletes their rows. A later module's kind adds its own triggers in its migration.
-- A row per change, never merged with an earlier one: Refresh deletes exactly the rows it read, so a change that
-- commits while a refresh runs keeps its own row for the next one.
CREATE TABLE search_dirty (
  id {{id}},
  kind TEXT NOT NULL,
  object_id BIGINT NOT NULL
);

{{sqlite}}
-- The dialect's index over the tokens: FTS5's rowid is search_docs.id.
CREATE VIRTUAL TABLE search_fts USING fts5(tokens, tokenize = 'ascii');

CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('case', NEW.id);
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF title, description, area_id ON cases BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('case', NEW.id);
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('case', OLD.id);
END;
CREATE TRIGGER meetings_search_insert AFTER INSERT ON meetings BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('meeting', NEW.id);
END;
CREATE TRIGGER meetings_search_update AFTER UPDATE OF subject, description, area_id ON meetings BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('meeting', NEW.id);
END;
CREATE TRIGGER meetings_search_delete AFTER DELETE ON meetings BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('meeting', OLD.id);
END;
CREATE TRIGGER ballots_search_insert AFTER INSERT ON ballots BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('ballot', NEW.id);
END;
CREATE TRIGGER ballots_search_update AFTER UPDATE OF title, description, area_id ON ballots BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('ballot', NEW.id);
END;
CREATE TRIGGER ballots_search_delete AFTER DELETE ON ballots BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('ballot', OLD.id);
END;
CREATE TRIGGER elevator_projects_search_insert AFTER INSERT ON elevator_projects BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('elevator_project', NEW.id);
END;
CREATE TRIGGER elevator_projects_search_update AFTER UPDATE OF title, plan_text, building_id ON elevator_projects BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('elevator_project', NEW.id);
END;
CREATE TRIGGER elevator_projects_search_delete AFTER DELETE ON elevator_projects BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('elevator_project', OLD.id);
END;
CREATE TRIGGER areas_search_insert AFTER INSERT ON areas BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('area', NEW.id);
END;
CREATE TRIGGER areas_search_update AFTER UPDATE OF name, address ON areas BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('area', NEW.id);
END;
CREATE TRIGGER areas_search_delete AFTER DELETE ON areas BEGIN
  INSERT INTO search_dirty (kind, object_id) VALUES ('area', OLD.id);
END;
{{/sqlite}}
{{postgres}}
CREATE INDEX search_docs_tokens ON search_docs USING GIN (to_tsvector('simple', tokens));
-- One function for every kind's triggers: TG_ARGV[0] is the kind.
CREATE FUNCTION search_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO search_dirty (kind, object_id) VALUES (TG_ARGV[0], OLD.id);
  ELSE
    INSERT INTO search_dirty (kind, object_id) VALUES (TG_ARGV[0], NEW.id);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER cases_search AFTER INSERT OR UPDATE OF title, description, area_id OR DELETE ON cases
  FOR EACH ROW EXECUTE FUNCTION search_mark_dirty('case');
CREATE TRIGGER meetings_search AFTER INSERT OR UPDATE OF subject, description, area_id OR DELETE ON meetings
  FOR EACH ROW EXECUTE FUNCTION search_mark_dirty('meeting');
CREATE TRIGGER ballots_search AFTER INSERT OR UPDATE OF title, description, area_id OR DELETE ON ballots
  FOR EACH ROW EXECUTE FUNCTION search_mark_dirty('ballot');
CREATE TRIGGER elevator_projects_search AFTER INSERT OR UPDATE OF title, plan_text, building_id OR DELETE ON elevator_projects
  FOR EACH ROW EXECUTE FUNCTION search_mark_dirty('elevator_project');
CREATE TRIGGER areas_search AFTER INSERT OR UPDATE OF name, address OR DELETE ON areas
  FOR EACH ROW EXECUTE FUNCTION search_mark_dirty('area');
{{/postgres}}

-- What exists already is indexed by the first refresh.
INSERT INTO search_dirty (kind, object_id) SELECT 'case', id FROM cases;
INSERT INTO search_dirty (kind, object_id) SELECT 'meeting', id FROM meetings;
INSERT INTO search_dirty (kind, object_id) SELECT 'ballot', id FROM ballots;
INSERT INTO search_dirty (kind, object_id) SELECT 'elevator_project', id FROM elevator_projects;
INSERT INTO search_dirty (kind, object_id) SELECT 'area', id FROM areas;
