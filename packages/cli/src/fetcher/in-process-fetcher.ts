/**
 * Larder inside this process: the server's MIRRORS composed by core over the store in LARDER_DATA_DIR
 * (the same settings and default as the server, so it can run beside one on the same folder), asked
 * through app.request(). With `offline` it is LARDER_OFFLINE=1 whatever the environment says.
 */
import { composeMirrors, createLogger, createServices, loadConfig, type Env } from '@larder/core'
import { MIRRORS } from '@larder/server'
import type { TextOut } from '../commands/cli-io.js'
import { requestHeaders, type LarderFetcher } from './larder-fetcher.js'

/** Only seen by this process's own requests: documents link to it, and no Host check applies. */
const IN_PROCESS_ORIGIN = 'http://larder.cli'

export interface InProcessOptions {
  env: Env
  offline: boolean
  /** Where the mirrors' log lines go (stderr: stdout carries the summary or the JSON). */
  log: TextOut
}

export function inProcessFetcher(options: InProcessOptions): LarderFetcher {
  const env: Env = {
    ...options.env,
    // The command already holds the store's folder: its own requests need no token, and no public URL applies.
    LARDER_PROTECT_READS: '0',
    LARDER_PUBLIC_URL: '',
    ...(options.offline ? { LARDER_OFFLINE: '1' } : {}),
  }
  const config = loadConfig(env, { mirrors: MIRRORS })
  // The summary says what failed; the mirrors' own lines add detail, errors only unless LARDER_LOG_LEVEL says otherwise.
  const logger = createLogger({ level: config.logLevel === 'info' && !options.env.LARDER_LOG_LEVEL ? 'error' : config.logLevel, destination: options.log })
  const services = createServices(config, { logger })
  // Handlers' start() is left out: it prepares serving (the APT signing key), which reading lockfile paths never needs.
  const { app } = composeMirrors(services, MIRRORS)
  return {
    target: `${config.dataDir}${config.offline ? ' (offline)' : ''}`,
    get: async (path, accept) => app.request(`${IN_PROCESS_ORIGIN}${path}`, { headers: requestHeaders(accept, undefined) }),
    close: () => services.close(),
  }
}
