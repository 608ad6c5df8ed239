/** Store keys of files fetched from an upstream: the upstream's name, the path and the query it was asked with. */

export const REMOTE_NAMESPACE = 'files-remote'

/** `files-remote:github/owner/repo/releases/download/v1/x.tgz?raw=1`: one key per URL, pinned or not. */
export function remoteKey(upstream: string, path: readonly string[], query: string): string {
  return `${REMOTE_NAMESPACE}:${[upstream, ...path].join('/')}${query ? `?${query}` : ''}`
}
