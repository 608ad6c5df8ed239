/** The hosted repository, its signing key and the mirrors' keyrings (LARDER_APT_*): the APT settings besides the archives (see apt-settings.ts). */
import { join } from 'node:path'
import { LarderError, type Env } from '@larder/core'
import { loadKeyringConfig, type KeyringConfig } from './keyring-config.js'

export const DEFAULT_HOSTED_NAME = 'larder'
export const DEFAULT_HOSTED_SUITE = 'stable'
/** Listed in the hosted Release even before a package of that architecture exists, so apt fetches their Packages. */
export const DEFAULT_HOSTED_ARCHITECTURES = ['amd64', 'arm64']
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

export interface AptConfig extends KeyringConfig {
  /** Archive name of the hosted repository: /apt/<hostedName>/ (LARDER_APT_HOSTED_NAME). */
  hostedName: string
  /** Its one suite (LARDER_APT_HOSTED_SUITE); the component is always `main`. */
  hostedSuite: string
  /** LARDER_APT_HOSTED_ARCHITECTURES, space or comma separated; uploaded architectures are added. */
  hostedArchitectures: string[]
  /** Armored private key file (LARDER_APT_SIGNING_KEY); made on first start when absent. */
  signingKeyPath: string
  /** LARDER_APT_SIGNING_KEY was given: replicas then all read that file rather than the store's shared key. */
  signingKeyGiven?: boolean
}

/** `upstreams`: the mirrored archives (LARDER_APT_UPSTREAMS), each needing a keyring; `dataDir` holds the default signing key. */
export function loadAptConfig(env: Env, dataDir: string, upstreams: Record<string, string>): AptConfig {
  const hostedName = env.LARDER_APT_HOSTED_NAME?.trim() || DEFAULT_HOSTED_NAME
  const hostedSuite = env.LARDER_APT_HOSTED_SUITE?.trim() || DEFAULT_HOSTED_SUITE
  const architectures = env.LARDER_APT_HOSTED_ARCHITECTURES?.trim()
  const apt: AptConfig = {
    hostedName,
    hostedSuite,
    hostedArchitectures: architectures ? architectures.split(/[\s,]+/).filter(Boolean) : DEFAULT_HOSTED_ARCHITECTURES,
    signingKeyPath: env.LARDER_APT_SIGNING_KEY?.trim() || join(dataDir, 'apt', 'signing-key.asc'),
    signingKeyGiven: Boolean(env.LARDER_APT_SIGNING_KEY?.trim()),
    ...loadKeyringConfig(env, upstreams),
  }
  return checkAptConfig(apt, upstreams)
}

export function checkAptConfig(apt: AptConfig, upstreams: Record<string, string>): AptConfig {
  if (!NAME.test(apt.hostedName)) throw new LarderError('E_INVALID_OPTION', `LARDER_APT_HOSTED_NAME must be a lowercase name, got "${apt.hostedName}"`)
  if (apt.hostedName in upstreams) {
    throw new LarderError('E_INVALID_OPTION', `LARDER_APT_HOSTED_NAME "${apt.hostedName}" is also a name in LARDER_APT_UPSTREAMS`, {
      hint: 'give the hosted repository another name',
    })
  }
  if (!NAME.test(apt.hostedSuite)) throw new LarderError('E_INVALID_OPTION', `LARDER_APT_HOSTED_SUITE must be a lowercase name, got "${apt.hostedSuite}"`)
  for (const arch of apt.hostedArchitectures) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(arch) || arch === 'all')
      throw new LarderError('E_INVALID_OPTION', `LARDER_APT_HOSTED_ARCHITECTURES: "${arch}" is not a Debian architecture`)
  }
  return apt
}
