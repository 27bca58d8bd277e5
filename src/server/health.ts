import type { MikroORM } from '@mikro-orm/postgresql';

export type JobsState = 'running' | 'stopped' | 'disabled';

type Phase = 'starting' | 'serving' | 'draining';

export interface Readiness {
  ready: boolean;
  status: Phase | 'unavailable';
  checks: { database: 'ok' | 'unreachable'; migrations: 'ok' | 'pending' | 'unknown'; jobs: JobsState };
}

/** Probes are public and cheap to send: one answer serves every probe within this time. */
const CHECK_REUSE_MS = 1000;

/**
 * Liveness and readiness. Ready means serving (not starting, not draining), the database answers,
 * every migration this code ships has been applied, and the job worker runs (when enabled).
 */
export class Health {
  private phase: Phase = 'starting';
  private lastCheck: { at: number; result: Promise<Readiness['checks']> } | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly jobs: () => JobsState,
  ) {}

  /** For a gateway without start-up or jobs of its own (tests, benchmarks): serving from the start. */
  static alwaysServing(orm: MikroORM): Health {
    const health = new Health(orm, () => 'disabled');
    health.serving();
    return health;
  }

  serving(): void {
    this.phase = 'serving';
  }

  draining(): void {
    this.phase = 'draining';
  }

  get isDraining(): boolean {
    return this.phase === 'draining';
  }

  async readiness(): Promise<Readiness> {
    const now = Date.now();
    if (!this.lastCheck || now - this.lastCheck.at > CHECK_REUSE_MS) this.lastCheck = { at: now, result: this.check() };
    const checks = await this.lastCheck.result;
    const healthy = checks.database === 'ok' && checks.migrations === 'ok' && checks.jobs !== 'stopped';
    const ready = this.phase === 'serving' && healthy;
    return { ready, status: this.phase === 'serving' && !healthy ? 'unavailable' : this.phase, checks };
  }

  private async check(): Promise<Readiness['checks']> {
    const jobs = this.jobs();
    try {
      const pending = await this.orm.getMigrator().getPendingMigrations();
      return { database: 'ok', migrations: pending.length ? 'pending' : 'ok', jobs };
    } catch {
      return { database: 'unreachable', migrations: 'unknown', jobs };
    }
  }
}
