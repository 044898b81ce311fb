// Conformance of the LambdaStorm emulator's SQS API with AWS's own JavaScript client (@aws-sdk/client-sqs, AWS JSON 1.0).
//
// Drives a running `lambdastorm emulator` through SQSClient and asserts what the SDK parsed: queue URLs and
// attributes, messages and their attributes (the SDK checks the MD5 digests itself), long polling, visibility,
// redrive to a dead-letter queue, and the exception classes, codes and HTTP statuses of the errors. The wire facts
// come from ../shared/reference/sqs-json-protocol.md and SQS's Smithy model (awsJson1_0 + awsQueryCompatible).
//
// Environment:
//   LAMBDASTORM_ENDPOINT             e.g. http://127.0.0.1:9001 (required)
//   LAMBDASTORM_ACCESS_KEY/SECRET_KEY static credentials (default test/test)
//   LAMBDASTORM_EXPECT_AUTH_FAILURE  "1": only check that the emulator (started with --require-auth) rejects these
//                                    credentials the way AWS does
//
// Run: node tests/conformance/sqs.mjs   (exit code 0 when every test passes)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, captureRawResponses, clientOptions, expectAuthFailure, queueUrl } from './emulator-client.mjs';
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidBatchEntryId,
  InvalidMessageContents,
  ListQueuesCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
  TooManyEntriesInBatchRequest,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs';

const MIB = 1024 * 1024;
// Queue names of this run: the script may run more than once against one emulator.
const run = `c${Date.now().toString(36)}${process.pid}`;

const client = new SQSClient(clientOptions());
const raw = captureRawResponses(client);
const send = (command) => client.send(command);

const describeError = (e) => (e === undefined ? 'no error' : `${e?.name}: ${e?.message} (HTTP ${e?.$metadata?.httpStatusCode})`);

/** Awaits a call that must fail with `Class` (an SDK-exported exception, or a name for unmodelled errors) and `status`. */
async function expectError(promise, Class, status, code) {
  let err;
  try {
    const out = await promise;
    assert.fail(`expected ${Class.name ?? Class} (HTTP ${status}), but the call succeeded: ${JSON.stringify(out?.$metadata)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  if (typeof Class === 'string') {
    assert.ok(err instanceof SQSServiceException, `expected an SQSServiceException named ${Class}, got ${describeError(err)}`);
    assert.equal(err.name, Class);
  } else {
    assert.ok(err instanceof Class, `expected an instance of ${Class.name}, got ${describeError(err)}`);
    assert.equal(err.name, Class.name);
  }
  assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status of ${err.name}`);
  assert.equal(err.$fault, 'client');
  assert.ok(err.$metadata.requestId, `${err.name}: x-amzn-RequestId is set`);
  if (code !== undefined) {
    // awsQueryCompatible: the legacy query code travels in x-amzn-query-error and the SDK exposes it as Code.
    assert.equal(err.Code, code, `${err.name}: Code from x-amzn-query-error`);
  }
  return err;
}

async function createQueue(name, Attributes) {
  const out = await send(new CreateQueueCommand({ QueueName: name, Attributes }));
  return out.QueueUrl;
}

if (expectAuthFailure) {
  describe('with credentials the emulator does not accept', () => {
    it('every call is refused with 403 the way AWS refuses it', async () => {
      for (const command of [new ListQueuesCommand({}), new CreateQueueCommand({ QueueName: `${run}-x` })]) {
        const err = await expectError(send(command), 'InvalidSignatureException', 403);
        assert.match(err.message, /signature/i);
      }
    });
  });
} else {
  describe('queues', () => {
    it('are created, found, listed with a prefix and pages, configured, and deleted', async () => {
      const url = await createQueue(`${run}-orders`, { VisibilityTimeout: '45' });
      assert.equal(url, queueUrl(`${run}-orders`));
      assert.ok(raw.last.headers['x-amzn-requestid'], 'x-amzn-RequestId on a success');
      assert.equal(await createQueue(`${run}-orders`, { VisibilityTimeout: '45' }), url, 'same name and attributes: the same queue');
      await createQueue(`${run}-orders-dlq`);
      await createQueue(`${run}-other`);

      assert.equal((await send(new GetQueueUrlCommand({ QueueName: `${run}-orders` }))).QueueUrl, url);
      const listed = await send(new ListQueuesCommand({ QueueNamePrefix: `${run}-orders` }));
      assert.deepEqual(listed.QueueUrls.map((u) => u.split('/').pop()), [`${run}-orders`, `${run}-orders-dlq`]);
      const page1 = await send(new ListQueuesCommand({ QueueNamePrefix: run, MaxResults: 2 }));
      const page2 = await send(new ListQueuesCommand({ QueueNamePrefix: run, MaxResults: 2, NextToken: page1.NextToken }));
      assert.equal(page1.QueueUrls.length, 2);
      assert.deepEqual(page2.QueueUrls.map((u) => u.split('/').pop()), [`${run}-other`]);
      assert.equal(page2.NextToken, undefined);

      await send(new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          DelaySeconds: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${run}-orders-dlq`, maxReceiveCount: 3 }),
        },
      }));
      const { Attributes: a } = await send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
      assert.equal(a.VisibilityTimeout, '45');
      assert.equal(a.DelaySeconds, '1');
      assert.equal(a.MessageRetentionPeriod, '345600');
      assert.equal(a.QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:${run}-orders`);
      assert.equal(JSON.parse(a.RedrivePolicy).maxReceiveCount, 3);
      for (const name of ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']) {
        assert.equal(a[name], '0', name);
      }

      await send(new DeleteQueueCommand({ QueueUrl: url }));
      await expectError(send(new GetQueueUrlCommand({ QueueName: `${run}-orders` })), QueueDoesNotExist, 400, 'AWS.SimpleQueueService.NonExistentQueue');
    });
  });

  describe('messages', () => {
    it('round-trip with attributes and digests the SDK checks', async () => {
      const url = await createQueue(`${run}-messages`);
      const sent = await send(new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"id":"inv-1","text":"grüße 🙂"}',
        MessageAttributes: {
          LambdaStormId: { DataType: 'String', StringValue: 'inv-1' },
          'meta.weight': { DataType: 'Number', StringValue: '42' },
          'meta.blob': { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 254, 255]) },
        },
      }));
      assert.match(sent.MessageId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(sent.MD5OfMessageBody, /^[0-9a-f]{32}$/);
      assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);

      const batch = await send(new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'first' },
          { Id: 'b', MessageBody: 'second', DelaySeconds: 0 },
          { Id: 'bad', MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'not a number' } } },
        ],
      }));
      assert.deepEqual(batch.Successful.map((s) => s.Id), ['a', 'b']);
      assert.equal(batch.Failed.length, 1);
      assert.deepEqual([batch.Failed[0].Id, batch.Failed[0].SenderFault, batch.Failed[0].Code], ['bad', true, 'InvalidParameterValue']);

      const { Messages } = await send(new ReceiveMessageCommand({
        QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'],
      }));
      assert.equal(Messages.length, 3);
      const m = Messages.find((x) => x.MessageId === sent.MessageId);
      assert.equal(m.Body, '{"id":"inv-1","text":"grüße 🙂"}');
      assert.equal(m.MD5OfBody, sent.MD5OfMessageBody);
      assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
      assert.equal(m.Attributes.ApproximateReceiveCount, '1');
      assert.match(m.Attributes.SentTimestamp, /^\d{13}$/);
      assert.equal(m.MessageAttributes.LambdaStormId.StringValue, 'inv-1');
      assert.deepEqual([...m.MessageAttributes['meta.blob'].BinaryValue], [0, 1, 254, 255]);

      const selected = Messages.map((x) => x.ReceiptHandle);
      const changed = await send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [...selected.map((h, i) => ({ Id: `m${i}`, ReceiptHandle: h, VisibilityTimeout: 0 })), { Id: 'junk', ReceiptHandle: 'junk', VisibilityTimeout: 0 }],
      }));
      assert.equal(changed.Successful.length, 3);
      assert.deepEqual([changed.Failed[0].Id, changed.Failed[0].Code], ['junk', 'ReceiptHandleIsInvalid']);

      // Received together, they come back in separate receives: SQS keeps no batch membership (docs/lambda-model.md).
      const again = { Messages: [] };
      for (let i = 0; i < Messages.length; i++) {
        const back = await send(new ReceiveMessageCommand({
          QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['meta.*'], MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }));
        assert.equal(back.Messages.length, 1);
        again.Messages.push(...back.Messages);
      }
      const m2 = again.Messages.find((x) => x.MessageId === sent.MessageId);
      assert.deepEqual(Object.keys(m2.MessageAttributes).sort(), ['meta.blob', 'meta.weight']);
      assert.equal(m2.Attributes.ApproximateReceiveCount, '2');

      const deleted = await send(new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [...again.Messages.map((x, i) => ({ Id: `d${i}`, ReceiptHandle: x.ReceiptHandle })), { Id: 'junk', ReceiptHandle: 'junk' }],
      }));
      assert.equal(deleted.Successful.length, 3);
      assert.equal(deleted.Failed[0].Code, 'ReceiptHandleIsInvalid');
      const { Attributes: counts } = await send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      assert.deepEqual(counts, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    });

    it('a waiting long poll returns the message sent while it waits', async () => {
      const url = await createQueue(`${run}-longpoll`);
      const receive = send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the receive reach the emulator and start waiting
      await send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
      const { Messages } = await receive;
      assert.equal(Messages?.length, 1);
      assert.equal(Messages[0].Body, 'wake up');
    });

    it('visibility hides a received message; delete and change need its handle; purge empties the queue', async () => {
      const url = await createQueue(`${run}-visibility`);
      await send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
      const first = (await send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 60 }))).Messages[0];
      assert.equal((await send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined, 'in flight: not returned again');
      await send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 }));
      await expectError(
        send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 5 })),
        MessageNotInflight, 400, 'AWS.SimpleQueueService.MessageNotInflight');
      const second = (await send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages[0];
      assert.equal(second.Attributes.ApproximateReceiveCount, '2');
      await send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
      await expectError(send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })), ReceiptHandleIsInvalid, 404, 'ReceiptHandleIsInvalid');
      await send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two' }));
      await send(new PurgeQueueCommand({ QueueUrl: url }));
      await expectError(send(new PurgeQueueCommand({ QueueUrl: url })), PurgeQueueInProgress, 403, 'AWS.SimpleQueueService.PurgeQueueInProgress');
      assert.equal((await send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
    });

    it('a message received maxReceiveCount times moves to the dead-letter queue on the next receive', async () => {
      const dlq = await createQueue(`${run}-work-dlq`);
      const url = await createQueue(`${run}-work`, {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${run}-work-dlq`, maxReceiveCount: 2 }),
      });
      const sent = await send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison', MessageAttributes: { LambdaStormId: { DataType: 'String', StringValue: 'p-1' } } }));
      for (let i = 0; i < 2; i++) {
        const { Messages } = await send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
        assert.equal(Messages?.[0]?.MessageId, sent.MessageId);
      }
      assert.equal((await send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined, 'moved, not returned');
      const dead = (await send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }))).Messages[0];
      assert.equal(dead.MessageId, sent.MessageId);
      assert.equal(dead.MessageAttributes.LambdaStormId.StringValue, 'p-1');
      assert.equal(dead.Attributes.DeadLetterQueueSourceArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:${run}-work`);
    });
  });

  describe('errors', () => {
    it('use the SDK exception classes, codes and statuses AWS uses', async () => {
      const url = await createQueue(`${run}-errors`);
      await expectError(send(new SendMessageCommand({ QueueUrl: `${url}-nope`, MessageBody: 'x' })), QueueDoesNotExist, 400, 'AWS.SimpleQueueService.NonExistentQueue');
      await expectError(send(new CreateQueueCommand({ QueueName: `${run}-errors`, Attributes: { DelaySeconds: '9' } })), QueueNameExists, 400, 'QueueAlreadyExists');
      const fifo = await expectError(send(new CreateQueueCommand({ QueueName: `${run}.fifo`, Attributes: { FifoQueue: 'true' } })), UnsupportedOperation, 400);
      assert.match(fifo.message, /FIFO queues are not modelled/);
      await expectError(send(new CreateQueueCommand({ QueueName: `${run}-x`, Attributes: { Colour: 'blue' } })), InvalidAttributeName, 400);
      await expectError(send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MessageRetentionPeriod: '59' } })), InvalidAttributeValue, 400);
      const tooBig = await expectError(send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(MIB + 1) })), 'InvalidParameterValue', 400, 'InvalidParameterValue');
      assert.equal(tooBig.message, `One or more parameters are invalid. Reason: Message must be shorter than ${MIB} bytes.`);
      await expectError(send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })), 'InvalidParameterValue', 400);
      await expectError(send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell\u0007' })), InvalidMessageContents, 400);

      const entry = (Id, MessageBody = 'b') => ({ Id, MessageBody });
      await expectError(send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => entry(`e${i}`)) })),
        TooManyEntriesInBatchRequest, 400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
      await expectError(send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })), EmptyBatchRequest, 400, 'AWS.SimpleQueueService.EmptyBatchRequest');
      await expectError(send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry('a'), entry('a')] })), BatchEntryIdsNotDistinct, 400);
      await expectError(send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry('not ok!')] })), InvalidBatchEntryId, 400);
      await expectError(send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [entry('a', 'x'.repeat(600_000)), entry('b', 'y'.repeat(600_000))] })),
        BatchRequestTooLong, 400, 'AWS.SimpleQueueService.BatchRequestTooLong');
      const { Attributes } = await send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
      assert.equal(Attributes.ApproximateNumberOfMessages, '0', 'nothing from the failed calls was sent');
    });
  });
}
