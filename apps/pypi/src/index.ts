/** @larder/pypi: the PyPI simple API (mirror + uploads) on the Larder core. */
export { createApp, DEFAULT_PYPI_PREFIX, type PypiAppOptions } from './app.js'
