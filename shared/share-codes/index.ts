/**
 * Share codes (小程序码) of campaigns: made by WeChat once per scene, page, build and width, then
 * kept in object storage and memory; who may make a code naming another referrer is in campaigns' access.
 */
export * from './campaign-codes.js';
