import { readJsonFixture } from './fixtures.ts';

/** The part of a discovery-document schema node the validator reads. */
export interface SchemaNode {
  id?: string;
  type?: string;
  $ref?: string;
  format?: string;
  enum?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode;
  items?: SchemaNode;
}

interface DiscoveryMethod {
  id: string;
  httpMethod: string;
  path: string;
  response?: { $ref: string };
}

interface DiscoveryResource {
  methods?: Record<string, DiscoveryMethod>;
  resources?: Record<string, DiscoveryResource>;
}

export interface DiscoveryDocument {
  servicePath: string;
  schemas: Record<string, SchemaNode>;
  resources: Record<string, DiscoveryResource>;
}

/** The real Calendar v3 discovery document from the shared fixtures. */
export function loadCalendarDiscovery(): DiscoveryDocument {
  return readJsonFixture<DiscoveryDocument>('google/calendar-v3-discovery.json');
}

/** Every method of the document, flattened. */
export function discoveryMethods(doc: DiscoveryDocument): DiscoveryMethod[] {
  const walk = (resources: Record<string, DiscoveryResource> | undefined): DiscoveryMethod[] =>
    Object.values(resources ?? {}).flatMap((r) => [...Object.values(r.methods ?? {}), ...walk(r.resources)]);
  return walk(doc.resources);
}

/**
 * The method a request is, by HTTP method and URL path (`/calendar/v3/...`). Literal
 * segments win over `{parameters}`, so `events/import` is not read as `events/{eventId}`.
 */
export function methodForRequest(
  doc: DiscoveryDocument,
  httpMethod: string,
  path: string,
): DiscoveryMethod | undefined {
  const relative = path.replace(/^\//, '').replace(new RegExp(`^${doc.servicePath}`), '');
  const segments = relative.split('/');
  const candidates = discoveryMethods(doc)
    .filter((m) => m.httpMethod === httpMethod.toUpperCase())
    .map((m) => ({ method: m, template: m.path.split('/') }))
    .filter(
      ({ template }) =>
        template.length === segments.length &&
        template.every((t, i) => t.startsWith('{') || t === segments[i]),
    )
    .sort(
      (a, b) =>
        b.template.filter((t) => !t.startsWith('{')).length -
        a.template.filter((t) => !t.startsWith('{')).length,
    );
  return candidates[0]?.method;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks `value` against the named schema and returns every problem, each with its JSON
 * path: wrong types, bad `date-time`/`date`/`int64` strings, values outside an `enum`, and
 * properties the schema does not list (Google never sends fields outside its discovery doc).
 */
export function validateAgainstSchema(doc: DiscoveryDocument, schemaName: string, value: unknown): string[] {
  const problems: string[] = [];
  const root = doc.schemas[schemaName];
  if (!root) return [`no schema named ${schemaName}`];
  check(doc, root, value, '$', problems);
  return problems;
}

function check(
  doc: DiscoveryDocument,
  node: SchemaNode,
  value: unknown,
  path: string,
  problems: string[],
): void {
  if (node.$ref) {
    const target = doc.schemas[node.$ref];
    if (!target) problems.push(`${path}: unknown $ref ${node.$ref}`);
    else check(doc, target, value, path, problems);
    return;
  }
  const fail = (what: string) =>
    problems.push(`${path}: ${what}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  switch (node.type) {
    case 'string': {
      if (typeof value !== 'string') return void fail('expected a string');
      if (node.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))))
        fail('expected an RFC 3339 date-time');
      if (node.format === 'date' && (!DATE.test(value) || Number.isNaN(Date.parse(value))))
        fail('expected a date');
      if (node.format === 'int64' && !/^-?\d+$/.test(value)) fail('expected an int64 string');
      if (node.enum && !node.enum.includes(value)) fail(`expected one of ${node.enum.join(', ')}`);
      return;
    }
    case 'integer':
      if (!Number.isInteger(value)) fail('expected an integer');
      return;
    case 'number':
      if (typeof value !== 'number') fail('expected a number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('expected a boolean');
      return;
    case 'any':
      return;
    case 'array':
      if (!Array.isArray(value)) return void fail('expected an array');
      value.forEach((item, i) => {
        if (node.items) check(doc, node.items, item, `${path}[${i}]`, problems);
      });
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return void fail('expected an object');
      for (const [key, child] of Object.entries(value)) {
        const property = node.properties?.[key];
        if (property) check(doc, property, child, `${path}.${key}`, problems);
        else if (node.additionalProperties)
          check(doc, node.additionalProperties, child, `${path}.${key}`, problems);
        else problems.push(`${path}.${key}: not a property of ${node.id ?? 'this object'}`);
      }
      return;
    }
    default:
      problems.push(`${path}: schema node without a type`);
  }
}
