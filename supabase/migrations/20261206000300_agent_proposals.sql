-- Plans and proposals the assistant tools showed a student (issue 16). They live in the
-- database, not in one process's memory, so a proposal shown by one `serve` process can be
-- applied through another and survives a restart. The service keeps them bounded: the newest
-- few per user, a day old at most, pruned on every write. `seq` orders a user's proposals
-- when several share a timestamp. Deleting the user deletes them.
create table if not exists agent_proposals (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  seq bigint generated always as identity,
  created_at timestamptz not null,
  sessions jsonb not null
);
create index if not exists agent_proposals_user_idx on agent_proposals (user_id, seq);
create index if not exists agent_proposals_created_idx on agent_proposals (created_at);
alter table agent_proposals enable row level security;
