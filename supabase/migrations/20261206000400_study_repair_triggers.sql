-- Every trigger that asked for a user's next repair (a Canvas sync and a follow coalesced into
-- one job): the job carries only the first, so the rest wait here until that repair takes them.
alter table study_plan_state add column if not exists pending_triggers text[] not null default '{}';
