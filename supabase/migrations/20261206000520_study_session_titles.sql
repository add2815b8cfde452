-- A session the student renamed (title or description) keeps their words: repairs still manage
-- its times but never write its summary or description again.
alter table study_sessions add column if not exists titled_by_student boolean not null default false;
