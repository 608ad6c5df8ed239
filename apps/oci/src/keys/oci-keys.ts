/** Cache keys of the OCI mirror. Names, tags and digests are grammar-checked before they get here; ':' and '@' cannot occur in a repository name, so no key is a prefix of another's namespace. */

/** Blobs are content-addressed: one copy per upstream, whatever repository asked first (it is verified against its digest). */
export function blobKey(upstream: string, digest: string): string {
  return `oci:blob:${upstream}/${digest}`
}

/** Manifests by digest are kept per repository: a repository that lacks one must not be served it. */
export function manifestKey(upstream: string, repo: string, digest: string): string {
  return `oci:manifest:${upstream}/${repo}@${digest}`
}

export function tagKey(upstream: string, repo: string, tag: string): string {
  return `${tagPrefix(upstream, repo)}${tag}`
}

/** Every tag entry of a repository starts with this (for the tags list when the upstream cannot give it). */
export function tagPrefix(upstream: string, repo: string): string {
  return `oci:tag:${upstream}/${repo}:`
}

export function tagListKey(upstream: string, repo: string, query: string): string {
  return `oci:tags:${upstream}/${repo}${query ? `?${query}` : ''}`
}
