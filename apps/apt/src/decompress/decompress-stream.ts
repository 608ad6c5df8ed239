/** Unpacks xz and zstd as a stream (through the programs), for members too big to hold unpacked, such as a .deb's data.tar. */
import { spawn } from 'node:child_process'
import { PassThrough, type Readable } from 'node:stream'
import { LarderError } from '@larder/core'

/**
 * The unpacked bytes of `input` as they come; the stream fails when the program does (bad data)
 * or cannot start. Destroying the stream (a reader that has seen enough) stops the program.
 */
export function decompressStream(program: 'xz' | 'zstd', input: Buffer, label: string): Readable {
  const output = new PassThrough()
  const child = spawn(program, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stdout.pipe(output, { end: false })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // The program may stop reading early (bad input, or our reader stopped it); its exit status tells why.
  child.stdin.on('error', () => {})
  child.once('error', (cause) =>
    output.destroy(new LarderError('E_INTERNAL', `cannot run ${program} to unpack ${label}`, { cause, hint: `install ${program === 'xz' ? 'xz-utils' : 'zstd'}` })),
  )
  child.once('close', (code) => {
    if (code === 0) output.end()
    else output.destroy(new LarderError('E_BAD_REQUEST', `${label} is not valid ${program} data (${stderr.trim().split('\n')[0] ?? `exit ${code}`})`))
  })
  output.once('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  child.stdin.end(input)
  return output
}
