/**
 * AES-256-GCM payload codec. Every payload the worker and clients send to Temporal is encrypted,
 * so workflow inputs, results and history are ciphertext on the server and in the Web UI unless
 * an authorised operator decodes them through the codec server (api/routes/codec.ts).
 *
 * Wire format of `data`: 12-byte IV | ciphertext | 16-byte auth tag. The key id travels in the
 * payload's metadata so keys can rotate: new payloads use the current key, old ones stay readable
 * while their key remains in the ring.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
// @temporalio/proto is CommonJS: its namespaces are not visible as ESM named exports.
import proto from '@temporalio/proto';

const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: ReadonlyMap<string, string>,
    private readonly currentKeyId: string,
  ) {
    this.keys = new Map();
    for (const [id, base64] of keys) {
      const key = Buffer.from(base64, 'base64');
      if (key.length !== 32) throw new Error(`Payload encryption key ${id} must be 32 bytes (base64 of 32 random bytes)`);
      this.keys.set(id, key);
    }
    if (!this.keys.has(currentKeyId)) throw new Error(`Payload encryption key ${currentKeyId} is not in the key ring`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId) as Buffer;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(this.currentKeyId) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdBytes ? fromUtf8.decode(keyIdBytes) : '';
      const key = this.keys.get(keyId);
      if (!key) throw new ValueError(`Unknown payload encryption key id: ${keyId || '(none)'}`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('Encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
