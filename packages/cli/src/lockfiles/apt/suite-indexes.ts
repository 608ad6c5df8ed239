/**
 * One suite's indexes as an offline `apt-get update` reads them through Larder: its InRelease, then the
 * Packages (and Translation-en) files that Release lists for the list's components and architectures, every
 * compressed form (which one apt takes depends on its version and settings). Lines are looked up in one
 * form the executor unpacks (.gz, .zst, .xz, or plain); each index is parsed once for the whole list.
 */
import { documentBodies } from '../../executor/more-documents.js'
import { documentKey, type DocumentBodies, type IndexDocument, type LockedArtifact } from '../locked-item.js'
import type { AptListHeader } from './apt-list-parse.js'
import { parsePackages, type PackagesTable } from './packages-index.js'
import { parseReleaseIndex } from './release-index.js'

/** What apt may fetch. The plain file only when there is no other: archives list it in Release and seldom serve it. */
const COMPRESSED = ['.xz', '.gz', '.zst', '.bz2', '.lzma', '.lz4']
/** What the executor unpacks (executor/document-text.ts), cheapest first. */
const READABLE = ['.gz', '.zst', '.xz']

interface Readable {
  arch: string
  doc: IndexDocument
}

interface Plan {
  /** Every index to hold, in Release order of component, then architecture. */
  held: IndexDocument[]
  /** Per component and architecture, the form to look lines up in. */
  readable: Readable[]
}

export interface PackageLine {
  name: string
  version: string
  arch: string
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/')

export class SuiteIndexes {
  readonly inRelease: IndexDocument
  private plan: { release: string; plan: Plan } | undefined
  private readonly tables = new Map<string, { body: string; table: PackagesTable }>()

  constructor(
    private readonly header: AptListHeader,
    /** The machine's architectures ('all' aside). */
    private readonly architectures: readonly string[],
  ) {
    this.inRelease = { path: `/apt/${encodePath(header.archive)}/dists/${encodePath(header.suite)}/InRelease` }
  }

  /** The pool file of one line with the digests its Packages stanza gives; throws NeedDocuments until every index is given. */
  resolveLine(documents: DocumentBodies, line: PackageLine): LockedArtifact[] {
    const [release] = documentBodies(documents, [this.inRelease])
    const plan = this.planOf(release!)
    documentBodies(documents, plan.held)
    const versions: string[] = []
    // An `all` package is in binary-all where the suite has one, and in every architecture's Packages.
    for (const { doc } of plan.readable.filter((r) => line.arch === 'all' || r.arch === line.arch)) {
      for (const file of this.tableOf(doc, documents).get(line.name) ?? []) {
        if (file.version === line.version && file.arch === line.arch) {
          return [{ path: `/apt/${encodePath(this.header.archive)}/${encodePath(file.filename)}`, expected: file.digests }]
        }
        versions.push(`${file.version}:${file.arch}`)
      }
    }
    const { archive, suite, components } = this.header
    const where = `${archive} ${suite} (${components.join(', ')})`
    const has = versions.length > 0 ? `it has ${[...new Set(versions)].join(', ')}` : `it has no package ${line.name} for ${line.arch}`
    throw new Error(`${line.name}=${line.version}:${line.arch} is not in ${where}: ${has}`)
  }

  private planOf(release: string): Plan {
    if (this.plan?.release === release) return this.plan.plan
    const { archive, suite, components } = this.header
    const listed = parseReleaseIndex(release, `${archive} ${suite} InRelease`)
    const dists = this.inRelease.path.slice(0, -'InRelease'.length)
    const plan: Plan = { held: [], readable: [] }
    const forms = (base: string) => {
      const compressed = COMPRESSED.filter((ext) => listed.files.has(base + ext))
      return compressed.length > 0 || !listed.files.has(base) ? compressed : ['']
    }
    for (const component of components) {
      for (const arch of ['all', ...this.architectures]) {
        const base = `${component}/binary-${arch}/Packages`
        const held = forms(base)
        if (held.length === 0 && arch === 'all') continue
        if (held.length === 0) {
          const has = `components ${listed.components.join(' ') || '?'}, architectures ${listed.architectures.join(' ') || '?'}`
          throw new Error(`the Release of ${archive} ${suite} lists no ${base} (it has ${has})`)
        }
        for (const ext of held) plan.held.push({ path: `${dists}${base}${ext}` })
        const readable = held.includes('') ? '' : READABLE.find((ext) => held.includes(ext))
        // binary-all's packages are in every architecture's Packages too, where it cannot be read.
        if (readable !== undefined) plan.readable.push({ arch, doc: { path: `${dists}${base}${readable}` } })
        else if (arch !== 'all') throw new Error(`${archive} ${suite} has ${base} only as ${held.join(', ')}: larder reads Packages.gz, .zst, .xz or plain`)
      }
      // apt-get update fetches the English descriptions whatever the locale, when the suite has them.
      for (const ext of forms(`${component}/i18n/Translation-en`)) plan.held.push({ path: `${dists}${component}/i18n/Translation-en${ext}` })
    }
    this.plan = { release, plan }
    return plan
  }

  private tableOf(doc: IndexDocument, documents: DocumentBodies): PackagesTable {
    const key = documentKey(doc)
    const body = documents.get(key) ?? ''
    const known = this.tables.get(key)
    if (known?.body === body) return known.table
    const table = parsePackages(body)
    this.tables.set(key, { body, table })
    return table
  }
}
