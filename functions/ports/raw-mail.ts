/** The raw-mail archive: every ingested email is kept byte for byte before anything else reads it. */
export interface RawMailArchive {
  /** Stores the bytes and returns their key (content-addressed, so a second copy of the same bytes is free). */
  put(bytes: Uint8Array, receivedAt: Date): Promise<string>;
  get(key: string): Promise<Uint8Array>;
}
