export * from './emotions.ts';
export * from './ack.ts';
export * from './signalling.ts';
export * from './config.ts';
