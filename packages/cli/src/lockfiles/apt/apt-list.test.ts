/** APT lists as locked items: the header, the lines dpkg-query prints, the indexes an offline apt-get update reads, pool files by version. */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { NeedDocuments } from '../../executor/more-documents.js'
import { documentKey, type LockedItem } from '../locked-item.js'
import { aptListFormat, readAptList } from './apt-list.js'

const SHA = (c: string) => c.repeat(64)
const HEADER = '# larder-apt: archive=debian suite=bookworm components=main'

function inRelease(paths: string[]): string {
  const table = paths.map((p, i) => ` ${SHA(String(i % 10))} ${1000 + i} ${p}`).join('\n')
  return [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA512',
    '',
    'Origin: Debian',
    'Suite: stable',
    'Codename: bookworm',
    'Architectures: all amd64 arm64',
    'Components: main contrib',
    'Acquire-By-Hash: yes',
    'SHA256:',
    table,
    '- dash-escaped: a line the signer escaped',
    '-----BEGIN PGP SIGNATURE-----',
    '',
    'iQIzBAEBCgAdFiEE',
    '-----END PGP SIGNATURE-----',
    '',
  ].join('\n')
}

const DEBIAN = inRelease([
  'main/binary-all/Packages',
  'main/binary-all/Packages.xz',
  'main/binary-amd64/Packages',
  'main/binary-amd64/Packages.gz',
  'main/binary-amd64/Packages.xz',
  'main/i18n/Translation-en',
  'main/i18n/Translation-en.bz2',
])

function stanza(name: string, version: string, arch: string, sha: string): string {
  const file = `${name}_${version.replace(/^\d+:/, '')}_${arch}.deb`
  return [
    `Package: ${name}`,
    `Version: ${version}`,
    `Architecture: ${arch}`,
    'Description: a package',
    ' with a long description.',
    `Filename: pool/main/${name[0]}/${name}/${file}`,
    'Size: 1234',
    `MD5sum: ${'0'.repeat(32)}`,
    `SHA256: ${sha}`,
    '',
  ].join('\n')
}

const AMD64 = [
  stanza('curl', '7.88.1-10+deb12u5', 'amd64', SHA('a')),
  stanza('bsdutils', '1:2.38.1-5+b1', 'amd64', SHA('b')),
  stanza('tzdata', '2024a-0+deb12u1', 'all', SHA('c')),
].join('\n')
const ALL = stanza('tzdata', '2024a-0+deb12u1', 'all', SHA('c'))

const dists = '/apt/debian/dists/bookworm'
const BODIES: Record<string, string> = {
  [`${dists}/InRelease`]: DEBIAN,
  [`${dists}/main/binary-amd64/Packages.gz`]: AMD64,
  [`${dists}/main/binary-all/Packages.xz`]: ALL,
}

function read(lines: string[], header = HEADER) {
  return readAptList('/srv/web.apt-list', [header, ...lines, ''].join('\n'))
}

/** Runs an item's resolve the way the executor does: the documents it asks for are added until it answers. */
function resolve(item: LockedItem, bodies: Record<string, string> = BODIES) {
  const documents = new Map(item.indexes.map((d) => [documentKey(d), bodies[d.path] ?? '']))
  const asked: string[] = []
  for (;;) {
    try {
      return { artifacts: item.resolve!(documents), asked }
    } catch (error) {
      if (!(error instanceof NeedDocuments)) throw error
      for (const doc of error.documents) {
        asked.push(doc.path)
        documents.set(documentKey(doc), bodies[doc.path] ?? '')
      }
    }
  }
}

describe('APT list', () => {
  it('is told by its name or by its header', () => {
    expect(aptListFormat.byName('web.apt-list')).toBe(true)
    expect(aptListFormat.byContent!(`${HEADER}\ncurl=7.88.1-10:amd64\n`)).toBe(true)
    expect(aptListFormat.byContent!('curl==1.0\n')).toBe(false)
  })

  it('finds each line in the Packages of its architecture, epochs and :all included, with the SHA256 of its stanza', () => {
    const { items } = read(['curl=7.88.1-10+deb12u5:amd64', 'bsdutils=1:2.38.1-5+b1:amd64', '# a comment', 'tzdata=2024a-0+deb12u1:all'])
    expect(items.map((i) => [i.name, i.version, i.source])).toEqual([
      ['curl', '7.88.1-10+deb12u5', '/srv/web.apt-list:2'],
      ['bsdutils', '1:2.38.1-5+b1', '/srv/web.apt-list:3'],
      ['tzdata', '2024a-0+deb12u1', '/srv/web.apt-list:5'],
    ])
    expect(items[0]!.indexes).toEqual([{ path: `${dists}/InRelease` }])
    const curl = resolve(items[0]!)
    expect(curl.artifacts).toEqual([{ path: '/apt/debian/pool/main/c/curl/curl_7.88.1-10%2Bdeb12u5_amd64.deb', expected: { sha256: SHA('a') } }])
    // Every compressed form apt may take (the plain file only where there is no other), the English descriptions.
    expect(curl.asked).toEqual([
      `${dists}/main/binary-all/Packages.xz`,
      `${dists}/main/binary-amd64/Packages.xz`,
      `${dists}/main/binary-amd64/Packages.gz`,
      `${dists}/main/i18n/Translation-en.bz2`,
    ])
    expect(resolve(items[1]!).artifacts[0]!.path).toBe('/apt/debian/pool/main/b/bsdutils/bsdutils_2.38.1-5%2Bb1_amd64.deb')
    expect(resolve(items[2]!).artifacts[0]).toMatchObject({
      path: '/apt/debian/pool/main/t/tzdata/tzdata_2024a-0%2Bdeb12u1_all.deb',
      expected: { sha256: SHA('c') },
    })
    expect(items.map((i) => i.purl)).toEqual([
      'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=bookworm',
      'pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=bookworm',
      'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=bookworm',
    ])
  })

  it('fails a version the index does not have, naming the line and the versions it has', () => {
    const [item] = read(['curl=7.74.0-1:amd64']).items
    expect(() => resolve(item!)).toThrow('curl=7.74.0-1:amd64 is not in debian bookworm (main): it has 7.88.1-10+deb12u5:amd64')
    const [gone] = read(['wget=1.21:amd64']).items
    expect(() => resolve(gone!)).toThrow('wget=1.21:amd64 is not in debian bookworm (main): it has no package wget for amd64')
  })

  it('fails an architecture or component the Release does not list, and a suite it cannot read', () => {
    const [arm] = read(['curl=7.88.1-10:armhf']).items
    expect(() => resolve(arm!)).toThrow(
      'the Release of debian bookworm lists no main/binary-armhf/Packages (it has components main contrib, architectures all amd64 arm64)',
    )
    const bz2Only = { ...BODIES, [`${dists}/InRelease`]: inRelease(['main/binary-amd64/Packages', 'main/binary-amd64/Packages.bz2']) }
    const [curl] = read(['curl=7.88.1-10:amd64']).items
    expect(() => resolve(curl!, bz2Only)).toThrow('debian bookworm has main/binary-amd64/Packages only as .bz2: larder reads Packages.gz, .zst, .xz or plain')
  })

  it("holds what apt-get update reads of debian-security's real InRelease: each index only as .xz, as it serves them", async () => {
    const real = await readFile(new URL('../../../../../apps/apt/src/mirror/fixtures/debian-security-bookworm-InRelease', import.meta.url), 'utf8')
    const { items } = read(['curl=7.88.1-10+deb12u8:amd64'], '# larder-apt: archive=debian-security suite=bookworm-security')
    const base = '/apt/debian-security/dists/bookworm-security'
    const bodies = { [`${base}/InRelease`]: real, [`${base}/main/binary-amd64/Packages.xz`]: stanza('curl', '7.88.1-10+deb12u8', 'amd64', SHA('d')) }
    const { artifacts, asked } = resolve(items[0]!, bodies)
    expect(asked).toEqual([`${base}/main/binary-all/Packages.xz`, `${base}/main/binary-amd64/Packages.xz`, `${base}/main/i18n/Translation-en.xz`])
    expect(artifacts).toEqual([{ path: '/apt/debian-security/pool/main/c/curl/curl_7.88.1-10%2Bdeb12u8_amd64.deb', expected: { sha256: SHA('d') } }])
  })

  it('takes the components, architectures and purl vendor the header names', () => {
    const { items } = read(['tzdata=2024a-0+deb12u1:all'], '# larder-apt: archive=debian-security suite=bookworm-security components=main architectures=amd64')
    const bodies: Record<string, string> = {}
    for (const [k, v] of Object.entries(BODIES)) bodies[k.replace('/debian/dists/bookworm/', '/debian-security/dists/bookworm-security/')] = v
    expect(resolve(items[0]!, bodies).artifacts[0]!.path).toBe('/apt/debian-security/pool/main/t/tzdata/tzdata_2024a-0%2Bdeb12u1_all.deb')
    expect(items[0]!.purl).toBe('pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=bookworm-security')
  })

  it('refuses a list without a usable header, and one of :all packages naming no architecture', () => {
    expect(() => readAptList('a.apt-list', 'curl=1:amd64\n')).toThrow(/a\.apt-list: an APT list starts with a header naming its archive and suite/)
    expect(() => read([], '# larder-apt: archive=debian')).toThrow(/the header's suite= "" is missing or not a name/)
    expect(() => read([], '# larder-apt: archive=debian suite=bookworm arch=amd64')).toThrow(/"arch=amd64" in the header is not one of archive=/)
    expect(() => read(['tzdata=2024a:all'])).toThrow(/every line is an :all package.*add architectures=amd64/)
  })

  it('fails a line that is not name=version:arch, saying what dpkg-query prints', () => {
    const { items } = read(['curl 7.88.1-10 amd64', 'curl=7.88.1-10:amd64'])
    expect(items[0]).toMatchObject({
      name: 'curl 7.88.1-10 amd64',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's ${Field} syntax, not a template.
      problem: expect.stringContaining("is not name=version:arch (as dpkg-query -W -f='${Package}=${Version}:${Architecture}\\n' prints)"),
    })
    expect(items[1]!.problem).toBeUndefined()
  })
})
