#!/usr/bin/env node
// What can be checked of the coordinator image without a container runtime: the runtime stage
// of the Dockerfile is laid out in a temporary directory (its COPY lines from this checkout, its
// node_modules by the dependencies stage's own npm commands, the dashboard as the dashboard stage
// builds it), then its ENTRYPOINT runs there with its ENV, as an unprivileged user when this runs
// as root; /live, /ready and the dashboard must answer, the HEALTHCHECK command must pass, and
// SIGTERM must stop it. Needs the npm registry (npm ci). Usage: node build/container-check.mjs
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';

const root = fileURLToPath(new URL('..', import.meta.url));
const dockerfile = DockerfileParser.parse(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const say = (line) => console.log(`container-check: ${line}`);

/** Instructions per stage name (the last stage is the image). */
const stages = new Map();
let current = null;
for (const instruction of dockerfile.getInstructions()) {
  const keyword = instruction.getKeyword();
  if (keyword === 'FROM') {
    const args = instruction.getArguments().map((a) => a.getValue());
    current = { name: args[2] ?? `stage${stages.size}`, instructions: [] };
    stages.set(current.name, current);
  } else if (current) current.instructions.push(instruction);
}
const runtime = [...stages.values()].at(-1);
const args = (instruction) => instruction.getArguments().map((a) => a.getValue());
const fromOf = (instruction) => instruction.getFlags().find((f) => f.getName() === 'from');

const work = mkdtempSync(join(tmpdir(), 'breadcast-container-check-'));
chmodSync(work, 0o755);
const app = join(work, 'app');
mkdirSync(app);
const dependencies = join(work, 'dependencies');

/** Runs a stage's `npm …` RUN lines in `dir` (other tools, apt-get, are the image's business). */
function runNpmLines(stage, dir) {
  for (const instruction of stage.instructions) {
    if (instruction.getKeyword() !== 'RUN') continue;
    for (const command of instruction
      .getArgumentsContent()
      .split('&&')
      .map((c) => c.replace(/\\\n/g, ' ').trim())
      .filter((c) => c.startsWith('npm '))) {
      say(`${stage.name}: ${command}`);
      execFileSync('sh', ['-c', command], { cwd: dir, stdio: 'inherit' });
    }
  }
}

try {
  for (const instruction of runtime.instructions) {
    if (instruction.getKeyword() !== 'COPY') continue;
    const [from, ...rest] = [fromOf(instruction)?.getValue(), ...args(instruction)];
    const target = rest.at(-1);
    const sources = rest.slice(0, -1);
    if (from === 'dependencies') {
      const stage = stages.get('dependencies');
      mkdirSync(dependencies);
      for (const copy of stage.instructions.filter((i) => i.getKeyword() === 'COPY'))
        for (const source of args(copy).slice(0, -1))
          cpSync(join(root, source), join(dependencies, source));
      runNpmLines(stage, dependencies);
      cpSync(join(dependencies, 'node_modules'), join(app, target), { recursive: true });
    } else if (from === 'dashboard') {
      // The dashboard stage's own command, with this checkout's development tools.
      const build = stages
        .get('dashboard')
        .instructions.find(
          (i) => i.getKeyword() === 'RUN' && /vite build/.test(i.getArgumentsContent()),
        );
      say(`dashboard: ${build.getArgumentsContent()}`);
      execFileSync('sh', ['-c', build.getArgumentsContent()], { cwd: root, stdio: 'inherit' });
      cpSync(join(root, sources[0].replace(/^\/app\//, '')), join(app, target), {
        recursive: true,
      });
    } else {
      for (const source of sources)
        cpSync(join(root, source), join(app, sources.length > 1 ? source : target), {
          recursive: true,
        });
    }
  }

  const env = { PATH: process.env.PATH, HOME: work };
  for (const instruction of runtime.instructions.filter((i) => i.getKeyword() === 'ENV'))
    for (const property of instruction.getProperties())
      env[property.getName()] = property.getValue();
  // The image's volume is not here: the database goes to a directory of the check.
  const data = join(work, 'data');
  mkdirSync(data);
  env.BREADCAST_COORDINATOR_DATABASE = join(data, 'coordinator.db');
  env.BREADCAST_COORDINATOR_HOST = '127.0.0.1';
  env.BREADCAST_COORDINATOR_PORT = String(20000 + Math.floor(Math.random() * 20000));
  const entrypoint = JSON.parse(
    runtime.instructions.find((i) => i.getKeyword() === 'ENTRYPOINT').getArgumentsContent(),
  );
  const healthcheck = runtime.instructions.find((i) => i.getKeyword() === 'HEALTHCHECK');
  const check = JSON.parse(healthcheck.getArgumentsContent().replace(/^[\s\S]*?CMD\s+/, ''));
  // The image's files are root's and its process is not: the same here when run as root.
  // Started with the user's ids directly (not through runuser, which would catch SIGTERM).
  const nobody = (flag) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }));
  const as = userInfo().uid === 0 ? { uid: nobody('-u'), gid: nobody('-g') } : {};
  if (as.uid !== undefined) execFileSync('chown', ['nobody', data]);
  const [command, ...argv] = entrypoint;
  say(
    `runtime: ${entrypoint.join(' ')} (as ${as.uid !== undefined ? 'nobody' : userInfo().username})`,
  );
  const child = spawn(command, argv, {
    cwd: app,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...as,
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 180_000;
  while (!/listening on (http:\/\/\S+)/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the entrypoint did not start listening:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const url = /listening on (http:\/\/\S+)/.exec(out)[1];
  for (const path of ['/live', '/ready', '/dashboard/', '/metrics']) {
    const answer = await fetch(url + path);
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`);
    say(`${path} answers 200`);
  }
  const [healthCommand, ...healthArgs] = check;
  execFileSync(healthCommand, healthArgs, { cwd: app, env, stdio: 'inherit', ...as });
  say(`HEALTHCHECK ${check.join(' ')} passes`);
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`SIGTERM: the coordinator exited with ${code}`);
  say('SIGTERM stops it cleanly');
} finally {
  rmSync(work, { recursive: true, force: true });
}
