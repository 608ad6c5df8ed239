/** The bundle's SBOM: CycloneDX 1.6 JSON, one component per locked package with its purl and the sha256 of each held file. */
import { randomUUID } from 'node:crypto'
import type { ItemOutcome } from '../executor/run-items.js'
import type { LockedItem } from '../lockfiles/locked-item.js'

/** A Package URL (purl-spec) of a locked package; names as each ecosystem's purl type defines them. */
export function purlOf(item: Pick<LockedItem, 'ecosystem' | 'name' | 'version' | 'purl'>): string {
  if (item.purl) return item.purl
  const version = encodeURIComponent(item.version)
  switch (item.ecosystem) {
    case 'npm': {
      const [scope, name] = item.name.startsWith('@') ? item.name.split('/') : [undefined, item.name]
      return `pkg:npm/${scope ? `${encodeURIComponent(scope)}/` : ''}${encodeURIComponent(name!)}@${version}`
    }
    case 'pypi':
      // The purl type lower-cases PyPI names and writes '_' as '-'.
      return `pkg:pypi/${encodeURIComponent(item.name.toLowerCase().replace(/[._]+/g, '-'))}@${version}`
    case 'composer': {
      const [vendor, name] = item.name.toLowerCase().split('/')
      return `pkg:composer/${encodeURIComponent(vendor!)}/${encodeURIComponent(name ?? '')}@${version}`
    }
    case 'gems':
      return `pkg:gem/${encodeURIComponent(item.name)}@${version}`
    case 'apt':
      return `pkg:deb/${encodeURIComponent(item.name)}@${version}`
    case 'oci':
      return `pkg:oci/${encodeURIComponent(item.name.split('/').at(-1)!)}@${version}`
    case 'files':
      return `pkg:generic/${encodeURIComponent(item.name)}${item.version ? `@${version}` : ''}`
  }
}

export interface SbomTool {
  name: string
  version: string
}

export function renderSbom(outcomes: readonly ItemOutcome[], tool: SbomTool, now: Date = new Date()): string {
  const components = new Map<string, Record<string, unknown>>()
  for (const { item, artifacts } of outcomes) {
    const purl = purlOf(item)
    const hashes = artifacts.filter((a) => a.sha256).map((a) => ({ alg: 'SHA-256', content: a.sha256! }))
    const existing = components.get(purl)
    if (existing) {
      const known = existing.hashes as { content: string }[]
      for (const hash of hashes) if (!known.some((k) => k.content === hash.content)) known.push(hash)
      continue
    }
    const scoped = item.ecosystem === 'npm' && item.name.startsWith('@')
    components.set(purl, {
      type: 'library',
      'bom-ref': purl,
      ...(scoped ? { group: item.name.split('/')[0], name: item.name.split('/')[1] } : { name: item.name }),
      version: item.version,
      purl,
      hashes,
    })
  }
  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: { timestamp: now.toISOString(), tools: { components: [{ type: 'application', name: tool.name, version: tool.version }] } },
    components: [...components.values()],
  }
  return `${JSON.stringify(bom, null, 2)}\n`
}
