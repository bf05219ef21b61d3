/**
 * The AES-256-GCM payload codec: what Temporal stores must be unreadable and tamper-evident, and
 * keys must rotate without losing the payloads already in workflow histories.
 */
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA } from './encryption-codec';
import { createDataConverter } from './data-converter';

const newKey = () => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

const SECRET = { clinicId: 'clinic-1', patient: 'Jane Patient', note: 'allergic to penicillin' };
const plainPayload = (value: unknown = SECRET): Payload => defaultPayloadConverter.toPayload(value);

function codecWith(keys: Record<string, string>, current: string): EncryptionCodec {
  return new EncryptionCodec(new Map(Object.entries(keys)), current);
}

describe('EncryptionCodec', () => {
  const key = newKey();
  const codec = codecWith({ k1: key }, 'k1');

  test('a payload survives encode then decode unchanged', async () => {
    const original = plainPayload();
    const [encrypted] = await codec.encode([original]);
    const [decoded] = await codec.decode([encrypted!]);
    assert.equal(text(decoded!.metadata?.encoding), 'json/plain');
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), SECRET);
    assert.deepEqual(Buffer.from(decoded!.data!), Buffer.from(original.data!));
  });

  test('several payloads keep their order, including null and binary values', async () => {
    const values: unknown[] = [SECRET, null, 42, 'text', new Uint8Array([0, 1, 2, 255])];
    const decoded = await codec.decode(await codec.encode(values.map((v) => plainPayload(v))));
    assert.deepEqual(
      decoded.map((p) => defaultPayloadConverter.fromPayload(p)),
      values,
    );
  });

  test('the encoded payload is marked encrypted, names its key and does not contain the plaintext', async () => {
    const original = plainPayload();
    const [encrypted] = await codec.encode([original]);
    assert.equal(text(encrypted!.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted!.metadata?.[KEY_ID_METADATA]), 'k1');
    // Only encoding and key id travel in clear: the original metadata (json/plain) is inside the ciphertext.
    assert.deepEqual(Object.keys(encrypted!.metadata ?? {}).sort(), ['encoding', KEY_ID_METADATA].sort());
    const data = Buffer.from(encrypted!.data!);
    for (const needle of ['Jane Patient', 'penicillin', 'clinic-1', 'json/plain']) {
      assert.equal(data.includes(needle), false, `ciphertext contains ${needle}`);
    }
    // 12-byte IV + ciphertext + 16-byte tag: longer than the plaintext by at least IV and tag.
    assert.ok(data.length >= original.data!.length + 12 + 16);
  });

  test('two encodings of the same payload differ (random IV)', async () => {
    const original = plainPayload();
    const [a] = await codec.encode([original]);
    const [b] = await codec.encode([original]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
    assert.notDeepEqual(Buffer.from(a!.data!).subarray(0, 12), Buffer.from(b!.data!).subarray(0, 12));
    assert.deepEqual((await codec.decode([a!, b!])).map((p) => defaultPayloadConverter.fromPayload(p)), [SECRET, SECRET]);
  });

  test('changing any byte of the data (IV, ciphertext or tag) makes decode throw', async () => {
    const [encrypted] = await codec.encode([plainPayload()]);
    const data = Buffer.from(encrypted!.data!);
    for (const index of [0, 11, 12, Math.floor(data.length / 2), data.length - 17, data.length - 1]) {
      const tampered = Buffer.from(data);
      tampered[index] = tampered[index]! ^ 0x01;
      await assert.rejects(codec.decode([{ ...encrypted!, data: tampered }]), `byte ${index} flipped`);
    }
    // The untouched payload still decodes: the failures above come from the tampering.
    assert.deepEqual(defaultPayloadConverter.fromPayload((await codec.decode([encrypted!]))[0]!), SECRET);
  });

  test('truncated or empty ciphertext is refused', async () => {
    const [encrypted] = await codec.encode([plainPayload()]);
    const data = Buffer.from(encrypted!.data!);
    await assert.rejects(codec.decode([{ ...encrypted!, data: data.subarray(0, 20) }]));
    await assert.rejects(codec.decode([{ ...encrypted!, data: data.subarray(0, data.length - 1) }]));
    await assert.rejects(codec.decode([{ ...encrypted!, data: new Uint8Array() }]));
  });

  test('a payload encrypted under another key with the same id does not decode', async () => {
    const other = codecWith({ k1: newKey() }, 'k1');
    const [encrypted] = await other.encode([plainPayload()]);
    await assert.rejects(codec.decode([encrypted!]));
  });

  test('an unknown or missing key id makes decode throw and names the id, not the key', async () => {
    const [encrypted] = await codec.encode([plainPayload()]);
    const unknown = { ...encrypted!, metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: Buffer.from('retired-key') } };
    await assert.rejects(codec.decode([unknown]), (err: Error) => {
      assert.match(err.message, /retired-key/);
      assert.equal(err.message.includes(key), false);
      return true;
    });
    const { [KEY_ID_METADATA]: _dropped, ...withoutKeyId } = encrypted!.metadata!;
    await assert.rejects(codec.decode([{ ...encrypted!, metadata: withoutKeyId }]));
  });

  test('payloads that are not encrypted pass through decode unchanged', async () => {
    const plain = plainPayload();
    const binary = defaultPayloadConverter.toPayload(new Uint8Array([9, 8, 7]));
    const noMetadata: Payload = { data: Buffer.from('raw') };
    const decoded = await codec.decode([plain, binary, noMetadata]);
    assert.equal(decoded[0], plain);
    assert.equal(decoded[1], binary);
    assert.equal(decoded[2], noMetadata);
  });

  test('empty input gives empty output', async () => {
    assert.deepEqual(await codec.encode([]), []);
    assert.deepEqual(await codec.decode([]), []);
  });
});

describe('key rotation', () => {
  const oldKey = newKey();
  const newKeyValue = newKey();
  const beforeRotation = codecWith({ old: oldKey }, 'old');
  const afterRotation = codecWith({ old: oldKey, new: newKeyValue }, 'new');

  test('payloads written with the old key still decode after the ring gains a new current key', async () => {
    const [written] = await beforeRotation.encode([plainPayload()]);
    assert.equal(text(written!.metadata?.[KEY_ID_METADATA]), 'old');
    assert.deepEqual(defaultPayloadConverter.fromPayload((await afterRotation.decode([written!]))[0]!), SECRET);
  });

  test('new payloads carry the new key id and are encrypted with the new key', async () => {
    const [written] = await afterRotation.encode([plainPayload()]);
    assert.equal(text(written!.metadata?.[KEY_ID_METADATA]), 'new');
    // A ring holding only the new key reads it; one holding only the old key cannot.
    assert.deepEqual(defaultPayloadConverter.fromPayload((await codecWith({ new: newKeyValue }, 'new').decode([written!]))[0]!), SECRET);
    await assert.rejects(beforeRotation.decode([written!]), /new/);
  });

  test('history mixing both keys decodes in one call', async () => {
    const [a] = await beforeRotation.encode([plainPayload('first')]);
    const [b] = await afterRotation.encode([plainPayload('second')]);
    const decoded = await afterRotation.decode([a!, b!]);
    assert.deepEqual(decoded.map((p) => defaultPayloadConverter.fromPayload(p)), ['first', 'second']);
  });

  test('a payload whose key left the ring can no longer be read', async () => {
    const [written] = await beforeRotation.encode([plainPayload()]);
    await assert.rejects(codecWith({ new: newKeyValue }, 'new').decode([written!]), /old/);
  });
});

describe('construction', () => {
  test('a key that is not 32 bytes is refused, and the error does not echo it', () => {
    for (const bad of [randomBytes(16).toString('base64'), randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), '']) {
      assert.throws(
        () => codecWith({ ok: newKey(), bad }, 'ok'),
        (err: Error) => {
          assert.match(err.message, /bad/);
          assert.match(err.message, /32 bytes/);
          if (bad) assert.equal(err.message.includes(bad), false);
          return true;
        },
      );
    }
  });

  test('the current key id must be in the ring', () => {
    assert.throws(() => codecWith({ k1: newKey() }, 'k2'), /k2/);
    assert.throws(() => codecWith({}, 'k1'), /k1/);
  });

  test('the data converter encrypts with the ring it is given', async () => {
    const ring = { keys: new Map([['dc', newKey()]]), currentKeyId: 'dc' };
    const converter = createDataConverter(ring);
    assert.equal(converter.payloadCodecs?.length, 1);
    const [codec] = converter.payloadCodecs!;
    const [encrypted] = await codec!.encode([plainPayload()]);
    assert.equal(text(encrypted!.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted!.metadata?.[KEY_ID_METADATA]), 'dc');
    assert.deepEqual(defaultPayloadConverter.fromPayload((await new EncryptionCodec(ring.keys, 'dc').decode([encrypted!]))[0]!), SECRET);
  });
});
