/** artifacts.lock.yaml as locked items: download URLs onto the files mirror's upstreams, pinned by sha256; what cannot be mirrored. */
import { describe, expect, it } from 'vitest'
import { artifactsLockFormat, readArtifactsLock } from './artifacts-lock.js'

const SHA = 'ab'.repeat(32)

function lock(artifacts: string, version = "'1.0'"): string {
  return `metadata:\n  version: ${version}\nartifacts:\n${artifacts}`
}

const TOOL = `  - download_url: https://github.com/acme/tool/releases/download/v1.0.0/tool-linux-amd64.tar.gz
    checksum: sha256:${SHA}
    filename: tool.tar.gz
`

describe('artifacts.lock.yaml', () => {
  it('is told by its name or by its content', () => {
    expect(artifactsLockFormat.byName('artifacts.lock.yaml')).toBe(true)
    expect(artifactsLockFormat.byContent!(lock(TOOL))).toBe(true)
    expect(artifactsLockFormat.byContent!('lockfileVersion: 6.0\n')).toBe(false)
  })

  it('maps each URL onto the default upstreams (github, nodejs) and pins it', () => {
    const node = `  - download_url: https://nodejs.org/dist/v22.11.0/node-v22.11.0-linux-x64.tar.xz\n    checksum: sha256:${SHA}\n`
    const { items, format } = readArtifactsLock('/p/artifacts.lock.yaml', lock(TOOL + node, '1.0'), { env: {} })
    expect(format).toBe('artifacts.lock.yaml')
    expect(items.map((i) => [i.name, i.source, i.artifacts])).toEqual([
      [
        'tool.tar.gz',
        '/p/artifacts.lock.yaml artifacts[0]',
        [{ path: `/files/github/acme/tool/releases/download/v1.0.0/tool-linux-amd64.tar.gz?sha256=${SHA}`, expected: { sha256: SHA } }],
      ],
      [
        'node-v22.11.0-linux-x64.tar.xz',
        '/p/artifacts.lock.yaml artifacts[1]',
        [{ path: `/files/nodejs/v22.11.0/node-v22.11.0-linux-x64.tar.xz?sha256=${SHA}`, expected: { sha256: SHA } }],
      ],
    ])
    expect(items[0]!.purl).toBe(
      `pkg:generic/tool.tar.gz?checksum=sha256:${SHA}&download_url=https://github.com/acme/tool/releases/download/v1.0.0/tool-linux-amd64.tar.gz`,
    )
  })

  it('takes LARDER_FILES_UPSTREAMS, the longest base first, and keeps the query beside the pin', () => {
    const env = { LARDER_FILES_UPSTREAMS: 'site=http://127.0.0.1:8000,deep=http://127.0.0.1:8000/mirror/' }
    const text = lock(
      `  - download_url: http://127.0.0.1:8000/mirror/a/b.tgz?token=x\n    checksum: sha256:${SHA}\n  - download_url: http://127.0.0.1:8000/c.tgz\n    checksum: SHA256:${SHA.toUpperCase()}\n`,
    )
    const { items } = readArtifactsLock('artifacts.lock.yaml', text, { env })
    expect(items.map((i) => i.artifacts[0]!.path)).toEqual([`/files/deep/a/b.tgz?token=x&sha256=${SHA}`, `/files/site/c.tgz?sha256=${SHA}`])
  })

  it('checks another algorithm on the bytes, without a pin', () => {
    const sha512 = 'cd'.repeat(64)
    const { items } = readArtifactsLock('a', lock(`  - download_url: https://github.com/a/b/c.zip\n    checksum: sha512:${sha512}\n`), { env: {} })
    expect(items[0]!.artifacts).toEqual([{ path: '/files/github/a/b/c.zip', expected: { sha512 } }])
  })

  it('fails a URL under no upstream naming LARDER_FILES_UPSTREAMS, and entries without a URL or a checksum', () => {
    const text = lock(`  - download_url: https://example.com/x.tgz
    checksum: sha256:${SHA}
  - download_url: ftp://github.com/x.tgz
    checksum: sha256:${SHA}
  - download_url: https://github.com/x.tgz
    checksum: ${SHA}
`)
    const { items } = readArtifactsLock('a', text, { env: {} })
    expect(items.map((i) => i.problem)).toEqual([
      'https://example.com/x.tgz is under no upstream of LARDER_FILES_UPSTREAMS (github=https://github.com,nodejs=https://nodejs.org/dist): add its host, e.g. LARDER_FILES_UPSTREAMS=github=https://github.com,nodejs=https://nodejs.org/dist,name=https://example.com',
      'download_url "ftp://github.com/x.tgz" is not an http(s) URL',
      `checksum "${SHA}" is not algorithm:hex (sha256:<64 hex digits>)`,
    ])
    const none = readArtifactsLock('a', lock(TOOL), { env: { LARDER_FILES_UPSTREAMS: 'none' } })
    expect(none.items[0]!.problem).toMatch(/is under no upstream of LARDER_FILES_UPSTREAMS \(none\)/)
  })

  it('refuses a file that is not version 1.0, or not YAML', () => {
    expect(() => readArtifactsLock('a.yaml', lock(TOOL, "'2.0'"), { env: {} })).toThrow(
      `a.yaml: metadata.version is "2.0"; larder reads artifacts.lock.yaml version '1.0'`,
    )
    expect(() => readArtifactsLock('a.yaml', 'metadata: [', { env: {} })).toThrow(/a\.yaml is not valid YAML/)
    expect(() => readArtifactsLock('a.yaml', "metadata:\n  version: '1.0'\nartifacts: {}\n", { env: {} })).toThrow('a.yaml: artifacts is not a list')
  })
})
