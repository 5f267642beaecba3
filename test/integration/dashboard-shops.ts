import { expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  bytesOfFloat32,
  encodeFloat32,
  generateShopKeyPair,
  headers,
  protocolVersion,
  sha256Hex,
  signRequest,
  type ShopKeyPair,
} from '../../federated/protocol/index.ts';

/**
 * A simulated shop for the dashboard tests: speaks the real shop protocol (Ed25519-signed
 * requests over HTTP) but skips training — its update is a small random vector within the
 * clip bound, and its evaluation figures are made up. The dashboard must show what the
 * coordinator recorded, so the test compares against what these shops did.
 */
export class SimShop {
  shopId = '';
  private readonly keys: ShopKeyPair = generateShopKeyPair();

  constructor(
    private readonly baseUrl: string,
    readonly name: string,
    readonly appVersion = '0.1.0',
  ) {}

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const requestHeaders: Record<string, string> = {
      [headers.protocol]: String(protocolVersion),
      'x-breadcast-app-version': this.appVersion,
    };
    if (body !== undefined) requestHeaders['content-type'] = 'application/json';
    if (this.shopId) {
      const timestamp = Date.now();
      const nonce = randomBytes(18).toString('base64url');
      requestHeaders[headers.shop] = this.shopId;
      requestHeaders[headers.timestamp] = String(timestamp);
      requestHeaders[headers.nonce] = nonce;
      requestHeaders[headers.signature] = signRequest(this.keys.privateKey, {
        method,
        path,
        shopId: this.shopId,
        timestamp,
        nonce,
        body: text,
      });
    }
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: requestHeaders,
      body: body === undefined ? undefined : text,
    });
    const answer = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${answer}`);
    return JSON.parse(answer) as T;
  }

  async enrol(inviteCode: string): Promise<void> {
    const answer = await this.request<{ shopId: string }>('POST', '/v1/enrol', {
      inviteCode,
      shopName: this.name,
      appVersion: this.appVersion,
      publicKey: this.keys.publicKey,
    });
    this.shopId = answer.shopId;
  }

  async currentRound(): Promise<{ id: number; modelVersion: number; phase: string } | null> {
    const answer = await this.request<{
      round: { id: number; modelVersion: number; phase: string } | null;
    }>('GET', '/v1/rounds/current');
    return answer.round;
  }

  async checkIn(roundId: number): Promise<void> {
    await this.request('POST', `/v1/rounds/${roundId}/checkin`, {});
  }

  /** Uploads a random update of norm 0.5 (inside the default clip norm of 1). */
  async upload(roundId: number, modelVersion: number, parameterCount: number): Promise<void> {
    const delta = new Float32Array(parameterCount);
    for (let i = 0; i < delta.length; i++) delta[i] = Math.random() - 0.5;
    let sumOfSquares = 0;
    for (const value of delta) sumOfSquares += value * value;
    const norm = Math.sqrt(sumOfSquares);
    for (let i = 0; i < delta.length; i++) delta[i] = (delta[i]! / norm) * 0.5;
    await this.request('POST', `/v1/rounds/${roundId}/update`, {
      modelVersion,
      parameterCount,
      sampleCount: 100,
      encoding: 'f32le-base64',
      delta: encodeFloat32(delta),
      sha256: sha256Hex(bytesOfFloat32(delta)),
    });
  }

  async currentModel(): Promise<{ version: number; parameterCount: number }> {
    return this.request('GET', '/v1/models/current');
  }

  /** What an old app would still send: its own accuracy figures, in the clear. Refused with 410. */
  async reportMetrics(version: number, figures: { n: number; pinball: number; wape: number }) {
    await expect(this.request('POST', `/v1/models/${version}/metrics`, figures)).rejects.toThrow(
      /→ 410: .*metrics-retired/,
    );
  }

  /** Joins the running round from check-in to upload. */
  async takePart(): Promise<number> {
    const round = await this.currentRound();
    if (!round || round.phase === 'published' || round.phase === 'failed')
      throw new Error(`${this.name}: no round is running`);
    const model = await this.currentModel();
    await this.checkIn(round.id);
    await this.upload(round.id, round.modelVersion, model.parameterCount);
    return round.id;
  }
}

/** The operator side over HTTP, as the dashboard does it: session cookie plus CSRF header. */
export class OperatorClient {
  cookie = '';
  csrf = '';

  constructor(private readonly baseUrl: string) {}

  async login(name: string, password: string): Promise<void> {
    const response = await fetch(`${this.baseUrl}/v1/operator/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    if (!response.ok) throw new Error(`login → ${response.status}: ${await response.text()}`);
    this.cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    this.csrf = ((await response.json()) as { csrfToken: string }).csrfToken;
  }

  async raw(method: string, path: string, body?: unknown, csrf = true): Promise<Response> {
    const requestHeaders: Record<string, string> = { cookie: this.cookie };
    if (body !== undefined) requestHeaders['content-type'] = 'application/json';
    if (csrf && method !== 'GET') requestHeaders['x-csrf-token'] = this.csrf;
    return fetch(this.baseUrl + path, {
      method,
      headers: requestHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.raw(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  invite(note: string): Promise<{ code: string }> {
    return this.call('POST', '/v1/operator/invites', { expiresInHours: 24, note });
  }

  startRound(): Promise<{ id: number }> {
    return this.call('POST', '/v1/operator/rounds', {});
  }

  closePhase(roundId: number): Promise<{ phase: string }> {
    return this.call('POST', `/v1/operator/rounds/${roundId}/close-phase`, {});
  }
}

/** Per-shop evaluation figures old apps would report; none of them may ever reach the dashboard. */
export const secretFigures = {
  a: { n: 40, pinball: 1.31337, wape: 0.313377 },
  b: { n: 20, pinball: 1.27182, wape: 0.271828 },
  c: { n: 10, pinball: 1.41421, wape: 0.414213 },
} as const;

export type Scenario = { shops: { a: SimShop; b: SimShop; c: SimShop }; rounds: number[] };

/**
 * Three shops, three rounds: all three upload in round 1; in round 2 shop C checks in but never
 * uploads (a dropout) and the operator ends the phase; in round 3 only shop A takes part, so the
 * round fails. Shops try to report evaluations of the published versions and are refused.
 */
export async function runScenario(baseUrl: string, operator: OperatorClient): Promise<Scenario> {
  const a = new SimShop(baseUrl, 'Bäckerei Sonne', '0.1.0');
  const b = new SimShop(baseUrl, 'Boulangerie Lune', '0.1.1');
  const c = new SimShop(baseUrl, 'Panadería Sol', '0.1.0');
  for (const shop of [a, b, c]) await shop.enrol((await operator.invite(shop.name)).code);

  const first = (await operator.startRound()).id;
  for (const shop of [a, b, c]) await shop.takePart();
  const v2 = (await a.currentModel()).version;
  await a.reportMetrics(v2, secretFigures.a);
  await b.reportMetrics(v2, secretFigures.b);
  await c.reportMetrics(v2, secretFigures.c);

  const second = (await operator.startRound()).id;
  await a.takePart();
  await b.takePart();
  await c.checkIn(second);
  await operator.closePhase(second);
  const v3 = (await a.currentModel()).version;
  await a.reportMetrics(v3, { n: 40, pinball: 1.1, wape: 0.2 });
  await b.reportMetrics(v3, { n: 20, pinball: 1.2, wape: 0.26 });

  const third = (await operator.startRound()).id;
  await a.takePart();
  await operator.closePhase(third);
  return { shops: { a, b, c }, rounds: [first, second, third] };
}
