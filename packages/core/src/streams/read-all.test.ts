import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readAll } from './read-all.js'

describe('readAll', () => {
  it('joins every chunk', async () => {
    expect((await readAll(Readable.from([Buffer.from('ab'), 'cd']))).toString()).toBe('abcd')
  })

  it('stops at the limit with E_TOO_LARGE', async () => {
    await expect(readAll(Readable.from([Buffer.alloc(4), Buffer.alloc(4)]), 6, 'x')).rejects.toMatchObject({ code: 'E_TOO_LARGE' })
  })
})
