// SQS throughput through AWS's JavaScript client (@aws-sdk/client-sqs, installed by tests/conformance), the same modes
// and output line as SqsBench (the .NET driver): a second client side by side against the same endpoint.
//   node bench/sqs/jsbench.mjs --endpoint http://127.0.0.1:PORT --mode send|send-batch|receive-delete --workers 32 --seconds 10 [--prefill 20000]
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/conformance/package.json'));
const {
  SQSClient, CreateQueueCommand, DeleteQueueCommand, SendMessageCommand, SendMessageBatchCommand, ReceiveMessageCommand, DeleteMessageBatchCommand,
} = require('@aws-sdk/client-sqs');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const endpoint = arg('--endpoint', 'http://127.0.0.1:9001');
const mode = arg('--mode', 'send');
const workers = Number(arg('--workers', '32'));
const seconds = Number(arg('--seconds', '10'));
const prefill = Number(arg('--prefill', '20000'));
const body = 'x'.repeat(Number(arg('--body-bytes', '256')));
const attributes = { LambdaStormId: { DataType: 'String', StringValue: 'bench' } };

const sqs = new SQSClient({
  region: 'us-east-1', endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
});
const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `jsbench-${mode}-${process.pid}` }));
const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: body, MessageAttributes: attributes }));
let messages = 0;
let errors = 0;
const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
let measured;

if (mode === 'send' || mode === 'send-batch') {
  await Promise.all(Array.from({ length: workers }, async () => {
    while (elapsed() < seconds) {
      try {
        if (mode === 'send') {
          await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: attributes }));
          messages++;
        } else {
          const r = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
          messages += r.Successful?.length ?? 0;
          errors += r.Failed?.length ?? 0;
        }
      } catch {
        errors++;
      }
    }
  }));
  measured = elapsed();
} else if (mode === 'receive-delete') {
  let filled = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while ((filled += 10) <= prefill) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
    }
  }));
  const start = performance.now();
  await Promise.all(Array.from({ length: workers }, async () => {
    let empty = 0;
    while (empty < 3 && (performance.now() - start) / 1000 < Math.max(seconds * 10, 120)) {
      try {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
        if (!r.Messages?.length) {
          empty++;
          continue;
        }
        empty = 0;
        const d = await sqs.send(new DeleteMessageBatchCommand({
          QueueUrl, Entries: r.Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
        }));
        messages += d.Successful?.length ?? 0;
        errors += d.Failed?.length ?? 0;
      } catch {
        errors++;
      }
    }
  }));
  measured = (performance.now() - start) / 1000;
} else {
  console.error(`unknown --mode ${mode}`);
  process.exit(2);
}

await sqs.send(new DeleteQueueCommand({ QueueUrl }));
console.log(JSON.stringify({
  mode, client: '@aws-sdk/client-sqs', workers, messages, seconds: Math.round(measured * 1000) / 1000,
  rate: Math.round((messages / measured) * 10) / 10, errors,
}));
