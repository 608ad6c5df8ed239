/** Starts a long-running child (a server under test) and waits until it prints that it is ready. */
import { spawn } from 'node:child_process'
import { childEnv, type EnvOverrides } from './child-env.js'

export const DEFAULT_READY_TIMEOUT_MS = 30_000
export const DEFAULT_STOP_GRACE_MS = 5_000

export interface StartProcessOptions {
  /** Merged over process.env; an undefined value removes the variable. */
  env?: EnvOverrides
  cwd?: string
  /** A stdout line matching this means "ready"; without it the process counts as ready once spawned. */
  readyLine?: RegExp
  /** Where the ready line is printed: stdout by default; some servers (Docker's registry) log to stderr. */
  readyStream?: 'stdout' | 'stderr'
  readyTimeoutMs?: number
}

export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface StartedProcess {
  readonly pid: number
  /** The match of `readyLine` against the ready line (null without a readyLine). */
  readonly ready: RegExpMatchArray | null
  /** Settles when the process has exited. */
  readonly exited: Promise<ProcessExit>
  output(): { stdout: string; stderr: string }
  /** SIGTERM, then SIGKILL if the process is still running after DEFAULT_STOP_GRACE_MS. */
  stop(): Promise<ProcessExit>
  kill(signal?: NodeJS.Signals): void
}

export function startProcess(command: string, args: readonly string[] = [], options: StartProcessOptions = {}): Promise<StartedProcess> {
  const { env, cwd, readyLine, readyStream = 'stdout', readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS } = options
  if (!(readyTimeoutMs > 0)) throw new TypeError('readyTimeoutMs must be a positive number')

  const child = spawn(command, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let pendingLine = ''
  let exit: ProcessExit | undefined
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('close', (code, signal) => {
      exit = { code, signal }
      resolve(exit)
    })
  })
  const output = () => ({ stdout, stderr })
  const describe = () => `${command} ${args.join(' ')}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`

  const handle = (ready: RegExpMatchArray | null): StartedProcess => ({
    pid: child.pid ?? -1,
    ready,
    exited,
    output,
    kill: (signal = 'SIGKILL') => {
      if (exit === undefined) child.kill(signal)
    },
    stop: async () => {
      if (exit !== undefined) return exit
      child.kill('SIGTERM')
      const grace = setTimeout(() => child.kill('SIGKILL'), DEFAULT_STOP_GRACE_MS)
      const result = await exited
      clearTimeout(grace)
      return result
    },
  })

  return new Promise((resolve, reject) => {
    const fail = (reason: string, cause?: unknown) => {
      clearTimeout(timer)
      if (exit === undefined) child.kill('SIGKILL')
      reject(new Error(`startProcess: ${reason}: ${describe()}`, { cause }))
    }
    const timer = setTimeout(() => fail(`not ready within ${readyTimeoutMs} ms`), readyTimeoutMs)

    const watch = (chunk: string) => {
      if (!readyLine) return
      // Lines can arrive split across chunks; only whole lines are matched.
      const lines = (pendingLine + chunk).split('\n')
      pendingLine = lines.pop() ?? ''
      for (const line of lines) {
        const match = line.match(readyLine)
        if (match) {
          clearTimeout(timer)
          return resolve(handle(match))
        }
      }
    }
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      if (readyStream === 'stderr') watch(chunk)
    })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (readyStream === 'stdout') watch(chunk)
    })
    child.once('error', (error) => fail(`cannot start (${error.message})`, error))
    child.once('spawn', () => {
      if (readyLine) return
      clearTimeout(timer)
      resolve(handle(null))
    })
    void exited.then((result) => fail(`exited (code ${result.code}, signal ${result.signal}) before it was ready`))
  })
}
