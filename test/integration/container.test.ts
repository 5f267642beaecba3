import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCoordinatorConfig } from '../../coordinator/config.ts';
import { startCoordinator, tempDir } from './coordinator-harness.ts';

/**
 * The image cannot be built here (no container runtime): these check what can be checked of
 * Dockerfile, .dockerignore and compose.yaml without one. `node build/container-check.mjs`
 * (in .ci/run) goes further: it lays out the runtime stage and runs its entrypoint.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const text = (file: string) => readFileSync(join(root, file), 'utf8');
const dockerfileText = text('Dockerfile');
const dockerfile = DockerfileParser.parse(dockerfileText);

type Stage = { name: string; image: string; instructions: Instruction[] };
const stages: Stage[] = [];
for (const instruction of dockerfile.getInstructions()) {
  const values = instruction.getArguments().map((a) => a.getValue());
  if (instruction.getKeyword() === 'FROM')
    stages.push({ image: values[0]!, name: values[2] ?? '', instructions: [] });
  else stages.at(-1)?.instructions.push(instruction);
}
const runtime = stages.at(-1)!;
const of = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.getKeyword() === keyword);
const runtimeEnv = Object.fromEntries(
  of(runtime, 'ENV').flatMap((env) =>
    (env as unknown as { getProperties(): { getName(): string; getValue(): string }[] })
      .getProperties()
      .map((p) => [p.getName(), p.getValue()]),
  ),
) as Record<string, string>;
const fromFlag = (i: Instruction) =>
  (i as unknown as { getFlags(): { getName(): string; getValue(): string }[] })
    .getFlags()
    .find((f) => f.getName() === 'from')
    ?.getValue();

describe('Dockerfile', () => {
  it('passes the dockerfile-utils linter with no problem', () => {
    const problems = validate(dockerfileText).map(
      (d) => `line ${d.range.start.line + 1}: ${d.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('runs the coordinator as a non-root user, with a health check, from production dependencies', () => {
    expect(stages.map((s) => s.name)).toEqual(['dashboard', 'dependencies', 'runtime']);
    const user = of(runtime, 'USER').at(-1)?.getArgumentsContent();
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(JSON.parse(of(runtime, 'ENTRYPOINT')[0]!.getArgumentsContent() ?? '')).toEqual([
      'node',
      'bin/breadcast.mjs',
      'coordinator',
    ]);
    const health = of(runtime, 'HEALTHCHECK')[0]!.getArgumentsContent();
    expect(health).toMatch(/CMD \["node", "bin\/healthcheck\.mjs"\]/);
    // Only the dependencies stage installs, and without development packages.
    const installs = stages.flatMap((s) =>
      of(s, 'RUN')
        .map((r) => r.getArgumentsContent() ?? '')
        .filter((r) => /npm (ci|install)/.test(r))
        .map((r) => [s.name, r]),
    );
    expect(installs.find(([name]) => name === 'runtime')).toBeUndefined();
    expect(installs.find(([name]) => name === 'dependencies')![1]).toMatch(/npm ci --omit=dev/);
    // The runtime stage has no build tools: its node_modules come whole from that stage.
    expect(
      of(runtime, 'COPY')
        .filter((c) => fromFlag(c))
        .map((c) => [fromFlag(c), c.getArguments().map((a) => a.getValue())]),
    ).toEqual([
      ['dependencies', ['/app/node_modules', './node_modules']],
      ['dashboard', ['/app/dist/dashboard', './dist/dashboard']],
    ]);
    // Where the CLI looks for the dashboard: the built one is there, so nothing builds at start.
    expect(text('cli/paths.ts')).toMatch(/new URL\('\.\.\/dist\/dashboard'/);
  });

  it('sends every file the stages copy, and nothing else, in the build context', () => {
    const copied = new Set(
      stages.flatMap((s) =>
        of(s, 'COPY')
          .filter((c) => !fromFlag(c))
          .flatMap((c) =>
            c
              .getArguments()
              .slice(0, -1)
              .map((a) => a.getValue()),
          ),
      ),
    );
    for (const source of copied) expect(existsSync(join(root, source)), source).toBe(true);
    const lines = text('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('*');
    const kept = new Set(lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1)));
    expect(kept).toEqual(copied);
    expect(existsSync(join(root, 'bin/healthcheck.mjs'))).toBe(true);
  });

  it('listens where it says: the exposed port is the configured one, on every interface', () => {
    const config = loadCoordinatorConfig({}, { env: runtimeEnv });
    expect(of(runtime, 'EXPOSE')[0]!.getArgumentsContent()).toBe(String(config.port));
    expect(config.host).toBe('0.0.0.0');
    expect(config.database).toBe('/var/lib/breadcast/coordinator.db');
    expect(of(runtime, 'VOLUME')[0]!.getArgumentsContent()).toBe('/var/lib/breadcast');
  });
});

/** `${NAME:-default}` as compose interpolates it, with nothing set in the environment. */
const interpolate = (value: string) =>
  value.replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback);

describe('compose.yaml', () => {
  type Service = {
    image?: string;
    build?: string;
    environment: Record<string, string>;
    ports?: string[];
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: { test: string[] };
  };
  const compose = parse(text('compose.yaml')) as { services: Record<string, Service> };

  it('starts the coordinator from this Dockerfile on a healthy PostgreSQL it can reach', () => {
    const { coordinator, database } = compose.services;
    expect(coordinator!.build).toBe('.');
    expect(database!.image).toMatch(/^postgres:15/);
    expect(database!.healthcheck!.test.join(' ')).toMatch(/pg_isready/);
    expect(coordinator!.depends_on).toEqual({ database: { condition: 'service_healthy' } });
    const env = Object.fromEntries(
      Object.entries(coordinator!.environment).map(([k, v]) => [k, interpolate(String(v))]),
    );
    const config = loadCoordinatorConfig({}, { env: { ...runtimeEnv, ...env } });
    const url = new URL(config.database);
    expect(url.protocol).toBe('postgres:');
    // The host is the database service's name on the compose network, its login the one the
    // database service creates.
    expect(Object.keys(compose.services)).toContain(url.hostname);
    const pg = Object.fromEntries(
      Object.entries(database!.environment).map(([k, v]) => [k, interpolate(String(v))]),
    );
    expect(url.username).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
    expect(url.port).toBe('5432');
    // The published port reaches the port the coordinator listens on, on loopback only.
    expect(coordinator!.ports).toEqual([`127.0.0.1:${config.port}:${config.port}`]);
    expect(database!.ports).toBeUndefined();
  });
});

describe('bin/healthcheck.mjs', () => {
  const run = promisify(execFile);
  const healthcheck = join(root, 'bin/healthcheck.mjs');

  it('exits 0 while the coordinator answers /live and 1 once it is gone', async () => {
    const { app, port } = await startCoordinator(join(tempDir('breadcast-health-'), 'c.db'));
    const env = { ...process.env, BREADCAST_COORDINATOR_PORT: String(port) };
    try {
      await expect(run(process.execPath, [healthcheck], { env })).resolves.toBeDefined();
    } finally {
      await app.close();
    }
    await expect(run(process.execPath, [healthcheck], { env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^unhealthy: .*ECONNREFUSED/),
    });
  });
});
