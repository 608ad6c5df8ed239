/** The OCI registry: container images from several upstream registries and the team's own (hosted) behind one /v2/, declared for the server to mount. */
import { defineMirror, errorFields, mountMirror, readRoute, type LarderEnv, type LarderServices, type MirrorRoute } from '@larder/core'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { BlobSource } from './blobs/blob-source.js'
import { API_VERSION_HEADER, BASIC_CHALLENGE, renderOciError } from './errors/oci-error-body.js'
import { OciError } from './errors/oci-error.js'
import { HostedRepos } from './hosted/hosted-repos.js'
import { ManifestSource } from './manifests/manifest-source.js'
import { parseOciPath, type OciPath } from './names/oci-path.js'
import { resolveTarget } from './names/upstream-target.js'
import { RegistryClient } from './registry/registry-client.js'
import { getBlob } from './routes/blob-route.js'
import { hostedRoute } from './routes/hosted-routes.js'
import { getManifest } from './routes/manifest-route.js'
import type { OciContext, OciRouteContext } from './routes/oci-context.js'
import { getTags } from './routes/tags-route.js'
import { readOciSettings, type OciSettings } from './settings/oci-settings.js'
import { TagLists } from './tags/tag-list.js'
import { StoreUploadSessions } from './uploads/store-upload-sessions.js'
import { UploadSessions } from './uploads/upload-sessions.js'

/** OCI clients find a registry at /v2/ of the host: no other prefix is possible. */
export const OCI_PREFIX = '/v2'

export const ociMirror = defineMirror<OciSettings>({
  name: 'oci',
  prefix: OCI_PREFIX,
  settings: readOciSettings,
  create(services, settings) {
    const now = () => services.cache.options.now()
    const client = new RegistryClient(services.upstream, settings.credentials)
    const oci: OciContext = {
      services,
      settings,
      client,
      manifests: new ManifestSource(services, client),
      blobs: new BlobSource(services, client),
      tags: new TagLists(services, client),
      repos: new HostedRepos(services.store, now, services.events, services.leases),
      // Replicas on one database keep uploads in the shared store, so a push may land on any of them.
      uploads: services.database
        ? new StoreUploadSessions({ store: services.store, expiryMs: settings.uploadExpiryMs, now, leases: services.leases })
        : new UploadSessions({ dir: join(services.config.dataDir, 'oci-uploads'), expiryMs: settings.uploadExpiryMs, now, leases: services.leases }),
    }
    return {
      route: (c, rawPath) => routeFor(c, oci, parseOciPath(rawPath)),
      clientPaths: '/',
      renderError: renderOciError,
      // Only a running process sweeps on a timer; tests call sweep() themselves.
      start: async () => {
        oci.uploads.startSweeping((error) => services.logger.warn({ app: 'oci', ...errorFields(error) }, 'sweeping expired OCI uploads failed'))
        return { ociUploadExpirySeconds: settings.uploadExpiryMs / 1000 }
      },
    }
  },
})

/** The OCI mirror alone, mounted at /v2 (tests; processes use launch). */
export function createApp(options: { services: LarderServices; settings?: OciSettings }): Hono<LarderEnv> {
  return mountMirror(ociMirror, options.services, options.settings).app
}

function routeFor(c: OciRouteContext, oci: OciContext, path: OciPath): MirrorRoute {
  const what = `the OCI ${path.kind} URL`
  switch (path.kind) {
    case 'base':
      // The version check every client makes first; with LARDER_PROTECT_READS the edge has already asked for a login.
      // skopeo and podman send their login only to a registry whose /v2/ names a scheme, even on a 200: this one
      // lets them push with --creds / `login` while pulls stay anonymous.
      return { what, methods: readRoute(() => c.json({}, 200, { ...API_VERSION_HEADER, 'www-authenticate': BASIC_CHALLENGE })) }
    case 'catalog':
      throw new OciError('UNSUPPORTED', 'E_NOT_FOUND', 'Larder does not list a catalog: the upstream registries are not enumerable', {
        hint: 'ask for a repository: /v2/<upstream>/<repository>/tags/list',
      })
    default:
      break
  }
  const target = resolveTarget(path.name, c.req.query('ns'), oci.settings)
  if (target.kind === 'hosted') return hostedRoute(c, oci, path, target)
  switch (path.kind) {
    case 'manifest':
      return { what, methods: readRoute(() => getManifest(c, oci, target, path.reference)) }
    case 'blob':
      return { what, methods: readRoute(() => getBlob(c, oci, target, path.digest)) }
    case 'tags':
      return { what, methods: readRoute(() => getTags(c, oci, target, target.clientName)) }
    case 'upload':
    case 'referrers':
      // No methods: every request is a 405 saying the mirrored registries are read-only.
      return { what: `${what} of a mirrored registry (read-only; push goes to ${oci.settings.hostedName}/...)`, methods: {} }
  }
}
