CREATE TABLE fixture_two (id {{id}}, note TEXT);
