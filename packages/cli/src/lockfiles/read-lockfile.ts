/** Reads a lockfile into locked items, its format told by its name and, failing that, by its content. */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { aptListFormat } from './apt/apt-list.js'
import { readComposerLock } from './composer/composer-lock.js'
import { artifactsLockFormat } from './files/artifacts-lock.js'
import { readGemfileLock } from './gems/gemfile-lock.js'
import type { LockfileFormat, ReadContext } from './lockfile-format.js'
import type { ReadLockfile } from './locked-item.js'
import { readPackageLock } from './npm/package-lock.js'
import { ociListFormat } from './oci/oci-list.js'
import { readRequirementsFile } from './pip/requirements-file.js'
import { pnpmLockFormat } from './pnpm/pnpm-lock.js'
import { pipfileLockFormat } from './python/pipfile-lock.js'
import { poetryLockFormat } from './python/poetry-lock.js'
import { pylockFormat } from './python/pylock.js'
import { uvLockFormat } from './python/uv-lock.js'
import { yarnLockFormat } from './yarn/yarn-lock.js'

/** A lockfile that cannot be read at all: missing, of an unknown or not yet supported format, malformed. */
export class LockfileError extends Error {
  override readonly name = 'LockfileError'
}

const npmFormat: LockfileFormat = {
  name: 'npm',
  byName: (name) => name === 'package-lock.json' || name === 'npm-shrinkwrap.json',
  byContent: (text) => text.trimStart().startsWith('{') && /"lockfileVersion"\s*:/.test(text),
  read: (path, text) => readPackageLock(path, text),
}

const gemsFormat: LockfileFormat = {
  name: 'gems',
  byName: (name) => name === 'Gemfile.lock' || name === 'gems.locked' || name.endsWith('.gemfile.lock'),
  byContent: (text) => /^GEM$/m.test(text) && /^ {2}specs:$/m.test(text),
  read: (path, text) => readGemfileLock(path, text),
}

const composerFormat: LockfileFormat = {
  name: 'composer',
  byName: (name) => name === 'composer.lock',
  byContent: (text) => text.trimStart().startsWith('{') && (/"content-hash"\s*:/.test(text) || /"packages"\s*:\s*\[/.test(text)),
  read: (path, text) => readComposerLock(path, text),
}

const requirementsFormat: LockfileFormat = {
  name: 'requirements',
  byName: (name) => /^requirements.*\.txt$/.test(name),
  byContent(text) {
    if (text.trimStart().startsWith('{')) return false
    // A pinned requirement or a pip option on the first meaningful line.
    const first = text.split(/\r?\n/).find((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    return first !== undefined && /^\s*(-[rceif]\s|--[a-z-]+|[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*(==|===|>=|<=|~=|!=|<|>|@|;|$))/.test(first)
  },
  read: (path, text, context) => readRequirementsFile(path, text, context),
}

/** In the order content is tried: the more specific first; requirements (almost any text) last. */
export const LOCKFILE_FORMATS: readonly LockfileFormat[] = [
  npmFormat,
  composerFormat,
  gemsFormat,
  pnpmLockFormat,
  yarnLockFormat,
  pylockFormat,
  uvLockFormat,
  poetryLockFormat,
  pipfileLockFormat,
  aptListFormat,
  ociListFormat,
  artifactsLockFormat,
  requirementsFormat,
]

export const SUPPORTED_FORMATS =
  'package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, requirements*.txt, pylock.toml, uv.lock, poetry.lock, Pipfile.lock, Gemfile.lock, composer.lock, *.apt-list, *.oci-list, artifacts.lock.yaml'

export async function readLockfile(path: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<ReadLockfile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new LockfileError(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`)
  }
  return readLockfileText(path, text, { readText: (p) => readFile(p, 'utf8'), env })
}

/** A lockfile's text read into items, its format told by the name in `path`, else by content. */
export async function readLockfileText(path: string, text: string, context: ReadContext): Promise<ReadLockfile> {
  const name = basename(path)
  const format = LOCKFILE_FORMATS.find((f) => f.byName(name)) ?? LOCKFILE_FORMATS.find((f) => f.byContent?.(text))
  if (!format) throw new LockfileError(`${path}: not a lockfile larder knows (supported: ${SUPPORTED_FORMATS})`)
  try {
    return await format.read(path, text, context)
  } catch (cause) {
    if (cause instanceof LockfileError) throw cause
    const message = (cause as Error).message
    throw new LockfileError(/not supported yet$/.test(message) ? `${message} (supported: ${SUPPORTED_FORMATS})` : message)
  }
}
