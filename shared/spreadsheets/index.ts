/**
 * Spreadsheets in xlsx (what wx.openDocument opens), streamed row by row through a ZIP writer of
 * our own. Routes import it on first use only: the join path's cold start never loads it.
 */
export * from './xlsx.js';
export * from './zip-stream.js';
