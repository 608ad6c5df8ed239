/** PyPI fixtures: dists built with python3 at test time and fixture indexes (HTML-only and PEP 691 JSON). */
export * from './python-dist.js'
export * from './pypi-index-fixture.js'
export { normalizeProjectName, type FixtureFile } from './pypi-index-pages.js'
