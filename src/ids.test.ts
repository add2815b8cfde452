import { describe, expect, it } from 'vitest';
import { uuidv5 } from './ids.ts';

describe('uuidv5', () => {
  it('matches the RFC 4122 / Python uuid.uuid5 reference value', () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') == 886313e1-3b8a-5372-9b90-0c9aee199e5d
    expect(uuidv5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('is deterministic and differs by name', () => {
    const ns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    expect(uuidv5('a', ns)).toBe(uuidv5('a', ns));
    expect(uuidv5('a', ns)).not.toBe(uuidv5('b', ns));
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidv5('a', 'nope')).toThrow(TypeError);
  });
});
