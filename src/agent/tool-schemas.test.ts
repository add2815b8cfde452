import { describe, expect, it } from 'vitest';
import { type AgentDeps, createAgentTools, createMemoryProposalStore, toolJsonSchemas } from './index.ts';

const unused = async () => {
  throw new Error('not called while listing');
};
const deps: AgentDeps = {
  users: { getPlannerPreferences: unused },
  deadlines: { list: unused },
  userBusy: { getBusy: unused },
  plannerBusy: unused,
  planner: unused,
  sync: { start: unused, run: unused, status: unused },
  proposals: createMemoryProposalStore(),
  now: () => new Date('2026-12-01T00:00:00Z'),
};

describe('the tools as function-calling schemas', () => {
  it('gives every tool an object schema with examples in its descriptions, and honest annotations', () => {
    const tools = createAgentTools(deps);
    const schemas = toolJsonSchemas(tools);
    expect(schemas.map((s) => s.name)).toEqual([
      'check_availability',
      'list_deadlines',
      'get_study_plan',
      'reschedule_conflicts',
      'sync_now',
      'sync_status',
    ]);
    for (const schema of schemas) {
      expect(schema.parameters.type).toBe('object');
      expect(schema.description).toMatch(/Example question/);
    }
    const availability = schemas[0]?.parameters as { properties: Record<string, { description?: string }> };
    expect(availability.properties.from?.description).toMatch(/e\.g\./);
    // Only sync_now and reschedule_conflicts (apply:true) change anything; everything else only
    // reads. reschedule_conflicts moves and deletes study events.
    expect(tools.filter((t) => !t.annotations.readOnlyHint).map((t) => t.name)).toEqual([
      'reschedule_conflicts',
      'sync_now',
    ]);
    expect(tools.find((t) => t.name === 'reschedule_conflicts')?.annotations.destructiveHint).toBe(true);
  });
});
