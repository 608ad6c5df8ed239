/**
 * A pinned requirements file (`pip freeze`, `pip-compile [--generate-hashes]`) as locked items: each
 * `name==version` line is the project page plus the files of that version, those matching its
 * `--hash`es when it has any (what `pip install --require-hashes` accepts), else all of them.
 */
import { dirname, resolve } from 'node:path'
import { fromAlgorithmHex } from '../digests.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { normalizeName } from './pep440.js'
import { parseRequirements, type RequirementEntry } from './requirements-parse.js'
import { filesOfRelease } from './simple-page.js'

/** pip's own first choice; the page Larder stores serves either format. */
export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json'

export interface RequirementsContext {
  readText(path: string): Promise<string>
  env?: Readonly<Record<string, string | undefined>>
}

export async function readRequirementsFile(path: string, text: string, context: RequirementsContext): Promise<ReadLockfile> {
  const items: LockedItem[] = []
  const counts = { skipped: 0 }
  await collect(path, text, context, items, counts, new Set([resolve(path)]))
  return { path, format: 'requirements', items, skipped: counts.skipped }
}

async function collect(path: string, text: string, context: RequirementsContext, items: LockedItem[], counts: { skipped: number }, seen: Set<string>) {
  for (const entry of parseRequirements(text, context.env ?? {})) {
    const where = `${path}:${entry.line}`
    if (entry.kind === 'requirement') items.push(toItem(where, entry))
    else if (entry.kind === 'editable') {
      // A local project is built from the checkout; a VCS one cannot come from an index.
      if (/^[a-z+]+:\/\//i.test(entry.target) || entry.target.startsWith('git+')) items.push(unholdable(where, entry.target, 'an editable VCS requirement'))
      else counts.skipped++
    } else if (entry.kind === 'include' && !entry.constraints) {
      // pip resolves -r relative to the including file.
      const included = resolve(dirname(path), entry.file)
      if (seen.has(included)) continue
      seen.add(included)
      await collect(included, await context.readText(included), context, items, counts, seen)
    }
    // Constraints files and global options (--index-url, --require-hashes, ...) name nothing to fetch.
  }
}

function unholdable(source: string, name: string, what: string): LockedItem {
  return { ecosystem: 'pypi', source, name, version: '', indexes: [], artifacts: [], problem: `${what} (${name}): Larder can hold only what an index lists` }
}

function toItem(source: string, entry: RequirementEntry): LockedItem {
  if (!entry.name) return { ...unholdable(source, entry.text, 'not a requirement'), problem: `cannot read "${entry.text}" as a requirement` }
  if (entry.url) return unholdable(source, entry.name, `a direct reference to ${entry.url}`)
  const base = { ecosystem: 'pypi' as const, source, name: entry.name, version: entry.pinned ?? '', indexes: [], artifacts: [] }
  if (!entry.pinned) {
    return {
      ...base,
      problem: `"${entry.text}" is not pinned: larder needs one exact version per line (name==version, as pip freeze and pip-compile write)`,
    }
  }
  const hashes: [string, string][] = []
  for (const text of entry.hashes) {
    const hash = fromAlgorithmHex(text)
    if (!hash) return { ...base, problem: `--hash=${text} is not algorithm:hex` }
    hashes.push(hash)
  }
  const page = { path: `/pypi/simple/${normalizeName(entry.name)}/`, accept: SIMPLE_JSON }
  const pinned = entry.pinned
  return { ...base, indexes: [page], resolve: (documents) => filesOfRelease(documents, page, entry.name, pinned, hashes) }
}
