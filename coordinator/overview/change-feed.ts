import type { Db } from '../../federated/storage/sqlite.ts';

/**
 * Notices when anything the dashboard shows has changed, by comparing a cheap fingerprint of
 * the coordinator's tables every few seconds. Polling the database (rather than hooking every
 * writer) also catches changes made by another process on the same file, such as the CLI.
 * Runs only while someone listens.
 */
export class ChangeFeed {
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private last = '';
  private readonly statement;

  constructor(
    db: Db,
    private readonly intervalMs: number,
  ) {
    this.statement = db.prepare<[], { f: string }>(
      `SELECT
         (SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) || ':' || COALESCE(SUM(length(phase_log)), 0)
            || ':' || COALESCE(MAX(phase), '') FROM rounds) || '|' ||
         (SELECT COUNT(*) || ':' || COUNT(uploaded_at) || ':' || COUNT(dropped_in) FROM round_participants) || '|' ||
         (SELECT COUNT(*) FROM updates) || '|' ||
         (SELECT COUNT(*) || ':' || COUNT(revoked_at) || ':' || COALESCE(MAX(last_seen_at), '') FROM shops) || '|' ||
         (SELECT COUNT(*) || ':' || COUNT(used_at) FROM invites) || '|' ||
         (SELECT COALESCE(MAX(version), 0) FROM models) || '|' ||
         (SELECT COALESCE(SUM(reports), 0) FROM model_metrics) || '|' ||
         (SELECT COALESCE(group_concat(key || '=' || value, ';'), '') FROM settings
            WHERE key NOT LIKE 'secret%') AS f`,
    );
  }

  private fingerprint(): string {
    return this.statement.get()?.f ?? '';
  }

  subscribe(listener: () => void): () => void {
    if (this.listeners.size === 0) {
      this.last = this.fingerprint();
      this.timer = setInterval(() => this.check(), this.intervalMs);
      this.timer.unref();
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  check(): void {
    let next: string;
    try {
      next = this.fingerprint();
    } catch {
      return; // the database is closing with the server; the stream ends with it
    }
    if (next === this.last) return;
    this.last = next;
    for (const listener of this.listeners) listener();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
