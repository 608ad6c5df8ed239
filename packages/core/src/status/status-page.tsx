/** The page at / for browsers: each mirror's traffic, upstream health, disk, and the latest publish events. */
import type { PublishEvent } from '../events/publish-event.js'
import type { UpstreamHealth } from '../upstream/types.js'
import { formatAgo, formatBytes, formatRatio } from './format.js'
import { PageLayout } from './page-layout.js'
import { namePath } from './status-paths.js'
import type { MirrorTraffic, StatusSnapshot } from './status-snapshot.js'
import { TrafficChart } from './traffic-chart.js'
import { hitRatio, type TrafficTotals } from './traffic-series.js'

export function StatusPage(props: { snapshot: StatusSnapshot }) {
  const { snapshot } = props
  return (
    <PageLayout title="Larder status">
      <h2>Mirrors</h2>
      <div class="cards">
        {snapshot.mirrors.map((mirror) => (
          <MirrorCard mirror={mirror} />
        ))}
      </div>
      <h2>Upstreams</h2>
      <Upstreams upstreams={snapshot.upstreams} now={snapshot.now} />
      <h2>Disk</h2>
      <Disk snapshot={snapshot} />
      <h2>Recent publishes</h2>
      <Events events={snapshot.events} error={snapshot.eventsError} now={snapshot.now} />
    </PageLayout>
  )
}

function Figures(props: { hour: TrafficTotals; day: TrafficTotals }) {
  const { hour, day } = props
  return (
    <dl class="figures">
      <dt />
      <dd class="muted">1 h</dd>
      <dd class="muted">24 h</dd>
      <dt>Requests</dt>
      <dd data-figure="requests-hour">{hour.requests}</dd>
      <dd data-figure="requests-day">{day.requests}</dd>
      <dt>From the store</dt>
      <dd data-figure="hits-hour">{hour.hits}</dd>
      <dd data-figure="hits-day">{day.hits}</dd>
      <dt>Hit ratio</dt>
      <dd>{formatRatio(hitRatio(hour))}</dd>
      <dd>{formatRatio(hitRatio(day))}</dd>
      <dt>Served</dt>
      <dd>{formatBytes(hour.bytes)}</dd>
      <dd>{formatBytes(day.bytes)}</dd>
    </dl>
  )
}

function MirrorCard(props: { mirror: MirrorTraffic }) {
  const { mirror } = props
  return (
    <section class="card" data-mirror={mirror.name}>
      <h3>
        <span>{mirror.name}</span>
        <small class="mono">{mirror.urls.join(' ')}</small>
      </h3>
      <Figures hour={mirror.hour} day={mirror.day} />
      <TrafficChart steps={mirror.chart} label={`${mirror.name}: requests and hit ratio over the last 24 hours`} />
      <div class="legend">
        last 24 h: <span class="req">■ requests</span> <span class="hit">— hit ratio</span> (HIT, STALE, OFFLINE, REVALIDATED against MISS)
      </div>
    </section>
  )
}

function Upstreams(props: { upstreams: UpstreamHealth[]; now: number }) {
  if (props.upstreams.length === 0) return <p class="muted">No upstream asked since start.</p>
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Origin</th>
            <th>Circuit</th>
            <th class="num">Failures in a row</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {props.upstreams.map((u) => (
            <tr>
              <td class="mono">{u.origin}</td>
              <td class={`state-${u.circuit}`}>{u.circuit}</td>
              <td class="num">{u.consecutiveFailures}</td>
              <td>
                {u.lastError ? (
                  <>
                    <code>{u.lastError.code}</code> {u.lastError.message}{' '}
                    <span class="muted" title={new Date(u.lastError.at).toISOString()}>
                      ({formatAgo(u.lastError.at, props.now)})
                    </span>
                  </>
                ) : (
                  <span class="muted">none</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Disk(props: { snapshot: StatusSnapshot }) {
  const { store, maxCacheBytes, disk, dataDir, now } = props.snapshot
  const used = store?.stats.blobs.bytes
  return (
    <div class="card">
      <p>
        Store:{' '}
        {used === undefined ? <span class="muted">not counted yet (a count runs soon after start, then every 10 minutes)</span> : <b>{formatBytes(used)}</b>}
        {maxCacheBytes !== undefined ? <> of LARDER_MAX_CACHE_GB {formatBytes(maxCacheBytes)}</> : <span class="muted"> (no LARDER_MAX_CACHE_GB limit)</span>}
        {store ? <span class="muted"> · counted {formatAgo(store.at, now)}</span> : null}
      </p>
      {used !== undefined && maxCacheBytes ? (
        <div class="bar" title="store use against LARDER_MAX_CACHE_GB">
          <span style={`width:${Math.min(100, (100 * used) / maxCacheBytes).toFixed(1)}%`} />
        </div>
      ) : null}
      <p>
        Free on the data folder (<code>{dataDir}</code>):{' '}
        {disk ? (
          <>
            <b>{formatBytes(disk.freeBytes)}</b> of {formatBytes(disk.totalBytes)}
          </>
        ) : (
          <span class="muted">unknown</span>
        )}
      </p>
      {store && Object.keys(store.stats.ecosystems).length > 0 ? (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Ecosystem</th>
                <th class="num">Mirrored</th>
                <th class="num">Hosted</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(store.stats.ecosystems).map(([ecosystem, { hosted, mirrored }]) => (
                <tr>
                  <td>{ecosystem}</td>
                  <td class="num">
                    {mirrored.entries} entries, {formatBytes(mirrored.bytes)}
                  </td>
                  <td class="num">
                    {hosted.entries} entries, {formatBytes(hosted.bytes)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  )
}

function Events(props: { events: PublishEvent[]; error: string | undefined; now: number }) {
  if (props.error) return <p class="muted">Could not read the events: {props.error}</p>
  if (props.events.length === 0) return <p class="muted">Nothing published, uploaded or changed yet.</p>
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>What</th>
            <th>Name</th>
            <th>Version</th>
            <th>By</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((e) => (
            <tr>
              <td title={e.at}>{formatAgo(Date.parse(e.at), props.now)}</td>
              <td>
                {e.ecosystem} {e.type}
                {e.tag ? ` ${e.tag}` : ''}
              </td>
              <td class="mono">
                <a href={namePath(e.ecosystem, e.name)}>{e.name}</a>
              </td>
              <td class="mono">{e.version ?? '–'}</td>
              <td>{e.by}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
