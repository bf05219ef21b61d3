/**
 * Temporal's failure converter with encodeCommonAttributes: a failure's message and stack trace
 * travel as a payload (`encodedAttributes`), which the payload codec encrypts like any other, so
 * history shows "Encoded failure" instead of, say, a Prisma error quoting a patient's value. The
 * codec server decrypts them for operators in the Web UI. Loaded by path (the SDK requires a
 * module with a `failureConverter` export): by the client, the worker, and inside the workflow
 * sandbox (the bundler includes it), so workflow and activity failures are both covered.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
