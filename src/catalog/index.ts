export * from './catalog-index.ts';
export * from './schema.ts';
export * from './sync.ts';
