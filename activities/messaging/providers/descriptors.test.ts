import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHANNELS } from '../../../domain/messaging';
import { connectorFor, connectorsFor } from './connectors';
import { findProvider, providersFor } from './descriptors';

test('every channel has its providers, each named once per channel and with its secrets declared', () => {
  assert.deepEqual(
    Object.fromEntries(CHANNELS.map((c) => [c, providersFor(c).map((p) => p.provider)])),
    { email: ['smtp', 'ses'], sms: ['twilio', 'messagebird', 'vonage'], whatsapp: ['meta', 'twilio', 'messagebird', 'vonage'], push: ['fcm'] },
  );
  for (const channel of CHANNELS) {
    for (const p of providersFor(channel)) {
      assert.equal(p.channel, channel);
      assert.ok(p.secretFields.length > 0, `${channel}/${p.provider} declares which credential fields are secret`);
    }
  }
  assert.equal(findProvider('sms', 'twilio')?.channel, 'sms');
  assert.equal(findProvider('whatsapp', 'twilio')?.channel, 'whatsapp');
  assert.equal(findProvider('email', 'twilio'), undefined);
});

test('every descriptor has exactly one connector, which reads the same credentials and secrets', () => {
  for (const channel of CHANNELS) {
    assert.deepEqual(connectorsFor(channel).map((c) => c.provider), providersFor(channel).map((p) => p.provider));
    for (const descriptor of providersFor(channel)) {
      const connector = connectorFor(channel, descriptor.provider);
      assert.ok(connector, `${channel}/${descriptor.provider} has a connector`);
      assert.equal(connector.credentials, descriptor.credentials, `${channel}/${descriptor.provider}: one credential schema`);
      assert.deepEqual([connector.label, connector.secretFields], [descriptor.label, descriptor.secretFields]);
    }
  }
  assert.equal(connectorFor('email', 'twilio'), undefined);
});
