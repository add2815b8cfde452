import { isTimeZone } from './event-listing.ts';

/**
 * A control call whose arguments are of the wrong shape: `field` names the argument (and the
 * key inside it) at fault, so `addCalendar(email, { title })` says `options.title` instead of
 * making a nameless calendar that breaks every later sync.
 */
export class ControlArgumentError extends Error {
  override readonly name = 'ControlArgumentError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/** Checks one value; throws ControlArgumentError naming `field`. */
type Check = (value: unknown, field: string) => void;

const fail = (field: string, problem: string): never => {
  throw new ControlArgumentError(field, problem);
};

/** Absent: `undefined`, or `null` (JSON's only way to leave an argument out over HTTP). */
const optional =
  (check: Check): Check =>
  (value, field) => {
    if (value !== undefined && value !== null) check(value, field);
  };

const text: Check = (value, field) => {
  if (typeof value !== 'string' || value === '') fail(field, 'must be a non-empty string');
};
const email: Check = (value, field) => {
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(value)) fail(field, 'must be an email address');
};
const zone: Check = (value, field) => {
  if (typeof value !== 'string' || !isTimeZone(value)) fail(field, 'must be an IANA time zone name');
};
const flag: Check = (value, field) => {
  if (typeof value !== 'boolean') fail(field, 'must be true or false');
};
const count: Check = (value, field) => {
  if (!Number.isInteger(value) || (value as number) < 0) fail(field, 'must be a whole number ≥ 0');
};
const positive: Check = (value, field) => {
  if (!Number.isInteger(value) || (value as number) < 1) fail(field, 'must be a whole number ≥ 1');
};
const milliseconds: Check = (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(field, 'must be a latency in milliseconds ≥ 0');
};
const texts: Check = (value, field) => {
  if (!Array.isArray(value)) return fail(field, 'must be a list of strings');
  value.forEach((item, i) => {
    text(item, `${field}[${i}]`);
  });
};
const oneOf =
  (...allowed: unknown[]): Check =>
  (value, field) => {
    if (!allowed.includes(value))
      fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  };
const anyObject: Check = (value, field) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
};

/** An object with only these keys, each checked. */
const shape =
  (keys: Record<string, Check>): Check =>
  (value, field) => {
    anyObject(value, field);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record))
      if (!(key in keys))
        fail(`${field}.${key}`, `is not a known field (known: ${Object.keys(keys).join(', ')})`);
    for (const [key, check] of Object.entries(keys)) check(record[key], `${field}.${key}`);
  };

const FAULT_KINDS = [500, 503, 429, 403, 'userRateLimit', 'reset'];

/** Each control operation's parameters, in order: name and check. Operations not listed take none. */
const PARAMETERS: Record<string, Array<[string, Check]>> = {
  addClient: [['client', shape({ clientId: text, clientSecret: text, redirectUris: optional(texts) })]],
  addAccount: [
    ['email', email],
    ['timeZone', zone],
  ],
  addCalendar: [
    ['email', email],
    [
      'options',
      shape({
        summary: text,
        timeZone: optional(zone),
        accessRole: optional(oneOf('owner', 'writer', 'reader', 'freeBusyReader')),
        selected: optional(flag),
        hidden: optional(flag),
        owner: optional(email),
      }),
    ],
  ],
  userInsertEvent: [
    ['calendarId', text],
    ['event', anyObject],
  ],
  userPatchEvent: [
    ['calendarId', text],
    ['eventId', text],
    ['patch', anyObject],
  ],
  userDeleteEvent: [
    ['calendarId', text],
    ['eventId', text],
  ],
  userDeleteCalendar: [['calendarId', text]],
  userUpdateCalendarListEntry: [
    ['email', email],
    ['calendarId', text],
    ['change', shape({ selected: optional(flag), hidden: optional(flag) })],
  ],
  approveConsent: [
    ['authUrl', text],
    ['options', shape({ email, grantScopes: optional(texts), deny: optional(flag) })],
  ],
  revokeGrants: [['email', email]],
  expireSyncTokens: [['calendarId', optional(text)]],
  expireCalendarListSyncTokens: [['email', optional(email)]],
  failNext: [
    ['method', text],
    ['kind', oneOf(...FAULT_KINDS)],
    ['count', optional(positive)],
  ],
  // randomFaults checks its own options (RandomFaults.configure); only the arity is checked here.
  randomFaults: [['options', () => undefined]],
  failDeliveries: [['faults', shape({ drop: optional(count), duplicate: optional(count) })]],
  setLatency: [
    ['ms', milliseconds],
    ['options', optional(shape({ method: optional(text), count: optional(positive) }))],
  ],
};

/**
 * The control with every operation checking its arguments first; `null` arguments reach the
 * operation as `undefined`. Operations on things that must exist (a calendar, an account)
 * check that themselves, with the same error.
 */
export function withCheckedArguments<T extends object>(control: T): T {
  for (const [name, value] of Object.entries(control)) {
    if (typeof value !== 'function') continue;
    const operation = value as (...args: unknown[]) => unknown;
    (control as Record<string, unknown>)[name] = (...args: unknown[]) => {
      checkControlArguments(name, args);
      return operation.apply(
        control,
        args.map((a) => (a === null ? undefined : a)),
      );
    };
  }
  return control;
}

/** Throws ControlArgumentError when `args` do not fit `operation`'s parameters (too many included). */
export function checkControlArguments(operation: string, args: readonly unknown[]): void {
  const parameters = PARAMETERS[operation] ?? [];
  if (args.length > parameters.length)
    fail(
      `argument ${parameters.length + 1}`,
      `is one too many: ${operation} takes ${parameters.length === 0 ? 'no arguments' : `(${parameters.map(([n]) => n).join(', ')})`}`,
    );
  parameters.forEach(([name, check], i) => {
    check(args[i], name);
  });
}
