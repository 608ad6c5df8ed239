/** A small inline SVG of one mirror's last 24 h: requests as bars, hit ratio as a line (0-100%). */
import type { TrafficTotals } from './traffic-series.js'
import { hitRatio } from './traffic-series.js'

const WIDTH = 300
const HEIGHT = 64
const PAD = 2

export function TrafficChart(props: { steps: TrafficTotals[]; label: string }) {
  const { steps } = props
  const most = Math.max(1, ...steps.map((s) => s.requests))
  const step = (WIDTH - 2 * PAD) / Math.max(1, steps.length)
  const y = (fraction: number) => PAD + (HEIGHT - 2 * PAD) * (1 - fraction)
  const bars = steps.map((s, i) => {
    const h = ((HEIGHT - 2 * PAD) * s.requests) / most
    return s.requests > 0 ? (
      <rect x={(PAD + i * step).toFixed(1)} y={(HEIGHT - PAD - h).toFixed(1)} width={Math.max(1, step - 1).toFixed(1)} height={h.toFixed(1)} />
    ) : null
  })
  // The line joins the steps that had store answers; a gap where there were none.
  const segments: string[] = []
  let current = ''
  steps.forEach((s, i) => {
    const ratio = hitRatio(s)
    if (ratio === undefined) {
      if (current) segments.push(current)
      current = ''
      return
    }
    current += `${current ? 'L' : 'M'}${(PAD + i * step + step / 2).toFixed(1)},${y(ratio).toFixed(1)}`
  })
  if (current) segments.push(current)
  return (
    <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={props.label} preserveAspectRatio="none">
      <title>{props.label}</title>
      <line x1={PAD} x2={WIDTH - PAD} y1={HEIGHT - PAD} y2={HEIGHT - PAD} stroke="currentColor" stroke-opacity="0.25" />
      <g fill="var(--accent)" fill-opacity="0.55">
        {bars}
      </g>
      {segments.map((d) => (
        <path d={d} fill="none" stroke="var(--good)" stroke-width="1.5" stroke-linejoin="round" />
      ))}
      {segments
        .filter((d) => !d.includes('L'))
        .map((d) => {
          const [cx, cy] = d.slice(1).split(',')
          return <circle cx={cx} cy={cy} r="1.8" fill="var(--good)" />
        })}
    </svg>
  )
}
