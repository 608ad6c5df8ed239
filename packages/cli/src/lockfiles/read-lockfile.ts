/** Reads a lockfile into locked items, its format told by its name and, failing that, by its content. */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { readComposerLock } from './composer/composer-lock.js'
import { readGemfileLock } from './gems/gemfile-lock.js'
import type { ReadLockfile } from './locked-item.js'
import { readPackageLock } from './npm/package-lock.js'
import { readRequirementsFile } from './pip/requirements-file.js'

/** A lockfile that cannot be read at all: missing, of an unknown or not yet supported format, malformed. */
export class LockfileError extends Error {
  override readonly name = 'LockfileError'
}

type Format = 'npm' | 'requirements' | 'gems' | 'composer'

/** Formats of issue #15 that are recognised but not read yet, so the message says so instead of "unknown". */
const NOT_YET: Record<string, string> = {
  'pnpm-lock.yaml': 'pnpm',
  'yarn.lock': 'yarn',
  'pylock.toml': 'PEP 751',
  'uv.lock': 'uv',
  'poetry.lock': 'Poetry',
  'Pipfile.lock': 'Pipenv',
}

export const SUPPORTED_FORMATS = 'package-lock.json, npm-shrinkwrap.json, requirements*.txt, Gemfile.lock, composer.lock'

export async function readLockfile(path: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<ReadLockfile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new LockfileError(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`)
  }
  const name = basename(path)
  const later = NOT_YET[name] ?? (/^pylock\..+\.toml$/.test(name) ? 'PEP 751' : undefined)
  if (later) throw new LockfileError(`${path}: ${later} lockfiles are not supported yet (supported: ${SUPPORTED_FORMATS})`)
  const format = formatByName(name) ?? formatByContent(text)
  if (!format) throw new LockfileError(`${path}: not a lockfile larder knows (supported: ${SUPPORTED_FORMATS})`)
  try {
    if (format === 'npm') return readPackageLock(path, text)
    if (format === 'gems') return readGemfileLock(path, text)
    if (format === 'composer') return readComposerLock(path, text)
    return await readRequirementsFile(path, text, { readText: (p) => readFile(p, 'utf8'), env })
  } catch (cause) {
    if (cause instanceof LockfileError) throw cause
    throw new LockfileError((cause as Error).message)
  }
}

function formatByName(name: string): Format | undefined {
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return 'npm'
  if (name === 'Gemfile.lock' || name === 'gems.locked' || name.endsWith('.gemfile.lock')) return 'gems'
  if (name === 'composer.lock') return 'composer'
  if (/^requirements.*\.txt$/.test(name)) return 'requirements'
  return undefined
}

function formatByContent(text: string): Format | undefined {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{')) {
    if (/"lockfileVersion"\s*:/.test(text)) return 'npm'
    if (/"content-hash"\s*:/.test(text) || /"packages"\s*:\s*\[/.test(text)) return 'composer'
    return undefined
  }
  if (/^GEM$/m.test(text) && /^ {2}specs:$/m.test(text)) return 'gems'
  // A pinned requirement or a pip option on the first meaningful line.
  const first = text.split(/\r?\n/).find((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
  if (first && /^\s*(-[rceif]\s|--[a-z-]+|[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*(==|===|>=|<=|~=|!=|<|>|@|;|$))/.test(first)) return 'requirements'
  return undefined
}
