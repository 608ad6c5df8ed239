/**
 * An image reference of a list line as Larder names it: `<upstream>/<repository>` (a name in LARDER_OCI_UPSTREAMS
 * first, `library/` added for Docker Hub's official images), `<hosted>/<repository>`, or a name with no
 * upstream, which goes to LARDER_OCI_DEFAULT_UPSTREAM as on the server (apps/oci names/upstream-target.ts).
 */
import type { OciSettings } from '@larder/oci'

export interface ImageReference {
  /** `docker.io/library/debian`: the path below /v2/ on Larder. */
  name: string
  tag?: string
  digest?: string
}

/** distribution's reference grammar. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const DOCKER_HUB_HOSTS = new Set(['registry-1.docker.io', 'index.docker.io', 'docker.io'])

/** A reference, or why it is not one Larder can serve. */
export function parseImageReference(text: string, settings: OciSettings): ImageReference | { problem: string } {
  let rest = text
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) return { problem: `"${digest}" is not a digest (sha256:<hex>)` }
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) return { problem: `"${tag}" is not a tag` }
  }
  const components = rest.split('/')
  const [first] = components
  if (first !== settings.hostedName && !(components.length > 1 && Object.hasOwn(settings.upstreams, first!))) {
    // A registry host (a dot, a port, localhost) Larder does not mirror would be read as a repository of the default upstream.
    if (components.length > 1 && /[.:]|^localhost$/.test(first!)) {
      const names = Object.keys(settings.upstreams).join(', ')
      return {
        problem: `${first} is not a registry Larder mirrors (LARDER_OCI_UPSTREAMS names ${names}): add it as name=https://${first}, and write the image as <name>/...`,
      }
    }
    components.unshift(settings.defaultUpstream)
  }
  const badComponent = components.find((c) => !COMPONENT.test(c))
  if (badComponent !== undefined) return { problem: `"${badComponent}" is not a repository name component (lower-case letters, digits, . _ -)` }
  const upstream = components[0]!
  const baseUrl = settings.upstreams[upstream]
  const hub = upstream === 'docker.io' || (baseUrl !== undefined && DOCKER_HUB_HOSTS.has(new URL(baseUrl).hostname))
  if (baseUrl !== undefined && hub && components.length === 2) components.splice(1, 0, 'library')
  if (!tag && !digest) tag = 'latest'
  return { name: components.join('/'), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }
}
