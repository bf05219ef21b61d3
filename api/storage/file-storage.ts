/**
 * Where uploaded files (expense receipts) live: one small interface, one file per backend.
 * Local disk under .data/ by default; an S3-compatible bucket when FILE_S3_BUCKET is set.
 * Keys are chosen by ClinicFlow (clinic id first), never by the uploader.
 */
import { type Readable } from 'node:stream';
import { type Config } from '../../domain/config';
import { LocalDiskStorage } from './local-disk-storage';
import { type S3StorageSettings } from './s3-storage';

export interface StoredFile {
  body: Readable;
  contentType: string;
  size: number;
}

export interface FileStorage {
  /** The backend's name, for logs. */
  readonly kind: 'local' | 's3';
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** null when nothing is stored under the key. */
  get(key: string): Promise<StoredFile | null>;
  /** Deleting a key that holds nothing is not an error. */
  delete(key: string): Promise<void>;
}

export function createFileStorage(config: Pick<Config, 'FILE_STORAGE_DIR' | 'FILE_S3_BUCKET' | 'FILE_S3_REGION' | 'FILE_S3_ENDPOINT'>): FileStorage {
  if (config.FILE_S3_BUCKET) return lazyS3({ bucket: config.FILE_S3_BUCKET, region: config.FILE_S3_REGION, endpoint: config.FILE_S3_ENDPOINT });
  return new LocalDiskStorage(config.FILE_STORAGE_DIR);
}

/** The S3 backend, its SDK loaded at the first file: an API on local disk never loads the AWS SDK. */
function lazyS3(settings: S3StorageSettings): FileStorage {
  let real: Promise<FileStorage> | undefined;
  const load = () => (real ??= import('./s3-storage').then((m) => new m.S3FileStorage(settings)));
  return {
    kind: 's3',
    put: async (key, body, contentType) => (await load()).put(key, body, contentType),
    get: async (key) => (await load()).get(key),
    delete: async (key) => (await load()).delete(key),
  };
}
