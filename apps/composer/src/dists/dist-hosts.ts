/** Which hosts dist archives may be fetched from (LARDER_COMPOSER_DIST_HOSTS=host,host:port), so metadata cannot point Larder anywhere. */
import { LarderError } from '@larder/core'

export const DIST_HOSTS_ENV = 'LARDER_COMPOSER_DIST_HOSTS'
const HOST = /^[a-z0-9.-]+(:\d{1,5})?$/

/** Allowed hosts (host or host:port); undefined means any host (the default: packagist's dists live on many code hosts). */
export type DistHosts = ReadonlySet<string> | undefined

export function parseDistHosts(text: string | undefined): DistHosts {
  const items = (text ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  if (items.length === 0) return undefined
  for (const item of items) {
    if (!HOST.test(item)) throw new LarderError('E_INVALID_OPTION', `${DIST_HOSTS_ENV}: "${item.slice(0, 80)}" must look like host or host:port`)
  }
  return new Set(items)
}

/** Refuses a dist URL that is not http(s) or whose host (or host:port) is not allowed. */
export function assertDistHostAllowed(hosts: DistHosts, url: string, label: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (cause) {
    // Composer fetches dist URLs as given, so a relative or malformed one is the metadata's fault.
    throw new LarderError('E_UPSTREAM_GARBAGE', `${label}: the metadata gives the dist URL "${url}", which is not an absolute URL`, { cause })
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LarderError('E_FORBIDDEN', `${label}: the metadata gives a ${parsed.protocol} dist URL; only http and https are fetched`)
  }
  if (!hosts || hosts.has(parsed.host.toLowerCase()) || hosts.has(parsed.hostname.toLowerCase())) return
  throw new LarderError('E_FORBIDDEN', `${label}: dist host ${parsed.host} is not in ${DIST_HOSTS_ENV}`, {
    hint: `add ${parsed.hostname} to ${DIST_HOSTS_ENV} to mirror dists from it`,
  })
}
