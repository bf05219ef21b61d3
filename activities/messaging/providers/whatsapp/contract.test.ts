/** The WhatsApp contract, run against every WhatsApp connector through its real SDK (or HTTP API) and local peer. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contractSuite } from '../../../../test/support/provider-contract';
import { messageBirdWhatsAppContract } from './messagebird/contract-subject';
import { metaCloudContract } from './meta/contract-subject';
import { twilioWhatsAppContract } from './twilio/contract-subject';
import { vonageWhatsAppContract } from './vonage/contract-subject';

contractSuite('whatsapp', [metaCloudContract, twilioWhatsAppContract, messageBirdWhatsAppContract, vonageWhatsAppContract], ({ peer, connect, providerError }) => {
  test('a message with both or neither template and text is REJECTED before any request', async () => {
    const requests = () => peer().requestCount?.() ?? assert.fail('the peer counts requests');
    const before = requests();
    const template = { name: 'appointment_reminder', language: 'en_US', parameters: ['Ada'] };
    for (const message of [{ ...peer().message, template }, { ...peer().message, text: undefined }]) {
      const err = await providerError(connect().send(message));
      assert.deepEqual([err.kind, err.code, err.permanent], ['REJECTED', 'whatsapp:template-xor-text', true]);
    }
    assert.equal(requests(), before);
  });
});
