// The real training worker (electron/forecast/training-worker.mjs), dying abruptly as a crash
// would: its progress messages are watched from inside the thread, and right after epoch 2 is
// reported the thread exits with code 70, before the trained model could ever be sent.
import { parentPort } from 'node:worker_threads';

const post = parentPort.postMessage.bind(parentPort);
parentPort.postMessage = (message) => {
  post(message);
  if (message.type === 'progress' && message.epoch >= 2) process.exit(70);
};
await import('../../electron/forecast/training-worker.mjs');
