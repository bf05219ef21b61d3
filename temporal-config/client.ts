import { Client, type ClientInterceptors, Connection } from '@temporalio/client';
import { createDataConverter, type PayloadKeyRing } from './data-converter';

export interface TemporalClientOptions extends PayloadKeyRing {
  address: string;
  namespace: string;
  /** E.g. the tracing interceptors (temporal-config/tracing.ts). */
  interceptors?: ClientInterceptors;
}

/** Connects a Temporal client that encrypts every payload it sends. The caller closes `connection`. */
export async function connectTemporalClient(opts: TemporalClientOptions): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: opts.address });
  const client = new Client({ connection, namespace: opts.namespace, dataConverter: createDataConverter(opts), interceptors: opts.interceptors });
  return { client, connection };
}
