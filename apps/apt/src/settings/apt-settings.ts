/** The APT mirror's settings (LARDER_APT_*): the mirrored archives, the hosted repository and its signing key, the archives' keyrings; read and checked once at start. */
import { parseNamedUrls, type Env, type LarderConfig } from '@larder/core'
import { loadAptConfig, type AptConfig } from '../config/apt-config.js'

export const UPSTREAMS_ENV = 'LARDER_APT_UPSTREAMS'
export const DEFAULT_APT_UPSTREAMS = 'debian=http://deb.debian.org/debian,debian-security=http://deb.debian.org/debian-security'

export interface AptSettings extends AptConfig {
  /** Archive name -> upstream base URL without a trailing slash (LARDER_APT_UPSTREAMS). */
  upstreams: Record<string, string>
}

/** `base.dataDir` holds the signing key unless LARDER_APT_SIGNING_KEY names another file. */
export function readAptSettings(env: Env, base: Pick<LarderConfig, 'dataDir'>): AptSettings {
  const upstreams = parseNamedUrls(UPSTREAMS_ENV, env[UPSTREAMS_ENV]?.trim() || DEFAULT_APT_UPSTREAMS)
  return { upstreams, ...loadAptConfig(env, base.dataDir, upstreams) }
}
