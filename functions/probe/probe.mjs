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
  const fraction = (name) => {
    const text = env[name];
    if (text === undefined || text === '') return 0;
    const t = text.trim();
    const percent = t.endsWith('%');
    const value = Number(percent ? t.slice(0, -1) : t) / (percent ? 100 : 1);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      problems.push(`${name}=${text} must be a number between 0 and 1, or a percentage such as 5%`);
      return 0;
    }
    return value;
  };

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

  /** Sleeps the simulated duration, or until just before the timeout. Returns true when the attempt timed out. */
  async function work(context) {
    const planned = sampleDurationMs(config, random);
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity;
    if (planned >= remaining - TIMEOUT_MARGIN_MS) {
      await sleep(Math.max(0, remaining - TIMEOUT_MARGIN_MS));
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
    const timedOut = await work(context);
    const failure = timedOut ? null : fails(text);
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
    const timedOut = await work(context);
    const results = event.Records.map((record) => ({
      record,
      failure: timedOut ? 'timeout' : fails(typeof record.body === 'string' ? record.body : JSON.stringify(record.body ?? null)),
    }));
    const failed = results.filter((r) => r.failure !== null);
    const mode = config.batchResponse;

    // What the function returns, and so whether the batch failed as a whole from the queue's point of view.
    let response;
    let wholeBatchFails = timedOut;
    let thrown = null;
    if (!timedOut) {
      if (mode === 'invalid-json') {
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
