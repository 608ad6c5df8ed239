/** `--server URL`: the requests go to a running Larder over HTTP, which fetches and stores through its caches. */
import { Agent, interceptors } from 'undici'
import { fromUndiciResponse } from './fetched-response.js'
import { requestHeaders, type LarderFetcher } from './larder-fetcher.js'

/** As many as fetch() followed: a reverse proxy in front of Larder may redirect (http to https, a moved mount). */
const MAX_REDIRECTIONS = 20

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
  // undici's request() rather than fetch(): no WHATWG streams between the socket and the hash, which cost
  // fetch() about a quarter of this command's CPU on a 192-package prefetch.
  const agent = new Agent()
  const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }))
  return {
    target: root,
    get: async (path, accept) => {
      const url = new URL(`${root}${path}`)
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: requestHeaders(accept, token),
      })
      return fromUndiciResponse(response)
    },
    close: () => agent.close(),
  }
}
