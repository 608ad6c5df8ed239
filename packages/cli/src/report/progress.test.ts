import { describe, expect, it } from 'vitest'
import { byteProgressLine, progressLine } from './progress.js'

const terminal = () => {
  const writes: string[] = []
  return { writes, stream: { isTTY: true, write: (text: string) => writes.push(text) } }
}

describe('progress lines', () => {
  it('draw packages, bytes and rate on a terminal, and clear themselves when done', () => {
    const { writes, stream } = terminal()
    const line = progressLine('prefetch', stream)
    line.update({ itemsDone: 4, itemsTotal: 4, bytes: 3 * 1024 * 1024 })
    line.done()
    expect(writes[0]).toMatch(/larder prefetch: 4\/4 packages, 3(\.0)? MB, .*\/s/)
    expect(writes.at(-1)).toBe('\r\x1b[K')
  })

  it('draw bytes with an ETA for a bundle of known size, and nothing at all off a terminal', () => {
    const { writes, stream } = terminal()
    const line = byteProgressLine('export', 10 * 1024 * 1024, stream)
    line.add(5 * 1024 * 1024)
    expect(writes[0]).toMatch(/larder export: 5(\.0)? MB, .*\/s, ETA /)
    expect(writes[0]).not.toMatch(/packages/)
    const quiet: string[] = []
    const off = byteProgressLine('import', undefined, { write: (text: string) => quiet.push(text) })
    off.add(1024)
    off.done()
    expect(quiet).toEqual([])
  })
})
