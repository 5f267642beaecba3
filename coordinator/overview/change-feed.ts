import type { Sql } from '../store/sql.ts';

/**
 * Notices when anything the dashboard shows has changed, by comparing a cheap fingerprint of
 * the coordinator's tables every few seconds. Polling the database (rather than hooking every
 * writer) also catches changes made by another process on the same database, such as the CLI
 * or another coordinator instance serving the same PostgreSQL. Runs only while someone listens.
 */
export class ChangeFeed {
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private last: string | null = null;
  private checking: Promise<void> | null = null;
  private readonly query: string;

  constructor(
    private readonly sql: Sql,
    private readonly intervalMs: number,
  ) {
    const settings =
      sql.dialect === 'postgres'
        ? "string_agg(key || '=' || value, ';' ORDER BY key)"
        : "group_concat(key || '=' || value, ';')";
    this.query = `SELECT
         (SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) || ':' || COALESCE(SUM(length(phase_log)), 0)
            || ':' || COALESCE(MAX(phase), '') FROM rounds) || '|' ||
         (SELECT COUNT(*) || ':' || COUNT(uploaded_at) || ':' || COUNT(dropped_in) FROM round_participants) || '|' ||
         (SELECT COUNT(*) FROM updates) || '|' ||
         (SELECT COUNT(*) || ':' || COUNT(revoked_at) || ':' || COALESCE(MAX(last_seen_at), '') FROM shops) || '|' ||
         (SELECT COUNT(*) || ':' || COUNT(used_at) FROM invites) || '|' ||
         (SELECT COALESCE(MAX(version), 0) FROM models) || '|' ||
         (SELECT COALESCE(SUM(reports), 0) FROM model_metrics) || '|' ||
         (SELECT COALESCE(${settings}, '') FROM settings
            WHERE key NOT LIKE 'secret%') AS f`;
  }

  private async fingerprint(): Promise<string> {
    return (await this.sql.get<{ f: string }>(this.query))?.f ?? '';
  }

  subscribe(listener: () => void): () => void {
    if (this.listeners.size === 0) {
      this.last = null;
      void this.check();
      this.timer = setInterval(() => void this.check(), this.intervalMs);
      this.timer.unref();
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** Compares the fingerprint now; a check already under way is shared, not repeated. */
  check(): Promise<void> {
    this.checking ??= this.compare().finally(() => (this.checking = null));
    return this.checking;
  }

  private async compare(): Promise<void> {
    let next: string;
    try {
      next = await this.fingerprint();
    } catch {
      return; // the database is closing with the server; the stream ends with it
    }
    // The first fingerprint after someone subscribed is what they already see.
    if (this.last === null) this.last = next;
    if (next === this.last) return;
    this.last = next;
    for (const listener of this.listeners) listener();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
