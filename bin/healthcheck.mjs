#!/usr/bin/env node
// The container's health check: exit 0 when the coordinator answers /live on its own port, 1
// when not. Plain JavaScript without dependencies: it runs as a short process every interval.
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

const port = Number(process.env.BREADCAST_COORDINATOR_PORT || 5190);
const tls = Boolean(process.env.BREADCAST_COORDINATOR_TLS_CERT);
// Over loopback to itself, so the certificate (often for a public name) is not checked.
const request = (tls ? httpsGet : httpGet)(
  { host: '127.0.0.1', port, path: '/live', timeout: 4000, rejectUnauthorized: false },
  (answer) => {
    answer.resume();
    if (answer.statusCode === 200) process.exit(0);
    console.error(`unhealthy: /live answered ${answer.statusCode}`);
    process.exit(1);
  },
);
request.on('timeout', () => request.destroy(new Error('no answer within 4 s')));
request.on('error', (error) => {
  console.error(`unhealthy: ${error.message}`);
  process.exit(1);
});
