/** The names Larder holds per ecosystem, read from store entry keys (each app's key prefixes), and the entries under one name. */
import type { CacheStore } from '../store/types.js'

export type HeldKind = 'mirrored' | 'hosted'

/** Where one ecosystem's names of one kind are listed, and where the entries of a name lie. */
export interface NameSource {
  /** The mirror's name, as in token scopes and URLs ('npm'). */
  ecosystem: string
  kind: HeldKind
  /** One key per name starts with this; the name is the rest of the key (cut by `nameOf`). */
  names: string
  nameOf?: (rest: string) => string | undefined
  /** The keys of a name: exact keys, and prefixes (a rest after the prefix must match `rest` when given). */
  keys(name: string): { exact: string[]; under: { prefix: string; rest?: RegExp }[] }
}

const VERSION_REST = /^\d/

/** The key layouts of apps/* (npm, pypi, gems, composer, oci, files, apt); a mirror not served is skipped. */
export const NAME_SOURCES: readonly NameSource[] = [
  { ecosystem: 'npm', kind: 'mirrored', names: 'npm:packument:', keys: (n) => ({ exact: [`npm:packument:${n}`], under: [{ prefix: `npm:tarball:${n}/` }] }) },
  {
    ecosystem: 'npm',
    kind: 'hosted',
    names: 'npm-private:packument:',
    keys: (n) => ({ exact: [`npm-private:packument:${n}`], under: [{ prefix: `npm-private:tarball:${n}/` }] }),
  },
  {
    ecosystem: 'pypi',
    kind: 'mirrored',
    names: 'pypi:simple:',
    keys: (n) => ({ exact: [`pypi:simple:${n}`], under: [{ prefix: `pypi:file:${n}/` }, { prefix: `pypi:metadata:${n}/` }] }),
  },
  {
    ecosystem: 'pypi',
    kind: 'hosted',
    names: 'pypi-private:project:',
    keys: (n) => ({ exact: [`pypi-private:project:${n}`], under: [{ prefix: `pypi-private:file:${n}/` }, { prefix: `pypi-private:metadata:${n}/` }] }),
  },
  {
    ecosystem: 'gems',
    kind: 'mirrored',
    names: 'gems:info:',
    keys: (n) => ({ exact: [`gems:info:${n}`], under: [{ prefix: `gems:file:${n}-`, rest: VERSION_REST }] }),
  },
  {
    ecosystem: 'gems',
    kind: 'hosted',
    names: 'gems-private:gem:',
    keys: (n) => ({ exact: [`gems-private:gem:${n}`], under: [{ prefix: `gems-private:file:${n}-`, rest: VERSION_REST }] }),
  },
  {
    ecosystem: 'composer',
    kind: 'mirrored',
    names: 'composer:p2:',
    nameOf: (rest) => rest.replace(/~dev$/, ''),
    keys: (n) => ({ exact: [`composer:p2:${n}`, `composer:p2:${n}~dev`], under: [{ prefix: `composer:dist:${n}:` }] }),
  },
  {
    ecosystem: 'composer',
    kind: 'hosted',
    names: 'composer-private:package:',
    keys: (n) => ({ exact: [`composer-private:package:${n}`], under: [{ prefix: `composer-private:dist:${n}:` }] }),
  },
  {
    ecosystem: 'oci',
    kind: 'mirrored',
    names: 'oci:manifest:',
    nameOf: (rest) => (rest.includes('@') ? rest.slice(0, rest.lastIndexOf('@')) : undefined),
    keys: (n) => ({ exact: [], under: [{ prefix: `oci:manifest:${n}@` }, { prefix: `oci:tag:${n}:` }] }),
  },
  {
    ecosystem: 'oci',
    kind: 'hosted',
    names: 'oci-hosted:repo:',
    keys: (n) => ({ exact: [`oci-hosted:repo:${n}`], under: [{ prefix: `oci-hosted:manifest:${n}@` }, { prefix: `oci-hosted:blob:${n}@` }] }),
  },
  { ecosystem: 'files', kind: 'hosted', names: 'files-hosted:file:', keys: (n) => ({ exact: [`files-hosted:file:${n}`], under: [] }) },
  { ecosystem: 'apt', kind: 'mirrored', names: 'apt:pool:', keys: (n) => ({ exact: [`apt:pool:${n}`], under: [] }) },
]

export interface HeldName {
  ecosystem: string
  kind: HeldKind
  name: string
}

export const MAX_SEARCH_RESULTS = 100

/** Names containing `query` (any case; every name for an empty query), at most `limit`, in the ecosystems served. */
export async function searchNames(
  store: CacheStore,
  query: string,
  options: { ecosystems: readonly string[]; limit?: number; sources?: readonly NameSource[] },
): Promise<{ results: HeldName[]; truncated: boolean }> {
  const wanted = query.trim().toLowerCase()
  const limit = options.limit ?? MAX_SEARCH_RESULTS
  const results: HeldName[] = []
  for (const source of options.sources ?? NAME_SOURCES) {
    if (!options.ecosystems.includes(source.ecosystem)) continue
    const seen = new Set<string>()
    for await (const key of store.listEntries(source.names)) {
      const rest = key.slice(source.names.length)
      const name = source.nameOf ? source.nameOf(rest) : rest
      if (!name || seen.has(name) || !name.toLowerCase().includes(wanted)) continue
      seen.add(name)
      if (results.length >= limit) return { results, truncated: true }
      results.push({ ecosystem: source.ecosystem, kind: source.kind, name })
    }
  }
  return { results, truncated: false }
}

/** One store key of a name: what it is (the file or version part of the key, or "index" for the name's document). */
export interface NameKey {
  key: string
  kind: HeldKind
  label: string
}

/** Every store key of `name` in `ecosystem`, mirrored and hosted, with the kind of the source that names it. */
export async function keysOfName(store: CacheStore, ecosystem: string, name: string, sources: readonly NameSource[] = NAME_SOURCES): Promise<NameKey[]> {
  const found = new Map<string, NameKey>()
  for (const source of sources) {
    if (source.ecosystem !== ecosystem) continue
    const { exact, under } = source.keys(name)
    for (const key of exact) if (await store.getEntry(key)) found.set(key, { key, kind: source.kind, label: `index (${key.slice(0, key.indexOf(':'))})` })
    for (const { prefix, rest } of under) {
      for await (const key of store.listEntries(prefix)) {
        const label = key.slice(prefix.length)
        if (!rest || rest.test(label)) found.set(key, { key, kind: source.kind, label })
      }
    }
  }
  return [...found.values()].sort((a, b) => (a.key < b.key ? -1 : 1))
}
