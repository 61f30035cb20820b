export * from './access-control.js';
export * from './acl.js';
export * from './acl-store.js';
export * from './api-keys.js';
export * from './principal.js';
export * from './quotas.js';
export * from './routes.js';
