import { CipherError } from '../crypto/key-ring.ts';
import type { SecretBinding } from '../secrets.ts';
import type { Database } from './client.ts';

/** Every column that holds an encrypted secret, and what each envelope is bound to. */
const SECRET_COLUMNS: Array<{
  table: string;
  key: string;
  column: string;
  binding: (row: Record<string, unknown>) => SecretBinding;
  extra?: string;
}> = [
  {
    table: 'users',
    key: 'id',
    column: 'encrypted_refresh_token',
    binding: (row) => ({ userId: String(row.key), provider: 'google', purpose: 'refresh_token' }),
  },
  {
    table: 'canvas_connections',
    key: 'user_id',
    column: 'encrypted_access_token',
    extra: 'base_url',
    binding: (row) => ({
      userId: String(row.key),
      provider: 'canvas',
      purpose: 'access_token',
      origin: String(row.base_url),
    }),
  },
  {
    table: 'canvas_connections',
    key: 'user_id',
    column: 'encrypted_refresh_token',
    extra: 'base_url',
    binding: (row) => ({
      userId: String(row.key),
      provider: 'canvas',
      purpose: 'refresh_token',
      origin: String(row.base_url),
    }),
  },
  {
    table: 'oauth_states',
    key: 'state_hash',
    column: 'encrypted_code_verifier',
    extra: 'user_id, provider',
    binding: (row) => ({
      userId: String(row.user_id),
      provider: row.provider === 'canvas' ? 'canvas' : 'google',
      purpose: 'code_verifier',
    }),
  },
];

/** Re-seals one envelope under the primary key; returns it unchanged when already current. */
export type Reseal = (envelope: string, binding: SecretBinding) => string;

export interface RotationReport {
  examined: number;
  reencrypted: number;
  /** A row whose envelope changed between read and write (a concurrent update) is skipped: it is current already. */
  skipped: number;
}

/** Rotation stopped at a secret the ring cannot open; the message is a sentence for the operator. */
export class SecretRotationError extends Error {
  override readonly name = 'SecretRotationError';
}

/**
 * Re-encrypts every stored secret under the primary key, in batches that each commit on
 * their own, walking each table by primary key. Interrupted, it can simply run again:
 * envelopes already under the primary key are left alone. Each update is a compare-and-swap
 * on the old envelope, so it never overwrites a token the service wrote meanwhile.
 */
export async function rotateSecrets(
  db: Database,
  reseal: Reseal,
  options: { batchSize?: number; onBatch?: (table: string, report: RotationReport) => void } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 200;
  const total: RotationReport = { examined: 0, reencrypted: 0, skipped: 0 };
  for (const spec of SECRET_COLUMNS) {
    let after = '';
    for (;;) {
      const rows = await db.withSession((s) =>
        s.query<Record<string, unknown>>(
          `select ${spec.key}::text as key, ${spec.column} as envelope${spec.extra ? `, ${spec.extra}` : ''}
             from ${spec.table}
            where ${spec.column} is not null and ${spec.key}::text > $1
            order by ${spec.key}::text
            limit $2`,
          [after, batchSize],
        ),
      );
      if (rows.length === 0) break;
      const batch: RotationReport = { examined: rows.length, reencrypted: 0, skipped: 0 };
      for (const row of rows) {
        const envelope = String(row.envelope);
        const next = resealOrExplain(reseal, envelope, spec.binding(row), `${spec.table}.${spec.column}`);
        if (next === envelope) continue;
        const updated = await db.withSession((s) =>
          s.query(
            `update ${spec.table} set ${spec.column} = $1 where ${spec.key}::text = $2 and ${spec.column} = $3 returning 1 as ok`,
            [next, row.key, envelope],
          ),
        );
        if (updated.length > 0) batch.reencrypted += 1;
        else batch.skipped += 1;
      }
      total.examined += batch.examined;
      total.reencrypted += batch.reencrypted;
      total.skipped += batch.skipped;
      options.onBatch?.(spec.column, batch);
      after = String(rows[rows.length - 1]?.key ?? '');
    }
  }
  return total;
}

function resealOrExplain(reseal: Reseal, envelope: string, binding: SecretBinding, where: string): string {
  try {
    return reseal(envelope, binding);
  } catch (error) {
    if (!(error instanceof CipherError)) throw error;
    // Batches before this one are committed; running again after fixing the ring carries on.
    if (error.code === 'unknown_key')
      throw new SecretRotationError(
        `no key ${error.kid} in CANVASCAL_ENCRYPTION_KEYS; keep the old key in the ring until rotation has finished`,
      );
    if (error.code === 'decrypt_failed')
      throw new SecretRotationError(
        `a secret in ${where} does not decrypt with key ${error.kid}: the key named ${error.kid} in CANVASCAL_ENCRYPTION_KEYS is not the one it was sealed with, or the row was altered`,
      );
    throw new SecretRotationError(`a secret in ${where} cannot be read: ${error.message}`);
  }
}
