import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { S3RawMailArchive } from '../../../../functions/adapters/aws/s3-raw-mail';
import { NotFoundError } from '../../../../functions/domain/errors';

const bucket = 'followthrough-raw-mail-123456789012';
const receivedAt = new Date('2026-11-12T21:04:05.000Z');
const bytes = new TextEncoder().encode(
  'From: Zoë Østergaard <zoe.ostergaard@acme.example>\r\nSubject: 1:1 notes\r\n\r\nMarcus to send the MAP by Friday\r\n',
);
const digest = createHash('sha256').update(bytes).digest('hex');

function mockedArchive(prefix?: string): { archive: S3RawMailArchive; s3: AwsClientStub<S3Client> } {
  const client = new S3Client({ region: 'eu-west-1' });
  const s3 = mockClient(client);
  s3.on(PutObjectCommand).resolves({ ETag: '"etag"' });
  const archive = new S3RawMailArchive(prefix === undefined ? { client, bucket } : { client, bucket, prefix });
  return { archive, s3 };
}

/** How the SDK reports a failed If-None-Match: no modelled exception, only the code and the status. */
function preconditionFailed(): S3ServiceException {
  return new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    message: 'At least one of the pre-conditions you specified did not hold',
    $metadata: { httpStatusCode: 412 },
  });
}

describe('S3RawMailArchive.put', () => {
  it('stores the bytes under raw/<date>/<sha256>.eml, as a message, never overwriting', async () => {
    // Prepare
    const { archive, s3 } = mockedArchive();

    // Act
    const key = await archive.put(bytes, receivedAt);

    // Assess
    expect(key).toBe(`raw/2026-11-12/${digest}.eml`);
    const inputs = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { Bucket: bucket, Key: key, Body: bytes, ContentType: 'message/rfc822', IfNoneMatch: '*' },
    ]);
  });

  it('keys by the UTC date of receipt', async () => {
    // Prepare
    const { archive } = mockedArchive();

    // Act
    const key = await archive.put(bytes, new Date('2026-11-12T23:30:00.000-05:00'));

    // Assess
    expect(key).toBe(`raw/2026-11-13/${digest}.eml`);
  });

  it('uses the prefix it is given', async () => {
    // Prepare
    const { archive } = mockedArchive('inbound/notes/');

    // Act
    const key = await archive.put(bytes, receivedAt);

    // Assess
    expect(key).toBe(`inbound/notes/2026-11-12/${digest}.eml`);
  });

  it('returns the key when the same bytes are stored already (412 PreconditionFailed)', async () => {
    // Prepare
    const { archive, s3 } = mockedArchive();
    s3.on(PutObjectCommand).rejects(preconditionFailed());

    // Act
    const key = await archive.put(bytes, receivedAt);

    // Assess
    expect(key).toBe(`raw/2026-11-12/${digest}.eml`);
  });

  it('lets any other failure surface', async () => {
    // Prepare
    const { archive, s3 } = mockedArchive();
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      message: 'Access Denied',
      $metadata: { httpStatusCode: 403 },
    });
    s3.on(PutObjectCommand).rejects(denied);

    // Act
    const putting = archive.put(bytes, receivedAt);

    // Assess
    await expect(putting).rejects.toBe(denied);
  });

  it('refuses a prefix that climbs out of the bucket folder', () => {
    // Act
    const creating = () =>
      new S3RawMailArchive({ client: new S3Client({ region: 'eu-west-1' }), bucket, prefix: '../' });

    // Assess
    expect(creating).toThrow(/invalid raw mail key/);
  });
});

describe('S3RawMailArchive.get', () => {
  it('returns the stored bytes', async () => {
    // Prepare
    const { archive, s3 } = mockedArchive();
    const key = `raw/2026-11-12/${digest}.eml`;
    s3.on(GetObjectCommand, { Bucket: bucket, Key: key }).resolves({
      Body: sdkStreamMixin(Readable.from([Buffer.from(bytes)])),
    });

    // Act
    const read = await archive.get(key);

    // Assess
    expect(read).toEqual(bytes);
  });

  it('throws NotFoundError naming the key when there is no such object', async () => {
    // Prepare
    const { archive, s3 } = mockedArchive();
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));

    // Act
    const reading = archive.get('raw/2026-11-12/missing.eml');

    // Assess
    await expect(reading).rejects.toBeInstanceOf(NotFoundError);
    await expect(reading).rejects.toThrow(/raw\/2026-11-12\/missing\.eml/);
  });

  it.each([
    ['a parent segment', 'raw/../secrets/key.eml'],
    ['a control character', 'raw/2026-11-12/a\r\nb.eml'],
    ['a leading slash', '/raw/2026-11-12/a.eml'],
    ['nothing at all', ''],
  ])('refuses a key with %s before calling S3', async (_what, key) => {
    // Prepare
    const { archive, s3 } = mockedArchive();

    // Act
    const reading = archive.get(key);

    // Assess
    await expect(reading).rejects.toThrow(/invalid raw mail key/);
    expect(s3.calls()).toEqual([]);
  });
});
