/** An environment for running the real npm client untouched by the machine's npmrc, cache or parent npm. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EnvOverrides } from '../process/child-env.js'

/**
 * Writes an empty userconfig and a cache dir under `dir` and returns env overrides for `run()`.
 * Every inherited npm_config_* variable is removed: under `npm test` the parent npm exports its
 * own config (registry, cache...) that would otherwise leak into the child.
 */
export async function prepareIsolatedNpmEnv(dir: string, extra: EnvOverrides = {}): Promise<EnvOverrides> {
  const userconfig = join(dir, 'npmrc')
  const cache = join(dir, 'npm-cache')
  await writeFile(userconfig, '')
  await mkdir(cache, { recursive: true })
  const env: EnvOverrides = {}
  for (const key of Object.keys(process.env)) if (/^npm_config_/i.test(key)) env[key] = undefined
  return {
    ...env,
    npm_config_userconfig: userconfig,
    npm_config_cache: cache,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'warn',
    ...extra,
  }
}
