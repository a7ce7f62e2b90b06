export * from './call-stats.ts';
export * from './period-stats.ts';
