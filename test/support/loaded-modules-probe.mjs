/** Loaded with --import: records every module the process loads (import and require) and writes their URLs to $LARDER_PROBE_OUT at exit. */
import { writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'

const loaded = new Set()
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url)
    return nextLoad(url, context)
  },
})
process.on('exit', () => writeFileSync(process.env.LARDER_PROBE_OUT, [...loaded].join('\n')))
