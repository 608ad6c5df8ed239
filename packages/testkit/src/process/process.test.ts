import { describe, expect, it } from 'vitest'
import { run } from './run.js'
import { startProcess } from './start-process.js'

const node = process.execPath

describe('run', () => {
  it('returns code and output without throwing on a non-zero exit', async () => {
    const result = await run(node, ['-e', 'console.log("out"); console.error("err"); process.exit(3)'])
    expect(result).toEqual({ code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' })
  })

  it('passes env overrides, cwd and stdin to the child', async () => {
    const script = 'process.stdin.pipe(process.stdout); console.error(process.env.LARDER_X, process.cwd())'
    const result = await run(node, ['-e', script], { env: { LARDER_X: 'yes' }, cwd: '/', input: 'piped' })
    expect(result.stdout).toBe('piped')
    expect(result.stderr).toBe('yes /\n')
  })

  it('rejects with the output when the command outlives its timeout', async () => {
    const script = 'console.log("started"); setInterval(() => {}, 1000)'
    await expect(run(node, ['-e', script], { timeoutMs: 300 })).rejects.toThrow(/within 300 ms[\s\S]*started/)
  })

  it('rejects when the command does not exist', async () => {
    await expect(run('larder-no-such-command', [])).rejects.toThrow(/cannot start/)
  })
})

describe('startProcess', () => {
  it('resolves with the ready line match and stops the process with SIGTERM', async () => {
    const script = `
      process.stdout.write('boot\\nlisten')
      setTimeout(() => process.stdout.write('ing on 4321\\n'), 10)
      setInterval(() => {}, 1000)`
    const child = await startProcess(node, ['-e', script], { readyLine: /listening on (\d+)/ })
    expect(child.ready?.[1]).toBe('4321')
    expect(child.output().stdout).toContain('boot')
    expect(await child.stop()).toEqual({ code: null, signal: 'SIGTERM' })
  })

  it('rejects with the collected output when the process exits before it is ready', async () => {
    const script = 'console.error("config is broken"); process.exit(2)'
    await expect(startProcess(node, ['-e', script], { readyLine: /ready/ })).rejects.toThrow(/exited \(code 2[\s\S]*config is broken/)
  })

  it('rejects and kills the process when it is not ready in time', async () => {
    const script = 'console.log("still warming up"); setInterval(() => {}, 1000)'
    const attempt = startProcess(node, ['-e', script], { readyLine: /ready/, readyTimeoutMs: 300 })
    await expect(attempt).rejects.toThrow(/not ready within 300 ms[\s\S]*still warming up/)
  })

  it('kill() ends a process that ignores SIGTERM', async () => {
    const script = 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'
    const child = await startProcess(node, ['-e', script], { readyLine: /up/ })
    child.kill('SIGKILL')
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' })
  })
})
