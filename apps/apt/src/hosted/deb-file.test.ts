import { describe, expect, it } from 'vitest'
import { isLarderError } from '@larder/core'
import { buildDeb } from '@larder/testkit'
import { checkControl, readArMembers, readDebControl } from './deb-file.js'

describe('reading uploaded .debs', () => {
  it('reads the control file of .debs built by dpkg-deb with each compressor', async () => {
    for (const compression of ['xz', 'gzip', 'zstd', 'none'] as const) {
      const deb = await buildDeb({ name: 'libdemo1', version: '1.2~rc1-1', architecture: 'arm64', depends: 'libc6', compression })
      const control = await readDebControl(deb.bytes)
      expect(control.package, compression).toBe('libdemo1')
      expect(control.version).toBe('1.2~rc1-1')
      expect(control.poolPath).toBe('pool/main/libd/libdemo1/libdemo1_1.2~rc1-1_arm64.deb')
      expect(control.stanza.find(([n]) => n === 'Depends')?.[1]).toBe('libc6')
    }
  }, 60_000)

  it('drops the epoch from the file name, as Debian does', () => {
    const control = checkControl([['Package', 'tool'], ['Version', '2:1.0-1'], ['Architecture', 'all']])
    expect(control.filename).toBe('tool_1.0-1_all.deb')
  })

  it('refuses files that are not .debs and control fields that could escape the pool', async () => {
    const refusals = [
      () => readDebControl(Buffer.from('not an archive')),
      () => readDebControl(Buffer.from('!<arch>\ndebian-binary   0           0     0     100644  999       `\n2.0\n')),
      async () => checkControl([['Package', '../x'], ['Version', '1'], ['Architecture', 'all']]),
      async () => checkControl([['Package', 'x'], ['Version', '1/../../y'], ['Architecture', 'all']]),
      async () => checkControl([['Package', 'x'], ['Version', '1'], ['Architecture', 'a/b']]),
    ]
    for (const refuse of refusals) {
      const error = await refuse().then(() => undefined, (err: unknown) => err)
      expect(isLarderError(error) && error.status === 400, String(error)).toBe(true)
    }
    expect(() => readArMembers(Buffer.from('!<arch>\nshort'))).not.toThrow()
  })
})
