// LambdaStorm probe: the handler logic, free of AWS clients so that tests can drive it with an injected SQS client.
// index.mjs wires it to the real @aws-sdk/client-sqs that the Lambda Node.js runtime ships.
//
// Behaviour comes from the same LAMBDASTORM_* environment variables the emulator reads (docs/lambda-model.md):
//   LAMBDASTORM_DURATION_MS, LAMBDASTORM_DURATION_P99_MS, LAMBDASTORM_DURATION_DISTRIBUTION (fixed|lognormal|uniform),
//   LAMBDASTORM_EXTRA_LATENCY_MS, LAMBDASTORM_ERROR_RATE (0.05 or 5%), LAMBDASTORM_POISON_MARKER,
//   LAMBDASTORM_RESPONSE, LAMBDASTORM_RECEIPTS_QUEUE (queue URL), LAMBDASTORM_BATCH_RESPONSE
//   (auto|partial|throw|invalid-json|unknown-id|empty-id), LAMBDASTORM_INIT_MS (read by index.mjs at init).
// Variables that describe the platform rather than the code (CPU share, reference memory, downstream limit,
// duplicate delivery) are the real Lambda's business here and are ignored.
//
// Chaos faults (docs/chaos.md) come from LAMBDASTORM_FAULT_* and are read on every invocation, the way failure-lambda
// reads its configuration and exactly as the emulator's model does (FunctionFaults.cs): LAMBDASTORM_FAULT_ERROR_RATE
// (a share of invocations fail with errorType LambdaStormInjectedFault), LAMBDASTORM_FAULT_PREVENT_EXECUTION (true:
// they fail at once, without the simulated work), LAMBDASTORM_FAULT_LATENCY_MS with LAMBDASTORM_FAULT_LATENCY_PERCENTAGE
// (added latency for a share, default all) and LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE (a share runs into the function's
// timeout). LAMBDASTORM_FAULT_DOWNSTREAM_LIMIT is a limit on the function's concurrency, which one execution
// environment cannot see: LambdaStorm refuses downstream-limit on aws functions, and the probe ignores it.

/** The receipt JSON the emulator writes too (CONTRACTS-queue.md §2); one per attempt. */
export function receipt({ id, attempt, requestId, path, outcome, coldStart, messageId, startedAt, finishedAt }) {
  return {
    id,
    attempt,
    requestId,
    path,
    outcome,
    coldStart,
    messageId: messageId ?? null,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
  };
}

const BATCH_MODES = ['auto', 'partial', 'throw', 'invalid-json', 'unknown-id', 'empty-id'];
const DISTRIBUTIONS = ['fixed', 'lognormal', 'uniform'];
const Z99 = 2.3263478740408408;

/** Parses a share: 0.3 or 30%; pushes a problem and returns the fallback when it is not one. */
function share(env, name, fallback, problems) {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const t = text.trim();
  const percent = t.endsWith('%');
  const value = Number(percent ? t.slice(0, -1) : t) / (percent ? 100 : 1);
  if (t === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    problems.push(`${name}=${text} must be a number between 0 and 1, or a percentage such as 5%`);
    return fallback;
  }
  return value;
}

/** Error type of an injected fault: the emulator's FunctionFaults.ErrorType. */
export const FAULT_ERROR_TYPE = 'LambdaStormInjectedFault';

/**
 * Reads the chaos fault variables (LAMBDASTORM_FAULT_*) as the emulator's model does; called on every invocation, so a
 * fault set or removed with UpdateFunctionConfiguration acts on the next invocation that sees the new environment.
 * Throws one Error naming every bad value.
 */
export function readFaults(env) {
  const problems = [];
  let latencyMs = 0;
  const latencyText = env.LAMBDASTORM_FAULT_LATENCY_MS;
  if (latencyText !== undefined && latencyText !== '') {
    latencyMs = Number(latencyText.trim());
    if (latencyText.trim() === '' || !Number.isFinite(latencyMs) || latencyMs < 0) {
      problems.push(`LAMBDASTORM_FAULT_LATENCY_MS=${latencyText} must be a number of milliseconds`);
      latencyMs = 0;
    }
  }
  const faults = {
    errorRate: share(env, 'LAMBDASTORM_FAULT_ERROR_RATE', 0, problems),
    preventExecution: (env.LAMBDASTORM_FAULT_PREVENT_EXECUTION ?? '').trim().toLowerCase() === 'true',
    latencyMs,
    latencyShare: share(env, 'LAMBDASTORM_FAULT_LATENCY_PERCENTAGE', 1, problems),
    timeoutShare: share(env, 'LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE', 0, problems),
  };
  if (problems.length > 0) {
    throw new Error(`LambdaStorm probe fault variables: ${problems.join('; ')}`);
  }
  return faults;
}

/**
 * Draws one invocation's faults in the model's order (LambdaModel.StartExecution): the error, then the timeout, then the
 * added latency; a draw is made only while its fault is set.
 */
export function drawFaults(faults, random) {
  const error = faults.errorRate > 0 && random() < faults.errorRate;
  const timeout = faults.timeoutShare > 0 && random() < faults.timeoutShare;
  const latencyMs = faults.latencyMs > 0 && (faults.latencyShare >= 1 || random() < faults.latencyShare) ? faults.latencyMs : 0;
  return {
    error,
    // preventExecution: the error comes back at once, without the handler's work (and so without its timeout).
    prevent: error && faults.preventExecution,
    timeout: timeout && !(error && faults.preventExecution),
    latencyMs,
    rate: faults.errorRate,
  };
}

/** Reads and checks the probe's configuration; throws one Error naming every bad variable. */
export function readConfig(env) {
  const problems = [];
  const number = (name, fallback, min = 0) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text.trim());
    if (!Number.isFinite(value) || value < min) {
      problems.push(`${name}=${text} must be a number >= ${min}`);
      return fallback;
    }
    return value;
  };
  const fraction = (name) => share(env, name, 0, problems);

  const durationMs = number('LAMBDASTORM_DURATION_MS', 100);
  const p99 = number('LAMBDASTORM_DURATION_P99_MS', undefined);
  let kind = env.LAMBDASTORM_DURATION_DISTRIBUTION?.trim() || (p99 === undefined ? 'fixed' : 'lognormal');
  if (!DISTRIBUTIONS.includes(kind)) {
    problems.push(`LAMBDASTORM_DURATION_DISTRIBUTION=${kind} must be fixed, lognormal or uniform`);
    kind = 'fixed';
  }
  let distribution = { kind: 'fixed', a: durationMs, b: 0 };
  if (p99 !== undefined && kind !== 'fixed' && p99 !== durationMs) {
    if (p99 < durationMs) {
      problems.push(`LAMBDASTORM_DURATION_P99_MS (${p99}) must not be below LAMBDASTORM_DURATION_MS (${durationMs})`);
    } else if (kind === 'lognormal') {
      // The emulator's fit (Distribution.TryFromMeanP99): mean = exp(mu + s^2/2), p99 = exp(mu + z s).
      const discriminant = Z99 * Z99 - 2 * Math.log(p99 / durationMs);
      if (discriminant < 0 || durationMs <= 0) {
        problems.push(`a log-normal with mean ${durationMs} ms cannot have a P99 of ${p99} ms`);
      } else {
        const sigma = Z99 - Math.sqrt(discriminant);
        distribution = { kind, a: Math.log(durationMs) - (sigma * sigma) / 2, b: sigma };
      }
    } else {
      const width = (p99 - durationMs) / 0.49;
      const low = durationMs - width / 2;
      if (low < 0) problems.push(`a uniform distribution with mean ${durationMs} ms cannot have a P99 of ${p99} ms`);
      else distribution = { kind, a: low, b: low + width };
    }
  }

  let batchResponse = env.LAMBDASTORM_BATCH_RESPONSE?.trim() || 'auto';
  if (!BATCH_MODES.includes(batchResponse)) {
    problems.push(`LAMBDASTORM_BATCH_RESPONSE=${batchResponse} must be one of ${BATCH_MODES.join(', ')}`);
    batchResponse = 'auto';
  }

  const config = {
    distribution,
    extraLatencyMs: number('LAMBDASTORM_EXTRA_LATENCY_MS', 0),
    errorRate: fraction('LAMBDASTORM_ERROR_RATE'),
    poisonMarker: env.LAMBDASTORM_POISON_MARKER || null,
    response: env.LAMBDASTORM_RESPONSE ?? 'null',
    receiptsQueue: env.LAMBDASTORM_RECEIPTS_QUEUE || null,
    batchResponse,
  };
  if (problems.length > 0) {
    throw new Error(`LambdaStorm probe configuration: ${problems.join('; ')}`);
  }
  return config;
}

/** Draws one simulated duration in ms from the configured distribution, plus the fixed extra latency. */
export function sampleDurationMs(config, random) {
  const { kind, a, b } = config.distribution;
  let ms = a;
  if (kind === 'lognormal') {
    const u1 = 1 - random();
    const u2 = random();
    ms = Math.exp(a + b * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  } else if (kind === 'uniform') {
    ms = a + (b - a) * random();
  }
  return Math.max(0, ms) + config.extraLatencyMs;
}

/** The invocation id of a queue record: message attribute LambdaStormId, else the body's top-level "id". */
export function recordId(record) {
  const attribute = record.messageAttributes?.LambdaStormId;
  const fromAttribute = attribute?.stringValue ?? attribute?.StringValue;
  if (typeof fromAttribute === 'string' && fromAttribute !== '') return fromAttribute;
  return payloadId(record.body);
}

/** The top-level "id" of a JSON payload (text or already parsed), or null. */
export function payloadId(payload) {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.id === 'string' && value.id !== ''
    ? value.id
    : null;
}

/** True for an SQS event source mapping's batch event. */
export function isSqsBatch(event) {
  return Array.isArray(event?.Records) && event.Records.length > 0 && event.Records.every((r) => r?.eventSource === 'aws:sqs');
}

/** A function error as the Lambda runtime reports a thrown Error (errorType = name). */
export class ProbeError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LambdaStormSimulatedError';
  }
}

/** A chaos fault (LAMBDASTORM_FAULT_ERROR_RATE), with the emulator's error type. */
export class InjectedFault extends Error {
  constructor(rate) {
    super(`Injected fault (LAMBDASTORM_FAULT_ERROR_RATE ${rate})`);
    this.name = FAULT_ERROR_TYPE;
  }
}

/** Ends the attempt before Lambda's own timeout so that the receipt can still be sent. */
const TIMEOUT_MARGIN_MS = 250;

/**
 * Builds a handler. deps: { env, sqs: { send(command) }, commands: { SendMessageBatchCommand }, now(), random(),
 * sleep(ms), log(...) }. `sqs` may be null when no receipts queue is configured.
 */
export function createHandler(deps) {
  const config = readConfig(deps.env);
  const now = deps.now ?? (() => Date.now());
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const log = deps.log ?? ((...args) => console.error(...args));
  if (config.receiptsQueue && !deps.sqs) {
    throw new Error('LambdaStorm probe: LAMBDASTORM_RECEIPTS_QUEUE is set but no SQS client was given');
  }

  let coldStart = true;
  // Async retries keep their request id; an environment that sees the same id again counts the attempt.
  const seen = new Map();

  /**
   * Sleeps the simulated duration (plus a fault's added latency), or until just before the timeout. Returns true when
   * the attempt timed out. A fault that prevents execution does no work; a forced timeout runs into it.
   */
  async function work(context, fault) {
    if (fault.prevent) return false;
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity;
    const planned = fault.timeout ? remaining : sampleDurationMs(config, random) + fault.latencyMs;
    if (planned >= remaining - TIMEOUT_MARGIN_MS) {
      await sleep(Number.isFinite(remaining) ? Math.max(0, remaining - TIMEOUT_MARGIN_MS) : 0);
      return true;
    }
    await sleep(planned);
    return false;
  }

  function fails(text) {
    if (config.poisonMarker !== null && text.includes(config.poisonMarker)) return 'poison';
    if (config.errorRate > 0 && random() < config.errorRate) return 'error';
    return null;
  }

  async function sendReceipts(receipts) {
    if (!config.receiptsQueue || receipts.length === 0) return;
    const { SendMessageBatchCommand } = deps.commands;
    for (let i = 0; i < receipts.length; i += 10) {
      let entries = receipts.slice(i, i + 10).map((r, k) => ({ Id: String(k), MessageBody: JSON.stringify(r) }));
      let lastError = null;
      // One retry for entries SQS reports as failed (or a failed call); what still fails is logged, never hidden.
      for (let round = 0; round < 2 && entries.length > 0; round++) {
        try {
          const out = await deps.sqs.send(new SendMessageBatchCommand({ QueueUrl: config.receiptsQueue, Entries: entries }));
          const failed = new Set((out?.Failed ?? []).map((f) => f.Id));
          entries = entries.filter((e) => failed.has(e.Id));
          lastError = null;
        } catch (err) {
          lastError = err;
        }
      }
      if (entries.length > 0) {
        const why = lastError ? `${lastError.name}: ${lastError.message}` : 'SQS reported them as failed';
        log(`LambdaStorm probe: ${entries.length} receipts were not sent to ${config.receiptsQueue} (${why})`);
      }
    }
  }

  async function direct(event, context, wasCold, startedAt) {
    const requestId = context?.awsRequestId ?? null;
    const attempt = (seen.get(requestId) ?? 0) + 1;
    if (requestId !== null) seen.set(requestId, attempt);
    const text = typeof event === 'string' ? event : JSON.stringify(event ?? null);
    const fault = drawFaults(readFaults(deps.env), random);
    const timedOut = await work(context, fault);
    const failure = timedOut ? null : fault.error ? 'fault' : fails(text);
    const outcome = timedOut ? 'timeout' : failure ? 'error' : 'ok';
    const id = payloadId(event);
    const declared = event?.path;
    const path = declared === 'sync' || declared === 'async' ? declared : 'sync';
    if (id !== null) {
      await sendReceipts([receipt({ id, attempt, requestId, path, outcome, coldStart: wasCold, messageId: null, startedAt, finishedAt: now() })]);
    }
    if (timedOut) {
      // Let Lambda's own timeout end the attempt, as a real overrun would.
      await sleep(TIMEOUT_MARGIN_MS * 4);
      return undefined;
    }
    if (failure === 'fault') {
      throw new InjectedFault(fault.rate);
    }
    if (failure) {
      throw new ProbeError(failure === 'poison' ? `poison pill: the payload contains ${config.poisonMarker}` : 'simulated error (LAMBDASTORM_ERROR_RATE)');
    }
    try {
      return JSON.parse(config.response);
    } catch {
      return config.response;
    }
  }

  async function batch(event, context, wasCold, startedAt) {
    const requestId = context?.awsRequestId ?? null;
    const fault = drawFaults(readFaults(deps.env), random);
    const timedOut = await work(context, fault);
    // An injected fault fails the whole batch, as the model's does (the batch handler does not run).
    const results = event.Records.map((record) => ({
      record,
      failure: timedOut ? 'timeout' : fault.error ? 'fault' : fails(typeof record.body === 'string' ? record.body : JSON.stringify(record.body ?? null)),
    }));
    const failed = results.filter((r) => r.failure !== null);
    const mode = config.batchResponse;

    // What the function returns, and so whether the batch failed as a whole from the queue's point of view.
    let response;
    let wholeBatchFails = timedOut;
    let thrown = null;
    if (!timedOut) {
      if (fault.error) {
        thrown = new InjectedFault(fault.rate);
        wholeBatchFails = true;
      } else if (mode === 'invalid-json') {
        response = 'LambdaStorm probe: not a batch response {';
        wholeBatchFails = true;
      } else if (failed.length > 0 && mode === 'throw') {
        thrown = new ProbeError(`${failed.length} of ${results.length} records failed`);
        wholeBatchFails = true;
      } else if (failed.length > 0 && mode === 'unknown-id') {
        response = { batchItemFailures: failed.map((f) => ({ itemIdentifier: `unknown-${f.record.messageId}` })) };
        wholeBatchFails = true;
      } else if (failed.length > 0 && mode === 'empty-id') {
        response = { batchItemFailures: failed.map(() => ({ itemIdentifier: '' })) };
        wholeBatchFails = true;
      } else {
        // auto and partial: report the failed items. A probe cannot see its mapping; its template turns on
        // ReportBatchItemFailures, without which this response would silently delete the failed records.
        response = { batchItemFailures: failed.map((f) => ({ itemIdentifier: f.record.messageId })) };
      }
    }

    const finishedAt = now();
    const receipts = [];
    for (const { record, failure } of results) {
      const id = recordId(record);
      if (id === null) continue;
      const outcome = failure === 'timeout' ? 'timeout' : failure !== null || wholeBatchFails ? 'error' : 'ok';
      const count = Number(record.attributes?.ApproximateReceiveCount);
      receipts.push(receipt({
        id,
        attempt: Number.isInteger(count) && count > 0 ? count : 1,
        requestId,
        path: 'queue',
        outcome,
        coldStart: wasCold,
        messageId: record.messageId ?? null,
        startedAt,
        finishedAt,
      }));
    }
    await sendReceipts(receipts);
    if (timedOut) {
      await sleep(TIMEOUT_MARGIN_MS * 4);
      return undefined;
    }
    if (thrown) throw thrown;
    return response;
  }

  return async function handler(event, context) {
    const startedAt = now();
    const wasCold = coldStart;
    coldStart = false;
    return isSqsBatch(event) ? batch(event, context, wasCold, startedAt) : direct(event, context, wasCold, startedAt);
  };
}
