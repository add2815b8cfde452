-- CanvasCal foundation schema. Plain SQL so `supabase db push` accepts it as it is.
-- Every timestamp is timestamptz (UTC at the boundary); secrets are encrypted by the
-- service before they reach a row, and row level security is on for every table that
-- holds user data, so a Supabase anon key reads nothing (the service role bypasses RLS).

-- The blueprint's table, with exactly its columns and JSONB default.
create table if not exists users (
  id uuid primary key,
  email text unique,
  encrypted_refresh_token text,
  google_calendar_settings jsonb default '{
    "preferred_calendars": ["primary"],
    "watch_expiration": null,
    "sync_error_count": 0
  }'::jsonb,
  last_sync_token text
);

-- What the blueprint's table does not hold about a user: time zone, planner preferences.
create table if not exists user_profiles (
  user_id uuid primary key references users (id) on delete cascade,
  time_zone text not null default 'UTC',
  planner_preferences jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- State of the Google grant; the refresh token itself is users.encrypted_refresh_token.
create table if not exists google_connections (
  user_id uuid primary key references users (id) on delete cascade,
  status text not null check (status in ('connected', 'reconnect_needed', 'disconnected')),
  granted_scopes text[] not null default '{}',
  app_calendar_id text,
  version integer not null default 1,
  last_error text,
  connected_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists canvas_connections (
  user_id uuid primary key references users (id) on delete cascade,
  base_url text not null,
  auth_kind text not null check (auth_kind in ('personal_token', 'oauth')),
  encrypted_access_token text not null,
  encrypted_refresh_token text,
  access_token_expires_at timestamptz,
  token_expires_at timestamptz,
  canvas_user_id text not null,
  status text not null default 'connected' check (status in ('connected', 'reconnect_needed')),
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Short-lived, single-use OAuth state (Google and Canvas), with the PKCE verifier encrypted.
create table if not exists oauth_states (
  state_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  provider text not null check (provider in ('google', 'canvas')),
  encrypted_code_verifier text,
  redirect_uri text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists oauth_states_expires_idx on oauth_states (expires_at);

-- Incremental sync state per followed calendar (users.last_sync_token mirrors the primary's).
create table if not exists calendar_sync_state (
  user_id uuid not null references users (id) on delete cascade,
  calendar_id text not null,
  role text not null check (role in ('primary', 'app', 'other')),
  sync_token text,
  time_zone text,
  last_full_sync_at timestamptz,
  last_incremental_sync_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (user_id, calendar_id)
);

-- Everything due, as last read from Canvas (and syllabi), for the planner and the tools.
create table if not exists deadlines (
  user_id uuid not null references users (id) on delete cascade,
  source_key text not null,
  kind text not null,
  course_id text,
  course_name text,
  title text not null,
  due_at timestamptz,
  all_day boolean not null default false,
  all_day_date date,
  points_possible double precision,
  submitted boolean not null default false,
  html_url text,
  effort_minutes integer,
  updated_at timestamptz not null default now(),
  primary key (user_id, source_key)
);
create index if not exists deadlines_due_idx on deadlines (user_id, due_at);

-- Source item -> Google event, with the hash of what was last written.
create table if not exists event_mappings (
  user_id uuid not null references users (id) on delete cascade,
  source_key text not null,
  calendar_id text not null,
  google_event_id text not null,
  content_hash text not null,
  google_etag text,
  synced_at timestamptz not null default now(),
  primary key (user_id, source_key),
  unique (user_id, google_event_id)
);

-- Cache of the user's calendar events, for the busy map and conflict repair.
create table if not exists calendar_events (
  user_id uuid not null references users (id) on delete cascade,
  calendar_id text not null,
  event_id text not null,
  status text not null,
  summary text,
  start_at timestamptz,
  end_at timestamptz,
  all_day boolean not null default false,
  transparent boolean not null default false,
  recurring_event_id text,
  etag text,
  google_updated_at timestamptz,
  primary key (user_id, calendar_id, event_id)
);
create index if not exists calendar_events_range_idx on calendar_events (user_id, start_at, end_at);

create table if not exists watch_channels (
  channel_id text primary key,
  user_id uuid not null references users (id) on delete cascade,
  calendar_id text not null,
  resource_id text not null,
  expiration timestamptz not null,
  created_at timestamptz not null default now(),
  stopped_at timestamptz
);
create index if not exists watch_channels_expiration_idx on watch_channels (expiration) where stopped_at is null;

create table if not exists study_sessions (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  deadline_key text not null,
  start_at timestamptz not null,
  end_at timestamptz not null,
  status text not null check (status in ('planned', 'pinned', 'dropped')),
  google_event_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_at > start_at)
);
create index if not exists study_sessions_user_idx on study_sessions (user_id, start_at);

create table if not exists sync_runs (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  kind text not null,
  status text not null check (status in ('queued', 'running', 'succeeded', 'failed')),
  counts jsonb not null default '{}'::jsonb,
  google_calls integer not null default 0,
  error_code text,
  error_message text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index if not exists sync_runs_user_idx on sync_runs (user_id, created_at desc);

alter table users enable row level security;
alter table user_profiles enable row level security;
alter table google_connections enable row level security;
alter table canvas_connections enable row level security;
alter table oauth_states enable row level security;
alter table calendar_sync_state enable row level security;
alter table deadlines enable row level security;
alter table event_mappings enable row level security;
alter table calendar_events enable row level security;
alter table watch_channels enable row level security;
alter table study_sessions enable row level security;
alter table sync_runs enable row level security;
