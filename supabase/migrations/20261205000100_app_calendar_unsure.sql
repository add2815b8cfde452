-- Set when a create of the user's CanvasCal calendar failed without an answer (a timeout, a
-- lost connection, a killed worker's retry): Google may still make that calendar later, after
-- the retry made another. While set, syncs look for such strays and delete them.
alter table google_connections add column if not exists app_calendar_unsure_since timestamptz;
