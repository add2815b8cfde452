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

-- MCP sessions of the Streamable HTTP endpoint (/mcp). The session id is assigned at
-- initialize and belongs to the user whose token opened it; any serve process answers it.
-- A session idle past the service's limit, or ended by DELETE, is gone (404 to the client,
-- which then initializes again). Only a SHA-256 of the id is kept, so a dump of this table
-- cannot be replayed as a session header.
create table if not exists mcp_sessions (
  id_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  protocol_version text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null
);
create index if not exists mcp_sessions_user_idx on mcp_sessions (user_id, last_seen_at);
create index if not exists mcp_sessions_seen_idx on mcp_sessions (last_seen_at);
alter table mcp_sessions enable row level security;
