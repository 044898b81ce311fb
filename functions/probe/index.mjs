// LambdaStorm probe function (Node.js 20+ runtime, handler: index.handler). No build step: the runtime ships
// @aws-sdk/client-sqs. See probe.mjs for the behaviour and docs/aws.md for deploying it with template.yaml.
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createHandler } from './probe.mjs';

// LAMBDASTORM_INIT_MS lengthens the init phase, so that cold starts cost what the scenario says.
const initMs = Number(process.env.LAMBDASTORM_INIT_MS ?? 0);
if (Number.isFinite(initMs) && initMs > 0) {
  await new Promise((resolve) => setTimeout(resolve, initMs));
}

export const handler = createHandler({
  env: process.env,
  sqs: process.env.LAMBDASTORM_RECEIPTS_QUEUE ? new SQSClient({}) : null,
  commands: { SendMessageBatchCommand },
});
