/** Search results: the names Larder holds that contain the query, each linking to its entries. */
import type { HeldName } from './name-catalog.js'
import { PageLayout } from './page-layout.js'
import { namePath } from './status-paths.js'

export function SearchPage(props: { query: string; results: HeldName[]; truncated: boolean; limit: number }) {
  const { query, results } = props
  return (
    <PageLayout title={`Larder: ${query || 'every name'}`} query={query}>
      <h2>{query ? <>Names containing “{query}”</> : 'Every name held'}</h2>
      {results.length === 0 ? (
        <p class="muted">Larder holds no such name (mirrored or hosted).</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Ecosystem</th>
                <th>Name</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr data-result={`${r.ecosystem}:${r.name}`}>
                  <td>{r.ecosystem}</td>
                  <td class="mono">
                    <a href={namePath(r.ecosystem, r.name)}>{r.name}</a>
                  </td>
                  <td>{r.kind === 'hosted' ? <span class="mark hosted">hosted</span> : <span class="muted">mirrored</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.truncated ? <p class="muted">Only the first {props.limit} are shown: narrow the search.</p> : null}
    </PageLayout>
  )
}
