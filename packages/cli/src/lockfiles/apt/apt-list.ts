/**
 * An APT list: the packages of one machine from one archive and suite, as locked items. It is what
 * `dpkg-query -W -f='${Package}=${Version}:${Architecture}\n'` prints, under a header naming the archive:
 *
 *     # larder-apt: archive=debian suite=bookworm components=main,contrib architectures=amd64
 *     curl=7.88.1-10+deb12u5:amd64
 *     bsdutils=1:2.38.1-5+b1:amd64
 *     tzdata=2024a-0+deb12u1:all
 *
 * `archive` is its name on Larder (`/apt/<archive>/`: one of LARDER_APT_UPSTREAMS, or the hosted one) and
 * `suite` the distribution of the sources.list line; `components` defaults to main; `architectures` adds to
 * those the lines name (needed when every line is `:all`); `vendor` is the purl namespace (default: the
 * archive's name up to a dash). Each line is looked up in that suite's Packages as Larder serves it: its pool
 * file, with the SHA256 the index gives. Dependencies are not resolved: the list is the closure. Every item
 * holds the InRelease and the Packages and Translation-en files of the suite, all an offline `apt-get update`
 * reads. Named `*.apt-list` or `apt.list`, or any name with the header.
 */
import type { LockfileFormat } from '../lockfile-format.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { type AptListHeader, isAptList, parseAptHeader, parseAptLines } from './apt-list-parse.js'
import { SuiteIndexes } from './suite-indexes.js'

export const APT_LIST = 'APT list'

export const aptListFormat: LockfileFormat = {
  name: APT_LIST,
  byName: (name) => name.endsWith('.apt-list') || name === 'apt.list',
  byContent: isAptList,
  read: (path, text) => readAptList(path, text),
}

export function readAptList(path: string, text: string): ReadLockfile {
  const header = parseAptHeader(path, text)
  const lines = parseAptLines(text)
  const named = [...header.architectures, ...lines.flatMap((l) => (l.kind === 'package' ? [l.arch] : []))]
  const architectures = [...new Set(named)].filter((arch) => arch !== 'all')
  if (architectures.length === 0 && lines.length > 0) {
    throw new Error(`${path}: every line is an :all package, so the list names no architecture: add architectures=amd64 (the machine's) to the header`)
  }
  // Shared by every line: the Release is read, and each Packages parsed, once for the whole list.
  const suite = new SuiteIndexes(header, architectures)
  const items = lines.map((line): LockedItem => {
    const source = `${path}:${line.line}`
    if (line.kind === 'bad') {
      return {
        ecosystem: 'apt',
        source,
        name: line.text,
        version: '',
        indexes: [],
        artifacts: [],
        problem: `"${line.text}" is not name=version:arch (as dpkg-query -W -f='\${Package}=\${Version}:\${Architecture}\\n' prints)`,
      }
    }
    const { name, version, arch } = line
    return {
      ecosystem: 'apt',
      source,
      name,
      version,
      indexes: [suite.inRelease],
      artifacts: [],
      resolve: (documents) => suite.resolveLine(documents, line),
      purl: debPurl(header, name, version, arch),
    }
  })
  return { path, format: APT_LIST, items, skipped: 0 }
}

/** `pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=bookworm` (purl-spec: a colon needs no escaping). */
export function debPurl(header: AptListHeader, name: string, version: string, arch: string): string {
  const enc = (text: string) => encodeURIComponent(text).replace(/%3A/g, ':')
  return `pkg:deb/${enc(header.vendor.toLowerCase())}/${enc(name)}@${enc(version)}?arch=${enc(arch)}&distro=${enc(header.suite)}`
}
