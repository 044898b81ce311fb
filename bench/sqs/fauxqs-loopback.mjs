// Starts the peer SQS emulator fauxqs (bench/sqs/package.json) on 127.0.0.1 only (its CLI binds 0.0.0.0), without
// request logging, and prints "fauxqs listening on http://127.0.0.1:PORT". PORT=0 (default) picks a free port.
import { buildApp } from 'fauxqs';

const app = buildApp({ logger: false, host: '127.0.0.1' });
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`fauxqs listening on ${address}`);
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
