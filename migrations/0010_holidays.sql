-- Holiday calendars entered in the site (/admin/holidays) or by `ningju holidays import` (docs/CASES.md "Holiday
-- calendar"): one row per year holding that year's days in the data/holidays/cn.txt format; a stored year replaces
-- the built-in (or --holiday-file) days of that year. holiday_calendar_version counts the stores: every server
-- polls it and reloads its calendar when it moved, so a stored notice takes effect without a restart. Its one row
-- is also the lock that puts concurrent imports one after the other.
CREATE TABLE holiday_years (
  year INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  stored_at BIGINT NOT NULL,
  stored_by BIGINT REFERENCES users(id)
);
CREATE TABLE holiday_calendar_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO holiday_calendar_version (id, version) VALUES (1, 0);
