-- The first migration of the fixture.
CREATE TABLE fixture_one (
  id {{id}},
  data {{blob}}
);
