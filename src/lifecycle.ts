import type { Logger } from 'pino';

/**
 * What the composition root opened, closed in reverse order of opening. Closing is
 * idempotent, carries on past a part that fails to close, and reports every failure.
 */
export class ShutdownStack {
  private readonly parts: Array<{ name: string; close: () => Promise<void> }> = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  push(name: string, close: () => Promise<void>): void {
    this.parts.push({ name, close });
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    const failures: string[] = [];
    for (const part of this.parts.reverse()) {
      try {
        await part.close();
        this.logger.debug({ part: part.name }, 'closed');
      } catch (error) {
        failures.push(part.name);
        this.logger.error({ err: error, part: part.name }, 'failed to close');
      }
    }
    if (failures.length > 0) throw new Error(`failed to close: ${failures.join(', ')}`);
  }
}
