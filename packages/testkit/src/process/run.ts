/** Runs a command to completion and returns its exit code and output; a non-zero exit is not an error. */
import { spawn } from 'node:child_process'
import { childEnv, type EnvOverrides } from './child-env.js'

export const DEFAULT_RUN_TIMEOUT_MS = 120_000

export interface RunOptions {
  /** Merged over process.env; an undefined value removes the variable. */
  env?: EnvOverrides
  cwd?: string
  timeoutMs?: number
  /** Written to stdin, which is then closed (stdin is empty otherwise). */
  input?: string | Buffer
}

export interface RunResult {
  /** null when the process was ended by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Drives real clients (npm, pnpm, pip...): callers assert on `code` so that a failing client shows
 * its output in the assertion. Rejects only when the command cannot be started or outlives
 * `timeoutMs` (it is then killed), because neither has an exit code worth asserting on.
 */
export function run(command: string, args: readonly string[] = [], options: RunOptions = {}): Promise<RunResult> {
  const { env, cwd, timeoutMs = DEFAULT_RUN_TIMEOUT_MS, input } = options
  if (!(timeoutMs > 0)) throw new TypeError('timeoutMs must be a positive number')

  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.stdin.on('error', () => {
      // A child that exits without reading stdin makes the write fail with EPIPE; its exit code says more.
    })
    child.stdin.end(input)

    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)

    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`run: cannot start ${command}: ${error.message}`, { cause: error }))
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const result = {
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }
      if (!timedOut) return resolve(result)
      reject(
        new Error(
          `run: ${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\n` + `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
        ),
      )
    })
  })
}
