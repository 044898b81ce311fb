// Conformance of the LambdaStorm emulator's event source mappings with AWS's own JavaScript clients
// (@aws-sdk/client-lambda for the five mapping calls, @aws-sdk/client-sqs for the queues).
//
// Drives a running `lambdastorm emulator`: Create/Get/List/Update/DeleteEventSourceMapping with what the SDK parsed
// (UUID, State, BatchSize, FunctionResponseTypes, ScalingConfig, LastModified as a Date, paging), their errors by SDK
// exception class and HTTP status, and end to end: a batch with one poison pill, a mapping with ReportBatchItemFailures,
// the pill in the dead-letter queue after maxReceiveCount, every good record deleted and receipted.
//
// Environment:
//   LAMBDASTORM_ENDPOINT             e.g. http://127.0.0.1:9001 (required)
//   LAMBDASTORM_ACCESS_KEY/SECRET_KEY static credentials (default test/test)
//
// Run: node tests/conformance/esm.mjs   (exit code 0 when every test passes)

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, REGION, clientOptions, queueUrl } from './emulator-client.mjs';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvalidParameterValueException,
  LambdaClient,
  LambdaServiceException,
  ListEventSourceMappingsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

const lambda = new LambdaClient(clientOptions());
const sqs = new SQSClient(clientOptions());
// Names of this run: the script may run more than once against one emulator.
const run = `e${Date.now().toString(36)}${process.pid}`;
const fn = `${run}-worker`;
const other = `${run}-other`;
const queueArn = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const EMPTY_ZIP = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);

const describeError = (e) => (e === undefined ? 'no error' : `${e?.name}: ${e?.message} (HTTP ${e?.$metadata?.httpStatusCode})`);

async function expectError(promise, Class, status, message) {
  let err;
  try {
    const out = await promise;
    assert.fail(`expected ${Class.name} (HTTP ${status}), but the call succeeded: ${JSON.stringify(out?.$metadata)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  assert.ok(err instanceof Class, `expected an instance of ${Class.name}, got ${describeError(err)}`);
  assert.ok(err instanceof LambdaServiceException, 'service errors extend LambdaServiceException');
  assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status of ${Class.name}`);
  assert.equal(err.Type, 'User');
  if (message !== undefined) {
    assert.equal(err.message, message);
  }
  return err;
}

async function createFunction(name, variables, Timeout = 3) {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Timeout, Runtime: 'nodejs22.x', Role: `arn:aws:iam::${ACCOUNT}:role/any`, Handler: 'index.handler',
    Code: { ZipFile: EMPTY_ZIP }, Environment: { Variables: { LAMBDASTORM_DURATION_MS: '0', LAMBDASTORM_INIT_MS: '0', ...variables } },
  }));
}

async function createQueue(name, Attributes) {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl;
}

describe('event source mappings', () => {
  before(async () => {
    await createQueue(`${run}-receipts`);
    await createQueue(`${run}-dlq`);
    await createQueue(`${run}-work`, {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(`${run}-dlq`), maxReceiveCount: 2 }),
    });
    await createQueue(`${run}-spare`);
    await createQueue(`${run}-short`, { VisibilityTimeout: '2' });
    // Timeout 1 s: a mapping's queue needs a visibility timeout of at least the function's timeout.
    await createFunction(fn, { LAMBDASTORM_POISON_MARKER: 'POISON', LAMBDASTORM_RECEIPTS_QUEUE: `${run}-receipts` }, 1);
    await createFunction(other, {});
  });

  it('are created, read, listed with filters and pages, updated and deleted with AWS shapes', async () => {
    const created = await lambda.send(new CreateEventSourceMappingCommand({
      EventSourceArn: queueArn(`${run}-spare`), FunctionName: other, BatchSize: 50, MaximumBatchingWindowInSeconds: 3,
      ScalingConfig: { MaximumConcurrency: 4 }, FunctionResponseTypes: ['ReportBatchItemFailures'], Enabled: false,
    }));
    assert.equal(created.$metadata.httpStatusCode, 202);
    assert.match(created.UUID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(created.State, 'Creating');
    assert.equal(created.StateTransitionReason, 'USER_INITIATED');
    assert.equal(created.BatchSize, 50);
    assert.equal(created.MaximumBatchingWindowInSeconds, 3);
    assert.deepEqual(created.ScalingConfig, { MaximumConcurrency: 4 });
    assert.deepEqual(created.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.equal(created.EventSourceArn, queueArn(`${run}-spare`));
    assert.equal(created.FunctionArn, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${other}`);
    assert.ok(created.LastModified instanceof Date && !Number.isNaN(created.LastModified.getTime()), 'LastModified parses as a timestamp');
    assert.equal(created.EventSourceMappingArn, `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${created.UUID}`);

    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    assert.equal(got.$metadata.httpStatusCode, 200);
    assert.equal(got.State, 'Disabled');

    const second = await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`${run}-receipts`), FunctionName: other, Enabled: false }));
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: other }));
    assert.deepEqual(listed.EventSourceMappings.map((m) => m.UUID), [created.UUID, second.UUID]);
    const bySource = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn(`${run}-receipts`) }));
    assert.deepEqual(bySource.EventSourceMappings.map((m) => m.UUID), [second.UUID]);
    const page1 = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: other, MaxItems: 1 }));
    assert.deepEqual(page1.EventSourceMappings.map((m) => m.UUID), [created.UUID]);
    assert.equal(page1.NextMarker, second.UUID);
    const page2 = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: other, MaxItems: 1, Marker: page1.NextMarker }));
    assert.deepEqual(page2.EventSourceMappings.map((m) => m.UUID), [second.UUID]);
    assert.equal(page2.NextMarker, undefined);

    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 5, ScalingConfig: {}, FunctionResponseTypes: [] }));
    assert.equal(updated.$metadata.httpStatusCode, 202);
    assert.equal(updated.State, 'Updating');
    assert.equal(updated.BatchSize, 5);
    assert.equal(updated.ScalingConfig, undefined);
    assert.deepEqual(updated.FunctionResponseTypes, []);

    for (const uuid of [created.UUID, second.UUID]) {
      const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      assert.equal(deleted.State, 'Deleting');
    }
    await expectError(lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })), ResourceNotFoundException, 404, 'The resource you requested does not exist.');
  });

  it('refuse what AWS refuses, with its exception classes', async () => {
    await expectError(
      lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`${run}-spare`), FunctionName: other, BatchSize: 11 })),
      InvalidParameterValueException, 400, 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    await expectError(
      lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`${run}-spare`), FunctionName: other, ScalingConfig: { MaximumConcurrency: 1001 } })),
      InvalidParameterValueException, 400);
    await expectError(
      lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`${run}-spare`), FunctionName: `${run}-nope` })),
      ResourceNotFoundException, 404, 'Function does not exist');
    await expectError(
      lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`${run}-nope`), FunctionName: other })),
      InvalidParameterValueException, 400);
    await expectError(
      lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`${run}-short`), FunctionName: other })),
      InvalidParameterValueException, 400, 'Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds');
    const first = await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`${run}-spare`), FunctionName: other, Enabled: false }));
    await expectError(
      lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`${run}-spare`), FunctionName: other })),
      ResourceConflictException, 409,
      `An event source mapping with SQS arn (" ${queueArn(`${run}-spare`)} ") and function (" ${other} ") already exists. Please update or delete the existing mapping with UUID ${first.UUID}`);
    await expectError(lambda.send(new UpdateEventSourceMappingCommand({ UUID: '00000000-0000-4000-8000-000000000000', BatchSize: 2 })), ResourceNotFoundException, 404);
    await expectError(lambda.send(new DeleteEventSourceMappingCommand({ UUID: '00000000-0000-4000-8000-000000000000' })), ResourceNotFoundException, 404);
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: first.UUID }));
  });

  it('send a poison pill to the dead-letter queue and delete and receipt every good record', async () => {
    const mapping = await lambda.send(new CreateEventSourceMappingCommand({
      EventSourceArn: queueArn(`${run}-work`), FunctionName: fn, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'],
    }));
    const work = queueUrl(`${run}-work`);
    const sent = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: work,
      Entries: Array.from({ length: 10 }, (_, i) => ({
        Id: `m${i}`,
        MessageBody: i === 3 ? JSON.stringify({ n: i, pill: 'POISON' }) : JSON.stringify({ n: i }),
        MessageAttributes: { LambdaStormId: { DataType: 'String', StringValue: `${run}-${i}` } },
      })),
    }));
    assert.equal(sent.Successful.length, 10);

    // Visibility 1 s, maxReceiveCount 2: the pill fails twice, then its next receive moves it (a long poll wakes on it).
    const dlq = queueUrl(`${run}-dlq`);
    let dead = [];
    for (let i = 0; i < 3 && dead.length === 0; i++) {
      dead = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 20, MessageAttributeNames: ['All'] }))).Messages ?? [];
    }
    assert.equal(dead.length, 1, 'exactly the pill reaches the DLQ');
    assert.equal(dead[0].MessageAttributes.LambdaStormId.StringValue, `${run}-3`);
    assert.equal(JSON.parse(dead[0].Body).pill, 'POISON');

    const counters = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: work, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    assert.equal(counters.Attributes.ApproximateNumberOfMessages, '0');
    assert.equal(counters.Attributes.ApproximateNumberOfMessagesNotVisible, '0');

    const receipts = [];
    const receiptsUrl = queueUrl(`${run}-receipts`);
    for (;;) {
      const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: receiptsUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
      if (got.length === 0) break;
      receipts.push(...got.map((m) => JSON.parse(m.Body)));
    }
    const ok = receipts.filter((r) => r.outcome === 'ok').map((r) => r.id).sort();
    assert.deepEqual(ok, Array.from({ length: 10 }, (_, i) => `${run}-${i}`).filter((id) => id !== `${run}-3`).sort());
    const pill = receipts.filter((r) => r.id === `${run}-3`);
    assert.deepEqual(pill.map((r) => [r.attempt, r.outcome, r.path]), [[1, 'error', 'queue'], [2, 'error', 'queue']]);
    assert.ok(receipts.every((r) => typeof r.requestId === 'string' && r.messageId && !Number.isNaN(Date.parse(r.startedAt))));

    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
  });
});
