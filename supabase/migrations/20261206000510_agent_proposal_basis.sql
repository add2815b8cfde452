-- What each proposal of reschedule_conflicts was made from (issue 16): its planning window and
-- a hash per input (settings, deadlines, busy time, the study calendar's sessions with the
-- student's pins and drops). Applying a proposal re-reads them and writes nothing when one
-- changed. Null for plans get_study_plan showed, whose inputs were not recorded.
alter table agent_proposals add column if not exists basis jsonb;
