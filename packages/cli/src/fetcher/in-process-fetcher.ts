/**
 * Larder inside this process: the server's mirrors composed by core over the store in LARDER_DATA_DIR
 * (the same settings and default as the server, so it can run beside one on the same folder), asked
 * through app.request(). With `offline` it is LARDER_OFFLINE=1 whatever the environment says.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { join } from 'node:path'
import {
  announceStoreChange,
  composeMirrors,
  createFsStore,
  openCommandStore,
  createLogger,
  createServices,
  loadConfig,
  withEntryCache,
  type CacheEntry,
  type AnyMirrorDeclaration,
  type CacheStore,
  type Env,
} from '@larder/core'
import type { TextOut } from '../commands/cli-io.js'
import { fromWebResponse } from './fetched-response.js'
import { requestHeaders, type LarderFetcher } from './larder-fetcher.js'

/** Only seen by this process's own requests: documents link to it, and no Host check applies. */
const IN_PROCESS_ORIGIN = 'http://larder.cli'

export interface InProcessOptions {
  env: Env
  mirrors: readonly AnyMirrorDeclaration[]
  offline: boolean
  /** Where the mirrors' log lines go (stderr: stdout carries the summary or the JSON). */
  log: TextOut
  /** Hears every held entry the mirrors read or write while answering, with the path of the request it was for. */
  onEntryRead?: (entry: CacheEntry, path: string | undefined) => void
}

export interface InProcessFetcher extends LarderFetcher {
  /** The store the requests are answered from. */
  readonly store: CacheStore
  readonly storeDir: string
}

export function inProcessFetcher(options: InProcessOptions): InProcessFetcher {
  const env: Env = {
    ...options.env,
    // The command already holds the store's folder: its own requests need no token, and no public URL applies.
    LARDER_PROTECT_READS: '0',
    LARDER_PUBLIC_URL: '',
    ...(options.offline ? { LARDER_OFFLINE: '1' } : {}),
  }
  const config = loadConfig(env, { mirrors: options.mirrors })
  // The summary says what failed; the mirrors' own lines add detail, errors only unless LARDER_LOG_LEVEL says otherwise.
  const logger = createLogger({ level: config.logLevel === 'info' && !options.env.LARDER_LOG_LEVEL ? 'error' : config.logLevel, destination: options.log })
  const storeDir = join(config.dataDir, 'store')
  const opened = config.store === 'fs' && !config.databaseUrl ? undefined : openCommandStore(config)
  const store = opened?.store ?? withEntryCache(createFsStore({ dir: storeDir, minFreeBytes: config.minFreeBytes }))
  // Concurrent requests interleave their reads: each is told apart by the request it runs in.
  const requestPath = new AsyncLocalStorage<string>()
  if (options.onEntryRead) {
    const getEntry = store.getEntry.bind(store)
    const heard = options.onEntryRead
    store.getEntry = async (key) => {
      const entry = await getEntry(key)
      if (entry?.status === 'ok') heard(entry, requestPath.getStore())
      return entry
    }
    // A miss writes its entry without reading it back: what a cold prefetch pins is written, not read.
    const putEntry = store.putEntry.bind(store)
    store.putEntry = async (entry) => {
      await putEntry(entry)
      if (entry.status === 'ok') heard(entry, requestPath.getStore())
    }
  }
  const services = createServices(config, { logger, store })
  // Handlers' start() is left out: it prepares serving (the APT signing key), which reading lockfile paths never needs.
  const { app } = composeMirrors(services, options.mirrors)
  return {
    target: `${config.dataDir}${config.offline ? ' (offline)' : ''}`,
    store,
    storeDir,
    get: (path, accept) =>
      requestPath.run(path, async () => fromWebResponse(await app.request(`${IN_PROCESS_ORIGIN}${path}`, { headers: requestHeaders(accept, undefined) }))),
    close: async () => {
      await services.close()
      // A server on the same folder forgets what its entry cache said about these keys (within a second);
      // with a database it already has, as each was written.
      if (opened) await opened.close()
      else if (!config.offline) await announceStoreChange(storeDir)
    },
  }
}
