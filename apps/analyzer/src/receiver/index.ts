export { ReceiverProcess, ReceiverCrashedError, receiveFrames } from './receiver-process.ts';
export type { ReceiverExit, ReceiverOptions, ReceiverProcessStats, ReceiverSignalling, RtpCapabilities, DtlsParameters } from './receiver-process.ts';
export { FrameRateCap } from './frame-rate-cap.ts';
