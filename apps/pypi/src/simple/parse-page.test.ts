import { describe, expect, it } from 'vitest'
import { parseHtmlPage } from './parse-html.js'
import { parseJsonPage } from './parse-json.js'
import { readUpstreamPage } from './upstream-page.js'

const PAGE = 'https://index.example/simple/pkg/'

describe('parseHtmlPage', () => {
  it('resolves relative and <base> links, decodes entities, reads PEP 592/658 attributes', () => {
    const html = `<html><body>
      <a href="../../f/pkg-1.0.tar.gz#md5=ABCDEF" data-requires-python="&gt;=3.8" data-yanked="">pkg-1.0.tar.gz</a>
      <a href='https://cdn.example/x/pkg-2.0-py3-none-any.whl#sha256=${'a'.repeat(64)}' data-dist-info-metadata="sha256=${'b'.repeat(64)}" data-yanked="bad &amp; sad">w</a>
      <a href="pkg-3.0.zip" data-core-metadata>z</a>
      <a href="../%2e%2e/evil%2fname.whl">e</a>
      <a href="javascript:alert(1)">j</a>
    </body></html>`
    const files = parseHtmlPage(html, PAGE)
    expect(files).toEqual([
      { filename: 'pkg-1.0.tar.gz', url: 'https://index.example/f/pkg-1.0.tar.gz', hashes: { md5: 'abcdef' }, yanked: true, requiresPython: '>=3.8' },
      {
        filename: 'pkg-2.0-py3-none-any.whl',
        url: 'https://cdn.example/x/pkg-2.0-py3-none-any.whl',
        hashes: { sha256: 'a'.repeat(64) },
        yanked: 'bad & sad',
        coreMetadata: { sha256: 'b'.repeat(64) },
      },
      { filename: 'pkg-3.0.zip', url: `${PAGE}pkg-3.0.zip`, hashes: {}, yanked: false, coreMetadata: true },
    ])
    expect(parseHtmlPage('<base href="https://other.example/dl/"><a href="p-1.0.tar.gz">p</a>', PAGE)[0]!.url).toBe('https://other.example/dl/p-1.0.tar.gz')
  })
})

describe('parseJsonPage', () => {
  it('reads PEP 691/700 fields and the pre-714 metadata key, and refuses other major versions', () => {
    const doc = {
      meta: { 'api-version': '1.1', '_last-serial': 42 },
      name: 'pkg',
      versions: ['1.0'],
      files: [
        {
          filename: 'pkg-1.0.tar.gz',
          url: '/files/pkg-1.0.tar.gz',
          hashes: { sha256: 'C'.repeat(64) },
          'dist-info-metadata': true,
          yanked: false,
          size: 10,
          'upload-time': 't',
        },
      ],
    }
    expect(parseJsonPage(doc, PAGE, 'x')).toEqual({
      files: [
        {
          filename: 'pkg-1.0.tar.gz',
          url: 'https://index.example/files/pkg-1.0.tar.gz',
          hashes: { sha256: 'c'.repeat(64) },
          yanked: false,
          size: 10,
          uploadTime: 't',
          coreMetadata: true,
        },
      ],
      versions: ['1.0'],
      lastSerial: 42,
    })
    expect(() => parseJsonPage({ ...doc, meta: { 'api-version': '2.0' } }, PAGE, 'x')).toThrow(/unsupported simple API version/)
  })

  it('takes a #sha256= fragment on a JSON url as a hash, as pip does, and an empty yank reason as yanked', () => {
    const page = parseJsonPage(
      {
        meta: { 'api-version': '1.0' },
        files: [
          { filename: 'p-1.0.tar.gz', url: `/f/p-1.0.tar.gz#sha256=${'D'.repeat(64)}`, hashes: {}, yanked: '' },
          { filename: 'p-2.0.tar.gz', url: `/f/p-2.0.tar.gz#sha256=${'e'.repeat(64)}`, hashes: { SHA256: 'f'.repeat(64) } },
        ],
      },
      PAGE,
      'x',
    )
    expect(page.files.map((f) => [f.url, f.hashes, f.yanked])).toEqual([
      ['https://index.example/f/p-1.0.tar.gz', { sha256: 'd'.repeat(64) }, true],
      ['https://index.example/f/p-2.0.tar.gz', { sha256: 'f'.repeat(64) }, false],
    ])
  })

  it('refuses a JSON page that names another project', () => {
    const headers = { 'content-type': 'application/vnd.pypi.simple.v1+json' }
    const page = (name: string) => JSON.stringify({ meta: { 'api-version': '1.0' }, name, files: [] })
    expect(readUpstreamPage('Zope.Interface', page('zope-interface'), headers, PAGE).files).toEqual([])
    expect(() => readUpstreamPage('p-wrongname', page('requests'), headers, PAGE)).toThrow(expect.objectContaining({ code: 'E_UPSTREAM_GARBAGE' }))
  })

  it('takes the serial from X-PyPI-Last-Serial and the format from Content-Type', () => {
    const page = readUpstreamPage('pkg', '<a href="pkg-1.0.tar.gz">x</a>', { 'content-type': 'text/html', 'x-pypi-last-serial': '7' }, PAGE)
    expect(page).toMatchObject({ name: 'pkg', lastSerial: 7, files: [{ filename: 'pkg-1.0.tar.gz' }] })
  })
})
