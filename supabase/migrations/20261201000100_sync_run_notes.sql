-- Things a complete run wants the student to know (e.g. a course whose teacher hid the
-- assignments tab), as sentences; a failed run keeps using error_code/error_message.
alter table sync_runs add column if not exists notes jsonb not null default '[]'::jsonb;
