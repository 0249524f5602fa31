import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawMailArchive } from '../../ports/raw-mail';

/** Raw mail kept byte for byte under `<dir>/<yyyy-mm-dd>/<sha256>.eml`, like the S3 bucket's keys on AWS. */
export class FileRawMailArchive implements RawMailArchive {
  constructor(private readonly dir: string) {}

  async put(bytes: Uint8Array, receivedAt: Date): Promise<string> {
    const key = `${receivedAt.toISOString().slice(0, 10)}/${createHash('sha256').update(bytes).digest('hex')}.eml`;
    const path = join(this.dir, key);
    await mkdir(join(path, '..'), { recursive: true });
    // 'wx' never overwrites: the same bytes twice are the same file.
    await writeFile(path, bytes, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return key;
  }

  async get(key: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(join(this.dir, key)));
  }
}
