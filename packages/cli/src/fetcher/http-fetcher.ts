/** `--server URL`: the requests go to a running Larder over HTTP, which fetches and stores through its caches. */
import { requestHeaders, type LarderFetcher } from './larder-fetcher.js'

export function httpFetcher(server: string, token: string | undefined): LarderFetcher {
  let base: URL
  try {
    base = new URL(server)
  } catch {
    throw new TypeError(`--server must be a URL, got "${server}"`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`--server must be an http or https URL, got "${server}"`)
  // Paths are appended to whatever path the server is mounted at behind a proxy.
  const root = base.href.replace(/\/+$/, '')
  return {
    target: root,
    get: (path, accept) => fetch(`${root}${path}`, { headers: requestHeaders(accept, token), redirect: 'follow' }),
    close: async () => {},
  }
}
