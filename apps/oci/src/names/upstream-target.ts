/**
 * Which registry an image name goes to: containerd's `ns=` query names it for a mirror, else `<upstream>/<repo>`
 * does, the hosted name is Larder's own, and any other name goes to the default upstream (dockerd's registry-mirrors).
 */
import { OciError } from '../errors/oci-error.js'
import type { OciSettings } from '../settings/oci-settings.js'
import { clip } from './oci-grammar.js'

export type ImageTarget =
  | {
      kind: 'upstream'
      /** The upstream's name in LARDER_OCI_UPSTREAMS. */
      upstream: string
      /** Registry base URL. */
      baseUrl: string
      /** The repository on that registry ('library/debian'). */
      repo: string
      /** The name as the client sent it, for the tags list. */
      clientName: string
    }
  | HostedTarget

/** An image pushed to Larder: `repo` is its name below LARDER_OCI_HOSTED_NAME, empty when the client named none. */
export interface HostedTarget {
  kind: 'hosted'
  repo: string
  clientName: string
}

/** Registries where a one-component name means an official image under `library/`. */
const DOCKER_HUB_HOSTS = new Set(['registry-1.docker.io', 'index.docker.io', 'docker.io'])

export function resolveTarget(name: readonly string[], ns: string | undefined, settings: OciSettings): ImageTarget {
  const clientName = name.join('/')
  if (ns !== undefined) {
    // containerd sends ns= only to a mirror of that registry: the whole name is the registry's own.
    if (!Object.hasOwn(settings.upstreams, ns)) {
      throw new OciError('NAME_UNKNOWN', 'E_NOT_FOUND', `ns=${clip(ns)} is not a registry Larder mirrors`, {
        hint: `add it to LARDER_OCI_UPSTREAMS; registries: ${Object.keys(settings.upstreams).join(', ')}`,
      })
    }
    return upstreamTarget(settings, ns, name, clientName)
  }
  const [first, ...rest] = name
  if (first === settings.hostedName) return { kind: 'hosted', repo: rest.join('/'), clientName }
  if (rest.length > 0 && Object.hasOwn(settings.upstreams, first!)) return upstreamTarget(settings, first!, rest, clientName)
  return upstreamTarget(settings, settings.defaultUpstream, name, clientName)
}

function upstreamTarget(settings: OciSettings, upstream: string, repo: readonly string[], clientName: string): ImageTarget {
  const baseUrl = settings.upstreams[upstream]!
  const official = repo.length === 1 && (upstream === 'docker.io' || DOCKER_HUB_HOSTS.has(new URL(baseUrl).hostname))
  return { kind: 'upstream', upstream, baseUrl, repo: official ? `library/${repo[0]}` : repo.join('/'), clientName }
}
