import { describe, expect, it } from 'vitest'
import { writeZip } from '@larder/testkit'
import { SafeZip } from './zip-entries.js'

const options = { label: 'the wheel' }
const LINK = 0o120777

describe('SafeZip', () => {
  it('lists a zip and reads an entry', async () => {
    const zip = await SafeZip.open(
      writeZip([
        { name: 'demo/', data: '' },
        { name: 'demo/METADATA', data: 'Name: demo' },
        { name: 'demo/link', data: 'METADATA', mode: LINK },
      ]),
      options,
    )
    expect(zip.entries.map((e) => `${e.kind}:${e.path}`)).toEqual(['directory:demo', 'file:demo/METADATA', 'symlink:demo/link'])
    expect((await zip.read(zip.entries[1]!, 100)).toString()).toBe('Name: demo')
    zip.close()
  })

  it.each([
    [[{ name: '../../evil.py', data: 'x' }], "'..' segment"],
    [[{ name: '/etc/evil', data: 'x' }], 'absolute path'],
    [[{ name: 'C:/evil', data: 'x' }], 'Windows drive letter'],
    [[{ name: 'demo\\..\\..\\evil', data: 'x' }], 'backslash'],
    [[{ name: 'demo/link', data: '../../../etc/passwd', mode: LINK }], 'links outside'],
    [[{ name: 'demo/ok.py', localName: '../../evil.py', data: 'x' }], 'local header names another file'],
  ])('refuses an unsafe entry (%#)', async (entries, reason) => {
    await expect(SafeZip.open(writeZip(entries), options)).rejects.toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringContaining(reason) })
  })

  it('refuses what is not a zip', async () => {
    await expect(SafeZip.open(Buffer.from('not a zip at all'), options)).rejects.toMatchObject({
      code: 'E_BAD_REQUEST',
      message: expect.stringContaining('not a zip'),
    })
  })
})
