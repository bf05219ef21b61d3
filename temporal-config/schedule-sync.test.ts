/**
 * applySchedule against the dev server when describing a Schedule times out, as it does just after
 * the Schedule was created by another writer or the server restarted (DEADLINE_EXCEEDED). The
 * fault is injected by a gRPC interceptor on the client's connection: the server answers each
 * DescribeSchedule for real, and the first ones reach the caller as time-outs.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { InterceptingCall, type Interceptor, status } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, isGrpcDeadlineError, makeGrpcRetryInterceptor } from '@temporalio/client';
import { testConfig } from '../test/support/config';
import { devServerAddress } from '../test/support/temporal';
import { createDataConverter } from './data-converter';
import { paymentReminderSchedule } from './payment-reminder-schedule';
import { applySchedule, DEADLINE_ATTEMPTS } from './schedule-sync';

/** How many DescribeSchedule answers still turn into time-outs, and how many were asked. */
const fault = { timeOuts: 0, describes: 0 };

const describeTimesOut: Interceptor = (options, nextCall) => {
  if (!options.method_definition.path.endsWith('/DescribeSchedule')) return new InterceptingCall(nextCall(options));
  fault.describes++;
  if (fault.timeOuts <= 0) return new InterceptingCall(nextCall(options));
  fault.timeOuts--;
  return new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      next(metadata, { onReceiveStatus: (s, nextStatus) => nextStatus({ ...s, code: status.DEADLINE_EXCEEDED, details: 'context deadline exceeded' }) });
    },
  });
};

let connection: Connection;
let client: Client;
const made: string[] = [];

before(async () => {
  const config = testConfig();
  // The SDK's own retries first (they do not retry deadlines), then the fault.
  connection = await Connection.connect({ address: devServerAddress(), interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), describeTimesOut] });
  client = new Client({ connection, namespace: 'default', dataConverter: createDataConverter({ keys: config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID }) });
});

after(async () => {
  fault.timeOuts = 0;
  await Promise.all(made.map((id) => client.schedule.getHandle(id).delete().catch(() => undefined)));
  await connection?.close();
});

function aClinic() {
  const clinic = { id: randomUUID(), timezone: 'Europe/London', settings: { paymentReminders: { dayOfMonth: 3, hour: 9 } } };
  made.push(paymentReminderSchedule(clinic).scheduleId);
  return clinic;
}

test('a describe that times out is asked again, and the Schedule is written once', { timeout: 60_000 }, async () => {
  const clinic = aClinic();
  fault.timeOuts = 2;
  fault.describes = 0;
  assert.equal((await applySchedule(client, paymentReminderSchedule(clinic))).write, 'created');
  assert.equal(fault.describes, 3, 'two time-outs, then the answer that it is absent');

  // Temporal holds the Schedule as wanted: the next pass, through two more time-outs, finds nothing to change.
  fault.timeOuts = 2;
  const again = await applySchedule(client, paymentReminderSchedule(clinic));
  assert.equal(again.write, 'unchanged');
  assert.equal(again.found?.spec.timezone, 'Europe/London');
});

test('a describe that keeps timing out fails after a bounded number of attempts', { timeout: 60_000 }, async () => {
  const clinic = aClinic();
  fault.timeOuts = 1_000;
  fault.describes = 0;
  await assert.rejects(applySchedule(client, paymentReminderSchedule(clinic)), (err) => isGrpcDeadlineError(err));
  assert.equal(fault.describes, DEADLINE_ATTEMPTS);
  fault.timeOuts = 0;
  await assert.rejects(client.schedule.getHandle(paymentReminderSchedule(clinic).scheduleId).describe(), /not found/i, 'nothing was written');
});
