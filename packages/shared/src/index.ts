export * from './emotions.ts';
export * from './ack.ts';
export * from './signalling.ts';
export * from './config.ts';
export * from './analytics.ts';
export * from './frames.ts';
export * from './analyzer-link.ts';
export * from './sample-csv.ts';
