/** A status page's error for a browser: the message and hint, with the status and headers (a 401's challenge) of the error. */
import type { Context } from 'hono'
import type { LarderError } from '../errors/index.js'
import type { LarderEnv } from '../http/types.js'
import { PageLayout } from './page-layout.js'

export function renderStatusError(c: Context<LarderEnv>, error: LarderError): Response {
  const page = (
    <PageLayout title={`Larder: ${error.status}`}>
      <h2>
        {error.status} <code>{error.code}</code>
      </h2>
      <p>{error.message}</p>
      {error.hint ? <p class="muted">{error.hint}</p> : null}
    </PageLayout>
  )
  // Every part is synchronous, so the page is a string already.
  return c.html(String(page), error.status as 400, error.headers ? { ...error.headers } : undefined)
}
