// Shared setup of the conformance scripts (lambda.mjs, sqs.mjs, esm.mjs): where the emulator is, which static
// credentials to sign with, and AWS SDK v3 client options that make every call visible (no retries, bounded
// timeouts). Not a test file itself.
//
//   LAMBDASTORM_ENDPOINT               the running emulator, e.g. http://127.0.0.1:9001 (required)
//   LAMBDASTORM_ACCESS_KEY/SECRET_KEY  static credentials (default test/test)
//   LAMBDASTORM_EXPECT_AUTH_FAILURE=1  the emulator runs with --require-auth and other keys: the scripts check that
//                                      the calls are refused the way AWS refuses them

export const endpoint = process.env.LAMBDASTORM_ENDPOINT;
if (!endpoint) {
  console.error('LAMBDASTORM_ENDPOINT is not set (e.g. http://127.0.0.1:9001 of a running `lambdastorm emulator`)');
  process.exit(2);
}

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const accessKeyId = process.env.LAMBDASTORM_ACCESS_KEY || 'test';
export const secretAccessKey = process.env.LAMBDASTORM_SECRET_KEY || 'test';
export const expectAuthFailure = process.env.LAMBDASTORM_EXPECT_AUTH_FAILURE === '1';

/** The URL of a queue of the emulator, as its GetQueueUrl answers it. */
export const queueUrl = (name) => `${endpoint.replace(/\/$/, '')}/${ACCOUNT}/${name}`;

/** Options for any @aws-sdk client of the emulator: one attempt (no retries hide a failure) and bounded timeouts. */
export function clientOptions({ credentials = { accessKeyId, secretAccessKey }, requestTimeout = 60_000 } = {}) {
  return { region: REGION, endpoint, credentials, maxAttempts: 1, requestHandler: { connectionTimeout: 5_000, requestTimeout } };
}

/**
 * Captures the raw HTTP response of each call under the SDK's deserializer, so that wire headers (x-amzn-ErrorType,
 * x-amzn-query-error, Retry-After, x-amzn-RequestId) can be checked alongside what the SDK parsed from them.
 * Returns `captured` (a new object by default; pass one to share it among clients), whose `last` is the raw response of
 * the latest call.
 */
export function captureRawResponses(client, captured = { last: undefined }) {
  client.middlewareStack.add(
    (next) => async (args) => {
      captured.last = undefined;
      const result = await next(args);
      captured.last = result.response;
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'lambdastormCaptureRawResponse' },
  );
  return captured;
}
