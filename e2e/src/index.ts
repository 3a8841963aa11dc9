export * from './paths.ts';
export * from './processes.ts';
export * from './fake-media.ts';
export * from './servers.ts';
export * from './browser.ts';
export * from './call-page.ts';
export * from './analyzer.ts';
export * from './stack.ts';
