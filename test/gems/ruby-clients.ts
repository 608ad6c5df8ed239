/** Runs the real gem and bundle commands, each sandbox with its own HOME, GEM_HOME, spec cache and bundler dirs. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, prepareIsolatedRubyEnv, run, type EnvOverrides, type RunResult } from '@larder/testkit'

export const RUBY_CLIENT_TIMEOUT_MS = 240_000

export interface RubySandbox {
  readonly root: string
  readonly gemHome: string
  readonly project: string
  gem(args: string[], env?: EnvOverrides): Promise<RunResult>
  bundle(args: string[], env?: EnvOverrides): Promise<RunResult>
  writeGemfile(source: string, gems: string[]): Promise<void>
  cleanup(): Promise<void>
}

export async function createRubySandbox(): Promise<RubySandbox> {
  const temp = await makeTempDir('larder-e2e-ruby-')
  const env = await prepareIsolatedRubyEnv(temp.path)
  const project = join(temp.path, 'project')
  await mkdir(project, { recursive: true })
  const runIn = (command: string, args: string[], extra: EnvOverrides = {}) =>
    run(command, args, { cwd: project, env: { ...env, ...extra }, timeoutMs: RUBY_CLIENT_TIMEOUT_MS })
  return {
    root: temp.path,
    gemHome: env.GEM_HOME as string,
    project,
    gem: (args, extra) => runIn('gem', args, extra),
    bundle: (args, extra) => runIn('bundle', args, extra),
    writeGemfile: (source, gems) =>
      writeFile(join(project, 'Gemfile'), [`source ${JSON.stringify(source)}`, ...gems.map((g) => `gem ${JSON.stringify(g)}`), ''].join('\n')),
    cleanup: () => temp.cleanup(),
  }
}

export function describeRun(result: RunResult): string {
  return `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}
