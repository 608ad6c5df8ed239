/** One name's store entries (versions and files, as their keys show them) with their sha256, size and hosted / pinned marks. */
import type { CacheEntry } from '../store/types.js'
import { formatAgo, formatBytes } from './format.js'
import type { NameKey } from './name-catalog.js'
import { PageLayout } from './page-layout.js'

export interface NameEntry extends NameKey {
  entry: CacheEntry | undefined
  pinned: boolean
}

export function NamePage(props: { ecosystem: string; name: string; entries: NameEntry[]; now: number }) {
  const { ecosystem, name, entries } = props
  return (
    <PageLayout title={`Larder: ${ecosystem} ${name}`} query={name}>
      <h2>
        {ecosystem} <span class="mono">{name}</span>
      </h2>
      {entries.length === 0 ? (
        <p class="muted">Larder holds nothing under this name.</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Version / file</th>
                <th class="num">Size</th>
                <th>sha256</th>
                <th>Stored</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {entries.map(({ key, kind, label, entry, pinned }) => (
                <tr data-key={key}>
                  <td class="mono" title={key}>
                    {label}
                  </td>
                  <td class="num">{entry?.size !== undefined ? formatBytes(entry.size) : '–'}</td>
                  <td class="mono" data-sha256={entry?.blob ?? ''}>
                    {entry?.blob ?? '–'}
                  </td>
                  <td>{entry ? <span title={new Date(entry.fetchedAt).toISOString()}>{formatAgo(entry.fetchedAt, props.now)}</span> : '–'}</td>
                  <td>
                    {kind === 'hosted' ? <span class="mark hosted">hosted</span> : null}
                    {pinned ? <span class="mark pinned">pinned</span> : null}
                    {entry?.status === 'missing' ? <span class="mark missing">upstream 404</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </PageLayout>
  )
}
