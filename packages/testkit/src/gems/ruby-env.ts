/** An environment for running the real gem and bundle commands untouched by the machine's gems, caches and config. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EnvOverrides } from '../process/child-env.js'

/**
 * Creates HOME, GEM_HOME, a spec cache and a bundler home under `dir` and returns env overrides for `run()`.
 * Inherited BUNDLE_* and GEM_* variables are removed: a parent bundler would otherwise leak its settings.
 */
export async function prepareIsolatedRubyEnv(dir: string, extra: EnvOverrides = {}): Promise<EnvOverrides> {
  const home = join(dir, 'home')
  const gemHome = join(dir, 'gem-home')
  const specCache = join(dir, 'spec-cache')
  const bundleHome = join(dir, 'bundle-home')
  for (const path of [home, gemHome, specCache, bundleHome]) await mkdir(path, { recursive: true })
  // An empty gemrc: the machine's /etc/gemrc or ~/.gemrc must not add sources or flags.
  const gemrc = join(home, '.gemrc')
  await writeFile(gemrc, '---\n:sources: []\n')
  const env: EnvOverrides = {}
  for (const key of Object.keys(process.env)) if (/^(BUNDLE_|GEM_|RUBYOPT|RUBYLIB)/.test(key)) env[key] = undefined
  return {
    ...env,
    HOME: home,
    GEM_HOME: gemHome,
    GEM_PATH: gemHome,
    GEM_SPEC_CACHE: specCache,
    GEMRC: gemrc,
    BUNDLE_USER_HOME: bundleHome,
    BUNDLE_APP_CONFIG: join(dir, 'bundle-config'),
    BUNDLE_PATH: join(dir, 'bundle-path'),
    BUNDLE_DISABLE_VERSION_CHECK: 'true',
    BUNDLE_SILENCE_ROOT_WARNING: 'true',
    ...extra,
  }
}
