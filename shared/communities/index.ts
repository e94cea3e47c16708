/**
 * Communities (社群): the community, its members' standings and member book, its team and their
 * invitations, and the campaigns published into it. Who may do what there is decided in access.ts.
 */
export * from './access.js';
export * from './communities.js';
export * from './invitations.js';
export * from './links.js';
export * from './members.js';
export * from './standing.js';
