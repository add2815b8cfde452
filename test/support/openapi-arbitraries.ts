import fc from 'fast-check';

/** The subset of an OpenAPI 3.0 schema object (as @fastify/swagger emits from zod) we generate from. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

// Arrays and strings a valid value may reach: the schema's bounds, capped so one request stays
// cheap (a 5,000-deadline plan is the planner bench's job, not the fuzzer's).
const MAX_ARRAY = 6;
const MAX_STRING = 64;
const MAX_DEPTH = 4;

const dates = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Text no form would produce: lone surrogates, controls, right-to-left marks, emoji, NULs. */
export const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    maxLength: 8,
  }),
  fc.constantFrom(
    '\u0000',
    '\u202e\u2066evil',
    '💥🧨'.repeat(20),
    'e\u0301\u0301\u0301',
    '%00%2e%2e%2f',
    '../../etc/passwd',
    "' or 1=1 --",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'NaN',
    '-0',
    '1e309',
    ' ',
    'Z',
  ),
);

/** A string of `length` characters, of one or of many kinds (boundary lengths, huge strings). */
const sized = (length: number) =>
  fc.oneof(
    fc.constant('a'.repeat(length)),
    fc
      .string({ minLength: Math.min(length, 200), maxLength: Math.min(length, 200) })
      .map((s) =>
        s.length === 0 ? 'x'.repeat(length) : s.repeat(Math.ceil(length / s.length)).slice(0, length),
      ),
  );

/** Values of every JSON type and none of the expected one, plus sizes past any limit. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 2 ** 53 + 2, 1e308, -1e308, '', [], {}),
  oddText,
  fc.integer(),
  fc.double({ noNaN: true }),
  sized(10_000),
  fc.constant('x'.repeat(300_000)),
  fc.array(fc.constantFrom(null, 1, 'a', {}), { maxLength: 5 }),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')),
  fc.constant(nested(200)),
);

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

function single(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null');
  return type;
}

/** A value the schema accepts (as far as JSON Schema says; zod refinements may still refuse it). */
export function validValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices && choices.length > 0) return fc.oneof(...choices.map((s) => validValue(s, depth + 1)));
  if (schema.allOf && schema.allOf.length > 0) return validValue(schema.allOf[0] ?? {}, depth + 1);
  const base = validOfType(schema, depth);
  return schema.nullable ? fc.oneof({ weight: 5, arbitrary: base }, fc.constant(null)) : base;
}

function validOfType(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  switch (single(schema)) {
    case 'string':
      return validString(schema);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1_000_000;
      const max = schema.maximum ?? 1_000_000;
      return single(schema) === 'integer'
        ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      if (depth > MAX_DEPTH) return fc.constant([]);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? MAX_ARRAY, MAX_ARRAY));
      if (minLength > MAX_ARRAY) return fc.constant([]);
      return fc.array(validValue(schema.items ?? {}, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return validObject(schema, depth);
    case 'null':
      return fc.constant(null);
    default:
      return schema.properties ? validObject(schema, depth) : fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return dates;
  if (schema.format === 'date') return dates.map((d) => d.slice(0, 10));
  if (schema.format === 'uuid') return fc.uuid({ version: [4, 7] });
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uri' || schema.format === 'url') return fc.webUrl();
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? MAX_STRING, MAX_STRING));
  if (schema.pattern) {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(schema.pattern);
    } catch {
      pattern = undefined;
    }
    if (pattern) return fc.stringMatching(pattern).filter((s) => s.length <= (schema.maxLength ?? 10_000));
  }
  return fc.string({ minLength, maxLength });
}

function validObject(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth > MAX_DEPTH) return fc.constant({});
  const properties = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) model[name] = validValue(property, depth + 1);
  const requiredKeys = (schema.required ?? []).filter((name) => name in model);
  return fc.record(model, { requiredKeys });
}

/** Values at and just past each bound the schema states. */
export function boundaryValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const values: fc.Arbitrary<unknown>[] = [];
  const type = single(schema);
  if (type === 'string') {
    const { minLength = 0, maxLength } = schema;
    values.push(fc.constant(''), sized(minLength), sized(Math.max(0, minLength - 1)));
    if (maxLength !== undefined) values.push(sized(maxLength), sized(maxLength + 1));
    else values.push(sized(20_000));
  }
  if (type === 'integer' || type === 'number') {
    const min = schema.minimum ?? 0;
    const max = schema.maximum ?? 2 ** 31;
    values.push(fc.constantFrom(min, min - 1, max, max + 1, min + 0.5, Number.MAX_SAFE_INTEGER + 2, -1e21));
  }
  if (type === 'array') {
    const item = validValue(schema.items ?? {}, MAX_DEPTH);
    const { minItems = 0, maxItems } = schema;
    values.push(fc.constant([]), fc.array(item, { minLength: minItems, maxLength: minItems }));
    if (maxItems !== undefined && maxItems <= 64)
      values.push(
        fc.array(item, { minLength: maxItems, maxLength: maxItems }),
        fc.array(item, { minLength: maxItems + 1, maxLength: maxItems + 1 }),
      );
    // Past a large bound, cheaply: the same item repeated.
    if (maxItems !== undefined && maxItems > 64)
      values.push(item.map((v) => Array.from({ length: maxItems + 1 }, () => v)));
  }
  if (schema.format === 'date-time')
    values.push(
      fc.constantFrom(
        '0000-01-01T00:00:00Z',
        '9999-12-31T23:59:59.999Z',
        '2024-02-30T00:00:00Z',
        '2024-01-01T24:00:00Z',
        '2024-01-01T00:00:00',
        '2024-01-01',
        '+275760-09-13T00:00:00.000Z',
        '2024-01-01T00:00:00.123456789+14:00',
      ),
    );
  if (values.length === 0) return wrongValue;
  return fc.oneof(...values);
}

/** An object valid but for one thing: a required field missing, one field wrong, or an extra one. */
function mutatedObject(schema: JsonSchema): fc.Arbitrary<unknown> {
  const names = Object.keys(schema.properties ?? {});
  if (names.length === 0) return wrongValue;
  return fc
    .tuple(validObject(schema, 0), fc.constantFrom(...names), fc.nat(3))
    .chain(([object, name, how]) => {
      const property = schema.properties?.[name] ?? {};
      if (how === 0) {
        const { [name]: _dropped, ...rest } = object;
        return fc.constant(rest);
      }
      if (how === 1)
        return fc.oneof(wrongValue, boundaryValue(property)).map((v) => ({ ...object, [name]: v }));
      if (how === 2) return fuzzValue(property, 1).map((v) => ({ ...object, [name]: v }));
      return oddText.map((key) => ({ ...object, [key]: 'extra' }));
    });
}

/** Mostly valid values, then boundaries, single-field mutations and values of the wrong kind. */
export function fuzzValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const isObject = single(schema) === 'object' || schema.properties !== undefined;
  const kinds: fc.WeightedArbitrary<unknown>[] = [
    { weight: 4, arbitrary: validValue(schema, depth) },
    { weight: 2, arbitrary: boundaryValue(schema) },
    { weight: 1, arbitrary: wrongValue },
  ];
  if (depth === 0 && isObject) kinds.push({ weight: 3, arbitrary: mutatedObject(schema) });
  return fc.oneof(...kinds);
}
