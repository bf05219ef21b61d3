import { type DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';

export interface PayloadKeyRing {
  keys: ReadonlyMap<string, string>;
  currentKeyId: string;
}

/** The data converter every worker and client uses: default JSON conversion, then encryption. */
export function createDataConverter(ring: PayloadKeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(ring.keys, ring.currentKeyId)] };
}
