-- The study plan on the student's calendar (issue 15). `study_sessions` (unused until now)
-- becomes the record of every session CanvasCal wrote: its slot (the deadline's n-th
-- session, stable across moves so a move is one patch), the event's etag (sent as If-Match,
-- so a student's edit is never overwritten), the fingerprint of what we wrote (an equal
-- fingerprint sends nothing), and the student's verdict: `pinned` (moved or shortened by
-- them: kept where they put it) or `dropped` (deleted by them: that slot is never recreated).
-- Nothing wrote the table before, so the new columns need no backfill.
alter table study_sessions add column if not exists slot_key text not null default '';
alter table study_sessions alter column slot_key drop default;
alter table study_sessions add column if not exists calendar_id text;
alter table study_sessions add column if not exists google_etag text;
alter table study_sessions add column if not exists fingerprint text;
create unique index if not exists study_sessions_slot_idx on study_sessions (user_id, deadline_key, slot_key);

-- One row per student who has a study calendar: its id (recreated if deleted, like the
-- deadline calendar), the sync token of its follow (the student's edits arrive through it),
-- and the last repair (when, what triggered it, what moved, Google calls) for the API.
-- `autoPlan` itself lives in user_profiles.planner_preferences with the other planner settings.
create table if not exists study_plan_state (
  user_id uuid primary key references users (id) on delete cascade,
  calendar_id text,
  sync_token text,
  last_repair jsonb,
  updated_at timestamptz not null default now()
);
alter table study_plan_state enable row level security;
