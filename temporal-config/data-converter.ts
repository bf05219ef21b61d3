import path from 'node:path';
import { type DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';

export interface PayloadKeyRing {
  keys: ReadonlyMap<string, string>;
  currentKeyId: string;
}

/** Workflow bundles built for a worker with this data converter must include it (bundleWorkflowCode's failureConverterPath). */
export const FAILURE_CONVERTER_PATH = path.resolve(import.meta.dirname, 'failure-converter.ts');

/**
 * The data converter every worker and client uses: default JSON conversion, then encryption, for
 * payloads and for failure messages and stack traces (temporal-config/failure-converter.ts).
 */
export function createDataConverter(ring: PayloadKeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(ring.keys, ring.currentKeyId)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
