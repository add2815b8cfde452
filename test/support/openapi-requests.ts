import fc from 'fast-check';
import { fuzzValue, type JsonSchema, oddText, validValue, wrongValue } from './openapi-arbitraries.ts';

/** One operation of an OpenAPI 3.0 document, as the fuzzer needs it. */
export interface Operation {
  method: string;
  /** The path template, `/api/v1/sync/runs/{id}`. */
  path: string;
  parameters: Array<{ in: 'path' | 'query' | 'header'; name: string; required: boolean; schema: JsonSchema }>;
  body: JsonSchema | undefined;
  /** Does it ask for the bearer token (the document's default security, unless it says `[]`)? */
  secured: boolean;
}

interface OpenApiDocument {
  security?: unknown[];
  paths: Record<string, Record<string, OperationObject>>;
}
interface OperationObject {
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** Every operation of the document, in its order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  const securedByDefault = (document.security ?? []).length > 0;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? [])
          .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
          .map((p) => ({
            in: p.in as 'path' | 'query' | 'header',
            name: p.name,
            required: p.required ?? false,
            schema: p.schema ?? {},
          })),
        body: operation.requestBody?.content?.['application/json']?.schema,
        secured: operation.security ? operation.security.length > 0 : securedByDefault,
      });
    }
  }
  return operations;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** Values this request carries that the service must treat as secrets (tokens, codes). */
  carriedSecrets: string[];
}

/** A request the operation accepts (a seed the fuzzer starts from and varies one part of). */
export interface Sample {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface RequestContext {
  /** Known-good inputs for this operation, if any. */
  samples?: Sample[];
  /** Authorization header values: the first is the valid one, the rest are refused ones. */
  authorizations: [string, ...string[]];
  /** Path parameter values that name real things (a run id of this user, of another user). */
  knownPathValues: string[];
}

/** Percent-encodes every byte, also of text `encodeURIComponent` refuses (lone surrogates). */
function percentEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

const asText = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);

// Segments that are already (badly) encoded: sent as they are.
const RAW_SEGMENTS = ['%', '%zz', '%E0%A4%A', '..', '%2e%2e', '%00', '%2F', '%C0%AF', '.', ';x=1'];

function pathValue(schema: JsonSchema, context: RequestContext): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: validValue(schema).map((v) => percentEncode(asText(v))) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...(context.knownPathValues.length ? context.knownPathValues : ['x'])),
    },
    { weight: 2, arbitrary: fc.oneof(oddText, wrongValue.map(asText)).map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  );
}

/** A query value, or two of them (a repeated parameter), or nothing. */
function queryValues(schema: JsonSchema, required: boolean): fc.Arbitrary<string[]> {
  const one = fuzzValue(schema).map(asText);
  return fc.oneof(
    { weight: 6, arbitrary: one.map((v) => [v]) },
    { weight: required ? 1 : 3, arbitrary: fc.constant<string[]>([]) },
    { weight: 1, arbitrary: fc.tuple(one, one).map(([a, b]) => [a, b]) },
  );
}

// Header values a client can send at all (visible ASCII and spaces; no CR/LF).
const headerText = (schema: JsonSchema) =>
  fc
    .oneof(
      validValue(schema).map(asText),
      fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
      fc.constantFrom('', ' ', '0', '-1', '99999999999999999999999', 'x'.repeat(300)),
    )
    .map((v) => v.replace(/[^\x20-\x7e]/g, '').trim());

type Body = { contentType?: string; payload?: string };

function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<Body> {
  const json = (value: unknown): Body => ({
    contentType: 'application/json',
    payload: JSON.stringify(value) ?? 'null',
  });
  const odd: fc.Arbitrary<Body> = fc.oneof(
    fc
      .constantFrom('{', '{"a":', 'nul', '[]]', '\u0000', '{"a":1}{"b":2}', '"unterminated')
      .map((payload) => ({
        contentType: 'application/json',
        payload,
      })),
    fc.constant({ contentType: 'application/json', payload: '' }),
    fc.constant({ contentType: 'application/json', payload: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) }),
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'application/xml',
        'application/json; charset=utf-16',
        'application/octet-stream',
        '*/*',
        'application/json, text/plain',
      )
      .chain((contentType) =>
        (schema ? validValue(schema) : wrongValue).map((v) => ({
          contentType,
          payload: JSON.stringify(v) ?? 'x',
        })),
      ),
    oddText.map((payload) => ({ payload })),
  );
  if (!schema)
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: wrongValue.map(json) },
      odd,
    );
  return fc.oneof({ weight: 6, arbitrary: fuzzValue(schema).map(json) }, { weight: 2, arbitrary: odd });
}

/** The sample, or the sample with one of its fields removed or replaced by a fuzzed value. */
function variantOf<T>(
  sample: Record<string, T>,
  fuzzed: (name: string) => fc.Arbitrary<T>,
): fc.Arbitrary<Record<string, T>> {
  const names = Object.keys(sample);
  if (names.length === 0) return fc.constant(sample);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(sample) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(...names).chain((name) =>
        fc.oneof(
          fuzzed(name).map((value) => ({ ...sample, [name]: value })),
          fc.constant(Object.fromEntries(Object.entries(sample).filter(([key]) => key !== name))),
        ),
      ),
    },
  );
}

/** Names of body fields and headers whose values are secrets wherever they go. */
const SECRET_FIELDS = new Set(['token', 'code', 'refresh_token', 'access_token', 'x-goog-channel-token']);

function secretsIn(value: unknown, found: string[] = []): string[] {
  if (!value || typeof value !== 'object') return found;
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_FIELDS.has(key) && typeof inner === 'string') found.push(inner);
    else secretsIn(inner, found);
  }
  return found;
}

/** Random requests for one operation: its parameters, body, content type and credentials. */
export function requestsFor(operation: Operation, context: RequestContext): fc.Arbitrary<FuzzRequest> {
  const [valid, ...refused] = context.authorizations;
  const authorization = fc.oneof(
    { weight: 5, arbitrary: fc.constant<string | undefined>(valid) },
    { weight: 1, arbitrary: fc.constant<string | undefined>(undefined) },
    { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...refused) },
  );
  const pathParams = fc.record(
    Object.fromEntries(
      operation.parameters.filter((p) => p.in === 'path').map((p) => [p.name, pathValue(p.schema, context)]),
    ),
  );
  const samples = context.samples ?? [];
  const parameter = (where: string, name: string) =>
    operation.parameters.find((p) => p.in === where && p.name === name)?.schema ?? {};
  const generatedQuery = fc.record(
    Object.fromEntries(
      operation.parameters
        .filter((p) => p.in === 'query')
        .map((p) => [p.name, queryValues(p.schema, p.required)]),
    ),
  );
  const sampledQuery = samples
    .filter((sample) => sample.query)
    .map((sample) =>
      variantOf(sample.query ?? {}, (name) => fuzzValue(parameter('query', name)).map(asText)).map((query) =>
        Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])),
      ),
    );
  const query = sampledQuery.length > 0 ? fc.oneof(generatedQuery, ...sampledQuery) : generatedQuery;
  const extraQuery = fc.option(fc.tuple(oddText, oddText), { freq: 6 });
  const generatedHeaders = fc.record(
    Object.fromEntries(
      operation.parameters
        .filter((p) => p.in === 'header')
        .map((p) => [p.name, fc.option(headerText(p.schema), { freq: p.required ? 8 : 2 })]),
    ),
  );
  const sampledHeaders = samples
    .filter((sample) => sample.headers)
    .map((sample) =>
      variantOf<string | null>(sample.headers ?? {}, (name) => headerText(parameter('header', name))),
    );
  const headerParams =
    sampledHeaders.length > 0
      ? fc.oneof(generatedHeaders, ...sampledHeaders, ...sampledHeaders)
      : generatedHeaders;
  const sampledBodies = samples
    .filter((sample) => sample.body)
    .map((sample) =>
      variantOf(sample.body ?? {}, (name) => fuzzValue(operation.body?.properties?.[name] ?? {}, 1)).map(
        (value): Body => ({ contentType: 'application/json', payload: JSON.stringify(value) }),
      ),
    );
  const body =
    operation.method === 'GET'
      ? fc.constant<Body>({})
      : sampledBodies.length > 0
        ? fc.oneof(bodyFor(operation.body), ...sampledBodies, ...sampledBodies)
        : bodyFor(operation.body);
  return fc
    .record({ authorization, pathParams, query, extraQuery, headerParams, body })
    .map(({ authorization, pathParams, query, extraQuery, headerParams, body }) => {
      const path = operation.path.replace(/\{([^}]+)\}/g, (_m, name: string) => pathParams[name] ?? '');
      const pairs: string[] = [];
      for (const [name, values] of Object.entries(query))
        for (const value of values) pairs.push(`${percentEncode(name)}=${percentEncode(value)}`);
      if (extraQuery) pairs.push(`${percentEncode(extraQuery[0])}=${percentEncode(extraQuery[1])}`);
      const headers: Record<string, string> = {};
      if (authorization !== undefined) headers.authorization = authorization;
      for (const [name, value] of Object.entries(headerParams)) if (value !== null) headers[name] = value;
      if (body.contentType) headers['content-type'] = body.contentType;
      const carriedSecrets = [...(body.payload ? secretsIn(safeParse(body.payload)) : [])];
      if (headers['x-goog-channel-token']) carriedSecrets.push(headers['x-goog-channel-token']);
      return {
        method: operation.method,
        url: pairs.length > 0 ? `${path}?${pairs.join('&')}` : path,
        headers,
        ...(body.payload !== undefined ? { payload: body.payload } : {}),
        carriedSecrets,
      };
    });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
