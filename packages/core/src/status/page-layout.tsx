/** The frame of every status page: head with the inline stylesheet and viewport, a header with the search box. */
import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { PAGE_STYLE } from './page-style.js'
import { SEARCH_PATH } from './status-paths.js'

export function PageLayout(props: { title: string; query?: string; children?: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{props.title}</title>
          <style dangerouslySetInnerHTML={{ __html: PAGE_STYLE }} />
        </head>
        <body>
          <header>
            <h1>
              <a href="/">Larder</a>
            </h1>
            <form class="search" method="get" action={SEARCH_PATH}>
              <input type="search" name="q" value={props.query ?? ''} placeholder="Search packages, projects, images, files" aria-label="Search names" />
              <button type="submit">Search</button>
            </form>
          </header>
          <main>{props.children}</main>
        </body>
      </html>
    </>
  )
}
