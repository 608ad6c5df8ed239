/**
 * The OCI mirror's settings (LARDER_OCI_*): the upstream registries, their logins, the default for mirror mode, the
 * hosted name, which hosted tags are immutable and how long an idle upload lives; read and checked once at start.
 */
import { LarderError, parseNamedUrls, readInteger, type Env } from '@larder/core'
import { isNameComponent } from '../names/oci-grammar.js'
import { parseCredentials, type UpstreamCredentials } from './credentials.js'
import { parseImmutableTags, type ImmutableTags } from './immutable-tags.js'

export const UPSTREAMS_ENV = 'LARDER_OCI_UPSTREAMS'
export const CREDENTIALS_ENV = 'LARDER_OCI_CREDENTIALS'
export const DEFAULT_UPSTREAM_ENV = 'LARDER_OCI_DEFAULT_UPSTREAM'
export const HOSTED_NAME_ENV = 'LARDER_OCI_HOSTED_NAME'
export const IMMUTABLE_TAGS_ENV = 'LARDER_OCI_IMMUTABLE_TAGS'
export const UPLOAD_EXPIRY_ENV = 'LARDER_OCI_UPLOAD_EXPIRY_SECONDS'

export const DEFAULT_OCI_UPSTREAMS = 'docker.io=https://registry-1.docker.io,ghcr.io=https://ghcr.io,quay.io=https://quay.io'
export const DEFAULT_OCI_DEFAULT_UPSTREAM = 'docker.io'
export const DEFAULT_OCI_HOSTED_NAME = 'local'
/** An upload nobody has touched for an hour is abandoned (a client that died mid-push): its spool file is deleted. */
export const DEFAULT_OCI_UPLOAD_EXPIRY_SECONDS = 3600

export interface OciSettings {
  /** Upstream name (the first path segment of an image name) -> registry base URL without a trailing slash. */
  upstreams: Record<string, string>
  /** Logins by upstream name; never logged. */
  credentials: Record<string, UpstreamCredentials>
  /** Where names that start with no upstream name go (dockerd's registry-mirrors sends `library/debian`). */
  defaultUpstream: string
  /** The first segment reserved for images pushed to Larder itself. */
  hostedName: string
  /** Whether a hosted tag never moves once pushed (LARDER_OCI_IMMUTABLE_TAGS); undefined: every tag moves. */
  immutableTags: ImmutableTags
  /** How long an upload session may sit idle before it is swept. */
  uploadExpiryMs: number
}

export function readOciSettings(env: Env): OciSettings {
  const upstreams = parseNamedUrls(UPSTREAMS_ENV, env[UPSTREAMS_ENV]?.trim() || DEFAULT_OCI_UPSTREAMS)
  for (const name of Object.keys(upstreams)) {
    // The name is the first component of image names, so it must be one a client can send.
    if (!isNameComponent(name)) {
      throw new LarderError('E_INVALID_OPTION', `${UPSTREAMS_ENV}: "${name}" cannot start an image name`, {
        hint: 'use lower-case letters and digits, separated by single dots, dashes or underscores (docker.io, my-registry)',
      })
    }
  }
  const names = Object.keys(upstreams)
  if (names.length === 0)
    throw new LarderError('E_INVALID_OPTION', `${UPSTREAMS_ENV} names no registry`, { hint: 'e.g. docker.io=https://registry-1.docker.io' })
  const defaultUpstream =
    env[DEFAULT_UPSTREAM_ENV]?.trim() || (Object.hasOwn(upstreams, DEFAULT_OCI_DEFAULT_UPSTREAM) ? DEFAULT_OCI_DEFAULT_UPSTREAM : names[0]!)
  if (!Object.hasOwn(upstreams, defaultUpstream)) {
    throw new LarderError('E_INVALID_OPTION', `${DEFAULT_UPSTREAM_ENV} "${defaultUpstream}" is not a name in ${UPSTREAMS_ENV}`, {
      hint: `names: ${names.join(', ')}`,
    })
  }
  const hostedName = env[HOSTED_NAME_ENV]?.trim() || DEFAULT_OCI_HOSTED_NAME
  if (!isNameComponent(hostedName)) {
    throw new LarderError('E_INVALID_OPTION', `${HOSTED_NAME_ENV} "${hostedName}" cannot start an image name`, {
      hint: 'lower-case letters and digits, like local',
    })
  }
  if (Object.hasOwn(upstreams, hostedName)) {
    throw new LarderError('E_INVALID_OPTION', `${HOSTED_NAME_ENV} "${hostedName}" is also a name in ${UPSTREAMS_ENV}`, {
      hint: 'hosted images and a mirrored registry need different names',
    })
  }
  return {
    upstreams,
    credentials: parseCredentials(CREDENTIALS_ENV, env[CREDENTIALS_ENV], names),
    defaultUpstream,
    hostedName,
    immutableTags: parseImmutableTags(IMMUTABLE_TAGS_ENV, env[IMMUTABLE_TAGS_ENV]),
    uploadExpiryMs: readInteger(env, UPLOAD_EXPIRY_ENV, DEFAULT_OCI_UPLOAD_EXPIRY_SECONDS, 1) * 1000,
  }
}
