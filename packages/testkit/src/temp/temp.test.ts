import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeTempDir } from './temp-dir.js'
import { waitFor } from './wait-for.js'

describe('makeTempDir', () => {
  it('creates a fresh directory with the prefix and removes it with its contents', async () => {
    const dir = await makeTempDir('larder-temp-test-')
    expect(dir.path).toContain('larder-temp-test-')
    await writeFile(join(dir.path, 'file.txt'), 'x')
    expect(existsSync(join(dir.path, 'file.txt'))).toBe(true)
    await dir.cleanup()
    expect(existsSync(dir.path)).toBe(false)
    await dir.cleanup()
  })

  it('rejects a prefix that would escape the temp dir', async () => {
    await expect(makeTempDir('../evil')).rejects.toThrow(/prefix/)
  })
})

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0
    const value = await waitFor(() => (++calls >= 3 ? `done after ${calls}` : undefined), {
      intervalMs: 1,
    })
    expect(value).toBe('done after 3')
  })

  it('treats a throwing predicate as not yet and reports the last error on timeout', async () => {
    const failure = waitFor(
      () => {
        throw new Error('still booting')
      },
      { timeoutMs: 50, intervalMs: 5, description: 'server up' },
    )
    await expect(failure).rejects.toThrow(/server up did not hold within 50 ms/)
    await expect(failure).rejects.toMatchObject({ cause: { message: 'still booting' } })
  })

  it('validates its options', async () => {
    await expect(waitFor(() => true, { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/)
  })
})
