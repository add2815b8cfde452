-- Push channels (issue 14). Each channel's secret token is kept only as an HMAC under a key
-- derived from the encryption key ring (never in the database), so a dump of this table alone
-- cannot forge a notification. `kind` is what the channel watches: a calendar's events or the
-- calendar list. Nothing wrote this table before, so the new columns need no backfill.
alter table watch_channels add column if not exists token_hash text not null default '';
alter table watch_channels alter column token_hash drop default;
alter table watch_channels add column if not exists kind text not null default 'events'
  check (kind in ('events', 'calendar_list'));
create index if not exists watch_channels_user_idx on watch_channels (user_id, calendar_id);
