import { createHash } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { FollowthroughError, NotFoundError } from '../../domain/errors';
import type { RawMailArchive } from '../../ports/raw-mail';

export interface S3RawMailArchiveOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key; ends with '/' to read as a folder in the console. */
  prefix?: string;
}

// An S3 key is at most 1,024 bytes of UTF-8; ours are ASCII.
const maxKeyLength = 1024;

/**
 * Raw mail kept byte for byte under `<prefix><yyyy-mm-dd>/<sha256>.eml`, the local archive's scheme. The key returned
 * is the whole object key, prefix included, so that it names the object in the bucket as it is.
 */
export class S3RawMailArchive implements RawMailArchive {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3RawMailArchiveOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    const prefix = options.prefix ?? 'raw/';
    this.#prefix = prefix === '' ? prefix : checkedKey(prefix);
  }

  async put(bytes: Uint8Array, receivedAt: Date): Promise<string> {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const key = `${this.#prefix}${receivedAt.toISOString().slice(0, 10)}/${digest}.eml`;
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: bytes,
          ContentType: 'message/rfc822',
          // Never overwrite: the key is the content's hash, so an object already there holds these very bytes.
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      // S3 has no modelled exception for a failed condition: a 412 PreconditionFailed means the bytes are stored.
      // A 409 ConditionalRequestConflict (the same bytes being written at this moment) propagates, to be retried.
      if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412)) throw error;
    }
    return key;
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      const output = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: checkedKey(key) }));
      if (output.Body === undefined) throw new Error(`S3 returned no body for s3://${this.#bucket}/${key}`);
      return await output.Body.transformToByteArray();
    } catch (error) {
      // S3 answers NoSuchKey only to a role that may list the bucket; without s3:ListBucket a missing key is a 403.
      if (error instanceof NoSuchKey) {
        throw new NotFoundError(`no raw mail under ${JSON.stringify(key)} in bucket ${this.#bucket}`, { cause: error });
      }
      throw error;
    }
  }
}

/** Keys come back from the store and from callers: printable ASCII, relative, no `.` or `..` segment. */
function checkedKey(key: string): string {
  if (
    key.length === 0 ||
    key.length > maxKeyLength ||
    !/^[\x21-\x7e]+$/.test(key) ||
    key.startsWith('/') ||
    key.split('/').some((segment) => segment === '..' || segment === '.')
  ) {
    throw new FollowthroughError(
      `invalid raw mail key ${JSON.stringify(key)}: printable ASCII, relative, without '.' or '..' parts`,
    );
  }
  return key;
}
