import { Client, Connection } from '@temporalio/client';
import { createDataConverter, type PayloadKeyRing } from './data-converter';

export interface TemporalClientOptions extends PayloadKeyRing {
  address: string;
  namespace: string;
}

/** Connects a Temporal client that encrypts every payload it sends. The caller closes `connection`. */
export async function connectTemporalClient(opts: TemporalClientOptions): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: opts.address });
  const client = new Client({ connection, namespace: opts.namespace, dataConverter: createDataConverter(opts) });
  return { client, connection };
}
