export * from './call-stats.ts';
