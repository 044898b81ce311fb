// Handler tests for the probe (node:test). The SQS client is injected; the commands are the real
// @aws-sdk/client-sqs ones, and one test sends through the real SQSClient to a loopback server to check the wire form.
// Run: npm test (in functions/probe), or from tests/LambdaStorm.Conformance.Tests under ./test.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { FAULT_ERROR_TYPE, createHandler, readConfig, readFaults, recordId, sampleDurationMs } from '../probe.mjs';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/lambdastorm-receipts';

/** A probe with fake time: sleep advances the clock; the SQS client records every command. */
function probe(env, { random = () => 0.5, sendFails = 0 } = {}) {
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const sent = [];
  const slept = [];
  const logs = [];
  let failuresLeft = sendFails;
  const sqs = {
    async send(command) {
      if (failuresLeft-- > 0) throw Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' });
      assert.ok(command instanceof SendMessageBatchCommand, 'receipts go out as SendMessageBatch');
      sent.push(command.input);
      return { Successful: command.input.Entries.map((e) => ({ Id: e.Id })), Failed: [] };
    },
  };
  // The live environment object: a test changes it between invocations as UpdateFunctionConfiguration would.
  const environment = { LAMBDASTORM_RECEIPTS_QUEUE: QUEUE, ...env };
  const handler = createHandler({
    env: environment,
    sqs,
    commands: { SendMessageBatchCommand },
    now: () => clock,
    random,
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    log: (m) => logs.push(m),
  });
  const receipts = () => sent.flatMap((input) => input.Entries.map((e) => JSON.parse(e.MessageBody)));
  return { handler, sent, slept, logs, receipts, env: environment };
}

const context = (requestId, remainingMs = 30_000) => ({ awsRequestId: requestId, getRemainingTimeInMillis: () => remainingMs });

function sqsRecord(messageId, body, { id, receiveCount = 1 } = {}) {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1767225600000' },
    messageAttributes: id === undefined ? {} : { LambdaStormId: { stringValue: id, stringListValues: [], binaryListValues: [], dataType: 'String' } },
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:lambdastorm-source',
    awsRegion: 'us-east-1',
  };
}

test('a direct invoke sleeps the configured duration, answers LAMBDASTORM_RESPONSE and writes one receipt', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '120', LAMBDASTORM_EXTRA_LATENCY_MS: '30', LAMBDASTORM_RESPONSE: '{"statusCode":200}' });
  const out = await p.handler({ id: 'inv-1', sentAt: '2026-01-01T00:00:00Z', marker: '' }, context('req-1'));
  assert.deepEqual(out, { statusCode: 200 });
  assert.deepEqual(p.slept, [150]);
  assert.equal(p.sent.length, 1);
  assert.equal(p.sent[0].QueueUrl, QUEUE);
  assert.deepEqual(p.receipts(), [{
    id: 'inv-1', attempt: 1, requestId: 'req-1', path: 'sync', outcome: 'ok', coldStart: true, messageId: null,
    startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:00.150Z',
  }]);
});

test('only the first invocation of an environment is a cold start', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '10' });
  await p.handler({ id: 'a' }, context('r1'));
  await p.handler({ id: 'b' }, context('r2'));
  assert.deepEqual(p.receipts().map((r) => [r.id, r.coldStart]), [['a', true], ['b', false]]);
});

test('a poison pill throws and its receipt says error; an async retry with the same request id is attempt 2', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '5', LAMBDASTORM_POISON_MARKER: 'POISON' });
  const event = { id: 'bad-1', path: 'async', marker: 'POISON' };
  await assert.rejects(p.handler(event, context('req-9')), (e) => e.name === 'LambdaStormSimulatedError' && /poison pill/.test(e.message));
  await assert.rejects(p.handler(event, context('req-9')));
  assert.deepEqual(p.receipts().map((r) => [r.id, r.attempt, r.path, r.outcome]), [['bad-1', 1, 'async', 'error'], ['bad-1', 2, 'async', 'error']]);
});

test('the error rate fails the share of invocations the random draw falls under', async () => {
  const draws = [0.5, 0.01, 0.5, 0.5]; // duration draw is not used (fixed), so each invocation draws once for the error
  let i = 0;
  const p = probe({ LAMBDASTORM_DURATION_MS: '1', LAMBDASTORM_ERROR_RATE: '5%' }, { random: () => draws[i++] });
  await p.handler({ id: 'x1' }, context('r1'));
  await assert.rejects(p.handler({ id: 'x2' }, context('r2')));
  assert.deepEqual(p.receipts().map((r) => r.outcome), ['ok', 'error']);
});

test('a duration past the remaining time ends as timeout: the receipt is sent before Lambda stops the attempt', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '5000' });
  const out = await p.handler({ id: 'slow' }, context('r1', 3000));
  assert.equal(out, undefined);
  assert.equal(p.slept[0], 2750, 'it works until 250 ms before the timeout');
  assert.deepEqual(p.receipts().map((r) => [r.id, r.outcome]), [['slow', 'timeout']]);
});

test('a payload without an id gets no receipt', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '1' });
  await p.handler({ hello: 'world' }, context('r1'));
  assert.equal(p.sent.length, 0);
});

test('without a receipts queue the probe needs no SQS client', async () => {
  const handler = createHandler({ env: { LAMBDASTORM_DURATION_MS: '0' }, sqs: null, sleep: async () => {} });
  assert.equal(await handler({ id: 'q' }, context('r')), null);
});

test('an SQS batch returns a partial batch response naming only the poisoned records, with a receipt per record', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '20', LAMBDASTORM_POISON_MARKER: 'POISON' });
  const event = {
    Records: [
      sqsRecord('m-1', '{"id":"i-1","marker":""}', { id: 'i-1' }),
      sqsRecord('m-2', '{"id":"i-2","marker":"POISON"}', { id: 'i-2', receiveCount: 3 }),
      sqsRecord('m-3', '{"id":"from-body","marker":""}'),
    ],
  };
  const out = await p.handler(event, context('batch-req'));
  assert.deepEqual(out, { batchItemFailures: [{ itemIdentifier: 'm-2' }] });
  assert.deepEqual(p.slept, [20], 'one simulated duration per batch invocation');
  assert.deepEqual(p.receipts().map((r) => [r.id, r.attempt, r.path, r.outcome, r.messageId, r.requestId]), [
    ['i-1', 1, 'queue', 'ok', 'm-1', 'batch-req'],
    ['i-2', 3, 'queue', 'error', 'm-2', 'batch-req'],
    ['from-body', 1, 'queue', 'ok', 'm-3', 'batch-req'],
  ]);
});

test('LAMBDASTORM_BATCH_RESPONSE=throw fails the whole batch: good records in it are receipted as error', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '1', LAMBDASTORM_POISON_MARKER: 'POISON', LAMBDASTORM_BATCH_RESPONSE: 'throw' });
  const event = { Records: [sqsRecord('m-1', '{"id":"ok"}'), sqsRecord('m-2', '{"id":"bad","m":"POISON"}')] };
  await assert.rejects(p.handler(event, context('r')), /1 of 2 records failed/);
  assert.deepEqual(p.receipts().map((r) => [r.id, r.outcome]), [['ok', 'error'], ['bad', 'error']]);
});

test('the broken-response test modes fail the whole batch the way Lambda treats them', async () => {
  const event = () => ({ Records: [sqsRecord('m-1', '{"id":"ok"}'), sqsRecord('m-2', '{"id":"bad","m":"POISON"}')] });
  for (const [mode, expected] of [
    ['invalid-json', 'LambdaStorm probe: not a batch response {'],
    ['unknown-id', { batchItemFailures: [{ itemIdentifier: 'unknown-m-2' }] }],
    ['empty-id', { batchItemFailures: [{ itemIdentifier: '' }] }],
  ]) {
    const p = probe({ LAMBDASTORM_DURATION_MS: '1', LAMBDASTORM_POISON_MARKER: 'POISON', LAMBDASTORM_BATCH_RESPONSE: mode });
    assert.deepEqual(await p.handler(event(), context('r')), expected, mode);
    assert.deepEqual(p.receipts().map((r) => r.outcome), ['error', 'error'], mode);
  }
});

test('a batch of more than 10 records sends its receipts in SendMessageBatch calls of at most 10', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '1' });
  const records = Array.from({ length: 23 }, (_, i) => sqsRecord(`m-${i}`, JSON.stringify({ id: `i-${i}` })));
  assert.deepEqual(await p.handler({ Records: records }, context('r')), { batchItemFailures: [] });
  assert.deepEqual(p.sent.map((s) => s.Entries.length), [10, 10, 3]);
  assert.equal(new Set(p.receipts().map((r) => r.id)).size, 23);
});

test('a failed receipt send is retried once, and a second failure is logged, not hidden', async () => {
  const once = probe({ LAMBDASTORM_DURATION_MS: '1' }, { sendFails: 1 });
  await once.handler({ id: 'a' }, context('r'));
  assert.equal(once.receipts().length, 1);
  assert.deepEqual(once.logs, []);
  const twice = probe({ LAMBDASTORM_DURATION_MS: '1' }, { sendFails: 2 });
  await twice.handler({ id: 'b' }, context('r'));
  assert.equal(twice.receipts().length, 0);
  assert.match(twice.logs[0], /1 receipts were not sent to .*ServiceUnavailable/);
});

test('the id comes from the LambdaStormId attribute first, then the body', () => {
  assert.equal(recordId(sqsRecord('m', '{"id":"body"}', { id: 'attr' })), 'attr');
  assert.equal(recordId(sqsRecord('m', '{"id":"body"}')), 'body');
  assert.equal(recordId(sqsRecord('m', 'not json')), null);
});

test('the duration distributions match the emulator: fixed, log-normal fitted to mean and P99, uniform', () => {
  assert.equal(sampleDurationMs(readConfig({ LAMBDASTORM_DURATION_MS: '80' }), Math.random), 80);
  const lognormal = readConfig({ LAMBDASTORM_DURATION_MS: '100', LAMBDASTORM_DURATION_P99_MS: '400' });
  assert.equal(lognormal.distribution.kind, 'lognormal');
  // Analytic mean and P99 of the fitted log-normal give back the configured numbers.
  const { a: mu, b: sigma } = lognormal.distribution;
  assert.ok(Math.abs(Math.exp(mu + (sigma * sigma) / 2) - 100) < 1e-9);
  assert.ok(Math.abs(Math.exp(mu + 2.3263478740408408 * sigma) - 400) < 1e-6);
  const uniform = readConfig({ LAMBDASTORM_DURATION_MS: '100', LAMBDASTORM_DURATION_P99_MS: '149', LAMBDASTORM_DURATION_DISTRIBUTION: 'uniform' });
  assert.deepEqual([uniform.distribution.a, uniform.distribution.b], [50, 150]);
  assert.equal(sampleDurationMs(uniform, () => 0.25), 75);
});

test('bad configuration is one clear error naming every variable', () => {
  assert.throws(
    () => readConfig({ LAMBDASTORM_DURATION_MS: 'fast', LAMBDASTORM_ERROR_RATE: '150%', LAMBDASTORM_BATCH_RESPONSE: 'sometimes' }),
    (e) => /LAMBDASTORM_DURATION_MS=fast/.test(e.message) && /LAMBDASTORM_ERROR_RATE=150%/.test(e.message) && /LAMBDASTORM_BATCH_RESPONSE=sometimes/.test(e.message),
  );
});

test('receipts go over the wire as the real SQS client sends SendMessageBatch (JSON protocol)', async () => {
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ target: req.headers['x-amz-target'], auth: req.headers.authorization ?? '', body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ Successful: JSON.parse(body).Entries.map((e) => ({ Id: e.Id, MessageId: `msg-${e.Id}`, MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex') })) }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const endpoint = `http://127.0.0.1:${server.address().port}`;
    const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const handler = createHandler({ env: { LAMBDASTORM_RECEIPTS_QUEUE: `${endpoint}/123456789012/receipts`, LAMBDASTORM_DURATION_MS: '1' }, sqs, commands: { SendMessageBatchCommand } });
    await handler({ id: 'wire-1' }, context('req-w'));
    assert.equal(requests.length, 1);
    assert.equal(requests[0].target, 'AmazonSQS.SendMessageBatch');
    assert.match(requests[0].auth, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sqs\/aws4_request/);
    assert.equal(requests[0].body.QueueUrl, `${endpoint}/123456789012/receipts`);
    const r = JSON.parse(requests[0].body.Entries[0].MessageBody);
    assert.deepEqual(Object.keys(r), ['id', 'attempt', 'requestId', 'path', 'outcome', 'coldStart', 'messageId', 'startedAt', 'finishedAt']);
    assert.equal(r.id, 'wire-1');
    sqs.destroy();
  } finally {
    server.close();
  }
});

// Chaos faults: LAMBDASTORM_FAULT_* read on every invocation, drawn in the emulator model's order (error, timeout, latency).

test('LAMBDASTORM_FAULT_ERROR_RATE fails invocations with LambdaStormInjectedFault from the next invocation, and stops when removed', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '20' });
  await p.handler({ id: 'before' }, context('r1'));
  p.env.LAMBDASTORM_FAULT_ERROR_RATE = '1';
  await assert.rejects(p.handler({ id: 'during' }, context('r2')), (e) => e.name === FAULT_ERROR_TYPE && e.message === 'Injected fault (LAMBDASTORM_FAULT_ERROR_RATE 1)');
  delete p.env.LAMBDASTORM_FAULT_ERROR_RATE;
  await p.handler({ id: 'after' }, context('r3'));
  assert.deepEqual(p.receipts().map((r) => [r.id, r.outcome]), [['before', 'ok'], ['during', 'error'], ['after', 'ok']]);
  assert.deepEqual(p.slept, [20, 20, 20]); // without preventExecution the handler's work still runs
});

test('the fault error rate draws per invocation, and preventExecution fails at once without the work', async () => {
  const draws = [0.2, 0.4, 0.2];
  let i = 0;
  const p = probe({ LAMBDASTORM_DURATION_MS: '50', LAMBDASTORM_FAULT_ERROR_RATE: '30%' }, { random: () => draws[i++] });
  await assert.rejects(p.handler({ id: 'a' }, context('r1')), (e) => e.name === FAULT_ERROR_TYPE);
  await p.handler({ id: 'b' }, context('r2'));
  p.env.LAMBDASTORM_FAULT_PREVENT_EXECUTION = 'true';
  await assert.rejects(p.handler({ id: 'c' }, context('r3')), (e) => e.name === FAULT_ERROR_TYPE);
  assert.deepEqual(p.slept, [50, 50]); // 'c' did no work
  assert.deepEqual(p.receipts().map((r) => [r.id, r.outcome, r.finishedAt]), [
    ['a', 'error', '2026-01-01T00:00:00.050Z'], ['b', 'ok', '2026-01-01T00:00:00.100Z'], ['c', 'error', '2026-01-01T00:00:00.100Z'],
  ]);
});

test('LAMBDASTORM_FAULT_LATENCY_MS adds latency to the share LAMBDASTORM_FAULT_LATENCY_PERCENTAGE draws (all by default)', async () => {
  const draws = [0.4, 0.6];
  let i = 0;
  const p = probe({ LAMBDASTORM_DURATION_MS: '10', LAMBDASTORM_FAULT_LATENCY_MS: '300', LAMBDASTORM_FAULT_LATENCY_PERCENTAGE: '50%' }, { random: () => draws[i++] });
  await p.handler({ id: 'slow' }, context('r1'));
  await p.handler({ id: 'fast' }, context('r2'));
  delete p.env.LAMBDASTORM_FAULT_LATENCY_PERCENTAGE;
  await p.handler({ id: 'all' }, context('r3')); // share 1: no draw
  assert.equal(i, 2);
  assert.deepEqual(p.slept, [310, 10, 310]);
  assert.deepEqual(p.receipts().map((r) => r.outcome), ['ok', 'ok', 'ok']);
});

test('LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE runs the drawn share into the function timeout; a batch fault fails the whole batch', async () => {
  const p = probe({ LAMBDASTORM_DURATION_MS: '10', LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE: '100%' });
  assert.equal(await p.handler({ id: 't' }, context('r1', 3000)), undefined);
  assert.deepEqual(p.slept, [2750, 1000]); // up to 250 ms before the timeout, receipt, then Lambda's timeout ends it
  assert.deepEqual(p.receipts().map((r) => [r.id, r.outcome]), [['t', 'timeout']]);

  const b = probe({ LAMBDASTORM_DURATION_MS: '10', LAMBDASTORM_FAULT_ERROR_RATE: '1' });
  const records = [sqsRecord('m1', '{"id":"q1"}'), sqsRecord('m2', '{"id":"q2"}')];
  await assert.rejects(b.handler({ Records: records }, context('r2')), (e) => e.name === FAULT_ERROR_TYPE);
  assert.deepEqual(b.receipts().map((r) => [r.id, r.path, r.outcome]), [['q1', 'queue', 'error'], ['q2', 'queue', 'error']]);
});

test('a bad fault variable fails the invocation with one error naming it; unset variables are no fault', async () => {
  assert.deepEqual(readFaults({}), { errorRate: 0, preventExecution: false, latencyMs: 0, latencyShare: 1, timeoutShare: 0 });
  assert.throws(
    () => readFaults({ LAMBDASTORM_FAULT_ERROR_RATE: 'lots', LAMBDASTORM_FAULT_LATENCY_MS: '-5' }),
    (e) => /LAMBDASTORM_FAULT_ERROR_RATE=lots/.test(e.message) && /LAMBDASTORM_FAULT_LATENCY_MS=-5/.test(e.message),
  );
  const p = probe({ LAMBDASTORM_DURATION_MS: '1', LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE: '2' });
  await assert.rejects(p.handler({ id: 'x' }, context('r1')), /LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE=2/);
});
