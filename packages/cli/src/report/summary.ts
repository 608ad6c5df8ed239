/** The end of a run: a table per lockfile, then every package not held with why; or the same as JSON for machines. */
import type { ItemOutcome } from '../executor/run-items.js'
import { itemLabel, type ReadLockfile } from '../lockfiles/locked-item.js'
import { formatBytes, formatDuration, table } from './format.js'

export interface RunReport {
  command: string
  target: string
  lockfiles: { lockfile: ReadLockfile; outcomes: ItemOutcome[] }[]
  ms: number
}

export function reportOk(report: RunReport): boolean {
  return report.lockfiles.every(({ outcomes }) => outcomes.every((o) => o.ok))
}

function totals(outcomes: readonly ItemOutcome[]) {
  const held = outcomes.filter((o) => o.ok).length
  return {
    packages: outcomes.length,
    held,
    failed: outcomes.length - held,
    files: outcomes.reduce((n, o) => n + o.artifacts.filter((a) => a.ok).length, 0),
    unverified: outcomes.reduce((n, o) => n + o.artifacts.filter((a) => a.ok && a.verified.length === 0).length, 0),
    documents: new Set(outcomes.flatMap((o) => o.indexes.filter((d) => d.ok).map((d) => d.path))).size,
    bytes: outcomes.reduce((n, o) => n + o.bytes, 0),
  }
}

export function renderSummary(report: RunReport): string {
  const header = ['lockfile', 'format', 'packages', 'held', 'failed', 'files', 'no digest', 'documents', 'bytes']
  const rows = report.lockfiles.map(({ lockfile, outcomes }) => {
    const t = totals(outcomes)
    return [lockfile.path, lockfile.format, t.packages, t.held, t.failed, t.files, t.unverified, t.documents, formatBytes(t.bytes)].map(String)
  })
  const lines = [table([header, ...rows], new Set([2, 3, 4, 5, 6, 7, 8]))]
  const failed = report.lockfiles.flatMap(({ outcomes }) => outcomes.filter((o) => !o.ok))
  if (failed.length > 0) {
    lines.push('', `not held (${failed.length}):`)
    for (const outcome of failed) {
      lines.push(`  ${outcome.item.ecosystem} ${itemLabel(outcome.item)} (${outcome.item.source})`)
      for (const error of outcome.errors) lines.push(`    ${error}`)
    }
  }
  const all = totals(report.lockfiles.flatMap(({ outcomes }) => outcomes))
  const verdict = failed.length === 0 ? `all ${all.packages} packages held and verified` : `${all.failed} of ${all.packages} packages are not held and verified`
  lines.push('', `${verdict} (${report.command} against ${report.target}, ${formatDuration(report.ms)})`)
  if (all.unverified > 0) lines.push(`${all.unverified} files have no digest in their lockfile: held, checked by Larder against its index only`)
  return `${lines.join('\n')}\n`
}

export function renderJson(report: RunReport): string {
  return `${JSON.stringify(reportDocument(report), null, 2)}\n`
}

/** The report as the JSON machines read (`--json`, POST /-/api/prefetch). */
export function reportDocument(report: RunReport) {
  const all = report.lockfiles.flatMap(({ outcomes }) => outcomes)
  return {
    command: report.command,
    target: report.target,
    ok: reportOk(report),
    ms: report.ms,
    totals: totals(all),
    lockfiles: report.lockfiles.map(({ lockfile, outcomes }) => ({
      path: lockfile.path,
      format: lockfile.format,
      skipped: lockfile.skipped,
      totals: totals(outcomes),
      packages: outcomes.map((o) => ({
        ecosystem: o.item.ecosystem,
        name: o.item.name,
        version: o.item.version,
        source: o.item.source,
        ok: o.ok,
        errors: o.errors,
        documents: o.indexes,
        files: o.artifacts,
      })),
    })),
  }
}
