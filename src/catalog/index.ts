export * from './catalog-index.ts';
export * from './file.ts';
export * from './sample.ts';
export * from './schema.ts';
export * from './sync.ts';
