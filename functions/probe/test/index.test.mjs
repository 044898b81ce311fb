// The deployed entry point (index.mjs, as the Lambda Node.js runtime loads it) reads the chaos fault variables from
// process.env on every invocation: the variables UpdateFunctionConfiguration sets act without a code change.
// node --test runs each file in its own process, so changing process.env here touches no other test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

test('index.handler reads LAMBDASTORM_FAULT_* from process.env on every invocation: errors, latency, timeouts', async () => {
  delete process.env.LAMBDASTORM_RECEIPTS_QUEUE;
  process.env.LAMBDASTORM_DURATION_MS = '1';
  process.env.LAMBDASTORM_RESPONSE = '{"ok":true}';
  const { handler } = await import('../index.mjs');
  const context = (remainingMs = 30_000) => ({ awsRequestId: 'req', getRemainingTimeInMillis: () => remainingMs });

  assert.deepEqual(await handler({ id: 'a' }, context()), { ok: true });

  process.env.LAMBDASTORM_FAULT_ERROR_RATE = '100%';
  process.env.LAMBDASTORM_FAULT_PREVENT_EXECUTION = 'true';
  await assert.rejects(handler({ id: 'b' }, context()), (e) => e.name === 'LambdaStormInjectedFault');
  delete process.env.LAMBDASTORM_FAULT_ERROR_RATE;
  delete process.env.LAMBDASTORM_FAULT_PREVENT_EXECUTION;

  // A lower bound only: the added 200 ms are slept, so the call cannot answer sooner (timers never fire early by more
  // than a millisecond).
  process.env.LAMBDASTORM_FAULT_LATENCY_MS = '200';
  const started = performance.now();
  assert.deepEqual(await handler({ id: 'c' }, context()), { ok: true });
  assert.ok(performance.now() - started >= 199, `answered after ${performance.now() - started} ms`);
  delete process.env.LAMBDASTORM_FAULT_LATENCY_MS;

  // A forced timeout sleeps until 250 ms before the end of the remaining time, then lets Lambda's timeout end it.
  process.env.LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE = '1';
  assert.equal(await handler({ id: 'd' }, context(300)), undefined);
  delete process.env.LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE;

  assert.deepEqual(await handler({ id: 'e' }, context()), { ok: true });
});
