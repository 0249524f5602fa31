import dynalite from 'dynalite';

export interface LocalDynamoServer {
  /** http://127.0.0.1:<port>, for createLocalDynamoClient. */
  endpoint: string;
  /** Stops listening and closes the LevelDB store, so the same path can be opened again. */
  close(): Promise<void>;
}

/**
 * dynalite in this process: in memory, or persisted in a LevelDB directory when a path is given. It has no
 * TransactWriteItems and its DescribeTable ItemCount is always 0, so nothing here may rely on either.
 */
export const startDynalite = async (options: { path?: string } = {}): Promise<LocalDynamoServer> => {
  // A new table is ACTIVE at once instead of after dynalite's default 500 ms of CREATING.
  const server = dynalite({ ...options, createTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite is listening without a TCP port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
