/** What every OCI route handler is given: the services, the settings, the sources of manifests, blobs and tags, and the hosted repositories with their uploads. */
import type { LarderEnv, LarderServices } from '@larder/core'
import type { Context } from 'hono'
import type { BlobSource } from '../blobs/blob-source.js'
import type { HostedRepos } from '../hosted/hosted-repos.js'
import type { ManifestSource } from '../manifests/manifest-source.js'
import type { RegistryClient } from '../registry/registry-client.js'
import type { OciSettings } from '../settings/oci-settings.js'
import type { TagLists } from '../tags/tag-list.js'
import type { UploadSessionStore } from '../uploads/upload-types.js'

export interface OciContext {
  services: LarderServices
  settings: OciSettings
  client: RegistryClient
  manifests: ManifestSource
  blobs: BlobSource
  tags: TagLists
  repos: HostedRepos
  uploads: UploadSessionStore
}

export type OciRouteContext = Context<LarderEnv>
