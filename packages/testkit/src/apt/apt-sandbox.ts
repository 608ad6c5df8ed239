/** Real apt-get in isolated state directories: its own sources.list, lists, caches and status, signature checks on. */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run, type RunResult } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'

export const DEFAULT_APT_TIMEOUT_MS = 180_000

export interface AptSource {
  /** http://host/apt/debian */
  url: string
  suite: string
  components?: string[]
  /** Keyring file for `signed-by=` (never trusted=yes). */
  signedBy: string
  /** Extra sources.list options, e.g. `check-valid-until=no`. */
  options?: string[]
}

export interface AptSandbox {
  readonly root: string
  /** apt-get with the isolated options plus `args`. */
  aptGet(args: string[], extraOptions?: string[]): Promise<RunResult>
  update(): Promise<RunResult>
  /** `apt-get install --download-only`: resolves dependencies and fetches into the sandbox's archives. */
  downloadWithDependencies(packages: string[]): Promise<RunResult>
  /** File names of the .debs in the sandbox's archives folder. */
  downloaded(): Promise<string[]>
  cleanup(): Promise<void>
}

export async function createAptSandbox(sources: AptSource[], architecture = 'amd64'): Promise<AptSandbox> {
  const dir = await makeTempDir('larder-apt-client-')
  const root = dir.path
  for (const sub of ['lists/partial', 'cache', 'archives/partial', 'sourceparts', 'etc/preferences.d', 'etc/apt.conf.d']) {
    await mkdir(join(root, sub), { recursive: true })
  }
  const sourceList = join(root, 'sources.list')
  const lines = sources.map((s) => {
    const opts = [`signed-by=${s.signedBy}`, `arch=${architecture}`, ...(s.options ?? [])].join(' ')
    return `deb [${opts}] ${s.url} ${s.suite} ${(s.components ?? ['main']).join(' ')}`
  })
  await writeFile(sourceList, `${lines.join('\n')}\n`)
  await writeFile(join(root, 'status'), '')
  const isolation = [
    `Dir::Etc::sourcelist=${sourceList}`,
    `Dir::Etc::sourceparts=${join(root, 'sourceparts')}`,
    `Dir::Etc::preferencesparts=${join(root, 'etc/preferences.d')}`,
    `Dir::Etc::parts=${join(root, 'etc/apt.conf.d')}`,
    `Dir::State::Lists=${join(root, 'lists')}`,
    `Dir::Cache=${join(root, 'cache')}`,
    `Dir::Cache::archives=${join(root, 'archives')}`,
    `Dir::State::status=${join(root, 'status')}`,
    `APT::Architecture=${architecture}`,
    'APT::Architectures::=',
    'Debug::NoLocking=1',
    // apt drops to _apt for downloads, which cannot write these temp folders.
    'APT::Sandbox::User=root',
    'Acquire::Retries=0',
    'Acquire::Languages=none',
  ]
  // apt reads APT_CONFIG before /etc/apt: pointing Dir::Etc::main and ::parts away keeps the machine's settings
  // (e.g. Acquire::Check-Valid-Until "false" in CI images) out of the test. -o comes too late for that.
  const aptConf = join(root, 'apt.conf')
  await writeFile(join(root, 'etc/apt.conf'), '')
  await writeFile(aptConf, `Dir::Etc::main "${join(root, 'etc/apt.conf')}";\nDir::Etc::parts "${join(root, 'etc/apt.conf.d')}";\n`)
  const aptGet = (args: string[], extraOptions: string[] = []) =>
    run('apt-get', [...[...isolation, ...extraOptions].flatMap((o) => ['-o', o]), ...args], {
      cwd: root,
      timeoutMs: DEFAULT_APT_TIMEOUT_MS,
      env: { APT_CONFIG: aptConf, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive', http_proxy: undefined, HTTP_PROXY: undefined },
    })
  return {
    root,
    aptGet,
    update: () => aptGet(['update']),
    downloadWithDependencies: (packages) => aptGet(['install', '--download-only', '--yes', ...packages]),
    downloaded: async () => (await readdir(join(root, 'archives'))).filter((n) => n.endsWith('.deb')).sort(),
    cleanup: () => dir.cleanup(),
  }
}

/** Command output for assertion messages. */
export function describeAptRun(result: RunResult): string {
  return `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}
