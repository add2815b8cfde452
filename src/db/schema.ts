import {
  bigint,
  boolean,
  date,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Drizzle's view of the tables that `supabase/migrations/*.sql` creates. The SQL files are
 * the source of truth (Supabase applies them as they are); a test checks the two agree.
 */

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export interface GoogleCalendarSettings {
  preferred_calendars: string[];
  watch_expiration: string | null;
  sync_error_count: number;
}

export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  email: text('email').unique(),
  encryptedRefreshToken: text('encrypted_refresh_token'),
  googleCalendarSettings: jsonb('google_calendar_settings').$type<GoogleCalendarSettings>(),
  lastSyncToken: text('last_sync_token'),
});

export const userProfiles = pgTable('user_profiles', {
  userId: uuid('user_id').primaryKey(),
  timeZone: text('time_zone').notNull(),
  plannerPreferences: jsonb('planner_preferences').$type<Record<string, unknown>>().notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const googleConnections = pgTable('google_connections', {
  userId: uuid('user_id').primaryKey(),
  status: text('status', { enum: ['connected', 'reconnect_needed', 'disconnected'] }).notNull(),
  grantedScopes: text('granted_scopes').array().notNull(),
  appCalendarId: text('app_calendar_id'),
  appCalendarUnsureSince: tstz('app_calendar_unsure_since'),
  version: integer('version').notNull(),
  lastError: text('last_error'),
  connectedAt: tstz('connected_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const canvasConnections = pgTable('canvas_connections', {
  userId: uuid('user_id').primaryKey(),
  baseUrl: text('base_url').notNull(),
  authKind: text('auth_kind', { enum: ['personal_token', 'oauth'] }).notNull(),
  encryptedAccessToken: text('encrypted_access_token').notNull(),
  encryptedRefreshToken: text('encrypted_refresh_token'),
  accessTokenExpiresAt: tstz('access_token_expires_at'),
  tokenExpiresAt: tstz('token_expires_at'),
  canvasUserId: text('canvas_user_id').notNull(),
  status: text('status', { enum: ['connected', 'reconnect_needed'] }).notNull(),
  lastError: text('last_error'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const oauthStates = pgTable('oauth_states', {
  stateHash: text('state_hash').primaryKey(),
  userId: uuid('user_id').notNull(),
  provider: text('provider', { enum: ['google', 'canvas'] }).notNull(),
  encryptedCodeVerifier: text('encrypted_code_verifier'),
  redirectUri: text('redirect_uri').notNull(),
  expiresAt: tstz('expires_at').notNull(),
  usedAt: tstz('used_at'),
  canvasBaseUrl: text('canvas_base_url'),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

export const calendarSyncState = pgTable(
  'calendar_sync_state',
  {
    userId: uuid('user_id').notNull(),
    calendarId: text('calendar_id').notNull(),
    role: text('role', { enum: ['primary', 'app', 'other'] }).notNull(),
    syncToken: text('sync_token'),
    timeZone: text('time_zone'),
    lastFullSyncAt: tstz('last_full_sync_at'),
    lastIncrementalSyncAt: tstz('last_incremental_sync_at'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.calendarId] })],
);

export const deadlines = pgTable(
  'deadlines',
  {
    userId: uuid('user_id').notNull(),
    sourceKey: text('source_key').notNull(),
    kind: text('kind').notNull(),
    courseId: text('course_id'),
    courseName: text('course_name'),
    title: text('title').notNull(),
    dueAt: tstz('due_at'),
    allDay: boolean('all_day').notNull(),
    allDayDate: date('all_day_date', { mode: 'string' }),
    pointsPossible: doublePrecision('points_possible'),
    submitted: boolean('submitted').notNull(),
    htmlUrl: text('html_url'),
    effortMinutes: integer('effort_minutes'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sourceKey] })],
);

export const eventMappings = pgTable(
  'event_mappings',
  {
    userId: uuid('user_id').notNull(),
    sourceKey: text('source_key').notNull(),
    calendarId: text('calendar_id').notNull(),
    googleEventId: text('google_event_id').notNull(),
    contentHash: text('content_hash').notNull(),
    googleEtag: text('google_etag'),
    syncedAt: tstz('synced_at').notNull().defaultNow(),
    userEdit: text('user_edit', { enum: ['moved', 'deleted'] }),
    userEditedAt: tstz('user_edited_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sourceKey] })],
);

export const calendarEvents = pgTable(
  'calendar_events',
  {
    userId: uuid('user_id').notNull(),
    calendarId: text('calendar_id').notNull(),
    eventId: text('event_id').notNull(),
    status: text('status').notNull(),
    summary: text('summary'),
    startAt: tstz('start_at'),
    endAt: tstz('end_at'),
    allDay: boolean('all_day').notNull(),
    transparent: boolean('transparent').notNull(),
    recurringEventId: text('recurring_event_id'),
    etag: text('etag'),
    googleUpdatedAt: tstz('google_updated_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.calendarId, t.eventId] })],
);

export const watchChannels = pgTable('watch_channels', {
  channelId: text('channel_id').primaryKey(),
  userId: uuid('user_id').notNull(),
  calendarId: text('calendar_id').notNull(),
  resourceId: text('resource_id').notNull(),
  expiration: tstz('expiration').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  stoppedAt: tstz('stopped_at'),
  /** HMAC-SHA256 of the channel's token under a key derived from the key ring (base64url). */
  tokenHash: text('token_hash').notNull(),
  kind: text('kind', { enum: ['events', 'calendar_list'] })
    .notNull()
    .default('events'),
});

export const studySessions = pgTable('study_sessions', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id').notNull(),
  deadlineKey: text('deadline_key').notNull(),
  startAt: tstz('start_at').notNull(),
  endAt: tstz('end_at').notNull(),
  status: text('status', { enum: ['planned', 'pinned', 'dropped'] }).notNull(),
  googleEventId: text('google_event_id'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
  /** The deadline's n-th session ("s1", "s2", …): the event id's stable part. */
  slotKey: text('slot_key').notNull(),
  calendarId: text('calendar_id'),
  googleEtag: text('google_etag'),
  fingerprint: text('fingerprint'),
  /** The student renamed it: its title and description are theirs, never written again. */
  titledByStudent: boolean('titled_by_student').notNull().default(false),
});

export const studyPlanState = pgTable('study_plan_state', {
  userId: uuid('user_id').primaryKey(),
  calendarId: text('calendar_id'),
  syncToken: text('sync_token'),
  lastRepair: jsonb('last_repair').$type<Record<string, unknown>>(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
  pendingTriggers: text('pending_triggers').array().notNull().default([]),
});

export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export const syncRuns = pgTable('sync_runs', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id').notNull(),
  kind: text('kind').notNull(),
  status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull(),
  counts: jsonb('counts').$type<Record<string, number>>().notNull(),
  googleCalls: integer('google_calls').notNull(),
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  startedAt: tstz('started_at'),
  finishedAt: tstz('finished_at'),
  notes: jsonb('notes').$type<string[]>().notNull().default([]),
});

/** Plans and proposals the assistant tools showed a student (src/agent/db-proposal-store.ts). */
export const agentProposals = pgTable('agent_proposals', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id').notNull(),
  seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
  createdAt: tstz('created_at').notNull(),
  sessions: jsonb('sessions').$type<unknown>().notNull(),
  /** What the proposal was made from (src/agent/proposal-store.ts ProposalBasis); null for previews. */
  basis: jsonb('basis').$type<unknown>(),
});

/** Streamable HTTP sessions of /mcp (src/agent/mcp-session-store.ts); the id itself is never stored. */
export const mcpSessions = pgTable('mcp_sessions', {
  idHash: text('id_hash').primaryKey(),
  userId: uuid('user_id').notNull(),
  protocolVersion: text('protocol_version').notNull(),
  createdAt: tstz('created_at').notNull(),
  lastSeenAt: tstz('last_seen_at').notNull(),
});

export const schema = {
  users,
  userProfiles,
  googleConnections,
  canvasConnections,
  oauthStates,
  calendarSyncState,
  deadlines,
  eventMappings,
  calendarEvents,
  watchChannels,
  studySessions,
  studyPlanState,
  syncRuns,
  agentProposals,
  mcpSessions,
};
