/** An environment and a project for running the real composer, untouched by the machine's config and caches. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EnvOverrides } from '../process/child-env.js'

/**
 * HOME, COMPOSER_HOME and COMPOSER_CACHE_DIR under `dir`; inherited COMPOSER_* variables are removed
 * (COMPOSER_AUTH or COMPOSER_MIRROR_PATH_REPOS from the parent would change what composer does).
 */
export async function prepareIsolatedComposerEnv(dir: string, extra: EnvOverrides = {}): Promise<EnvOverrides> {
  const home = join(dir, 'home')
  const composerHome = join(dir, 'composer-home')
  const cache = join(dir, 'composer-cache')
  for (const path of [home, composerHome, cache]) await mkdir(path, { recursive: true })
  const env: EnvOverrides = {}
  for (const key of Object.keys(process.env)) if (key.startsWith('COMPOSER')) env[key] = undefined
  return {
    ...env,
    HOME: home,
    COMPOSER_HOME: composerHome,
    COMPOSER_CACHE_DIR: cache,
    COMPOSER_ALLOW_SUPERUSER: '1',
    COMPOSER_NO_INTERACTION: '1',
    COMPOSER_DISABLE_XDEBUG_WARN: '1',
    ...extra,
  }
}

export interface ComposerProjectOptions {
  /** The Composer repository URL, e.g. http://127.0.0.1:PORT/composer. */
  repositoryUrl: string
  require?: Record<string, string>
  name?: string
}

/** A composer.json that uses only `repositoryUrl` (packagist.org disabled) over plain http. */
export async function writeComposerProject(dir: string, options: ComposerProjectOptions): Promise<string> {
  await mkdir(dir, { recursive: true })
  const composerJson = {
    name: options.name ?? 'larder-test/project',
    description: 'a project installing through Larder',
    type: 'project',
    license: 'MIT',
    require: options.require ?? {},
    repositories: [{ type: 'composer', url: options.repositoryUrl }, { 'packagist.org': false }],
    config: { 'secure-http': false, 'preferred-install': 'dist', 'notify-on-install': false },
  }
  const path = join(dir, 'composer.json')
  await writeFile(path, JSON.stringify(composerJson, null, 4) + '\n')
  return path
}
