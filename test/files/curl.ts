/** Real curl against Larder, the way Dockerfiles and CI scripts call it: status, headers and body of the last response (after -L). */
import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '@larder/testkit'

export interface CurlResult {
  /** curl's exit code: 0, 22 with --fail on a 4xx/5xx, 18 for a body cut short... */
  code: number | null
  status: number
  /** Lower-case names, of the last response when redirects were followed. */
  headers: Record<string, string>
  body: Buffer
  stderr: string
}

/** Runs `curl -sS <args>` with its headers and body written to files in `dir`; `input` feeds --upload-file -. */
export async function curl(dir: string, args: readonly string[], input?: Buffer | string): Promise<CurlResult> {
  const id = randomUUID()
  const headerFile = join(dir, `${id}.headers`)
  const bodyFile = join(dir, `${id}.body`)
  const result = await run('curl', ['-sS', '-D', headerFile, '-o', bodyFile, '-w', '%{http_code}', ...args], { input, timeoutMs: 120_000 })
  const [headerText, body] = await Promise.all([readFile(headerFile, 'utf8').catch(() => ''), readFile(bodyFile).catch(() => Buffer.alloc(0))])
  await Promise.all([rm(headerFile, { force: true }), rm(bodyFile, { force: true })])
  return { code: result.code, status: Number(result.stdout.trim()), headers: lastHeaders(headerText), body, stderr: result.stderr }
}

/** -D writes every response's head in turn (redirects, 100 Continue): the last block is the answer. */
function lastHeaders(text: string): Record<string, string> {
  const blocks = text.split(/\r?\n\r?\n/).filter((block) => block.trim() !== '')
  const headers: Record<string, string> = {}
  for (const line of (blocks.at(-1) ?? '').split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return headers
}

/** What a failed curl said, for assertion messages. */
export function describeCurl(result: CurlResult): string {
  return `curl exit ${result.code}, HTTP ${result.status}\n${result.stderr}\n${result.body.toString('utf8').slice(0, 2000)}`
}
