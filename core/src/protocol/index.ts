// The HTTP contract of both services, one file per area: TypeBox schemas (the routes validate and serialize
// with them, /openapi.json shows them) with their TypeScript types next to them (the CLI, the console and the
// tests read answers as those).
export * from './access.js';
export * from './cluster.js';
export * from './common.js';
export * from './console.js';
export * from './groups.js';
export * from './health.js';
export * from './reads.js';
export * from './records.js';
export * from './replay.js';
export * from './route-errors.js';
export * from './stats.js';
export * from './topics.js';
export * from './write.js';
