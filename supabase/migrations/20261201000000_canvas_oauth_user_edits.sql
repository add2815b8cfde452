-- Canvas OAuth2: the Canvas host a sign-in was started for travels with its state.
alter table oauth_states add column if not exists canvas_base_url text;

-- A student's own edit to one of CanvasCal's events in Google (seen by the delta sync of the
-- app calendar): moved or deleted. The sync leaves such an event as the student left it until
-- Canvas changes the item; the planner reads the move as the student's choice.
alter table event_mappings add column if not exists user_edit text check (user_edit in ('moved', 'deleted'));
alter table event_mappings add column if not exists user_edited_at timestamptz;
