/**
 * The typed mini-program client: types generated from /openapi.json (api-types.ts) and a small
 * adapter over wx.request (wx-client.ts). Imports nothing else of this repository, so a mini-program can copy the folder.
 */
export type { components, operations, paths } from './api-types.js';
export * from './wx-client.js';
