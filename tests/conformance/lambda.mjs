// Conformance of the LambdaStorm emulator with AWS's own JavaScript client (@aws-sdk/client-lambda).
//
// Drives a running `lambdastorm emulator` through LambdaClient and asserts what the SDK parsed: exception classes and
// their members, HTTP status codes, executed versions and the decoded log tail. The wire facts come from
// ../shared/reference/lambda-semantics.md §2.2 and §3 (Lambda's Smithy model).
//
// Environment:
//   LAMBDASTORM_ENDPOINT             e.g. http://127.0.0.1:9001 (required)
//   LAMBDASTORM_ACCESS_KEY/SECRET_KEY static credentials (default test/test)
//   LAMBDASTORM_EXPECT_AUTH_FAILURE  "1": only check that the emulator (started with --require-auth) rejects these
//                                    credentials the way AWS does
//
// Run: node tests/conformance/lambda.mjs   (exit code 0 when every test passes)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REGION, captureRawResponses, clientOptions, expectAuthFailure, secretAccessKey } from './emulator-client.mjs';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvalidParameterValueException,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  LambdaServiceException,
  paginateListFunctions,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  RequestTooLargeException,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';

const ROLE = 'arn:aws:iam::000000000000:role/lambdastorm-conformance';
const SYNC_LIMIT = 6 * 1024 * 1024; // 6,291,456 bytes (§3)
const ASYNC_LIMIT = 1024 * 1024; // 1,048,576 bytes (§3, since Oct 2025)
// An empty zip archive (end-of-central-directory record only): the emulator accepts and ignores the code.
const EMPTY_ZIP = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);

// The raw HTTP response of the last call (wire headers alongside what the SDK parsed from them).
const raw = { last: undefined };

function makeClient(credentials) {
  const c = new LambdaClient(clientOptions({ credentials, requestTimeout: 30_000 }));
  captureRawResponses(c, raw);
  return c;
}

const client = makeClient();

function header(name) {
  const headers = raw.last?.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

const text = (payload) => (payload == null ? '' : new TextDecoder().decode(payload)); // an empty body parses as null
const bytes = (s) => new TextEncoder().encode(s);
const describeError = (e) =>
  e === undefined ? 'no error' : `${e?.name}: ${e?.message} (HTTP ${e?.$metadata?.httpStatusCode})`;

/** Awaits a call that must fail with `Class` (an SDK-exported exception) and `status`; returns the error. */
async function expectError(promise, Class, status) {
  let err;
  try {
    const out = await promise;
    assert.fail(`expected ${Class.name} (HTTP ${status}), but the call succeeded: ${JSON.stringify(out?.$metadata)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  assert.ok(err instanceof Class, `expected an instance of ${Class.name}, got ${describeError(err)}`);
  assert.equal(err.name, Class.name);
  assert.ok(err instanceof LambdaServiceException, 'service errors extend LambdaServiceException');
  assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status of ${Class.name}`);
  assert.equal(err.$fault, status >= 500 ? 'server' : 'client');
  // Wire: the exception name travels in x-amzn-ErrorType (the SDK looks there first), Type is User for 4xx.
  const errorType = header('x-amzn-ErrorType');
  assert.equal(typeof errorType, 'string', `${Class.name}: the response carries an x-amzn-ErrorType header`);
  assert.equal(errorType.split(':')[0], Class.name, 'x-amzn-ErrorType names the exception');
  assert.equal(err.Type, status >= 500 ? 'Service' : 'User', `${Class.name}: the body's Type member`);
  assert.ok(typeof err.message === 'string' && err.message.length > 0, `${Class.name} has a message`);
  assert.ok(err.$metadata.requestId, `${Class.name}: x-amzn-RequestId is set`);
  return err;
}

/** Decodes X-Amz-Log-Result and splits it into its START, END and REPORT lines. */
function parseTail(logResult) {
  assert.equal(typeof logResult, 'string', 'LogResult (X-Amz-Log-Result) is present');
  const decoded = Buffer.from(logResult, 'base64').toString('utf8');
  assert.equal(Buffer.from(decoded, 'utf8').toString('base64'), logResult, 'LogResult is base64 of UTF-8 text');
  assert.ok(Buffer.byteLength(decoded) <= 4096, 'the log tail is at most the last 4 KB');
  const lines = decoded.split('\n');
  const start = lines.find((l) => l.startsWith('START RequestId: '));
  const end = lines.find((l) => l.startsWith('END RequestId: '));
  const report = lines.find((l) => l.startsWith('REPORT RequestId: '));
  assert.ok(start, `log tail has a START line:\n${decoded}`);
  assert.ok(end, `log tail has an END line:\n${decoded}`);
  assert.ok(report, `log tail has a REPORT line:\n${decoded}`);
  const startMatch = /^START RequestId: (\S+) Version: (\S+)\s*$/.exec(start);
  assert.ok(startMatch, `START line shape: ${JSON.stringify(start)}`);
  const endMatch = /^END RequestId: (\S+)\s*$/.exec(end);
  assert.ok(endMatch, `END line shape: ${JSON.stringify(end)}`);
  const [head, ...fields] = report.split('\t');
  const requestId = /^REPORT RequestId: (\S+)$/.exec(head)?.[1];
  assert.ok(requestId, `REPORT line shape (tab-separated): ${JSON.stringify(report)}`);
  const values = {};
  for (const f of fields.map((x) => x.trim()).filter((x) => x.length > 0)) {
    const m = /^([A-Za-z ]+): ([0-9.]+) (ms|MB)$/.exec(f);
    assert.ok(m, `REPORT field shape: ${JSON.stringify(f)} in ${JSON.stringify(report)}`);
    values[m[1]] = Number(m[2]);
  }
  for (const k of ['Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used']) {
    assert.ok(Number.isFinite(values[k]), `REPORT has ${k}: ${JSON.stringify(report)}`);
  }
  assert.equal(startMatch[1], requestId, 'START and REPORT share the request id');
  assert.equal(endMatch[1], requestId, 'END and REPORT share the request id');
  assert.ok(values['Billed Duration'] >= Math.floor(values.Duration), 'Billed Duration covers Duration');
  assert.ok(values['Max Memory Used'] <= values['Memory Size'], 'Max Memory Used within Memory Size');
  return { decoded, requestId, version: startMatch[2], report: values, init: values['Init Duration'] };
}

async function invoke(input) {
  const t0 = performance.now();
  const out = await client.send(new InvokeCommand(input));
  return { out, ms: performance.now() - t0 };
}

const near = (actual, expected, tolerance, what) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);

// ------------------------------------------------------------------------------------------------------------------
if (expectAuthFailure) {
  describe('SigV4 verification (emulator started with --require-auth)', () => {
    // AWS: a known access key with a wrong signature is InvalidSignatureException; an unknown key is
    // UnrecognizedClientException. Both are 403 and not in Lambda's model, so the SDK throws its base
    // LambdaServiceException named after x-amzn-ErrorType.
    const rejected = async (call, expectedName) => {
      let err;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      assert.ok(err, 'the call was accepted, but the credentials are wrong');
      assert.ok(err instanceof LambdaServiceException, `a service error, got ${describeError(err)}`);
      assert.equal(err.name, expectedName, `expected ${expectedName}, got ${describeError(err)}`);
      assert.equal(err.$metadata?.httpStatusCode, 403);
      assert.equal(err.$fault, 'client');
      assert.equal(header('x-amzn-ErrorType')?.split(':')[0], err.name, 'x-amzn-ErrorType names the exception');
      assert.ok(err.message.length > 0);
      return err;
    };

    it('rejects a control-plane call signed with the wrong secret: InvalidSignatureException 403', async () => {
      const err = await rejected(() => client.send(new GetAccountSettingsCommand({})), 'InvalidSignatureException');
      assert.match(err.message, /signature we calculated does not match/);
    });

    it('rejects an Invoke signed with the wrong secret: InvalidSignatureException 403', async () => {
      await rejected(() => client.send(new InvokeCommand({ FunctionName: 'any-function', Payload: bytes('{}') })), 'InvalidSignatureException');
    });

    it('rejects an unknown access key: UnrecognizedClientException 403', async () => {
      const stranger = makeClient({ accessKeyId: `AKIDUNKNOWN${Date.now()}`, secretAccessKey });
      try {
        await rejected(() => stranger.send(new GetAccountSettingsCommand({})), 'UnrecognizedClientException');
      } finally {
        stranger.destroy();
      }
    });
  });

  after(() => client.destroy());
} else {
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const fn = (suffix) => `ls-conf-${runId}-${suffix}`;
  const names = {
    plain: fn('plain'), // no LAMBDASTORM_* behaviour
    behave: fn('behave'), // fixed 50 ms duration, 80 ms init, poison marker, response
    failing: fn('failing'), // 100% errors
    slow: fn('slow'), // runs past its 1 s timeout
    versioned: fn('versioned'), // versions, aliases, provisioned concurrency
    throttled: fn('throttled'), // reserved concurrency
    updating: fn('updating'), // configuration updates take 1.5 s (LAMBDASTORM_UPDATE_DURATION_MS)
  };
  const created = new Set();

  async function create(name, variables, extra = {}) {
    const out = await client.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: EMPTY_ZIP },
        MemorySize: 256,
        Timeout: 10,
        ...(variables ? { Environment: { Variables: variables } } : {}),
        ...extra,
      }),
    );
    created.add(name);
    return out;
  }

  after(async () => {
    for (const name of created) {
      try {
        await client.send(new DeleteFunctionCommand({ FunctionName: name }));
      } catch {
        // best effort: the DeleteFunction tests already removed some
      }
    }
    client.destroy();
  });

  describe('CreateFunction, GetFunction, ListFunctions', () => {
    it('creates a function without LAMBDASTORM_* behaviour', async () => {
      const out = await create(names.plain);
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.equal(out.FunctionName, names.plain);
      assert.match(out.FunctionArn, new RegExp(`^arn:aws:lambda:${REGION}:\\d{12}:function:${names.plain}$`));
      assert.equal(out.Runtime, 'nodejs22.x');
      assert.equal(out.Handler, 'index.handler');
      assert.equal(out.Role, ROLE);
      assert.equal(out.MemorySize, 256);
      assert.equal(out.Timeout, 10);
      assert.equal(out.Version, '$LATEST');
      assert.ok(['Pending', 'Active'].includes(out.State), `State: ${out.State}`);
    });

    it('creates functions whose behaviour comes from LAMBDASTORM_* variables', async () => {
      const variables = {
        LAMBDASTORM_DURATION_MS: '50',
        LAMBDASTORM_DURATION_DISTRIBUTION: 'fixed',
        LAMBDASTORM_INIT_MS: '80',
        LAMBDASTORM_POISON_MARKER: 'POISON',
        LAMBDASTORM_RESPONSE: '{"ok":true,"source":"lambdastorm"}',
        APP_SETTING: 'kept as an ordinary variable',
      };
      const out = await create(names.behave, variables);
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.deepEqual(out.Environment?.Variables, variables, 'Environment.Variables echo what was sent');

      const failing = await create(names.failing, { LAMBDASTORM_ERROR_RATE: '100%', LAMBDASTORM_DURATION_MS: '5', LAMBDASTORM_INIT_MS: '20' });
      assert.equal(failing.$metadata.httpStatusCode, 201);
      const slow = await create(
        names.slow,
        { LAMBDASTORM_DURATION_MS: '3000', LAMBDASTORM_DURATION_DISTRIBUTION: 'fixed', LAMBDASTORM_INIT_MS: '20' },
        { Timeout: 1 },
      );
      assert.equal(slow.Timeout, 1);
      await create(names.versioned, { LAMBDASTORM_DURATION_MS: '10', LAMBDASTORM_DURATION_DISTRIBUTION: 'fixed', LAMBDASTORM_INIT_MS: '30' });
      await create(names.throttled, { LAMBDASTORM_DURATION_MS: '5', LAMBDASTORM_INIT_MS: '20' });
    });

    it('rejects a second function with the same name: ResourceConflictException 409', async () => {
      await expectError(
        client.send(
          new CreateFunctionCommand({ FunctionName: names.plain, Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }),
        ),
        ResourceConflictException,
        409,
      );
    });

    it('GetFunction returns the configuration', async () => {
      const out = await client.send(new GetFunctionCommand({ FunctionName: names.behave }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.Configuration?.FunctionName, names.behave);
      assert.equal(out.Configuration?.MemorySize, 256);
      assert.equal(out.Configuration?.Environment?.Variables?.LAMBDASTORM_POISON_MARKER, 'POISON');
      assert.equal(out.Configuration?.Version, '$LATEST');
    });

    it('ListFunctions lists every function created', async () => {
      const seen = new Map();
      for await (const page of paginateListFunctions({ client }, {})) {
        assert.equal(page.$metadata.httpStatusCode, 200);
        for (const f of page.Functions ?? []) seen.set(f.FunctionName, f);
      }
      for (const name of created) {
        assert.ok(seen.has(name), `ListFunctions includes ${name}`);
      }
      assert.equal(seen.get(names.plain).MemorySize, 256);
      assert.match(seen.get(names.plain).FunctionArn, /^arn:aws:lambda:us-east-1:\d{12}:function:/);
    });
  });

  describe('Invoke: RequestResponse, Event and DryRun with LogType Tail', () => {
    it('RequestResponse: 200, ExecutedVersion, payload; the cold start reports Init Duration', async () => {
      const { out, ms } = await invoke({ FunctionName: names.behave, InvocationType: 'RequestResponse', LogType: 'Tail', Payload: bytes('{"order":1}') });
      assert.equal(out.StatusCode, 200);
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.ExecutedVersion, '$LATEST');
      assert.equal(out.FunctionError, undefined);
      assert.deepEqual(JSON.parse(text(out.Payload)), { ok: true, source: 'lambdastorm' }, 'LAMBDASTORM_RESPONSE is the body');
      const tail = parseTail(out.LogResult);
      assert.equal(tail.version, '$LATEST', 'START line names the version');
      assert.equal(tail.requestId, out.$metadata.requestId, 'x-amzn-RequestId is the invocation request id');
      assert.ok(tail.init !== undefined, `the first invocation of a fresh function reports Init Duration:\n${tail.decoded}`);
      near(tail.init, 80, 5, 'Init Duration (LAMBDASTORM_INIT_MS=80)');
      near(tail.report.Duration, 50, 5, 'Duration (LAMBDASTORM_DURATION_MS=50, fixed)');
      assert.equal(tail.report['Memory Size'], 256);
      assert.ok(tail.report['Billed Duration'] >= Math.floor(tail.report.Duration), 'billed at least the duration');
      assert.ok(ms >= 0.9 * (80 + 50), `the call took real time for init + duration (${ms.toFixed(1)} ms)`);
    });

    it('RequestResponse again, right after: warm, no Init Duration', async () => {
      const { out, ms } = await invoke({ FunctionName: names.behave, LogType: 'Tail', Payload: bytes('{"order":2}') });
      assert.equal(out.StatusCode, 200);
      assert.equal(out.ExecutedVersion, '$LATEST');
      const tail = parseTail(out.LogResult);
      assert.equal(tail.init, undefined, `a warm invocation has no Init Duration:\n${tail.decoded}`);
      near(tail.report.Duration, 50, 5, 'Duration');
      assert.ok(ms >= 0.9 * 50, `the call took real time for the duration (${ms.toFixed(1)} ms)`);
    });

    it('Event: 202, empty body, no log tail', async () => {
      const { out } = await invoke({ FunctionName: names.behave, InvocationType: 'Event', LogType: 'Tail', Payload: bytes('{"order":3}') });
      assert.equal(out.StatusCode, 202);
      assert.equal(out.$metadata.httpStatusCode, 202);
      assert.equal(out.FunctionError, undefined);
      assert.equal(out.LogResult, undefined, 'Tail applies to synchronous invocations only');
      assert.equal(text(out.Payload), '');
      assert.ok(out.$metadata.requestId, 'x-amzn-RequestId is set');
    });

    it('DryRun: 204, empty body, no log tail', async () => {
      const { out } = await invoke({ FunctionName: names.behave, InvocationType: 'DryRun', LogType: 'Tail', Payload: bytes('{}') });
      assert.equal(out.StatusCode, 204);
      assert.equal(out.$metadata.httpStatusCode, 204);
      assert.equal(out.FunctionError, undefined);
      assert.equal(out.LogResult, undefined);
      assert.equal(text(out.Payload), '');
    });

    it('a function without LAMBDASTORM_* behaviour answers 200 with JSON', async () => {
      const { out } = await invoke({ FunctionName: names.plain, LogType: 'Tail', Payload: bytes('{"hello":"world"}') });
      assert.equal(out.StatusCode, 200);
      assert.equal(out.ExecutedVersion, '$LATEST');
      assert.equal(out.FunctionError, undefined);
      const body = text(out.Payload);
      if (body.length > 0) assert.doesNotThrow(() => JSON.parse(body), `the body is JSON: ${body}`);
      const tail = parseTail(out.LogResult);
      assert.ok(tail.init !== undefined, 'first invocation: Init Duration');
      assert.equal(tail.report['Memory Size'], 256);
    });

    it('a payload containing the poison marker fails: 200 + Unhandled + error body; others succeed', async () => {
      const { out } = await invoke({ FunctionName: names.behave, LogType: 'Tail', Payload: bytes('{"order":"POISON-4"}') });
      assert.equal(out.StatusCode, 200);
      assert.equal(out.FunctionError, 'Unhandled');
      assert.equal(out.ExecutedVersion, '$LATEST');
      const body = JSON.parse(text(out.Payload));
      assert.equal(typeof body.errorType, 'string');
      assert.ok(body.errorType.length > 0);
      assert.equal(typeof body.errorMessage, 'string');
      assert.ok(Array.isArray(body.stackTrace), `stackTrace is an array: ${text(out.Payload)}`);
      parseTail(out.LogResult);

      const ok = await invoke({ FunctionName: names.behave, Payload: bytes('{"order":5}') });
      assert.equal(ok.out.FunctionError, undefined);
      assert.equal(ok.out.LogResult, undefined, 'no log tail unless LogType is Tail');
    });

    it('a function with 100% errors: every sync call is 200 + Unhandled; async calls are still accepted', async () => {
      for (let i = 0; i < 3; i++) {
        const { out } = await invoke({ FunctionName: names.failing, LogType: 'Tail', Payload: bytes(`{"i":${i}}`) });
        assert.equal(out.StatusCode, 200);
        assert.equal(out.FunctionError, 'Unhandled');
        assert.equal(out.ExecutedVersion, '$LATEST');
        const body = JSON.parse(text(out.Payload));
        assert.deepEqual(Object.keys(body).sort(), ['errorMessage', 'errorType', 'stackTrace']);
        assert.equal(typeof body.errorType, 'string');
        assert.equal(typeof body.errorMessage, 'string');
        const tail = parseTail(out.LogResult);
        assert.equal(tail.init !== undefined, i === 0, `Init Duration on the first call only (call ${i})`);
      }
      const { out } = await invoke({ FunctionName: names.failing, InvocationType: 'Event', Payload: bytes('{}') });
      assert.equal(out.StatusCode, 202);
    });

    it('a function that runs past its timeout: Unhandled Sandbox.Timedout', async () => {
      const { out, ms } = await invoke({ FunctionName: names.slow, LogType: 'Tail', Payload: bytes('{}') });
      assert.equal(out.StatusCode, 200);
      assert.equal(out.FunctionError, 'Unhandled');
      const body = JSON.parse(text(out.Payload));
      assert.equal(body.errorType, 'Sandbox.Timedout');
      assert.match(body.errorMessage, /Task timed out after 1\.00 seconds/);
      const tail = parseTail(out.LogResult);
      near(tail.report.Duration, 1000, 50, 'Duration is capped at the timeout');
      assert.ok(ms >= 900 && ms < 2900, `the call ended at the timeout, not the 3 s duration (${ms.toFixed(0)} ms)`);
    });
  });

  describe('PublishVersion, CreateAlias, Qualifier, provisioned concurrency', () => {
    it('PublishVersion and CreateAlias', async () => {
      const v = await client.send(new PublishVersionCommand({ FunctionName: names.versioned }));
      assert.equal(v.$metadata.httpStatusCode, 201);
      assert.equal(v.Version, '1');
      assert.match(v.FunctionArn, new RegExp(`:function:${names.versioned}:1$`));
      const a = await client.send(new CreateAliasCommand({ FunctionName: names.versioned, Name: 'live', FunctionVersion: '1' }));
      assert.equal(a.$metadata.httpStatusCode, 201);
      assert.equal(a.Name, 'live');
      assert.equal(a.FunctionVersion, '1');
      assert.match(a.AliasArn, new RegExp(`:function:${names.versioned}:live$`));
    });

    it('provisioned concurrency on the alias: Put 202, Get, then the first alias call is not a cold start', async () => {
      await expectError(
        client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: names.versioned, Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1 })),
        InvalidParameterValueException,
        400,
      );
      await expectError(
        client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: names.versioned, Qualifier: 'live' })),
        ProvisionedConcurrencyConfigNotFoundException,
        404,
      );
      const put = await client.send(
        new PutProvisionedConcurrencyConfigCommand({ FunctionName: names.versioned, Qualifier: 'live', ProvisionedConcurrentExecutions: 1 }),
      );
      assert.equal(put.$metadata.httpStatusCode, 202);
      assert.equal(put.RequestedProvisionedConcurrentExecutions, 1);
      assert.ok(['IN_PROGRESS', 'READY'].includes(put.Status), `Status: ${put.Status}`);
      let got;
      for (let i = 0; i < 200; i++) {
        got = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: names.versioned, Qualifier: 'live' }));
        if (got.Status === 'READY') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(got.Status, 'READY', 'one provisioned environment is ready within 10 s (ramp 6,000/min)');
      assert.equal(got.RequestedProvisionedConcurrentExecutions, 1);
      assert.equal(got.AllocatedProvisionedConcurrentExecutions, 1);

      const { out } = await invoke({ FunctionName: names.versioned, Qualifier: 'live', LogType: 'Tail', Payload: bytes('{}') });
      assert.equal(out.StatusCode, 200);
      assert.equal(out.ExecutedVersion, '1', 'the alias resolves to version 1');
      const tail = parseTail(out.LogResult);
      assert.equal(tail.version, '1', 'START line names version 1');
      assert.equal(tail.init, undefined, `a provisioned environment was initialised ahead of time:\n${tail.decoded}`);

      const del = await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: names.versioned, Qualifier: 'live' }));
      assert.equal(del.$metadata.httpStatusCode, 204);
    });

    it('Invoke with Qualifier: alias, name:alias, version and $LATEST', async () => {
      const byAlias = await invoke({ FunctionName: names.versioned, Qualifier: 'live', LogType: 'Tail', Payload: bytes('{}') });
      assert.equal(byAlias.out.ExecutedVersion, '1');
      assert.equal(parseTail(byAlias.out.LogResult).version, '1');
      const byName = await invoke({ FunctionName: `${names.versioned}:live`, Payload: bytes('{}') });
      assert.equal(byName.out.ExecutedVersion, '1');
      const byVersion = await invoke({ FunctionName: names.versioned, Qualifier: '1', Payload: bytes('{}') });
      assert.equal(byVersion.out.ExecutedVersion, '1');
      const latest = await invoke({ FunctionName: names.versioned, Qualifier: '$LATEST', LogType: 'Tail', Payload: bytes('{}') });
      assert.equal(latest.out.ExecutedVersion, '$LATEST');
      assert.equal(parseTail(latest.out.LogResult).version, '$LATEST');
    });

    it('UpdateFunctionConfiguration changes $LATEST only; the published version keeps its behaviour', async () => {
      const upd = await client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: names.versioned,
          MemorySize: 512,
          Environment: { Variables: { LAMBDASTORM_ERROR_RATE: '100%', LAMBDASTORM_DURATION_MS: '10', LAMBDASTORM_INIT_MS: '30' } },
        }),
      );
      assert.equal(upd.$metadata.httpStatusCode, 200);
      assert.equal(upd.MemorySize, 512);
      assert.equal(upd.Environment?.Variables?.LAMBDASTORM_ERROR_RATE, '100%');
      const got = await client.send(new GetFunctionCommand({ FunctionName: names.versioned }));
      assert.equal(got.Configuration?.MemorySize, 512);

      const latest = await invoke({ FunctionName: names.versioned, LogType: 'Tail', Payload: bytes('{}') });
      assert.equal(latest.out.FunctionError, 'Unhandled', 'the new LAMBDASTORM_ERROR_RATE applies to $LATEST');
      const tail = parseTail(latest.out.LogResult);
      assert.equal(tail.report['Memory Size'], 512, 'REPORT shows the new memory size');
      assert.ok(tail.init !== undefined, 'after a configuration update $LATEST runs in a new environment (cold start)');

      const live = await invoke({ FunctionName: names.versioned, Qualifier: 'live', LogType: 'Tail', Payload: bytes('{}') });
      assert.equal(live.out.FunctionError, undefined, 'version 1 is immutable');
      assert.equal(live.out.ExecutedVersion, '1');
      assert.equal(parseTail(live.out.LogResult).report['Memory Size'], 256);
    });
  });

  describe('Reserved concurrency and account settings', () => {
    let baseline;

    it('GetAccountSettings: account limit 1000 and the unreserved pool', async () => {
      const out = await client.send(new GetAccountSettingsCommand({}));
      baseline = out.AccountLimit?.UnreservedConcurrentExecutions;
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.AccountLimit?.ConcurrentExecutions, 1000);
      assert.equal(typeof baseline, 'number');
      assert.ok(baseline >= 100 && baseline <= 1000, `UnreservedConcurrentExecutions: ${baseline}`);
      assert.equal(typeof out.AccountUsage?.FunctionCount, 'number');
      assert.ok(out.AccountUsage.FunctionCount >= created.size, `FunctionCount ${out.AccountUsage.FunctionCount} counts ours`);
    });

    it('PutFunctionConcurrency 0: sync Invoke throttled with ReservedFunctionConcurrentInvocationLimitExceeded', async () => {
      const put = await client.send(new PutFunctionConcurrencyCommand({ FunctionName: names.throttled, ReservedConcurrentExecutions: 0 }));
      assert.equal(put.$metadata.httpStatusCode, 200);
      assert.equal(put.ReservedConcurrentExecutions, 0);
      const got = await client.send(new GetFunctionConcurrencyCommand({ FunctionName: names.throttled }));
      assert.equal(got.ReservedConcurrentExecutions, 0);
      const fnInfo = await client.send(new GetFunctionCommand({ FunctionName: names.throttled }));
      assert.equal(fnInfo.Concurrency?.ReservedConcurrentExecutions, 0, 'GetFunction reports the reservation');

      const err = await expectError(
        client.send(new InvokeCommand({ FunctionName: names.throttled, LogType: 'Tail', Payload: bytes('{}') })),
        TooManyRequestsException,
        429,
      );
      assert.equal(err.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      assert.equal(typeof err.retryAfterSeconds, 'string', 'Retry-After header → retryAfterSeconds');
      assert.ok(Number.isFinite(Number(err.retryAfterSeconds)) && Number(err.retryAfterSeconds) >= 0, `Retry-After: ${err.retryAfterSeconds}`);
      assert.equal(header('Retry-After'), err.retryAfterSeconds);

      const event = await invoke({ FunctionName: names.throttled, InvocationType: 'Event', Payload: bytes('{}') });
      assert.equal(event.out.StatusCode, 202, 'async events are queued (202) even at reserved 0; throttling happens later');
    });

    it('DeleteFunctionConcurrency: 204, and Invoke works again', async () => {
      const del = await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: names.throttled }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      const got = await client.send(new GetFunctionConcurrencyCommand({ FunctionName: names.throttled }));
      assert.equal(got.ReservedConcurrentExecutions, undefined);
      const { out } = await invoke({ FunctionName: names.throttled, Payload: bytes('{}') });
      assert.equal(out.StatusCode, 200);
      assert.equal(out.FunctionError, undefined);
    });

    it('a reservation comes out of UnreservedConcurrentExecutions, and back on delete', async () => {
      await client.send(new PutFunctionConcurrencyCommand({ FunctionName: names.throttled, ReservedConcurrentExecutions: 100 }));
      try {
        const during = await client.send(new GetAccountSettingsCommand({}));
        assert.equal(during.AccountLimit?.UnreservedConcurrentExecutions, baseline - 100);
      } finally {
        await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: names.throttled }));
      }
      const afterwards = await client.send(new GetAccountSettingsCommand({}));
      assert.equal(afterwards.AccountLimit?.UnreservedConcurrentExecutions, baseline);
    });

    it('PutFunctionConcurrency 950 leaves < 100 unreserved: InvalidParameterValueException 400', async () => {
      const err = await expectError(
        client.send(new PutFunctionConcurrencyCommand({ FunctionName: names.throttled, ReservedConcurrentExecutions: 950 })),
        InvalidParameterValueException,
        400,
      );
      assert.match(err.message, /UnreservedConcurrentExecution below its minimum value of \[100\]/);
      const got = await client.send(new GetFunctionConcurrencyCommand({ FunctionName: names.throttled }));
      assert.equal(got.ReservedConcurrentExecutions, undefined, 'the rejected reservation was not applied');
    });
  });

  describe('PutFunctionEventInvokeConfig and GetFunctionEventInvokeConfig', () => {
    it('stores and returns the async settings', async () => {
      const put = await client.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: names.failing, MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 }),
      );
      assert.equal(put.$metadata.httpStatusCode, 200);
      assert.equal(put.MaximumRetryAttempts, 0);
      assert.equal(put.MaximumEventAgeInSeconds, 60);
      assert.match(put.FunctionArn ?? '', new RegExp(`:function:${names.failing}`));
      assert.ok(put.LastModified instanceof Date, 'LastModified is parsed as a timestamp');
      const got = await client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: names.failing }));
      assert.equal(got.MaximumRetryAttempts, 0);
      assert.equal(got.MaximumEventAgeInSeconds, 60);
    });
  });

  describe('UpdateFunctionConfiguration in progress (LastUpdateStatus, the FunctionUpdatedV2 waiter)', () => {
    it('answers InProgress, refuses a second update and PublishVersion meanwhile, and the SDK waiter sees it land', async () => {
      await create(names.updating, { LAMBDASTORM_UPDATE_DURATION_MS: '1500', LAMBDASTORM_DURATION_MS: '5' });
      const update = await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: names.updating, Timeout: 9 }));
      assert.equal(update.$metadata.httpStatusCode, 200);
      assert.equal(update.LastUpdateStatus, 'InProgress');
      assert.equal(update.Timeout, 9, 'the response shows the new configuration');

      const conflict = await expectError(
        client.send(new UpdateFunctionConfigurationCommand({ FunctionName: names.updating, Timeout: 11 })),
        ResourceConflictException,
        409,
      );
      assert.match(conflict.message, new RegExp(`^The operation cannot be performed at this time\\. An update is in progress for resource: arn:aws:lambda:${REGION}:\\d{12}:function:${names.updating}$`));
      await expectError(client.send(new PublishVersionCommand({ FunctionName: names.updating })), ResourceConflictException, 409);

      const waited = await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 30 }, { FunctionName: names.updating });
      assert.equal(waited.state, 'SUCCESS');
      const after = await client.send(new GetFunctionCommand({ FunctionName: names.updating }));
      assert.equal(after.Configuration?.LastUpdateStatus, 'Successful');
      assert.equal(after.Configuration?.Timeout, 9);
      assert.equal(after.Configuration?.Environment?.Variables?.LAMBDASTORM_UPDATE_DURATION_MS, '1500');
    });
  });

  describe('Service errors', () => {
    it('unknown function: ResourceNotFoundException 404 (Invoke, GetFunction, unknown qualifier)', async () => {
      const missing = fn('missing');
      const err = await expectError(
        client.send(new InvokeCommand({ FunctionName: missing, Payload: bytes('{}') })),
        ResourceNotFoundException,
        404,
      );
      assert.match(err.message, new RegExp(`Function not found: arn:aws:lambda:${REGION}:\\d{12}:function:${missing}`));
      await expectError(client.send(new GetFunctionCommand({ FunctionName: missing })), ResourceNotFoundException, 404);
      await expectError(
        client.send(new InvokeCommand({ FunctionName: names.plain, Qualifier: '99', Payload: bytes('{}') })),
        ResourceNotFoundException,
        404,
      );
      await expectError(
        client.send(new InvokeCommand({ FunctionName: missing, InvocationType: 'Event', Payload: bytes('{}') })),
        ResourceNotFoundException,
        404,
      );
    });

    it('invalid JSON payload: InvalidRequestContentException 400', async () => {
      await expectError(
        client.send(new InvokeCommand({ FunctionName: names.plain, Payload: bytes('{"broken": ') })),
        InvalidRequestContentException,
        400,
      );
    });

    it('payload over 6 MB sync / 1 MB async: RequestTooLargeException 413; under the limits accepted', async () => {
      const payload = (size) => bytes(`{"pad":"${'x'.repeat(size - 10)}"}`);
      const bigSync = payload(SYNC_LIMIT + 1024);
      assert.ok(bigSync.length > SYNC_LIMIT);
      await expectError(client.send(new InvokeCommand({ FunctionName: names.plain, Payload: bigSync })), RequestTooLargeException, 413);

      const overAsync = payload(ASYNC_LIMIT + 1024);
      assert.ok(overAsync.length > ASYNC_LIMIT && overAsync.length < SYNC_LIMIT);
      await expectError(
        client.send(new InvokeCommand({ FunctionName: names.plain, InvocationType: 'Event', Payload: overAsync })),
        RequestTooLargeException,
        413,
      );
      const sync = await invoke({ FunctionName: names.plain, Payload: overAsync });
      assert.equal(sync.out.StatusCode, 200, 'between 1 MB and 6 MB a sync invocation is accepted');

      const underAsync = payload(ASYNC_LIMIT - 1024);
      const event = await invoke({ FunctionName: names.plain, InvocationType: 'Event', Payload: underAsync });
      assert.equal(event.out.StatusCode, 202, 'under 1 MB an async invocation is accepted');
    });
  });

  describe('DeleteFunction', () => {
    it('deletes; then Invoke and GetFunction fail with ResourceNotFoundException', async () => {
      const del = await client.send(new DeleteFunctionCommand({ FunctionName: names.plain }));
      assert.ok([200, 204].includes(del.$metadata.httpStatusCode), `DeleteFunction status ${del.$metadata.httpStatusCode}`);
      created.delete(names.plain);
      await expectError(client.send(new InvokeCommand({ FunctionName: names.plain, Payload: bytes('{}') })), ResourceNotFoundException, 404);
      await expectError(client.send(new GetFunctionCommand({ FunctionName: names.plain })), ResourceNotFoundException, 404);
      await expectError(client.send(new DeleteFunctionCommand({ FunctionName: names.plain })), ResourceNotFoundException, 404);
    });
  });
}
