import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTempDir } from '@larder/testkit'
import { describe, expect, it } from 'vitest'
import { BatchedLines, type LineSink } from './batched-lines.js'

/** The built logger, so a real process can log and exit the way a Larder process does. */
const BUILT_LOG = fileURLToPath(new URL('../../dist/log/index.js', import.meta.url))

function recordingSink(): LineSink & { writes: string[] } {
  const writes: string[] = []
  return { writes, write: (chunk: string) => writes.push(chunk) }
}

/** Runs `body` in a child process with `log` made by createLogger (stdout), and returns its stdout lines. */
async function childLines(body: string): Promise<{ lines: Record<string, unknown>[]; code: number | null }> {
  const script = `
    const { createLogger, exitWhenLogged } = await import(${JSON.stringify(BUILT_LOG)})
    const log = createLogger({ level: 'info' })
    ${body}
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return {
    code,
    lines: out
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}

describe('BatchedLines', () => {
  it('hands the lines of one turn to the sink as one write, in order, once the turn ends', async () => {
    const sink = recordingSink()
    const lines = new BatchedLines(sink)
    lines.write('a\n')
    lines.write('b\n')
    lines.write('c\n')
    expect(sink.writes).toEqual([])
    await new Promise(setImmediate)
    expect(sink.writes).toEqual(['a\nb\nc\n'])
    lines.write('d\n')
    await new Promise(setImmediate)
    expect(sink.writes).toEqual(['a\nb\nc\n', 'd\n'])
  })

  it('hands a batch on at once when it reaches maxChars', () => {
    const sink = recordingSink()
    const lines = new BatchedLines(sink, { maxChars: 10 })
    lines.write('12345\n')
    expect(sink.writes).toEqual([])
    lines.write('67890\n')
    expect(sink.writes).toEqual(['12345\n67890\n'])
  })

  it("on flushSync, drains the sink's own queue first, then writes what it holds straight to the sink's fd", async () => {
    const dir = await makeTempDir('larder-batched-lines-')
    try {
      const path = join(dir.path, 'log')
      const fd = openSync(path, 'w')
      const order: string[] = []
      const sink = { fd, write: (chunk: string) => order.push(`write ${chunk}`), flushSync: () => order.push('sink flushSync') }
      const lines = new BatchedLines(sink)
      lines.write('x\n')
      lines.write('y\n')
      lines.flushSync()
      closeSync(fd)
      expect(order).toEqual(['sink flushSync'])
      expect(await readFile(path, 'utf8')).toBe('x\ny\n')
    } finally {
      await dir.cleanup()
    }
  })

  it('without an fd, hands held lines to the sink and flushes it; flush calls back after the sink', async () => {
    const sink = { ...recordingSink(), synced: 0, flush: (done: () => void) => setImmediate(done), flushSync: () => sink.synced++ }
    const lines = new BatchedLines(sink)
    lines.write('x\n')
    lines.flushSync()
    expect(sink.writes).toEqual(['x\n'])
    expect(sink.synced).toBeGreaterThan(0)
    lines.write('y\n')
    await new Promise<void>((resolve) => lines.flush(() => resolve()))
    expect(sink.writes).toEqual(['x\n', 'y\n'])
  })

  it('refuses a maxChars that is not a positive integer, naming it', () => {
    expect(() => new BatchedLines(recordingSink(), { maxChars: 0 })).toThrow(/maxChars/)
  })

  it("keeps a process's last lines when it exits in the same turn", async () => {
    const { lines, code } = await childLines(`
      for (let i = 0; i < 3; i++) log.info({ n: i }, 'request')
      process.exit(3)
    `)
    expect(code).toBe(3)
    expect(lines.map((line) => line.n)).toEqual([0, 1, 2])
  })

  it('keeps the line an uncaughtException handler logs before it exits, as launch does', async () => {
    const { lines, code } = await childLines(`
      process.on('uncaughtException', (err) => { log.fatal({ err }, 'crashed: ' + err.message); exitWhenLogged(log, 1) })
      log.info('before')
      setImmediate(() => { throw new Error('boom') })
    `)
    expect(code).toBe(1)
    expect(lines.map((line) => line.msg)).toEqual(['before', 'crashed: boom'])
  })

  it('writes many lines over many turns in full and in order through the real destination', async () => {
    const { lines, code } = await childLines(`
      for (let turn = 0; turn < 20; turn++) {
        for (let i = 0; i < 1000; i++) log.info({ n: turn * 1000 + i }, 'request')
        await new Promise(setImmediate)
      }
      log.flush(() => process.exit(0))
    `)
    expect(code).toBe(0)
    expect(lines).toHaveLength(20000)
    expect(lines.every((line, i) => line.n === i)).toBe(true)
  })

  it('leaves every line whole when the process exits with megabytes still queued', async () => {
    const { lines, code } = await childLines(`
      for (let i = 0; i < 20000; i++) log.info({ n: i }, 'request')
      setImmediate(() => process.exit(0))
    `)
    expect(code).toBe(0)
    // Order at exit is sonic-boom's: its synchronous flush cannot wait for a write already in flight.
    expect(new Set(lines.map((line) => line.n)).size).toBe(20000)
  })
})
