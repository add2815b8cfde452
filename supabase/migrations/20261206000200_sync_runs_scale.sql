-- sync_runs at scale (96 runs per user per day before pruning). Every query on the table
-- names its user and kind (the status page, createOrJoin, pruning) or only the unfinished
-- runs (abandonUnfinished, the check for lost jobs): one index for each shape.
create index if not exists sync_runs_user_kind_created_idx on sync_runs (user_id, kind, created_at desc);
-- createOrJoin's stale-run update and its join: only the queued runs of one user and kind.
create index if not exists sync_runs_queued_idx on sync_runs (user_id, kind, created_at)
  where status = 'queued';
-- abandonUnfinished and listQueued: a handful of rows among millions.
create index if not exists sync_runs_unfinished_idx on sync_runs (created_at)
  where status in ('queued', 'running');
-- Superseded by sync_runs_user_kind_created_idx (every per-user read also names the kind).
drop index if exists sync_runs_user_idx;
